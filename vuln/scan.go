package vuln

import (
	"context"
	"fmt"
	"hash/maphash"
	"sort"
	"strings"

	"github.com/iotlabel/iotlabel/sbom"
	packageurl "github.com/package-url/packageurl-go"
)

// Source is what a scan needs from an advisory database (store/vulndb
// implements it over SQLite).
type Source interface {
	// Candidates returns the index hits for the target's keys.
	Candidates(ctx context.Context, t Target) ([]Candidate, error)
	// Advisory returns one full advisory.
	Advisory(ctx context.Context, id, source string) (Advisory, error)
	// KEV returns the KEV entry of a CVE, if the catalog lists it.
	KEV(ctx context.Context, cve string) (KEVEntry, bool, error)
	// VEX returns the not-affected statements about any of the given IDs.
	VEX(ctx context.Context, ids []string) ([]VEXStatement, error)
	// HasEcosystem reports whether any advisory covers the OSV ecosystem.
	HasEcosystem(ctx context.Context, ecosystem string) (bool, error)
}

// Suppressed is a finding a VEX statement declares not affecting the product.
type Suppressed struct {
	Finding   Finding      `json:"finding"`
	Statement VEXStatement `json:"statement"`
}

// Gap is a component the scan could not fully check, and why.
type Gap struct {
	Component string `json:"component"`
	Version   string `json:"version"`
	Reason    string `json:"reason"`
}

// Report is the result of scanning one SBOM.
type Report struct {
	Components int          `json:"components"`
	Findings   []Finding    `json:"findings"`
	Suppressed []Suppressed `json:"suppressed"`
	// NotChecked lists components that could not be identified or whose
	// ecosystem the database does not cover: absence of findings there proves nothing.
	NotChecked []Gap `json:"not_checked"`
}

// Counts returns the number of findings, known-exploited findings and
// critical findings.
func (r *Report) Counts() (all, exploited, critical int) {
	for _, f := range r.Findings {
		all++
		if f.KnownExploited {
			exploited++
		}
		if f.Severity.Level == "critical" {
			critical++
		}
	}
	return
}

// Scan matches every component against the source. Known-exploited findings
// come first, then by severity.
func Scan(ctx context.Context, src Source, dict *Dictionary, comps []sbom.Component) (*Report, error) {
	sc := NewScanner(ctx, src, dict)
	for _, c := range comps {
		if err := sc.Add(c); err != nil {
			return nil, err
		}
	}
	return sc.Report(), nil
}

// Scanner matches components one at a time, so that an SBOM can be scanned
// as it is read, holding only the findings and gaps, not the components.
type Scanner struct {
	ctx     context.Context
	src     Source
	dict    *Dictionary
	covered map[string]bool
	seen    map[[2]uint64]bool // components already scanned, by a 128-bit hash
	seeds   [2]maphash.Seed
	rep     *Report
}

// NewScanner starts a scan.
func NewScanner(ctx context.Context, src Source, dict *Dictionary) *Scanner {
	return &Scanner{ctx: ctx, src: src, dict: dict, covered: map[string]bool{}, seen: map[[2]uint64]bool{},
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		rep:   &Report{Findings: []Finding{}, Suppressed: []Suppressed{}, NotChecked: []Gap{}}}
}

