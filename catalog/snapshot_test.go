package catalog_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/iotlabel/iotlabel/catalog"
)

var update = flag.Bool("update", false, "regenerate snapshot.json from data/*.yaml")

// TestSnapshot keeps the embedded JSON snapshot identical to the YAML catalog.
func TestSnapshot(t *testing.T) {
	fromYAML, err := catalog.LoadFS(catalog.Data())
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalog.Snapshot(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("snapshot.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("snapshot.json is stale: run go test ./catalog -run TestSnapshot -update")
	}
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if d := catalog.Diff(fromYAML, def); len(d) != 0 {
		t.Errorf("default catalog differs from the YAML: %v", d)
	}
	again, _ := catalog.Snapshot(def)
	if !bytes.Equal(again, want) {
		t.Error("the snapshot does not round-trip")
	}
}
