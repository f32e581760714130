package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// snapshot is the embedded catalog in JSON, generated from data/*.yaml by
// `go test ./catalog -run TestSnapshot -update`. The YAML stays the source of
// truth (it is what scheme owners edit and what --catalog loads); the snapshot
// exists because decoding JSON is several times faster than parsing YAML, and
// a test fails whenever the two differ.
//
//go:embed snapshot.json
var snapshot []byte

// loadSnapshot decodes the embedded snapshot and validates it exactly as a
// catalog loaded from YAML is validated.
func loadSnapshot() (*Catalog, error) {
	c := &Catalog{}
	dec := json.NewDecoder(bytes.NewReader(snapshot))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("embedded catalog snapshot: %w (regenerate it: go test ./catalog -run TestSnapshot -update)", err)
	}
	l := &loader{}
	for _, s := range c.Schemes {
		s.file = "schemes/" + s.ID + ".yaml"
		for _, r := range s.Requirements {
			r.Scheme = s
			r.pos = pos{s.file, 0}
		}
	}
	l.validate(c)
	if len(l.problems) > 0 {
		return nil, &LoadError{Problems: l.problems}
	}
	return c, nil
}

// Snapshot returns the JSON form of a catalog, as embedded for the default.
func Snapshot(c *Catalog) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
