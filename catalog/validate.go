package catalog

import (
	"fmt"
	"slices"
	"strings"
)

var (
	schemeKinds    = []string{"standard", "law", "label", "guidance"}
	schemeStatuses = []string{"mandatory", "voluntary", "closed"}
	verifyWays     = []string{"declaration", "probe", "firmware", "sbom", "lab"}
)

func validPhase(p Phase) bool { return slices.Contains(Phases, p) }

func validEvidence(k EvidenceKind) bool { return k.Rank() > 0 }

// validate checks integrity and builds the catalog's indexes.
func (l *loader) validate(c *Catalog) {
	if c.Version == "" {
		l.addf("catalog.yaml", 0, "version is empty (want e.g. \"2026.11\")")
	}
	c.facts = map[string]bool{}
	for _, f := range c.Facts {
		if c.facts[f.ID] {
			l.addf("catalog.yaml", 0, "fact %q is defined twice", f.ID)
		}
		c.facts[f.ID] = true
	}
	c.categories = map[string]bool{}
	for _, k := range c.Categories {
		if c.categories[k.ID] {
			l.addf("catalog.yaml", 0, "category %q is defined twice", k.ID)
		}
		c.categories[k.ID] = true
	}

	c.outcomes = map[string]*Outcome{}
	for _, o := range c.Outcomes {
		l.validateOutcome(c, o)
	}
	c.schemes = map[string]*Scheme{}
	c.requirements = map[string]*Requirement{}
	for _, s := range c.Schemes {
		if s.ID == "" {
			l.addf(s.file, 1, "scheme has no id")
			continue
		}
		if prev := c.schemes[s.ID]; prev != nil {
			l.addf(s.file, 1, "scheme %q is also defined in %s", s.ID, prev.file)
			continue
		}
		c.schemes[s.ID] = s
		for _, r := range s.Requirements {
			ref := s.ID + ":" + r.ID
			if c.requirements[ref] != nil {
				l.addf(r.pos.file, r.pos.line, "requirement %q is defined twice in scheme %s", r.ID, s.ID)
			}
			c.requirements[ref] = r
		}
	}
	for _, s := range c.Schemes {
		l.validateScheme(c, s)
	}
	mapped := map[string]bool{}
	for _, r := range c.Requirements() {
		for _, o := range r.Outcomes {
			mapped[o] = true
		}
	}
	for _, o := range c.Outcomes {
		if !mapped[o.ID] {
			l.addf(o.pos.file, o.pos.line, "outcome %q is not mapped by any requirement", o.ID)
		}
	}
	c.checks = map[string]*Check{}
	for _, k := range c.Checks {
		l.validateCheck(c, k)
	}
	l.validateTiers(c)
	c.markets = map[string]*Market{}
	for _, m := range c.Markets {
		if c.markets[m.ID] != nil {
			l.addf(m.pos.file, m.pos.line, "market %q is defined twice", m.ID)
		}
		c.markets[m.ID] = m
	}
	for _, m := range c.Markets {
		l.validateMarket(c, m)
	}
	seen := map[string]bool{}
	for _, r := range c.Recognitions {
		if seen[r.ID] {
			l.addf(r.pos.file, r.pos.line, "recognition %q is defined twice", r.ID)
		}
		seen[r.ID] = true
		l.validateRecognition(c, r)
	}
}

func (l *loader) validateOutcome(c *Catalog, o *Outcome) {
	at := func(format string, args ...any) {
		l.addf(o.pos.file, o.pos.line, "outcome %q: "+format, append([]any{o.ID}, args...)...)
	}
	if o.ID == "" {
		l.addf(o.pos.file, o.pos.line, "outcome has no id")
		return
	}
	if c.outcomes[o.ID] != nil {
		at("defined twice")
	}
	c.outcomes[o.ID] = o
	if !validPhase(o.Phase) {
		at("phase %q is not one of %v", o.Phase, Phases)
	}
	if o.Title == "" || o.Consumer == "" || o.Remediation == "" {
		at("needs a title, a consumer sentence and a remediation")
	}
	for _, v := range o.Verify {
		if !slices.Contains(verifyWays, v) {
			at("verify way %q is not one of %v", v, verifyWays)
		}
	}
}

