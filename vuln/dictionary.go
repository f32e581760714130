package vuln

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed data/components.yaml
var dictionaryYAML []byte

// Entry is one component of the dictionary.
type Entry struct {
	Name       string   `yaml:"name" json:"name"`
	Aliases    []string `yaml:"aliases" json:"aliases,omitempty"`
	CPE        []string `yaml:"cpe" json:"cpe,omitempty"`
	OSV        []string `yaml:"osv" json:"osv,omitempty"`
	Evidence   []string `yaml:"evidence" json:"evidence,omitempty"`
	Unverified bool     `yaml:"unverified" json:"unverified,omitempty"`
}

// Dictionary maps component names to CPE vendor:product pairs and OSV packages.
type Dictionary struct {
	Entries []Entry
	byName  map[string]*Entry
}

var defaultDict = sync.OnceValues(func() (*Dictionary, error) { return ParseDictionary(dictionaryYAML) })

// DefaultDictionary returns the embedded dictionary of embedded components.
func DefaultDictionary() (*Dictionary, error) { return defaultDict() }

// ParseDictionary reads a dictionary and checks it: names and aliases unique,
// CPE pairs of the form vendor:product, OSV keys of the form ecosystem/package.
func ParseDictionary(data []byte) (*Dictionary, error) {
	var doc struct {
		Components []Entry `yaml:"components"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("component dictionary: %w", err)
	}
	d := &Dictionary{Entries: doc.Components, byName: map[string]*Entry{}}
	for i := range d.Entries {
		e := &d.Entries[i]
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			k := normName(n)
			if prev := d.byName[k]; prev != nil {
				return nil, fmt.Errorf("component dictionary: %q names both %s and %s", n, prev.Name, e.Name)
			}
			d.byName[k] = e
		}
		for _, c := range e.CPE {
			if v, p, ok := strings.Cut(c, ":"); !ok || v == "" || p == "" || strings.Contains(p, ":") {
				return nil, fmt.Errorf("component dictionary: %s: CPE %q is not vendor:product", e.Name, c)
			}
		}
		for _, o := range e.OSV {
			if eco, pkg, ok := strings.Cut(o, "/"); !ok || eco == "" || pkg == "" {
				return nil, fmt.Errorf("component dictionary: %s: OSV key %q is not ecosystem/package", e.Name, o)
			}
		}
		if len(e.CPE) == 0 && len(e.OSV) == 0 {
			return nil, fmt.Errorf("component dictionary: %s maps to nothing", e.Name)
		}
	}
	return d, nil
}

// Lookup returns the entry for a component name or alias, or nil.
func (d *Dictionary) Lookup(name string) *Entry { return d.byName[normName(name)] }

func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
