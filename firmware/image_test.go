package firmware_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/firmware"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// tool returns the path of a command the test builds images with.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			if _, serr := os.Stat(filepath.Join(dir, name)); serr == nil {
				p, err = filepath.Join(dir, name), nil
			}
		}
	}
	testenv.Require(t, err == nil, name+" (Debian package "+pkg+")")
	return p
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// writeTree writes files (path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// squashfs builds a SquashFS image of dir with mksquashfs and a compressor.
func squashfs(t *testing.T, dir, comp string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "rootfs-"+comp+".sqfs")
	run(t, tool(t, "mksquashfs", "squashfs-tools"), dir, img, "-comp", comp, "-noappend", "-all-root", "-quiet")
	return img
}

// uimage wraps payload in a legacy U-Boot image with mkimage.
func uimage(t *testing.T, payload, comp string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "firmware-"+comp+".uimage")
	run(t, tool(t, "mkimage", "u-boot-tools"), "-A", "mips", "-O", "linux", "-T", "filesystem", "-C", comp, "-n", "test rootfs", "-d", payload, img)
	return img
}

func unpack(t *testing.T, img string) *firmware.Tree {
	t.Helper()
	tr, err := firmware.Unpack(context.Background(), img, firmware.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func read(t *testing.T, tr *firmware.Tree, path string) string {
	t.Helper()
	fs := tr.Lookup(path)
	if len(fs) == 0 {
		var have []string
		for _, f := range tr.Files {
			have = append(have, f.Path)
		}
		t.Fatalf("%s not found in the image; files: %v; layers: %+v", path, have, tr.Layers)
	}
	b, err := tr.ReadFile(fs[0], 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUnpackSquashFSCompressors: a SquashFS made by mksquashfs with each
// compressor Debian's squashfs-tools has, bare and inside a uImage (plain
// and gzip-compressed), unpacks to the files that went in (lz4 and lzo
// through our own reader).
func TestUnpackSquashFSCompressors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/banner": "hello from the image\n", "usr/lib/deep/x.txt": strings.Repeat("x", 300_000)})
	if err := os.Symlink("/etc/banner", filepath.Join(dir, "etc/motd")); err != nil {
		t.Fatal(err)
	}
	for _, comp := range []string{"gzip", "xz", "lzma", "zstd", "lzo", "lz4"} {
		t.Run(comp, func(t *testing.T) {
			img := squashfs(t, dir, comp)
			for _, c := range []struct{ name, img string }{{"bare", img}, {"uimage", uimage(t, img, "none")}, {"uimage+gzip", gzipped(t, img)}} {
				tr := unpack(t, c.img)
				if got := read(t, tr, "/etc/banner"); got != "hello from the image\n" {
					t.Errorf("%s: /etc/banner = %q", c.name, got)
				}
				if got := read(t, tr, "/usr/lib/deep/x.txt"); len(got) != 300_000 {
					t.Errorf("%s: x.txt has %d bytes", c.name, len(got))
				}
				var link string
				for _, f := range tr.Files {
					if f.Path == "/etc/motd" {
						link = f.Kind + " -> " + f.Link
					}
				}
				if link != "symlink -> /etc/banner" {
					t.Errorf("%s: /etc/motd is %q", c.name, link)
				}
			}
		})
	}
}

// gzipped is a uImage whose payload mkimage was told is gzip, compressed
// with gzip(1).
func gzipped(t *testing.T, payload string) string {
	t.Helper()
	gz := filepath.Join(t.TempDir(), "payload.gz")
	out, err := exec.Command(tool(t, "gzip", "gzip"), "-9", "-c", payload).Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gz, out, 0o644)
	return uimage(t, gz, "gzip")
}

// TestUnpackCPIOAndOffsets: an image as vendors lay them out — a header of
// their own, a gzip-compressed kernel in a uImage, then a root file system
// at an offset that no header names — unpacks every part; a gzip-compressed
// newc CPIO (an initramfs) inside the file system is opened too, and a
// tar's entries are read.
func TestUnpackCPIOAndOffsets(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"init": "#!/bin/sh\n", "etc/inittab": "::sysinit:/etc/init.d/rcS\n"})
	cpioPath := filepath.Join(t.TempDir(), "initramfs.cpio")
	cmd := exec.Command("sh", "-c", "find . | "+tool(t, "cpio", "cpio")+" -o -H newc --quiet > "+cpioPath)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio: %v %s", err, out)
	}
	rootfs := t.TempDir()
	cpioGz, _ := exec.Command("gzip", "-9", "-c", cpioPath).Output()
	writeTree(t, rootfs, map[string]string{"boot/initramfs.cpio.gz": string(cpioGz), "etc/version": "v7\n"})
	tarPath := filepath.Join(t.TempDir(), "etc.tar")
	run(t, "tar", "-C", dir, "-cf", tarPath, "etc")
	kernel := filepath.Join(t.TempDir(), "vmlinux")
	os.WriteFile(kernel, []byte("Linux version 5.10.176 (builder@host) (gcc version 12.2.0) #1 SMP\n"), 0o644)
	kgz, _ := exec.Command("gzip", "-9", "-c", kernel).Output()
	kgzPath := filepath.Join(t.TempDir(), "vmlinux.gz")
	os.WriteFile(kgzPath, kgz, 0o644)

	var img []byte
	img = append(img, []byte("VENDOR-HEADER v1\x00")...)
	img = append(img, make([]byte, 300)...)
	for _, part := range []string{uimage(t, kgzPath, "gzip"), squashfs(t, rootfs, "xz"), tarPath} {
		b, _ := os.ReadFile(part)
		img = append(img, b...)
		img = append(img, make([]byte, 4096-len(img)%4096)...)
	}
	path := filepath.Join(t.TempDir(), "vendor.bin")
	os.WriteFile(path, img, 0o644)
	tr := unpack(t, path)
	if got := read(t, tr, "/etc/version"); got != "v7\n" {
		t.Errorf("/etc/version = %q", got)
	}
	if got := read(t, tr, "/etc/inittab"); !strings.Contains(got, "rcS") {
		t.Errorf("/etc/inittab = %q", got)
	}
	formats := map[string]int{}
	for _, l := range tr.Layers {
		formats[l.Format]++
		if l.Error != "" {
			t.Errorf("layer %+v has an error", l)
		}
	}
	for f, n := range map[string]int{"uimage": 1, "gzip": 2, "squashfs": 1, "cpio": 1, "tar": 1} {
		if formats[f] != n {
			t.Errorf("%d %s layers, want %d: %+v", formats[f], f, n, tr.Layers)
		}
	}
	// The kernel's bytes are there to be read, outside any file system.
	found := false
	for _, f := range tr.Files {
		if f.Kind == firmware.KindBlob {
			b, _ := tr.ReadFile(f, 1<<20)
			found = found || strings.Contains(string(b), "Linux version 5.10.176")
		}
	}
	if !found {
		t.Error("the decompressed kernel is not among the blobs")
	}
}

