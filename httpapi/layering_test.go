package httpapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadsThroughTheService: the HTTP layer talks to registry.Service only,
// never to its store, so that one place decides what the registry does.
func TestReadsThroughTheService(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), ".Store.") {
			t.Errorf("%s reaches into the registry's store; add a Service method instead", f)
		}
	}
}
