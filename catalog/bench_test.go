package catalog_test

import (
	"testing"

	"github.com/iotlabel/iotlabel/catalog"
)

// BenchmarkLoad measures loading and validating the embedded catalog from YAML.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.LoadFS(catalog.Data()); err != nil {
			b.Fatal(err)
		}
	}
}