// TestHostileImages: path traversal stays inside the work directory, a
// decompression bomb and deep nesting stop at their limits with a message
// naming the layer and offset, a truncated file system is reported, and
// nothing is left behind after Close.
func TestHostileImages(t *testing.T) {
	// Entries named ../../../escape and /abs/path, in a newc CPIO.
	work := t.TempDir()
	src := filepath.Join(work, "a", "b", "c")
	writeTree(t, work, map[string]string{"escape": "outside\n", "a/b/c/inside": "inside\n"})
	cpioPath := filepath.Join(t.TempDir(), "evil.cpio")
	cmd := exec.Command("sh", "-c", "printf '../../../escape\\ninside\\n' | "+tool(t, "cpio", "cpio")+" -o -H newc --quiet > "+cpioPath)
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio: %v %s", err, out)
	}
	extract := filepath.Join(t.TempDir(), "x")
	tr, err := firmware.Unpack(context.Background(), cpioPath, firmware.Options{ExtractDir: extract})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, tr, "/escape"); got != "outside\n" {
		t.Errorf("/escape = %q", got)
	}
	filepath.Walk(filepath.Dir(extract), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasPrefix(p, extract+string(filepath.Separator)) {
			t.Errorf("%s was written outside --extract %s", p, extract)
		}
		return nil
	})
	if _, err := firmware.Unpack(context.Background(), cpioPath, firmware.Options{ExtractDir: extract}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("unpacking into a non-empty --extract: %v", err)
	}

	// 64 MiB of zeros in gzip is about 64 KiB: over a ratio of 250.
	zeros := filepath.Join(t.TempDir(), "zeros")
	f, _ := os.Create(zeros)
	f.Truncate(64 << 20)
	f.Close()
	bomb, _ := exec.Command("gzip", "-9", "-c", zeros).Output()
	bombPath := filepath.Join(t.TempDir(), "bomb.gz")
	os.WriteFile(bombPath, append(make([]byte, 100), bomb...), 0o644)
	tr = unpack(t, bombPath)
	if len(tr.Layers) != 1 || !strings.Contains(tr.Layers[0].Error, "gzip at offset 100") || !strings.Contains(tr.Layers[0].Error, "decompression bomb") {
		t.Errorf("bomb: %+v", tr.Layers)
	}

	// gzip inside gzip, ten deep: the ninth is refused.
	nested := filepath.Join(t.TempDir(), "n0")
	os.WriteFile(nested, []byte("core\n"), 0o644)
	for i := range 10 {
		b, _ := exec.Command("gzip", "-c", nested).Output()
		nested = filepath.Join(t.TempDir(), "n"+string(rune('1'+i)))
		os.WriteFile(nested, b, 0o644)
	}
	tr = unpack(t, nested)
	if last := tr.Layers[len(tr.Layers)-1]; len(tr.Layers) != 9 || !strings.Contains(last.Error, "nested deeper than 8 layers") {
		t.Errorf("nesting: %d layers, last %+v", len(tr.Layers), last)
	}

	// A SquashFS cut in half.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n"})
	whole, _ := os.ReadFile(squashfs(t, dir, "xz"))
	cut := filepath.Join(t.TempDir(), "cut.sqfs")
	used := int(whole[40]) | int(whole[41])<<8 // bytes_used, small here
	os.WriteFile(cut, whole[:used/2], 0o644)
	tr = unpack(t, cut)
	if len(tr.Layers) != 1 || !strings.Contains(tr.Layers[0].Error, "truncated") {
		t.Errorf("truncated SquashFS: %+v", tr.Layers)
	}
	tmp := tr
	tmp.Close()
}

