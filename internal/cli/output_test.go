package cli

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// TestOutRegularFile: --out replaces a regular file atomically and leaves
// it world-readable, even when it was 0600 before.
func TestOutRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--as-of", asOf, "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Fatalf("after --out: %v %v, want a regular 0644 file", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "TIER 1") {
		t.Errorf("report not written: %q", b)
	}
}

// TestOutFIFO: a FIFO is written through, never replaced by a file.
func TestOutFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(bufio.NewReader(f))
		got <- string(b)
	}()
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--as-of", asOf, "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if s := <-got; !strings.Contains(s, "TIER 1") {
		t.Errorf("reader of the FIFO got %q", s)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("FIFO replaced or re-moded: %v %v", fi.Mode(), err)
	}
}

// TestOutSymlink: a symbolic link is followed: the file it points to gets
// the output, and the link itself stays a link.
func TestOutSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.txt")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--as-of", asOf, "--out", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "TIER 1") {
		t.Errorf("link target not written: %q", b)
	}
	dangling := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "nowhere", "x"), dangling)
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--out", dangling); code != 2 || !strings.Contains(stderr, "does not resolve") {
		t.Errorf("dangling link: exit %d, %s", code, stderr)
	}
}

// TestOutDevice: a character device (a null device made in the test's own
// directory) is written in place and stays a device.
func TestOutDevice(t *testing.T) {
	testenv.Require(t, os.Geteuid() == 0, "root (to make a device node)")
	path := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, int(1<<8|3)); err != nil {
		testenv.Require(t, false, "mknod in a temporary directory ("+err.Error()+")")
	}
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("device replaced: %v %v", fi.Mode(), err)
	}
}

// TestOutDirectory: a directory is refused, not replaced.
func TestOutDirectory(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "assess", example("smart-plug-tier1"), "--out", dir); code != 2 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("exit %d, %s", code, stderr)
	}
}
