package catalog_test

import (
	"testing"

	"github.com/iotlabel/iotlabel/catalog"
)

// BenchmarkLoad measures loading and validating the embedded catalog as the
// program does at start-up: from its JSON snapshot.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.LoadSnapshotForBenchmark(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadYAML measures loading and validating the catalog from its YAML
// source, as --catalog DIR does.
func BenchmarkLoadYAML(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.LoadFS(catalog.Data()); err != nil {
			b.Fatal(err)
		}
	}
}