// TestBinwalkInputs: binwalk's own test inputs (MIT, copied to testdata)
// unpack to the file binwalk expects in them.
func TestBinwalkInputs(t *testing.T) {
	for _, name := range []string{"binwalk-squashfs.bin", "binwalk-gzip.bin", "binwalk-cramfs.bin"} {
		tr := unpack(t, filepath.Join("testdata", name))
		found := false
		for _, f := range tr.Files {
			if f.Kind == firmware.KindFile || f.Kind == firmware.KindBlob && f.Path != "[image]" {
				b, _ := tr.ReadFile(f, 1<<20)
				found = found || strings.Contains(string(b), "DISTRIB_")
			}
		}
		if !found || len(tr.Layers) != 1 || tr.Layers[0].Offset != 0 {
			t.Errorf("%s: layers %+v, lsb-release found %v", name, tr.Layers, found)
		}
	}
}

// TestUnpackExt4: an ext4 image made by mkfs.ext4 from a directory unpacks
// to its files and links.
func TestUnpackExt4(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/banner": "ext4 image\n", "usr/lib/big.bin": strings.Repeat("y", 200_000)})
	os.Symlink("/etc/banner", filepath.Join(dir, "etc/motd"))
	img := filepath.Join(t.TempDir(), "rootfs.ext4")
	run(t, tool(t, "mkfs.ext4", "e2fsprogs"), "-q", "-F", "-d", dir, img, "8M")
	tr := unpack(t, img)
	if got := read(t, tr, "/etc/banner"); got != "ext4 image\n" {
		t.Errorf("/etc/banner = %q", got)
	}
	if got := read(t, tr, "/usr/lib/big.bin"); len(got) != 200_000 {
		t.Errorf("big.bin: %d bytes", len(got))
	}
	for _, f := range tr.Files {
		if f.Path == "/etc/motd" && (f.Kind != firmware.KindLink || f.Link != "/etc/banner") {
			t.Errorf("/etc/motd: %+v", f)
		}
	}
	if len(tr.Layers) != 1 || tr.Layers[0].Format != "ext" || tr.Layers[0].Error != "" {
		t.Errorf("layers: %+v", tr.Layers)
	}
}

