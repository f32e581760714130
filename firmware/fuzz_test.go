package firmware

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// seeds are the fixtures every fuzzer of the unpacker starts from.
func seeds(f *testing.F) {
	for _, name := range []string{"binwalk-squashfs.bin", "binwalk-gzip.bin", "binwalk-cramfs.bin", "tiny.jffs2", "tiny-lz4.sqfs", "tiny-lzo.sqfs"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("070701" + string(make([]byte, 200))))
	w.Close()
	f.Add(gz.Bytes())
	f.Add([]byte("\x27\x05\x19\x56" + string(make([]byte, 60))))
	f.Add([]byte("hsqs" + string(make([]byte, 120))))
	f.Add(append(make([]byte, 257), []byte("ustar\x0000")...))
}

// FuzzUnpack: any bytes unpack without a panic, within the limits, and
// leave nothing behind.
func FuzzUnpack(f *testing.F) {
	seeds(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		img := filepath.Join(dir, "img")
		if err := os.WriteFile(img, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		lim := Limits{MaxBytes: 8 << 20, MaxRatio: 100, MaxFiles: 1000, MaxDepth: 4, MaxLayers: 50}
		start := time.Now()
		tr, err := Unpack(ctx, img, Options{Limits: lim})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%d bytes took %v to unpack", len(data), d)
		}
		if err != nil {
			return
		}
		work := tr.dir
		if len(tr.Layers) > lim.MaxLayers+1 || len(tr.Files) > lim.MaxFiles+1 {
			t.Errorf("%d layers, %d files: over the limits", len(tr.Layers), len(tr.Files))
		}
		tr.Close()
		if _, err := os.Stat(work); !os.IsNotExist(err) {
			t.Errorf("work directory %s left behind", work)
		}
	})
}

// FuzzParseAccount: any line parses without a panic; a locked account is
// never an entry.
func FuzzParseAccount(f *testing.F) {
	for _, s := range []string{"root:$1$ab$xyz:0:0", "admin::1", "daemon:*:1", "x:!$6$a$b:", "", "user:{SHA}abc", "a:$2y$10$x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, ok := parseAccount(line)
		if ok && c.User == "" {
			t.Errorf("%q gave an entry without a user", line)
		}
		if ok {
			Cracking{Candidates: []string{"admin"}}.crack(&c)
		}
	})
}

// FuzzPEMKey: any PEM block is judged without a panic.
func FuzzPEMKey(f *testing.F) {
	for _, typ := range []string{"RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "CERTIFICATE", "EC PRIVATE KEY"} {
		f.Add(typ, []byte("\x30\x82\x01\x00"))
	}
	f.Fuzz(func(t *testing.T, typ string, body []byte) {
		pemKey(&pem.Block{Type: typ, Bytes: body})
		dropbearKey(body)
	})
}
