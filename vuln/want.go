package vuln

import (
	"bytes"
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// Want is what a scan's components can match: OSV package names and CPE
// vendor:product pairs. Its Mentions method is the [Filter] that lets a
// loader skip the OSV records naming none of them without parsing them.
//
// Keys are held as 64-bit hashes, so that a million components cost a few
// megabytes: a collision only keeps an advisory that matching then drops.
type Want struct {
	seed     maphash.Seed
	names    map[uint64]struct{} // lower-case package names, in any ecosystem
	products map[uint64]struct{} // CPE vendor and product

	mu      sync.Mutex // guards what Mentions learns of skipped records
	ecos    map[string]bool
	newest  time.Time
	skipped int
}

// NewWant collects the keys of targets; more can be added with Add.
func NewWant(targets []Target) *Want {
	w := &Want{seed: maphash.MakeSeed(), names: map[uint64]struct{}{}, products: map[uint64]struct{}{}, ecos: map[string]bool{}}
	for _, t := range targets {
		w.Add(t)
	}
	return w
}

func (w *Want) hash(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(w.seed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// Add collects the keys of one more target; it must not be called while a
// load uses the Want.
func (w *Want) Add(t Target) {
	for _, p := range t.Packages {
		w.names[w.hash(strings.ToLower(p.Name))] = struct{}{}
	}
	for _, p := range t.Products {
		w.products[w.hash(p.Vendor, p.Product)] = struct{}{}
	}
}

// matches reports whether one of the advisory's affected entries names a
// wanted package (in any ecosystem: the matcher tells them apart) or product.
func (w *Want) matches(a *Advisory) bool {
	for _, af := range a.Affected {
		if _, ok := w.names[w.hash(strings.ToLower(af.Package))]; ok && af.Package != "" {
			return true
		}
		if _, ok := w.products[w.hash(af.Vendor, af.Product)]; ok && af.Vendor != "" {
			return true
		}
	}
	return false
}

// otherKinds are the keys by which Parse tells NVD, KEV and CSAF inputs from
// OSV records, lower-cased; an input holding any of them is never skimmed.
var otherKinds = [][]byte{[]byte(`"catalogversion"`), []byte(`"document"`), []byte(`"vulnerabilities"`),
	[]byte(`"configurations"`), []byte(`"vulnstatus"`)}

var (
	keyAffected  = []byte(`"affected"`)
	keyName      = []byte(`"name"`)
	keyEcosystem = []byte(`"ecosystem"`)
	keyModified  = []byte(`"modified"`)
)

// Mentions reports whether raw may hold an advisory for a wanted package. It
// reads JSON OSV records without parsing them: a record is skipped only when
// every "name" value in it (keys matched without regard to case, as
// encoding/json does) is plain ASCII without escapes and none is wanted. A
// record with a \u escape anywhere, which could spell a key, is kept, and so
// is everything else — YAML, NVD, KEV, CSAF — for the parser. The ecosystems
// and the modification time of skipped records are remembered for
// [Memory.Status].
func (w *Want) Mentions(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' || bytes.Contains(raw, []byte(`\u`)) || bytes.Contains(raw, []byte("ſ")) {
		return true // "ſ" folds to "s": encoding/json would read "ecoſystem" as a key
	}
	bp := lowered.Get().(*[]byte)
	defer lowered.Put(bp)
	low := append((*bp)[:0], raw...)
	for i, c := range low {
		if 'A' <= c && c <= 'Z' {
			low[i] = c + 'a' - 'A'
		}
	}
	*bp = low
	if !bytes.Contains(low, keyAffected) {
		return true
	}
	for _, k := range otherKinds {
		if bytes.Contains(low, k) {
			return true // what Parse would read as another kind of input
		}
	}
	for at := 0; ; {
		i, j, ok := stringAfter(low, at, keyName)
		if !ok {
			break
		}
		if j < 0 {
			return true // unterminated: the parser reports it
		}
		for _, c := range low[i:j] {
			if c == '\\' || c >= 0x80 {
				return true // judged by the parser, not here
			}
		}
		if _, ok := w.names[w.hash(string(low[i:j]))]; ok {
			return true
		}
		at = j + 1
	}
	var ecos []string
	for at := 0; ; {
		i, j, ok := stringAfter(low, at, keyEcosystem)
		if !ok || j < 0 {
			break
		}
		ecos, at = append(ecos, string(raw[i:j])), j+1
	}
	mod := time.Time{}
	if i, j, ok := stringAfter(low, 0, keyModified); ok && j >= 0 {
		mod, _ = parseTime(string(raw[i:j]))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.skipped++
	for _, e := range ecos {
		w.ecos[e] = true
	}
	if mod.After(w.newest) {
		w.newest = mod
	}
	return false
}

// lowered holds buffers for the lower-cased copies Mentions searches.
var lowered = sync.Pool{New: func() any { return new([]byte) }}

// stringAfter finds the next `key: "value"` in b from offset at and returns
// the value's bounds [i, j), up to the next quote; j is -1 when the string
// does not end.
func stringAfter(b []byte, at int, key []byte) (i, j int, ok bool) {
	for {
		k := bytes.Index(b[at:], key)
		if k < 0 {
			return 0, 0, false
		}
		at += k + len(key)
		p := skipSpace(b, at)
		if p >= len(b) || b[p] != ':' {
			continue // the word as a value, not a key
		}
		p = skipSpace(b, p+1)
		if p >= len(b) || b[p] != '"' {
			continue
		}
		end := bytes.IndexByte(b[p+1:], '"')
		if end < 0 {
			return p + 1, -1, true
		}
		return p + 1, p + 1 + end, true
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