// TestUnpackJFFS2: JFFS2 images made by mkfs.jffs2 (mtd-utils) in both byte
// orders, with its default compressors (zlib and rtime) and with none,
// unpack to the files, directories and links that went in.
func TestUnpackJFFS2(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/shadow": "root::19000:0:99999:7:::\n", "etc/config/system": "config system\n",
		"usr/lib/random.bin": randomText(300_000), "usr/share/zeros": strings.Repeat("\x00", 70_000)})
	os.Symlink("/etc/config/system", filepath.Join(dir, "etc/system.link"))
	mkfs := tool(t, "mkfs.jffs2", "mtd-utils")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"little-endian", []string{"-l"}}, {"big-endian", []string{"-b"}}, {"uncompressed", []string{"-l", "-x", "zlib", "-x", "rtime"}},
		{"lzo", []string{"-l", "-X", "lzo", "-x", "zlib", "-x", "rtime"}},
	} {
		img := filepath.Join(t.TempDir(), "rootfs.jffs2")
		run(t, mkfs, append([]string{"-r", dir, "-o", img, "-e", "0x10000", "-q"}, c.args...)...)
		tr := unpack(t, img)
		if len(tr.Layers) != 1 || tr.Layers[0].Format != "jffs2" || tr.Layers[0].Error != "" {
			t.Fatalf("%s: layers %+v; warnings %v", c.name, tr.Layers, tr.Warnings)
		}
		for p, want := range map[string]string{"/etc/shadow": "root::19000:0:99999:7:::\n", "/usr/lib/random.bin": randomText(300_000),
			"/usr/share/zeros": strings.Repeat("\x00", 70_000)} {
			if got := read(t, tr, p); got != want {
				t.Errorf("%s: %s differs (%d bytes, want %d)", c.name, p, len(got), len(want))
			}
		}
		link := ""
		for _, f := range tr.Files {
			if f.Path == "/etc/system.link" {
				link = f.Kind + " " + f.Link
			}
		}
		if link != "symlink /etc/config/system" {
			t.Errorf("%s: link %q", c.name, link)
		}
	}
}

// randomText is n bytes of reproducible, poorly compressible text.
func randomText(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return string(b)
}

// TestUnpackCramFS: a CramFS image made by mkfs.cramfs unpacks to its files
// (several 4 KiB zlib blocks, a hole) and links.
func TestUnpackCramFS(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/inittab": "::respawn:/sbin/telnetd -l /bin/sh\n", "bin/app": randomText(50_000),
		"var/empty": "", "var/zeros": strings.Repeat("\x00", 9000)})
	os.Symlink("../bin/app", filepath.Join(dir, "etc/app"))
	img := filepath.Join(t.TempDir(), "rootfs.cramfs")
	run(t, tool(t, "mkfs.cramfs", "util-linux"), dir, img)
	tr := unpack(t, img)
	if len(tr.Layers) != 1 || tr.Layers[0].Format != "cramfs" || tr.Layers[0].Error != "" || len(tr.Warnings) > 0 {
		t.Fatalf("layers %+v; warnings %v", tr.Layers, tr.Warnings)
	}
	for p, want := range map[string]string{"/etc/inittab": "::respawn:/sbin/telnetd -l /bin/sh\n", "/bin/app": randomText(50_000),
		"/var/empty": "", "/var/zeros": strings.Repeat("\x00", 9000)} {
		if got := read(t, tr, p); got != want {
			t.Errorf("%s differs (%d bytes, want %d)", p, len(got), len(want))
		}
	}
	for _, f := range tr.Files {
		if f.Path == "/etc/app" && f.Link != "../bin/app" {
			t.Errorf("/etc/app: %+v", f)
		}
	}
}

