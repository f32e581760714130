package sbom_test

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/sbom"
)

// Every SBOM example must parse, or fail with a clear reason that names the file.
func TestSharedExamples(t *testing.T) {
	root := filepath.Join(testenv.SharedData(t), "sbom")
	parsed := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".json" && ext != ".xml" && ext != ".spdx" && ext != ".csv" {
			return nil
		}
		doc, err := sbom.ReadFile(p)
		switch {
		case err == nil:
			parsed++
			for _, c := range doc.Components {
				if c.Name == "" {
					t.Errorf("%s: component without a name", p)
				}
			}
		case !strings.HasPrefix(err.Error(), p+": "):
			t.Errorf("error does not name the file: %v", err)
		case strings.Contains(p, "spdx3") || strings.Contains(p, "/spdx3.0/"):
			if !strings.Contains(err.Error(), "SPDX 3.0") {
				t.Errorf("%s: %v", p, err)
			}
		case strings.Contains(p, "cpe_data"):
			// Buildroot show-info output: neither an SBOM nor a manifest.
		default:
			t.Errorf("%s does not parse: %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if parsed < 80 {
		t.Errorf("only %d SBOMs parsed", parsed)
	}
}

func TestKnownDocuments(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "sbom")
	for _, tc := range []struct {
		file, format, encoding, spec string
		n                            int
		has                          sbom.Component
	}{
		{"osv-scanner-fixtures/alpine.cdx.xml", "cyclonedx", "xml", "1.4", 16,
			sbom.Component{Name: "zlib", Version: "1.2.10-r0", PURL: "pkg:apk/alpine/zlib@1.2.10-r0?arch=x86_64&upstream=zlib&distro=alpine-3.17.2"}},
		{"buildroot-laird-som60/manifest.csv", "buildroot", "csv", "", 92, sbom.Component{Name: "dnsmasq", Version: "2.84"}},
		{"spdx-examples/software/example6/spdx2.2/example6-lib.spdx", "spdx", "tag-value", "SPDX-2.2", 5, sbom.Component{}},
		{"cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.1.xml", "cyclonedx", "xml", "1.1", 62, sbom.Component{}},
	} {
		doc, err := sbom.ReadFile(filepath.Join(data, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if doc.Format != tc.format || doc.Encoding != tc.encoding || doc.SpecVersion != tc.spec || len(doc.Components) != tc.n {
			t.Errorf("%s: %s/%s %s with %d components, want %s/%s %s with %d", tc.file, doc.Format, doc.Encoding, doc.SpecVersion, len(doc.Components), tc.format, tc.encoding, tc.spec, tc.n)
		}
		if tc.has.Name == "" {
			continue
		}
		found := false
		for _, c := range doc.Components {
			found = found || (c.Name == tc.has.Name && c.Version == tc.has.Version && (tc.has.PURL == "" || c.PURL == tc.has.PURL))
		}
		if !found {
			t.Errorf("%s lacks %+v", tc.file, tc.has)
		}
	}
}

func TestRoundTripCycloneDX(t *testing.T) {
	in := []sbom.Component{{Name: "busybox", Version: "1.29.3", License: "GPL-2.0"}, {Name: "dnsmasq", Version: "2.84", PURL: "pkg:generic/dnsmasq@2.84"}}
	var buf bytes.Buffer
	if err := sbom.WriteCycloneDX(&buf, "SOM60 firmware", "7.0", in); err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.Parse("out.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if doc.SpecVersion != "1.6" || doc.Subject != "SOM60 firmware 7.0" || len(doc.Components) != 2 || doc.Components[1].PURL != in[1].PURL || doc.Components[0].License != "GPL-2.0" {
		t.Errorf("round trip: %+v", doc)
	}
}

func TestBadInputs(t *testing.T) {
	for name, in := range map[string]string{
		"empty":         "",
		"json other":    `{"hello": 1}`,
		"xml other":     `<html></html>`,
		"bad manifest":  "PACKAGE,VERSION,LICENSE\n\"unterminated,1.0,MIT\n",
		"short row":     "LICENSE,PACKAGE,VERSION\nMIT,busybox\n",
		"bad cyclonedx": `{"bomFormat": "CycloneDX", "specVersion": 7}`,
	} {
		if _, err := sbom.Parse(name, []byte(in)); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "absent", "sbom.json")
	if _, err := sbom.ReadFile(missing); err == nil {
		t.Error("missing file accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","version":"1"}]}`))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\n"))
	f.Add([]byte("PACKAGE,VERSION,LICENSE\nbusybox,1.29.3,GPL-2.0\n"))
	f.Add([]byte(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components/></bom>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := sbom.Parse("fuzz", data)
		if err == nil && doc.Components == nil {
			t.Fatal("nil component list without an error")
		}
	})
}

func TestSPDXExpression(t *testing.T) {
	for in, want := range map[string]string{
		"GPL-2.0": "GPL-2.0", "MIT": "MIT", "GPL-2.0+, LGPL-2.1+": "GPL-2.0+ AND LGPL-2.1+",
		"GPL-2.0 or BSD-3-Clause": "GPL-2.0 OR BSD-3-Clause", "unknown": "", "GPL-2.0+ (programs), LGPL-2.1+ (libraries)": "", "": "",
	} {
		got, ok := sbom.SPDXExpression(in)
		if got != want || ok != (want != "") {
			t.Errorf("SPDXExpression(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := sbom.WithVersion("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", "1.29.3"); got != "cpe:2.3:a:busybox:busybox:1.29.3:*:*:*:*:*:*:*" {
		t.Errorf("WithVersion = %s", got)
	}
}
