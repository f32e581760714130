package impact

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/iotlabel/iotlabel/assess"
)

// Change is how one product's assessment moves under the proposed catalog.
type Change struct {
	Label      string `json:"label"`
	Model      string `json:"model"`
	TierBefore int    `json:"tier_before"`
	TierAfter  int    `json:"tier_after"`
	// SchemesLost and SchemesGained name schemes (with their level, for
	// levelled schemes) met before and not after, or the reverse.
	SchemesLost   []string `json:"schemes_lost,omitempty"`
	SchemesGained []string `json:"schemes_gained,omitempty"`
	MarketsLost   []string `json:"markets_lost,omitempty"`
	MarketsGained []string `json:"markets_gained,omitempty"`
	// Causes are what moved: "tier outcome X: pass -> fail", "requirement
	// scheme:id: pass -> unknown" (or "added", "removed"), and the gaps to a
	// tier that opened or closed ("new gap tier 2 X: …").
	Causes []string `json:"causes"`
}

// Moved reports whether anything a label shows changed.
func (c *Change) Moved() bool {
	return c.TierBefore != c.TierAfter || len(c.SchemesLost)+len(c.SchemesGained)+len(c.MarketsLost)+len(c.MarketsGained) > 0
}

// Compare compares an assessment before and after the change.
func Compare(label string, before, after *assess.Assessment) Change {
	c := Change{Label: label, Model: before.Product.Model, TierBefore: before.Tier, TierAfter: after.Tier, Causes: []string{}}
	met := func(a *assess.Assessment) []string {
		var out []string
		for _, s := range a.Schemes {
			if s.Applicable && s.Met {
				out = append(out, strings.TrimSpace(s.ID+" "+levelName(s.Level)))
			}
		}
		return out
	}
	allowed := func(a *assess.Assessment) []string {
		var out []string
		for _, m := range a.Markets {
			if m.Targeted && m.Allowed {
				out = append(out, m.ID)
			}
		}
		return out
	}
	c.SchemesLost, c.SchemesGained = minus(met(before), met(after)), minus(met(after), met(before))
	c.MarketsLost, c.MarketsGained = minus(allowed(before), allowed(after)), minus(allowed(after), allowed(before))
	c.Causes = append(verdictCauses(before, after), c.Causes...)
	c.Causes = append(c.Causes, gapCauses(before, after)...)
	return c
}

// gapCauses names what a tier newly asks for and no longer asks for: an
// outcome's verdict may stay while the evidence a tier wants of it changes.
func gapCauses(before, after *assess.Assessment) []string {
	key := func(g assess.Gap) string {
		return fmt.Sprintf("tier %d %s: %s", g.Tier, strings.TrimSpace(g.Outcome+" "+g.Scheme), g.Problem)
	}
	set := func(a *assess.Assessment) []string {
		var out []string
		for _, g := range a.Gaps {
			out = append(out, key(g))
		}
		return out
	}
	var out []string
	for _, g := range minus(set(after), set(before)) {
		out = append(out, "new gap "+g)
	}
	for _, g := range minus(set(before), set(after)) {
		out = append(out, "gap closed "+g)
	}
	return out
}

func levelName(l string) string {
	if l == "" {
		return ""
	}
	return "level " + l
}

// verdictCauses lists the outcomes and requirements whose verdicts differ.
// When both assessments list the same outcomes and requirements in the same
// order (a catalog edit that changes rules, tiers or strengths, not the
// lists), they are walked side by side, so that a label that did not move
// costs no allocation; otherwise they are matched by ID.
func verdictCauses(before, after *assess.Assessment) []string {
	if !sameShape(before, after) {
		return append(causes(outcomes(before), outcomes(after), "tier outcome"), causes(requirements(before), requirements(after), "requirement")...)
	}
	var out []string
	for i, o := range before.Outcomes {
		if a := after.Outcomes[i]; a.Verdict != o.Verdict {
			out = append(out, fmt.Sprintf("tier outcome %s: %s -> %s", o.ID, o.Verdict, a.Verdict))
		}
	}
	var reqs []string
	for i, s := range before.Schemes {
		for j, r := range s.Requirements {
			if a := after.Schemes[i].Requirements[j]; a.Verdict != r.Verdict {
				reqs = append(reqs, fmt.Sprintf("requirement %s:%s: %s -> %s", s.ID, r.ID, r.Verdict, a.Verdict))
			}
		}
	}
	sort.Strings(out)
	sort.Strings(reqs)
	return append(out, reqs...)
}

