package sbom_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/sbom"
)

// each collects what Each hands on, from data written to a file.
func each(t *testing.T, data []byte, limit int64) (*sbom.Document, []sbom.Component, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sbom")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var got []sbom.Component
	doc, err := sbom.Each(p, limit, func(c sbom.Component) error { got = append(got, c); return nil })
	return doc, got, err
}

// Each streams CycloneDX JSON in any key order, nested components included,
// and reads the other formats whole, with the same result as Parse.
func TestEachMatchesParse(t *testing.T) {
	for name, doc := range map[string]string{
		"components first": `{"components":[{"type":"library","name":"a","version":"1","components":[{"type":"library","name":"b","version":"2"}]},{"type":"device","name":"hw"}],` +
			`"dependencies":[{"ref":"x","dependsOn":["y"]}],"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:1","version":3,"metadata":{"component":{"type":"firmware","name":"fw","version":"9"}}}`,
		"SPDX":         `{"SPDXID":"SPDXRef-DOCUMENT","spdxVersion":"SPDX-2.3","name":"x","packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1"}]}`,
		"buildroot":    "PACKAGE,VERSION,LICENSE\nbusybox,1.29.3,GPL-2.0\n",
		"example SBOM": string(must(os.ReadFile(filepath.Join("..", "examples", "router-tier2", "sbom.cdx.json")))),
	} {
		want, err := sbom.Parse("x", []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, comps, err := each(t, []byte(doc), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(comps, want.Components) || len(comps) == 0 {
			t.Errorf("%s: Each gave %+v, Parse %+v", name, comps, want.Components)
		}
		want.Components = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Each's document %+v, Parse's %+v", name, got, want)
		}
	}
	if doc, _, _ := each(t, []byte(`{"components":[{"type":"library","name":"a"}],"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:1","version":3,"metadata":{"component":{"name":"fw","version":"9"}}}`), 0); doc == nil || doc.Subject != "fw 9" || doc.BOMVersion != 3 || doc.SerialNumber != "urn:uuid:1" {
		t.Errorf("header fields after the components: %+v", doc)
	}
	for name, c := range map[string]struct {
		doc   string
		limit int64
		want  string
	}{
		"not CycloneDX":   {`{"bomFormat":"SPDX","components":[]}`, 0, `bomFormat is "SPDX"`},
		"broken element":  {`{"bomFormat":"CycloneDX","components":[{"name":"a"},{"name":7}]}`, 0, "component 2"},
		"truncated":       {`{"bomFormat":"CycloneDX","components":[{"name":"a"}`, 0, "ends part-way"},
		"SPDX over limit": {`{"spdxVersion":"SPDX-2.3","packages":[` + strings.Repeat(`{"name":"p"},`, 100) + `{}]}`, 1000, "--max-sbom-size"},
	} {
		if _, _, err := each(t, []byte(c.doc), c.limit); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzEach: reading a file as a stream and parsing its bytes agree.
func FuzzEach(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","version":"1"}]}`))
	f.Add([]byte(`{"components":[{"name":"a","components":[{"name":"b"}]}],"bomFormat":"CycloneDX"}`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, perr := sbom.Parse("fuzz", data)
		_, comps, err := each(t, data, 0)
		if (perr == nil) != (err == nil) {
			t.Fatalf("Parse error %v, Each error %v", perr, err)
		}
		if err == nil && len(comps) != len(want.Components) {
			t.Fatalf("Each gave %d components, Parse %d", len(comps), len(want.Components))
		}
	})
}