// TestUnpackUBI: a UBIFS file system made by mkfs.ubifs (zlib, and with no
// compression) inside a UBI image made by ubinize (mtd-utils) unpacks to its
// files and links, through the UBI volume it lives in.
func TestUnpackUBI(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/shadow": "root:$1$abc$0123456789012345678901:19000::::::\n", "usr/bin/tool": randomText(40_000),
		"usr/share/blank": strings.Repeat("\x00", 12_000)})
	os.Symlink("/usr/bin/tool", filepath.Join(dir, "usr/bin/alias"))
	for _, comp := range []string{"lzo", "zlib", "none", "zstd"} {
		fsImg := filepath.Join(t.TempDir(), "rootfs.ubifs")
		run(t, tool(t, "mkfs.ubifs", "mtd-utils"), "-r", dir, "-m", "2048", "-e", "126976", "-c", "64", "-x", comp, "-o", fsImg)
		cfg := filepath.Join(t.TempDir(), "ubinize.cfg")
		os.WriteFile(cfg, []byte("[rootfs]\nmode=ubi\nimage="+fsImg+"\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\nvol_flags=autoresize\n"), 0o644)
		img := filepath.Join(t.TempDir(), "firmware.ubi")
		run(t, tool(t, "ubinize", "mtd-utils"), "-o", img, "-m", "2048", "-p", "128KiB", "-s", "2048", cfg)
		tr := unpack(t, img)
		var formats []string
		for _, l := range tr.Layers {
			formats = append(formats, l.Format)
			if l.Error != "" {
				t.Errorf("%s: layer %+v", comp, l)
			}
		}
		if strings.Join(formats, ",") != "ubi,ubi-volume,ubifs" {
			t.Errorf("%s: layers %v", comp, formats)
		}
		for p, want := range map[string]string{"/usr/bin/tool": randomText(40_000), "/usr/share/blank": strings.Repeat("\x00", 12_000),
			"/etc/shadow": "root:$1$abc$0123456789012345678901:19000::::::\n"} {
			if got := read(t, tr, p); got != want {
				t.Errorf("%s: %s differs (%d bytes, want %d)", comp, p, len(got), len(want))
			}
		}
		for _, f := range tr.Files {
			if f.Path == "/usr/bin/alias" && f.Link != "/usr/bin/tool" {
				t.Errorf("%s: link %+v", comp, f)
			}
		}
	}
}

// TestUnpackZipAndLZ4: a zip archive made by Info-ZIP's zip and an LZ4
// frame made by lz4 unpack.
func TestUnpackZipAndLZ4(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n", "etc/motd": "zip inside\n"})
	zipPath := filepath.Join(t.TempDir(), "update.zip")
	cmd := exec.Command(tool(t, "zip", "zip"), "-q", "-r", zipPath, "etc")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip: %v %s", err, out)
	}
	tr := unpack(t, zipPath)
	if got := read(t, tr, "/etc/motd"); got != "zip inside\n" {
		t.Errorf("zip: /etc/motd = %q; layers %+v", got, tr.Layers)
	}
	lz4Path := filepath.Join(t.TempDir(), "kernel.lz4")
	run(t, tool(t, "lz4", "lz4"), "-q", "-9", filepath.Join(dir, "etc/motd"), lz4Path)
	tr = unpack(t, lz4Path)
	found := false
	for _, f := range tr.Files {
		if f.Kind == firmware.KindBlob && f.Path != "[image]" {
			b, _ := tr.ReadFile(f, 1<<20)
			found = string(b) == "zip inside\n"
		}
	}
	if !found || len(tr.Layers) != 1 || tr.Layers[0].Format != "lz4" {
		t.Errorf("lz4: layers %+v", tr.Layers)
	}
}

// TestUnpackLZMAAlone: a legacy .lzma file (xz --format=lzma) inside a
// file system is opened.
func TestUnpackLZMAAlone(t *testing.T) {
	dir := t.TempDir()
	kernel := []byte("Linux version 4.14.221 (builder@buildhost) (gcc version 7.5.0) #0 Mon Feb 15 2021\n" + randomText(20_000))
	cmd := exec.Command(tool(t, "xz", "xz-utils"), "--format=lzma", "-c")
	cmd.Stdin = strings.NewReader(string(kernel))
	lz, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"boot/vmlinux.lzma": string(lz)})
	tr := unpack(t, squashfs(t, dir, "gzip"))
	found := false
	for _, f := range tr.Files {
		if f.Kind == firmware.KindBlob && f.Path != "[image]" {
			b, _ := tr.ReadFile(f, 1<<20)
			found = found || string(b) == string(kernel)
		}
	}
	if !found {
		t.Errorf("the .lzma kernel was not opened: layers %+v", tr.Layers)
	}
}
