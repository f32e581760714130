package declaration

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotlabel/iotlabel/catalog"
)

// SameAfterStoring fails when the stored form of d does not read back as d.
func SameAfterStoring(t *testing.T, d *Declaration) {
	t.Helper()
	back, ok := FromStored(d.File, d.Stored())
	if !ok {
		t.Fatalf("%s: FromStored refuses what Stored wrote", d.File)
	}
	// Empty and absent lists mean the same; positions are not kept.
	opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(Declaration{}), cmp.AllowUnexported(catalog.Date{})}
	if diff := cmp.Diff(d, back, opts); diff != "" {
		t.Errorf("%s: stored form reads back differently (-parsed +stored):\n%s", d.File, diff)
	}
}

func TestStoredFormRoundTrips(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/declaration.yaml")
	inputs := map[string][]byte{"template.yaml": Template}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = b
	}
	for name, b := range inputs {
		d, err := Parse(name, b)
		if err != nil {
			t.Fatal(err)
		}
		SameAfterStoring(t, d)
	}
	for _, bad := range []string{"", "{}", `{"format":0,"declaration":{}}`, `{"format":1}`, `{"format":1,"declaration":[]}`, "not json"} {
		if _, ok := FromStored("x", []byte(bad)); ok {
			t.Errorf("FromStored(%q) accepted", bad)
		}
	}
}
