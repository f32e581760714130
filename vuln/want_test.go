package vuln_test

import (
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/vuln"
)

func wantOf(names ...string) *vuln.Want {
	var ts []vuln.Target
	for _, n := range names {
		ts = append(ts, vuln.Target{Packages: []vuln.PackageKey{{Ecosystem: "Go", Name: n}}})
	}
	return vuln.NewWant(ts)
}

func TestMentions(t *testing.T) {
	w := wantOf("example.com/Wanted")
	for _, c := range []struct {
		name, raw string
		keep      bool
	}{
		{"wanted, other case", `{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"EXAMPLE.com/wanted"}}]}`, true},
		{"wanted in a second entry", `{"id":"X","affected":[{"package":{"name":"a"}},{"package":{"name" : "example.com/wanted"}}]}`, true},
		{"not wanted", `{"id":"X","modified":"2026-01-02T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"example.com/other"}}]}`, false},
		{"escape in the name", `{"id":"X","affected":[{"package":{"name":"example.com\/wanted"}}]}`, true},
		{"unicode escape anywhere", `{"id":"X","affected":[{"package":{"name":"x"}}],"summary":"\u0041"}`, true},
		{"non-ASCII name", `{"id":"X","affected":[{"package":{"name":"ünïcode"}}]}`, true},
		{"unterminated name", `{"id":"X","affected":[{"package":{"name":"exam`, true},
		{"YAML", "id: X\naffected:\n- package: {name: other}\n", true},
		{"NVD record with affected", `{"id":"CVE-1","configurations":[],"affected":[{"package":{"name":"other"}}]}`, true},
		{"KEV catalog", `{"catalogVersion":"1","vulnerabilities":[],"affected":1}`, true},
		{"name as a value", `{"id":"X","details":"name","affected":[{"package":{"name":"other"}}]}`, false},
		{"no package name at all", `{"id":"X","affected":[{"ranges":[]}]}`, false},
	} {
		if got := w.Mentions([]byte(c.raw)); got != c.keep {
			t.Errorf("%s: Mentions = %v, want %v", c.name, got, c.keep)
		}
	}
}

// FuzzMentions checks the skimmer's one promise: an input it skips holds no
// advisory for a wanted package, as the parser reads it.
func FuzzMentions(f *testing.F) {
	f.Add(`{"id":"X","modified":"2026-01-02T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"a/b"}}]}`, "a/b")
	f.Add(`{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"A/B"}},{"package":{"name":"c"}}]}`, "c")
	f.Add(`{"id":"X","affected":[{"package":{"ecosystem":"Go","name":"x\"y"}}]}`, `x"y`)
	f.Add(`{"affected":[{"package":{"name":"q","name":"r"}}],"id":"Y"}`, "r")
	f.Fuzz(func(t *testing.T, raw, name string) {
		if name == "" {
			return
		}
		if wantOf(name).Mentions([]byte(raw)) {
			return
		}
		b, err := vuln.Parse("fuzz", []byte(raw))
		if err != nil {
			return
		}
		wanted := strings.ToLower(name) // as the loader's index folds names
		for _, a := range b.Advisories {
			for _, af := range a.Affected {
				if got := strings.ToLower(af.Package); af.Package != "" && got == wanted {
					t.Fatalf("skipped an input naming %q: %s", name, raw)
				}
			}
		}
	})
}
