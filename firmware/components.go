package firmware

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed data/components.yaml
var componentsYAML []byte

// Component is software found in the image, with where and how.
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Path    string `json:"path"`
	// Offset is where in the file the evidence starts (-1: the file's name).
	Offset   int64  `json:"offset"`
	SHA256   string `json:"sha256"`
	CPE      string `json:"cpe,omitempty"`
	PURL     string `json:"purl"`
	Evidence string `json:"evidence"`
}

// rule is one entry of data/components.yaml.
type rule struct {
	Name string `yaml:"name"`
	CPE  string `yaml:"cpe"`
	// Aliases are other names SBOMs give the component.
	Aliases []string `yaml:"aliases"`
	Matches []match  `yaml:"matches"`
}

type match struct {
	Literal string `yaml:"literal"`
	Version string `yaml:"version"`
	Path    string `yaml:"path"`
	File    string `yaml:"file"`
	Window  int    `yaml:"window"`
	lit     []byte
	version *regexp.Regexp
	path    *regexp.Regexp
}

// Rules are the component rules; LoadRules reads them from YAML.
type Rules struct{ rules []rule }

// LoadRules parses component rules (the format of data/components.yaml).
func LoadRules(name string, data []byte) (*Rules, error) {
	var doc struct {
		Components []rule `yaml:"components"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i := range doc.Components {
		r := &doc.Components[i]
		where := fmt.Sprintf("%s: components[%d] (%s)", name, i, r.Name)
		if r.Name == "" || len(r.Matches) == 0 || strings.Count(r.CPE, ":") != 1 {
			return nil, fmt.Errorf("%s: needs a name, a cpe of the form vendor:product and at least one match", where)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("%s: %s is listed twice", where, r.Name)
		}
		seen[r.Name] = true
		for j := range r.Matches {
			m := &r.Matches[j]
			if m.Literal == "" && m.Path == "" && m.File == "" {
				return nil, fmt.Errorf("%s: matches[%d] needs a literal, a path or a file", where, j)
			}
			m.lit = []byte(m.Literal)
			var err error
			if m.Version != "" {
				if m.version, err = regexp.Compile(m.Version); err != nil || m.version.NumSubexp() < 1 {
					return nil, fmt.Errorf("%s: matches[%d].version must be a regular expression with a group for the version (%v)", where, j, err)
				}
			}
			if m.Path != "" {
				if m.path, err = regexp.Compile(m.Path); err != nil {
					return nil, fmt.Errorf("%s: matches[%d].path: %v", where, j, err)
				}
			}
		}
	}
	return &Rules{rules: doc.Components}, nil
}

// DefaultRules are the built-in rules.
var DefaultRules = sync.OnceValues(func() (*Rules, error) { return LoadRules("data/components.yaml", componentsYAML) })

// Len is the number of components the rules know.
func (rs *Rules) Len() int { return len(rs.rules) }

// maxOccurrences bounds how many places of one file a literal is tried at.
const maxOccurrences = 256

// maxScanned bounds the bytes of one file read for component strings.
const maxScanned = 256 << 20

// Components finds every known component in the tree's files and blobs.
func (rs *Rules) Components(ctx context.Context, t *Tree) ([]Component, error) {
	var out []Component
	for _, f := range t.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f.Kind != KindFile && f.Kind != KindBlob {
			continue
		}
		var data []byte
		var sum string
		load := func() []byte {
			if data == nil && f.Size <= maxScanned {
				data, _ = t.ReadFile(f, maxScanned)
				h := sha256.Sum256(data)
				sum = hex.EncodeToString(h[:])
			}
			return data
		}
		for _, r := range rs.rules {
			if c, ok := r.find(f, load); ok {
				c.SHA256 = sum
				out = append(out, c)
			}
		}
	}
	return dedupe(out), nil
}

// find applies a rule's matches to one file; load reads its bytes on first
// use.
func (r rule) find(f File, load func() []byte) (Component, bool) {
	c := Component{Name: r.Name, Path: f.Path, Offset: -1}
	found := false
	for _, m := range r.Matches {
		if m.File != "" && m.File != f.Path || m.path != nil && !m.path.MatchString(f.Path) {
			continue
		}
		if m.path != nil && len(m.lit) == 0 && m.version == nil {
			found = true
			c.Evidence = "file name " + f.Path
			if g := m.path.FindStringSubmatch(f.Path); len(g) > 1 {
				c.Version = g[1]
				break
			}
			continue
		}
		data := load()
		if data == nil {
			continue
		}
		// Every occurrence of the literal (up to maxOccurrences) is tried,
		// and the most specific version wins: "OpenSSH_9.2p1" over the
		// "OpenSSH_9.2" beside it.
		for n, i := 0, 0; n < maxOccurrences && i <= len(data); n++ {
			at := i
			if len(m.lit) > 0 {
				j := bytes.Index(data[i:], m.lit)
				if j < 0 {
					break
				}
				at = i + j
			}
			i = at + max(len(m.lit), 1)
			if m.version == nil {
				// The literal alone names the component (its version unknown).
				found = true
				if c.Evidence == "" {
					c.Offset, c.Evidence = int64(at), printable(data[at:min(len(data), at+80)])
				}
				break
			}
			lo, hi := max(0, at-64), min(len(data), at+len(m.lit)+192)
			switch {
			case m.Window < 0:
				lo, hi = 0, len(data)
			case m.Window > 0:
				hi = min(len(data), at+m.Window)
			}
			if g := m.version.FindSubmatchIndex(data[lo:hi]); g != nil && g[3]-g[2] > len(c.Version) {
				found = true
				c.Version = string(data[lo+g[2] : lo+g[3]])
				c.Offset = int64(lo + g[0])
				c.Evidence = printable(data[lo+g[0] : lo+g[1]])
			}
			if m.Window < 0 || len(m.lit) == 0 {
				break
			}
		}
		if c.Version != "" {
			break
		}
	}
	if !found {
		return Component{}, false
	}
	vendor, product, _ := strings.Cut(r.CPE, ":")
	v := c.Version
	if v == "" {
		v = "*"
	}
	c.CPE = fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", vendor, product, v)
	c.PURL = "pkg:generic/" + r.Name
	if c.Version != "" {
		c.PURL += "@" + c.Version
	}
	return c, true
}

// dedupe keeps one entry per component, version and path, preferring one
// with a version over one without.
func dedupe(cs []Component) []Component {
	slices.SortStableFunc(cs, func(a, b Component) int {
		return strings.Compare(a.Name+"\x00"+a.Path+"\x00"+a.Version, b.Name+"\x00"+b.Path+"\x00"+b.Version)
	})
	var out []Component
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].Name == c.Name && out[n-1].Path == c.Path {
			if out[n-1].Version == "" {
				out[n-1] = c
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// printable renders bytes as text up to the end of the string they start
// (a NUL), with other bytes as dots.
func printable(b []byte) string {
	b = bytes.TrimLeft(b, "\x00")
	var s strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		s.WriteByte(c)
	}
	return s.String()
}
