package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayering keeps the domain packages free of HTTP, SQL and flag parsing:
// only internal/cli knows flags, only httpapi will know HTTP, only store/* SQL.
func TestLayering(t *testing.T) {
	forbidden := []string{"net/http", "database/sql", "flag"}
	for _, pkg := range []string{"catalog", "declaration", "evidence", "assess", "report", "sbom", "vuln", "label", "registry", "store", "firmware"} {
		dir := filepath.Join("..", "..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad {
						t.Errorf("%s imports %s; domain packages must not", f, path)
					}
				}
			}
		}
	}
}
