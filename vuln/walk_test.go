package vuln_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/vuln"
)

func record(i int) []byte {
	return fmt.Appendf(nil, `{"id":"GO-T-%04d","modified":"2026-10-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"example.com/m%d"}}]}`, i, i%7)
}

// writeZip writes entries with add, which may write raw (lying) headers.
func writeZip(t *testing.T, add func(z *zip.Writer)) string {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add(z)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Walk hands a zip's batches on in archive order, though it parses them in
// parallel, and stops at the first bad entry naming it.
func TestWalkZipOrderAndErrors(t *testing.T) {
	p := writeZip(t, func(z *zip.Writer) {
		for i := range 500 {
			w, _ := z.Create(fmt.Sprintf("GO-T-%04d.json", i))
			w.Write(record(i))
		}
	})
	var ids []string
	if err := vuln.Walk(context.Background(), p, nil, func(_ string, b vuln.Batch) error {
		ids = append(ids, b.Advisories[0].ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id != fmt.Sprintf("GO-T-%04d", i) {
			t.Fatalf("batch %d is %s: out of order", i, id)
		}
	}
	if len(ids) != 500 {
		t.Fatalf("%d batches, want 500", len(ids))
	}
	bad := writeZip(t, func(z *zip.Writer) {
		for i := range 100 {
			w, _ := z.Create(fmt.Sprintf("GO-T-%04d.json", i))
			if i == 60 {
				w.Write([]byte(`{"id":`))
				continue
			}
			w.Write(record(i))
		}
	})
	n := 0
	err := vuln.Walk(context.Background(), bad, nil, func(string, vuln.Batch) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "GO-T-0060.json") || n != 60 {
		t.Errorf("after %d batches: %v, want an error naming entry 60 after 60 batches", n, err)
	}
}

// Hostile archives are refused before they cost memory: an entry that
// compresses too well, one that inflates past its declared size, one whose
// checksum is wrong.
func TestWalkZipRefusesHostileEntries(t *testing.T) {
	raw := func(z *zip.Writer, name string, body []byte, declared uint64, crc uint32) {
		comp := deflate(t, body)
		w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(comp)), UncompressedSize64: declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp)
	}
	big := bytes.Repeat([]byte(" "), 4<<20)
	copy(big, record(1))
	small := record(2)
	for name, c := range map[string]struct {
		add  func(z *zip.Writer)
		want string
	}{
		"bomb":     {func(z *zip.Writer) { raw(z, "b.json", big, uint64(len(big)), crc32.ChecksumIEEE(big)) }, "zip bomb"},
		"lies":     {func(z *zip.Writer) { raw(z, "l.json", small, uint64(len(small)-10), crc32.ChecksumIEEE(small)) }, "more than the"},
		"checksum": {func(z *zip.Writer) { raw(z, "c.json", small, uint64(len(small)), 12345) }, "checksum"},
	} {
		err := vuln.Walk(context.Background(), writeZip(t, c.add), nil, func(string, vuln.Batch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
}

func deflate(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
	w.Write(b)
	z.Close()
	r, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A large NVD page or feed is read as a stream, with the same advisories as
// parsing it whole; a large KEV catalog (which also has a "vulnerabilities"
// list) is still read as the catalog.
func TestWalkStreamsLargeNVDPages(t *testing.T) {
	rec := `{"cve":{"id":"CVE-2099-%05d","lastModified":"2026-10-01T00:00:00.000","vulnStatus":"Analyzed","descriptions":[{"lang":"en","value":"%s"}],` +
		`"configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:example:p%d:*:*:*:*:*:*:*:*","versionEndExcluding":"2.0"}]}]}]}}`
	pad := strings.Repeat("x", 900)
	var page bytes.Buffer
	page.WriteString(`{"resultsPerPage":12000,"format":"NVD_CVE","version":"2.0","vulnerabilities":[`)
	for i := range 12000 {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, rec, i, pad, i%50)
	}
	page.WriteString(`],"timestamp":"2026-10-01T00:00:00.000"}`)
	if page.Len() <= 8<<20 {
		t.Fatalf("page of %d bytes is too small to be streamed", page.Len())
	}
	p := filepath.Join(t.TempDir(), "nvdcve-2.0-2099.json")
	if err := os.WriteFile(p, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var streamed []vuln.Advisory
	batches := 0
	if err := vuln.Walk(context.Background(), p, nil, func(_ string, b vuln.Batch) error {
		streamed, batches = append(streamed, b.Advisories...), batches+1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	whole, err := vuln.Parse(p, page.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if batches < 2 || len(streamed) != 12000 || !reflect.DeepEqual(streamed, whole.Advisories) {
		t.Errorf("%d batches, %d advisories streamed, %d parsed whole (equal: %v)", batches, len(streamed), len(whole.Advisories), reflect.DeepEqual(streamed, whole.Advisories))
	}
	// A broken record half-way is an error naming it.
	broken := bytes.Replace(page.Bytes(), []byte(`"id":"CVE-2099-06000"`), []byte(`"id":6000`), 1)
	if err := os.WriteFile(p, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := vuln.Walk(context.Background(), p, nil, func(string, vuln.Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), "NVD record 6001") {
		t.Errorf("broken record: %v", err)
	}
	var kev bytes.Buffer
	kev.WriteString(`{"title":"t","catalogVersion":"2026.10.01","vulnerabilities":[`)
	for i := range 60000 {
		if i > 0 {
			kev.WriteByte(',')
		}
		fmt.Fprintf(&kev, `{"cveID":"CVE-2099-%05d","dateAdded":"2026-10-01","vendorProject":"example","product":"p","vulnerabilityName":"%s"}`, i, pad[:100])
	}
	kev.WriteString(`]}`)
	if err := os.WriteFile(p, kev.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := vuln.Walk(context.Background(), p, nil, func(_ string, b vuln.Batch) error { n += len(b.KEV); return nil }); err != nil || n != 60000 || kev.Len() <= 8<<20 {
		t.Errorf("large KEV catalog: %d entries (%d bytes), %v", n, kev.Len(), err)
	}
}