// sameShape reports whether two assessments list the same outcomes, schemes
// and requirements in the same order.
func sameShape(before, after *assess.Assessment) bool {
	if len(before.Outcomes) != len(after.Outcomes) || len(before.Schemes) != len(after.Schemes) {
		return false
	}
	for i := range before.Outcomes {
		if before.Outcomes[i].ID != after.Outcomes[i].ID {
			return false
		}
	}
	for i, s := range before.Schemes {
		t := after.Schemes[i]
		if s.ID != t.ID || len(s.Requirements) != len(t.Requirements) {
			return false
		}
		for j := range s.Requirements {
			if s.Requirements[j].ID != t.Requirements[j].ID {
				return false
			}
		}
	}
	return true
}

func outcomes(a *assess.Assessment) map[string]string {
	m := map[string]string{}
	for _, o := range a.Outcomes {
		m[o.ID] = string(o.Verdict)
	}
	return m
}

func requirements(a *assess.Assessment) map[string]string {
	m := map[string]string{}
	for _, s := range a.Schemes {
		for _, r := range s.Requirements {
			m[s.ID+":"+r.ID] = string(r.Verdict)
		}
	}
	return m
}

// causes lists, in order, the keys whose verdicts differ between two maps.
func causes(before, after map[string]string, kind string) []string {
	var out []string
	for k, b := range before {
		switch a, ok := after[k]; {
		case !ok:
			out = append(out, fmt.Sprintf("%s %s removed (was %s)", kind, k, b))
		case a != b:
			out = append(out, fmt.Sprintf("%s %s: %s -> %s", kind, k, b, a))
		}
	}
	for k, a := range after {
		if _, ok := before[k]; !ok {
			out = append(out, fmt.Sprintf("%s %s added (%s)", kind, k, a))
		}
	}
	sort.Strings(out)
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Group is the labels that moved the same way for the same causes.
type Group struct {
	// Move is what changed: "tier 2 -> 1", "loses sg-cls level 2", "may no
	// longer be sold in GB", or the gains.
	Move   string   `json:"move"`
	Causes []string `json:"causes"`
	Count  int      `json:"count"`
	// Labels names the first labels of the group (at most MaxNamed).
	Labels []string `json:"labels"`
}

// MaxNamed bounds how many labels a group names.
const MaxNamed = 10

// Summary is the whole impact of a change.
type Summary struct {
	Labels    int     `json:"labels"`
	Unchanged int     `json:"unchanged"`
	Groups    []Group `json:"groups"`
	// Failed counts the labels whose inputs one of the catalogs could not
	// assess, with the first reasons.
	Failed  int      `json:"failed"`
	Reasons []string `json:"failure_reasons,omitempty"`
}

// Summariser folds changes into a Summary as they come.
type Summariser struct {
	s     Summary
	index map[string]int
}

// Add counts one label's change.
func (m *Summariser) Add(c Change) {
	m.s.Labels++
	if !c.Moved() {
		m.s.Unchanged++
		return
	}
	if m.index == nil {
		m.index = map[string]int{}
	}
	for _, move := range moves(c) {
		key := move + "\x00" + strings.Join(c.Causes, "\x00")
		i, ok := m.index[key]
		if !ok {
			i = len(m.s.Groups)
			m.index[key] = i
			m.s.Groups = append(m.s.Groups, Group{Move: move, Causes: c.Causes, Labels: []string{}})
		}
		g := &m.s.Groups[i]
		g.Count++
		if len(g.Labels) < MaxNamed {
			g.Labels = append(g.Labels, c.Label)
		}
	}
}

// Fail counts a label that could not be compared.
func (m *Summariser) Fail(label string, err error) {
	m.s.Labels++
	m.s.Failed++
	if len(m.s.Reasons) < MaxNamed {
		m.s.Reasons = append(m.s.Reasons, label+": "+err.Error())
	}
}

// Summary returns the groups, largest first.
func (m *Summariser) Summary() Summary {
	s := m.s
	s.Groups = slices.Clone(s.Groups)
	sort.SliceStable(s.Groups, func(i, j int) bool { return s.Groups[i].Count > s.Groups[j].Count })
	if s.Groups == nil {
		s.Groups = []Group{}
	}
	return s
}

func moves(c Change) []string {
	var out []string
	if c.TierBefore != c.TierAfter {
		out = append(out, fmt.Sprintf("tier %d -> %d", c.TierBefore, c.TierAfter))
	}
	for _, s := range c.SchemesLost {
		out = append(out, "loses "+s)
	}
	for _, s := range c.SchemesGained {
		out = append(out, "gains "+s)
	}
	for _, m := range c.MarketsLost {
		out = append(out, "may no longer be sold in "+m)
	}
	for _, m := range c.MarketsGained {
		out = append(out, "may now be sold in "+m)
	}
	return out
}