func (l *loader) validateScheme(c *Catalog, s *Scheme) {
	at := func(line int, format string, args ...any) {
		l.addf(s.file, line, "scheme %s: "+format, append([]any{s.ID}, args...)...)
	}
	if s.Title == "" || s.Short == "" || s.Publisher == "" || s.Jurisdiction == "" {
		at(1, "needs title, short, publisher and jurisdiction")
	}
	if !slices.Contains(schemeKinds, s.Kind) {
		at(1, "kind %q is not one of %v", s.Kind, schemeKinds)
	}
	if !slices.Contains(schemeStatuses, s.Status) {
		at(1, "status %q is not one of %v", s.Status, schemeStatuses)
	}
	if s.Status == "mandatory" && s.Effective.IsZero() {
		at(1, "a mandatory scheme needs an effective date")
	}
	for _, f := range s.Condition {
		if !c.facts[f] {
			at(1, "condition fact %q is not defined in catalog.yaml", f)
		}
	}
	for _, k := range s.ExcludedCategories {
		if !c.categories[k] {
			at(1, "excluded category %q is not defined in catalog.yaml", k)
		}
	}
	for _, k := range s.Categories {
		if !c.categories[k] {
			at(1, "category %q is not defined in catalog.yaml", k)
		}
	}
	for i, a := range s.Availability {
		if a.From.IsZero() || a.Note == "" {
			at(1, "availability entry %d needs a from date and a note", i+1)
		}
		if i > 0 && !a.From.After(s.Availability[i-1].From) {
			at(1, "availability entries must be in date order (%s after %s)", a.From, s.Availability[i-1].From)
		}
	}
	conds := map[string]string{}
	for _, cd := range s.Conditions {
		if !c.facts[cd.Fact] {
			at(1, "condition %s refers to unknown fact %q", cd.ID, cd.Fact)
		}
		conds[cd.ID] = cd.Fact
	}
	levels := map[string]bool{}
	for _, lv := range s.Levels {
		levels[lv.ID] = true
	}
	if len(s.Requirements) == 0 {
		at(1, "has no requirements")
	}
	for _, r := range s.Requirements {
		l.validateRequirement(c, s, r, conds, levels)
	}
	if len(s.Levels) > 0 {
		for _, lv := range s.Levels {
			if !slices.ContainsFunc(s.Requirements, func(r *Requirement) bool { return r.Level == lv.ID }) {
				at(1, "level %q has no requirements", lv.ID)
			}
		}
	}
}

func (l *loader) validateRequirement(c *Catalog, s *Scheme, r *Requirement, conds map[string]string, levels map[string]bool) {
	at := func(format string, args ...any) {
		l.addf(r.pos.file, r.pos.line, "requirement %s: "+format, append([]any{r.ID}, args...)...)
	}
	if r.ID == "" {
		l.addf(r.pos.file, r.pos.line, "requirement has no id")
		return
	}
	if r.Title == "" {
		at("has no title")
	}
	if r.Strength != Mandatory && r.Strength != Recommended {
		at("strength %q is not %q or %q", r.Strength, Mandatory, Recommended)
	}
	if !validPhase(r.Phase) {
		at("phase %q is not one of %v", r.Phase, Phases)
	}
	for _, p := range r.Phases {
		if !validPhase(p) {
			at("secondary phase %q is not one of %v", p, Phases)
		}
	}
	r.Facts = r.Facts[:0]
	for _, cd := range r.Condition {
		if f, ok := conds[cd]; ok {
			r.Facts = append(r.Facts, f)
		} else if c.facts[cd] {
			r.Facts = append(r.Facts, cd)
		} else {
			at("condition %q is neither a condition of the scheme nor a fact", cd)
		}
	}
	if len(levels) > 0 && !levels[r.Level] {
		at("level %q is not a level of the scheme", r.Level)
	}
	if len(levels) == 0 && r.Level != "" {
		at("has level %q but the scheme has no levels", r.Level)
	}
	for _, o := range r.Outcomes {
		if c.outcomes[o] == nil {
			at("outcome %q does not exist%s", o, suggest(o, c.outcomes))
		}
	}
	if len(r.Outcomes) == 0 && len(r.Includes) == 0 && r.IncludesMandatoryOf == "" {
		at("maps to no outcome and includes no other requirement")
	}
	for _, ref := range append(slices.Clone(r.Includes), r.DeemedBy...) {
		if c.requirements[ref] == nil {
			at("referenced requirement %q does not exist", ref)
		}
	}
	if m := r.IncludesMandatoryOf; m != "" && (c.schemes[m] == nil || m == s.ID) {
		at("includes_mandatory_of %q is not another scheme", m)
	}
	if r.Evidence != "" && !validEvidence(r.Evidence) {
		at("evidence %q is not declared, tool or lab", r.Evidence)
	}
}

