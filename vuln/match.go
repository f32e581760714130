package vuln

import (
	"fmt"
	"sort"
	"strings"
)

// Finding is one vulnerability affecting one component.
type Finding struct {
	Component      string    `json:"component"`
	Version        string    `json:"version"`
	Ref            string    `json:"ref,omitempty"`
	Vulnerability  string    `json:"vulnerability"`
	Aliases        []string  `json:"aliases"`
	Summary        string    `json:"summary,omitempty"`
	Severity       Severity  `json:"severity"`
	KnownExploited bool      `json:"known_exploited"`
	KEV            *KEVEntry `json:"kev,omitempty"`
	FixedIn        string    `json:"fixed_in,omitempty"`
	// Source says which databases decided the match: osv, nvd, or both.
	Source     string   `json:"source"`
	Advisories []string `json:"advisories"`
	// Reason explains the match: the key and the range the version falls in.
	Reason string `json:"reason"`
}

// MatchOne returns the findings for one identified component among candidate
// advisories. Advisories that name the same CVE are merged into one finding.
func MatchOne(t Target, advs []Advisory) []Finding {
	byID := map[string]*Finding{}
	var order []string
	for i := range advs {
		a := &advs[i]
		if !a.Withdrawn.IsZero() {
			continue
		}
		reason, fixed, ok := affects(t, a)
		if !ok {
			continue
		}
		id := a.ID
		if cves := a.CVEs(); len(cves) > 0 {
			id = cves[0]
		}
		f := byID[id]
		if f == nil {
			f = &Finding{Component: t.Name, Version: t.Version, Vulnerability: id, Aliases: []string{}, Severity: Severity{Level: "unknown"}}
			byID[id] = f
			order = append(order, id)
		}
		f.merge(a, reason, fixed)
	}
	out := make([]Finding, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

func (f *Finding) merge(a *Advisory, reason, fixed string) {
	f.Advisories = append(f.Advisories, a.ID)
	for _, x := range append([]string{a.ID}, a.Aliases...) {
		if x != f.Vulnerability && !contains(f.Aliases, x) {
			f.Aliases = append(f.Aliases, x)
		}
	}
	sort.Strings(f.Aliases)
	if !strings.Contains(f.Source, a.Source) {
		if f.Source == "" {
			f.Source = a.Source
		} else {
			f.Source += "+" + a.Source
		}
	}
	if betterSeverity(a.Severity, f.Severity) {
		f.Severity = a.Severity
	}
	if f.Summary == "" || a.Source == SourceNVD {
		f.Summary = firstSentence(a.Summary)
	}
	if f.FixedIn == "" {
		f.FixedIn = fixed
	}
	if f.Reason == "" {
		f.Reason = reason
	} else {
		f.Reason += "; " + reason
	}
}

var levelRank = map[string]int{"unknown": 0, "none": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

func betterSeverity(a, b Severity) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return levelRank[a.Level] > levelRank[b.Level]
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i > 0 && i < 300 {
		return s[:i+1]
	}
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// affects reports whether advisory a affects target t, why, and the first
// fixed version when known.
func affects(t Target, a *Advisory) (reason, fixed string, ok bool) {
	for _, af := range a.Affected {
		if af.Package != "" {
			k := PackageKey{af.Ecosystem, af.Package}
			if !hasPackage(t.Packages, k) || (t.Distro != "" && af.Ecosystem != t.Distro) {
				continue
			}
			if r, fx, hit := inOSV(t.Version, af); hit {
				return fmt.Sprintf("%s %s/%s: %s", strings.ToUpper(a.Source), af.Ecosystem, af.Package, r), fx, true
			}
		}
		if af.Vendor != "" && t.Distro == "" && containsProduct(t.Products, ProductKey{af.Vendor, af.Product}) {
			for _, b := range af.Bounds {
				if b.contains(t.Upstream) {
					return fmt.Sprintf("%s cpe %s:%s: %s %s", strings.ToUpper(a.Source), af.Vendor, af.Product, t.Upstream, b), b.EndExcluding, true
				}
			}
		}
	}
	return "", "", false
}

func hasPackage(list []PackageKey, k PackageKey) bool {
	for _, x := range list {
		if x.Ecosystem == k.Ecosystem && strings.EqualFold(x.Name, k.Name) {
			return true
		}
	}
	return false
}

// inOSV decides an OSV affected entry: the explicit versions list (release
// tags normalised), then SEMVER and ECOSYSTEM ranges. GIT ranges cannot be
// decided without the repository and are covered by the versions list.
func inOSV(v string, af Affected) (reason, fixed string, ok bool) {
	if v == "" {
		return "", "", false
	}
	for _, listed := range af.Versions {
		if Compare(TagVersion(listed, af.Package), v, af.Ecosystem) == 0 {
			return fmt.Sprintf("%s is listed as affected (%s)", v, listed), firstFixedAfter(v, af), true
		}
	}
	for _, r := range af.Ranges {
		if r.Type == "GIT" {
			continue
		}
		if inRange(v, r, af.Ecosystem) {
			return fmt.Sprintf("%s is in %s range %s", v, r.Type, describe(r)), firstFixedAfter(v, af), true
		}
	}
	return "", "", false
}

// inRange implements the OSV evaluation: walk the events in version order;
// at or above "introduced" the version is affected, at or above "fixed" (or
// above "last_affected") it is not.
func inRange(v string, r Range, eco string) bool {
	ev := append([]Event(nil), r.Events...)
	key := func(e Event) string {
		switch {
		case e.Introduced != "":
			return e.Introduced
		case e.Fixed != "":
			return e.Fixed
		case e.LastAffected != "":
			return e.LastAffected
		}
		return e.Limit
	}
	cmp := func(a, b string) int {
		switch {
		case a == "0" && b == "0":
			return 0
		case a == "0":
			return -1
		case b == "0":
			return 1
		}
		return Compare(a, b, eco)
	}
	sort.SliceStable(ev, func(i, j int) bool { return cmp(key(ev[i]), key(ev[j])) < 0 })
	affected := false
	for _, e := range ev {
		switch {
		case e.Introduced != "":
			if cmp(v, e.Introduced) >= 0 {
				affected = true
			}
		case e.Fixed != "":
			if cmp(v, e.Fixed) >= 0 {
				affected = false
			}
		case e.LastAffected != "":
			if cmp(v, e.LastAffected) > 0 {
				affected = false
			}
		}
	}
	return affected
}

func firstFixedAfter(v string, af Affected) string {
	best := ""
	for _, r := range af.Ranges {
		if r.Type == "GIT" {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed != "" && Compare(e.Fixed, v, af.Ecosystem) > 0 && (best == "" || Compare(e.Fixed, best, af.Ecosystem) < 0) {
				best = e.Fixed
			}
		}
	}
	return best
}

func describe(r Range) string {
	var parts []string
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			parts = append(parts, "introduced "+e.Introduced)
		case e.Fixed != "":
			parts = append(parts, "fixed "+e.Fixed)
		case e.LastAffected != "":
			parts = append(parts, "last affected "+e.LastAffected)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (b Bounds) contains(v string) bool {
	if v == "" {
		return false
	}
	if b.Exact != "" {
		return CompareGeneric(v, b.Exact) == 0
	}
	if b.StartIncluding != "" && b.StartIncluding != "0" && CompareGeneric(v, b.StartIncluding) < 0 {
		return false
	}
	if b.StartExcluding != "" && CompareGeneric(v, b.StartExcluding) <= 0 {
		return false
	}
	if b.EndIncluding != "" && CompareGeneric(v, b.EndIncluding) > 0 {
		return false
	}
	if b.EndExcluding != "" && CompareGeneric(v, b.EndExcluding) >= 0 {
		return false
	}
	return true
}

// String renders the bounds as a readable interval.
func (b Bounds) String() string {
	if b.Exact != "" {
		return "= " + b.Exact
	}
	lo, hi := "(any", "any)"
	switch {
	case b.StartIncluding != "" && b.StartIncluding != "0":
		lo = "[" + b.StartIncluding
	case b.StartExcluding != "":
		lo = "(" + b.StartExcluding
	}
	switch {
	case b.EndIncluding != "":
		hi = b.EndIncluding + "]"
	case b.EndExcluding != "":
		hi = b.EndExcluding + ")"
	}
	return "in " + lo + ", " + hi
}
