package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed data
var embedded embed.FS

// Data returns the embedded catalog files, rooted at the catalog directory
// (catalog.yaml, outcomes.yaml, …, schemes/*.yaml).
func Data() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed directive guarantees "data" exists
	}
	return sub
}

var loadDefault = sync.OnceValues(loadSnapshot)

// Default returns the embedded catalog (from its JSON snapshot, which a test
// keeps identical to data/*.yaml). It is loaded and validated once per process;
// callers must not modify it.
func Default() (*Catalog, error) { return loadDefault() }

// LoadDir loads and validates a catalog from a directory laid out like the
// embedded one.
func LoadDir(dir string) (*Catalog, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("load catalog: %s is not a directory (want a directory with catalog.yaml and schemes/)", dir)
	}
	c, err := LoadFS(os.DirFS(dir))
	if err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			le.Dir = dir
		}
		return nil, err
	}
	return c, nil
}

// Problem is one integrity problem in a catalog, with the file and line it is on.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// LoadError reports every problem found while loading a catalog.
type LoadError struct {
	Dir      string
	Problems []Problem
}

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "catalog has %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if e.Dir != "" {
			b.WriteString(path.Join(e.Dir, p.File) + strings.TrimPrefix(p.String(), p.File))
		} else {
			b.WriteString(p.String())
		}
	}
	return b.String()
}

// pos records where a catalog entry was defined, for error messages.
type pos struct {
	file string
	line int
}

type loader struct {
	fsys     fs.FS
	problems []Problem
}

func (l *loader) addf(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// decode strictly decodes one YAML file into v and returns its document node,
// used to find the line of every list entry. Unknown keys are problems.
func (l *loader) decode(name string, v any) *yaml.Node {
	b, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.addf(name, 0, "cannot read: %v", err)
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		l.yamlError(name, err)
		return nil
	}
	bad := false
	unknownKeys(&doc, reflect.TypeOf(v), func(line int, key string, known []string) {
		bad = true
		hint := ""
		if s := Closest(key, known); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		l.addf(name, line, "unknown field %q%s", key, hint)
	})
	if bad {
		return nil
	}
	if err := doc.Decode(v); err != nil {
		l.yamlError(name, err)
		return nil
	}
	return &doc
}

func (l *loader) yamlError(name string, err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			line := 0
			if _, err := fmt.Sscanf(e, "line %d:", &line); err == nil {
				e = strings.TrimSpace(e[strings.Index(e, ":")+1:])
			}
			l.addf(name, line, "%s", e)
		}
		return
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	l.addf(name, line, "%s", msg)
}

// seqLines returns the line of each entry of the sequence under key in the
// top-level mapping of doc.
func seqLines(doc *yaml.Node, key string) []int {
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.SequenceNode {
			lines := make([]int, len(m.Content[i+1].Content))
			for j, n := range m.Content[i+1].Content {
				lines[j] = n.Line
			}
			return lines
		}
	}
	return nil
}

func lineAt(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// LoadFS loads and validates a catalog from fsys, laid out like [Data].
func LoadFS(fsys fs.FS) (*Catalog, error) {
	l := &loader{fsys: fsys}
	c := &Catalog{}

	var head struct {
		Version    string     `yaml:"version"`
		Title      string     `yaml:"title"`
		Phases     []Phase    `yaml:"phases"`
		Facts      []Fact     `yaml:"facts"`
		Categories []Category `yaml:"categories"`
	}
	l.decode("catalog.yaml", &head)
	c.Version, c.Title, c.Facts, c.Categories = head.Version, head.Title, head.Facts, head.Categories

	var outcomes struct {
		Outcomes []*Outcome `yaml:"outcomes"`
	}
	doc := l.decode("outcomes.yaml", &outcomes)
	for i, o := range outcomes.Outcomes {
		o.pos = pos{"outcomes.yaml", lineAt(seqLines(doc, "outcomes"), i)}
	}
	c.Outcomes = outcomes.Outcomes

	var checks struct {
		Checks []*Check `yaml:"checks"`
	}
	doc = l.decode("checks.yaml", &checks)
	for i, k := range checks.Checks {
		k.pos = pos{"checks.yaml", lineAt(seqLines(doc, "checks"), i)}
	}
	c.Checks = checks.Checks

	var tiers struct {
		EvidenceRules []EvidenceRule `yaml:"evidence_rules"`
		AtRisk        []RiskRule     `yaml:"at_risk"`
		Tiers         []*Tier        `yaml:"tiers"`
	}
	doc = l.decode("tiers.yaml", &tiers)
	c.EvidenceRules, c.AtRisk = tiers.EvidenceRules, tiers.AtRisk
	for i, r := range tiers.AtRisk {
		if (r.Finding != "known_exploited" && r.Finding != "critical") || r.FromTier < 1 {
			l.addf("tiers.yaml", lineAt(seqLines(doc, "at_risk"), i), "at_risk: finding %q must be known_exploited or critical, from_tier 1 or more", r.Finding)
		}
	}
	for i, r := range tiers.EvidenceRules {
		if r.Kind.Rank() == 0 {
			l.addf("tiers.yaml", lineAt(seqLines(doc, "evidence_rules"), i), "evidence_rules: kind %q is not declared, tool or lab", r.Kind)
		}
	}
	for i, t := range tiers.Tiers {
		t.pos = pos{"tiers.yaml", lineAt(seqLines(doc, "tiers"), i)}
	}
	c.Tiers = tiers.Tiers

	var markets struct {
		Markets []*Market `yaml:"markets"`
	}
	doc = l.decode("markets.yaml", &markets)
	for i, m := range markets.Markets {
		m.pos = pos{"markets.yaml", lineAt(seqLines(doc, "markets"), i)}
	}
	c.Markets = markets.Markets

	var recs struct {
		Recognitions []*Recognition `yaml:"recognitions"`
	}
	doc = l.decode("recognitions.yaml", &recs)
	for i, r := range recs.Recognitions {
		r.pos = pos{"recognitions.yaml", lineAt(seqLines(doc, "recognitions"), i)}
	}
	c.Recognitions = recs.Recognitions

	files, err := fs.Glob(fsys, "schemes/*.yaml")
	if err != nil || len(files) == 0 {
		l.addf("schemes/", 0, "no scheme files (want schemes/*.yaml)")
	}
	sort.Strings(files)
	for _, f := range files {
		s := &Scheme{}
		doc := l.decode(f, s)
		if doc == nil {
			continue
		}
		s.file = f
		s.pos = pos{f, 1}
		lines := seqLines(doc, "requirements")
		for i, r := range s.Requirements {
			r.pos = pos{f, lineAt(lines, i)}
			r.Scheme = s
		}
		c.Schemes = append(c.Schemes, s)
	}

	if len(l.problems) == 0 {
		l.validate(c)
	}
	if len(l.problems) > 0 {
		return nil, &LoadError{Problems: l.problems}
	}
	return c, nil
}