func (l *loader) validateCheck(c *Catalog, k *Check) {
	at := func(format string, args ...any) {
		l.addf(k.pos.file, k.pos.line, "check %q: "+format, append([]any{k.ID}, args...)...)
	}
	if c.checks[k.ID] != nil {
		at("defined twice")
	}
	c.checks[k.ID] = k
	if !validEvidence(k.Kind) {
		at("kind %q is not declared, tool or lab", k.Kind)
	}
	if c.outcomes[k.Outcome] == nil {
		at("outcome %q does not exist%s", k.Outcome, suggest(k.Outcome, c.outcomes))
	}
	for _, o := range k.AlsoFails {
		if c.outcomes[o] == nil || o == k.Outcome {
			at("also_fails: %q is not another outcome%s", o, suggest(o, c.outcomes))
		}
	}
	for _, ref := range k.Covers {
		r := c.requirements[ref]
		if r == nil {
			at("covered requirement %q does not exist", ref)
			continue
		}
		if !slices.Contains(r.Outcomes, k.Outcome) {
			at("covers %s, which does not map to outcome %s", ref, k.Outcome)
		}
	}
}

func (l *loader) validateTiers(c *Catalog) {
	for i, t := range c.Tiers {
		at := func(format string, args ...any) {
			l.addf(t.pos.file, t.pos.line, "tier %d: "+format, append([]any{t.Level}, args...)...)
		}
		if t.Level != i+1 {
			at("tiers must be numbered 1, 2, 3… in order")
		}
		if t.Name == "" || t.Summary == "" {
			at("needs a name and a summary")
		}
		if t.Effective.IsZero() || t.ReviewBy.IsZero() || !t.ReviewBy.After(t.Effective) {
			at("needs an effective date and a later review_by date (tiers are reviewed with data: iotlabel catalog impact)")
		}
		for _, s := range t.Schemes {
			if c.schemes[s] == nil {
				at("scheme %q does not exist", s)
			}
		}
		for _, o := range t.Outcomes {
			if c.outcomes[o.ID] == nil {
				at("outcome %q does not exist%s", o.ID, suggest(o.ID, c.outcomes))
			}
			if !validEvidence(o.Evidence) {
				at("outcome %s: evidence %q is not declared, tool or lab", o.ID, o.Evidence)
			}
			for _, k := range o.Checks {
				if ck := c.checks[k]; ck == nil || ck.Outcome != o.ID {
					at("outcome %s: check %q does not exist or does not feed that outcome", o.ID, k)
				}
			}
			if o.MinCoverage < 0 || o.MinCoverage > 1 || (o.MinCoverage > 0 && len(o.Checks) == 0) {
				at("outcome %s: min_coverage %v must be a share from 0 to 1 of what its checks examined", o.ID, o.MinCoverage)
			}
		}
	}
	if len(c.Tiers) == 0 {
		l.addf("tiers.yaml", 0, "no tiers defined")
	}
}

func (l *loader) validateMarket(c *Catalog, m *Market) {
	at := func(format string, args ...any) {
		l.addf(m.pos.file, m.pos.line, "market %s: "+format, append([]any{m.ID}, args...)...)
	}
	for _, inc := range m.Includes {
		if c.markets[inc] == nil || inc == m.ID {
			at("included market %q does not exist", inc)
		} else if len(c.markets[inc].Includes) > 0 {
			at("included market %q itself includes markets; only one level is allowed", inc)
		}
	}
	for _, r := range m.Rules {
		s := c.schemes[r.Scheme]
		if s == nil {
			at("scheme %q does not exist", r.Scheme)
			continue
		}
		if r.Level != "" && s.LevelIndex(r.Level) < 0 {
			at("scheme %s has no level %q", r.Scheme, r.Level)
		}
		for _, k := range r.Categories {
			if !c.categories[k] {
				at("category %q is not defined in catalog.yaml", k)
			}
		}
	}
}

func (l *loader) validateRecognition(c *Catalog, r *Recognition) {
	at := func(format string, args ...any) {
		l.addf(r.pos.file, r.pos.line, "recognition %s: "+format, append([]any{r.ID}, args...)...)
	}
	if r.Effective.IsZero() {
		at("needs an effective date")
	}
	if len(r.Grants) == 0 {
		at("grants nothing")
	}
	for _, g := range r.Grants {
		for _, sl := range []SchemeLevel{g.Holder, g.Earns} {
			s := c.schemes[sl.Scheme]
			if s == nil {
				at("scheme %q does not exist", sl.Scheme)
				continue
			}
			if sl.Level != "" && s.LevelIndex(sl.Level) < 0 {
				at("scheme %s has no level %q", sl.Scheme, sl.Level)
			}
		}
	}
}

// suggest returns ` (did you mean "x"?)` for the closest key, or "".
func suggest[V any](got string, known map[string]V) string {
	keys := make([]string, 0, len(known))
	for k := range known {
		keys = append(keys, k)
	}
	if s := Closest(got, keys); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Closest returns the candidate closest to s by edit distance, if it is close
// enough to be a plausible typo, or "".
func Closest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	slices.Sort(candidates)
	if len(s) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), strings.ToLower(s)) {
				return c
			}
		}
	}
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
