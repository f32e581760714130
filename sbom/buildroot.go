package sbom

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/package-url/packageurl-go"
)

// isBuildrootManifest recognises the header of `make legal-info`'s manifest.csv.
func isBuildrootManifest(t []byte) bool {
	first, _, _ := bytes.Cut(t, []byte("\n"))
	h := strings.ToUpper(string(first))
	return strings.Contains(h, "PACKAGE") && strings.Contains(h, "VERSION") && strings.Contains(h, "LICENSE")
}

// parseBuildroot reads a Buildroot legal-info manifest: one row per package
// with at least PACKAGE and VERSION columns (LICENSE, SOURCE SITE… optional).
func parseBuildroot(t []byte) (*Document, error) {
	r := csv.NewReader(bytes.NewReader(t))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("manifest.csv header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToUpper(strings.TrimSpace(h))] = i
	}
	pi, okP := col["PACKAGE"]
	vi, okV := col["VERSION"]
	if !okP || !okV {
		return nil, fmt.Errorf("manifest.csv needs PACKAGE and VERSION columns, found %v", header)
	}
	li, hasLicense := col["LICENSE"]
	doc := &Document{Format: "buildroot", Encoding: "csv", Components: []Component{}}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("manifest.csv line %d: %v", line, err)
		}
		if pi >= len(rec) || vi >= len(rec) {
			return nil, fmt.Errorf("manifest.csv line %d: %d columns, want at least %d", line, len(rec), max(pi, vi)+1)
		}
		c := Component{Name: strings.TrimSpace(rec[pi]), Version: strings.TrimSpace(rec[vi]), Type: "library"}
		if c.Name == "" {
			return nil, fmt.Errorf("manifest.csv line %d: empty PACKAGE", line)
		}
		c.PURL = packageurl.NewPackageURL("generic", "", c.Name, c.Version, nil, "").ToString()
		if hasLicense && li < len(rec) {
			c.License = strings.TrimSpace(rec[li])
		}
		doc.Components = append(doc.Components, c)
	}
	return doc, nil
}