// Add matches one component.
func (s *Scanner) Add(c sbom.Component) error {
	ctx, src, rep := s.ctx, s.src, s.rep
	if err := ctx.Err(); err != nil {
		return err
	}
	rep.Components++
	key := c.Name + "\x00" + c.Version + "\x00" + c.PURL + "\x00" + c.CPE
	h := [2]uint64{maphash.String(s.seeds[0], key), maphash.String(s.seeds[1], key)}
	if s.seen[h] {
		return nil // duplicates in the SBOM are reported once
	}
	s.seen[h] = true
	t := s.dict.Identify(c.Name, c.Version, c.PURL, c.CPE)
	switch {
	case t.Via == "":
		rep.NotChecked = append(rep.NotChecked, Gap{t.Name, t.Version, "not identified: no package URL, no CPE and no dictionary entry"})
		return nil
	case t.Version == "":
		rep.NotChecked = append(rep.NotChecked, Gap{t.Name, t.Version, "no version given"})
		return nil
	case t.Distro != "" && !hasEcosystem(ctx, src, s.covered, t.Distro):
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.NotChecked = append(rep.NotChecked, Gap{t.Name, t.Version, fmt.Sprintf("the database holds no %s advisories; import them (distribution packages are not matched by upstream version, because of backported fixes)", t.Distro)})
		return nil
	}
	advs, err := Matching(ctx, src, t)
	if err != nil {
		return err
	}
	for _, f := range MatchOne(t, advs) {
		f.Ref = c.Ref
		if err := enrich(ctx, src, &f); err != nil {
			return err
		}
		st, err := src.VEX(ctx, append([]string{f.Vulnerability}, f.Aliases...))
		if err != nil {
			return err
		}
		if v, ok := vexFor(st, c, t); ok {
			rep.Suppressed = append(rep.Suppressed, Suppressed{f, v})
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	return nil
}

// Report orders the findings — known-exploited first, then by severity —
// and returns the report.
func (s *Scanner) Report() *Report {
	rep := s.rep
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.KnownExploited != b.KnownExploited {
			return a.KnownExploited
		}
		if betterSeverity(a.Severity, b.Severity) != betterSeverity(b.Severity, a.Severity) {
			return betterSeverity(a.Severity, b.Severity)
		}
		return a.Vulnerability < b.Vulnerability
	})
	return rep
}

// Matching returns the full advisories whose indexed entries affect t: the
// cheap match runs on every index hit, the full record is read only for hits.
func Matching(ctx context.Context, src Source, t Target) ([]Advisory, error) {
	cands, err := src.Candidates(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []Advisory
	seen := map[string]bool{}
	for _, c := range cands {
		key := c.Source + "/" + c.ID
		if seen[key] {
			continue
		}
		probe := Advisory{ID: c.ID, Source: c.Source, Affected: []Affected{c.Affected}}
		if _, _, ok := affects(t, &probe); !ok {
			continue
		}
		seen[key] = true
		a, err := src.Advisory(ctx, c.ID, c.Source)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// hasEcosystem asks the source once per ecosystem; errors count as "not
// covered", which only makes the report more cautious.
func hasEcosystem(ctx context.Context, src Source, memo map[string]bool, eco string) bool {
	if v, ok := memo[eco]; ok {
		return v
	}
	v, err := src.HasEcosystem(ctx, eco)
	memo[eco] = v && err == nil
	return memo[eco]
}

func enrich(ctx context.Context, src Source, f *Finding) error {
	for _, id := range append([]string{f.Vulnerability}, f.Aliases...) {
		if !strings.HasPrefix(id, "CVE-") {
			continue
		}
		k, ok, err := src.KEV(ctx, id)
		if err != nil {
			return err
		}
		if ok {
			f.KnownExploited, f.KEV = true, &k
			return nil
		}
	}
	return nil
}

// vexFor finds a statement whose product is this component: the same purl
// (qualifiers ignored), the same CPE vendor:product:version, or name@version.
func vexFor(st []VEXStatement, c sbom.Component, t Target) (VEXStatement, bool) {
	for _, s := range st {
		if s.Status != "not_affected" {
			continue
		}
		p := s.Product
		switch {
		case strings.HasPrefix(p, "pkg:") && c.PURL != "" && samePURL(p, c.PURL):
			return s, true
		case strings.HasPrefix(p, "cpe:"):
			if x, err := ParseCPE(p); err == nil && containsProduct(t.Products, ProductKey{x.Vendor, x.Product}) && CompareGeneric(x.Version, t.Upstream) == 0 {
				return s, true
			}
		case strings.EqualFold(p, t.Name+"@"+t.Version):
			return s, true
		}
	}
	return VEXStatement{}, false
}

func samePURL(a, b string) bool {
	pa, err1 := packageurl.FromString(a)
	pb, err2 := packageurl.FromString(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return pa.Type == pb.Type && strings.EqualFold(pa.Namespace, pb.Namespace) && strings.EqualFold(pa.Name, pb.Name) && pa.Version == pb.Version
}
