package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Change is one difference between two catalogs.
type Change struct {
	// Kind is "added", "removed" or "changed". An added or removed Field
	// means the item exists in both catalogs and gained or lost that field.
	Kind string `json:"kind"`
	// Item names what changed, e.g. "requirement etsi-en-303-645:5.1-1".
	Item string `json:"item"`
	// Field, Old and New describe a changed field.
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

func (c Change) String() string {
	switch {
	case c.Kind == "changed":
		return fmt.Sprintf("~ %s: %s: %q -> %q", c.Item, c.Field, c.Old, c.New)
	case c.Kind == "added" && c.Field != "":
		return fmt.Sprintf("+ %s: %s added: %q", c.Item, c.Field, c.New)
	case c.Kind == "removed" && c.Field != "":
		return fmt.Sprintf("- %s: %s removed (was %q)", c.Item, c.Field, c.Old)
	case c.Kind == "added":
		return "+ " + c.Item
	}
	return "- " + c.Item
}

// Diff lists what changed from catalog a to catalog b: the version, and every
// scheme, requirement, outcome, check, tier, market and recognition that was
// added, removed or changed, field by field. The result is sorted.
func Diff(a, b *Catalog) []Change {
	fa, fb := a.flatten(), b.flatten()
	var out []Change
	for item, fields := range fa {
		other, ok := fb[item]
		if !ok {
			out = append(out, Change{Kind: "removed", Item: item})
			continue
		}
		for f, v := range fields {
			w, ok := other[f]
			switch {
			case !ok:
				out = append(out, Change{Kind: "removed", Item: item, Field: f, Old: v})
			case w != v:
				out = append(out, Change{Kind: "changed", Item: item, Field: f, Old: v, New: w})
			}
		}
		for f, w := range other {
			if _, ok := fields[f]; !ok {
				out = append(out, Change{Kind: "added", Item: item, Field: f, New: w})
			}
		}
	}
	for item := range fb {
		if _, ok := fa[item]; !ok {
			out = append(out, Change{Kind: "added", Item: item})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Item != out[j].Item {
			return out[i].Item < out[j].Item
		}
		return out[i].Field < out[j].Field
	})
	return out
}

type fields map[string]string

func (c *Catalog) flatten() map[string]fields {
	m := map[string]fields{"catalog": {"version": c.Version, "title": c.Title}}
	j := func(ss []string) string { return strings.Join(ss, ", ") }
	for _, o := range c.Outcomes {
		m["outcome "+o.ID] = fields{"title": o.Title, "phase": string(o.Phase), "consumer": o.Consumer,
			"remediation": o.Remediation, "verify": j(o.Verify)}
	}
	for _, k := range c.Checks {
		m["check "+k.ID] = fields{"kind": string(k.Kind), "outcome": k.Outcome, "title": k.Title, "covers": j(k.Covers)}
	}
	for _, s := range c.Schemes {
		m["scheme "+s.ID] = fields{"title": s.Title, "version": s.Version, "status": s.Status, "kind": s.Kind,
			"effective": s.Effective.String(), "jurisdiction": s.Jurisdiction, "unverified": s.Unverified,
			"excluded_categories": j(s.ExcludedCategories), "categories": j(s.Categories), "condition": j(s.Condition)}
		for _, r := range s.Requirements {
			var phases []string
			for _, p := range r.Phases {
				phases = append(phases, string(p))
			}
			m["requirement "+r.Ref()] = fields{"title": r.Title, "strength": string(r.Strength),
				"condition": j(r.Condition), "phase": string(r.Phase), "phases": j(phases), "level": r.Level,
				"outcomes": j(r.Outcomes), "includes": j(r.Includes), "includes_mandatory_of": r.IncludesMandatoryOf,
				"evidence": string(r.Evidence), "effective": r.Effective.String(), "unverified": r.Unverified}
		}
	}
	for _, r := range c.EvidenceRules {
		m["evidence rule "+string(r.Kind)] = fields{"signed_by": j(r.SignedBy), "accredited": fmt.Sprint(r.Accredited)}
	}
	for _, r := range c.AtRisk {
		m["at-risk rule "+r.Finding] = fields{"from_tier": fmt.Sprint(r.FromTier)}
	}
	for _, t := range c.Tiers {
		f := fields{"name": t.Name, "schemes": j(t.Schemes), "effective": t.Effective.String(), "review_by": t.ReviewBy.String()}
		for _, o := range t.Outcomes {
			v := "evidence " + string(o.Evidence)
			if len(o.Checks) > 0 {
				v += ", checks " + j(o.Checks)
			}
			f["outcome "+o.ID] = v
		}
		m[fmt.Sprintf("tier %d", t.Level)] = f
	}
	for _, mk := range c.Markets {
		f := fields{"name": mk.Name, "includes": j(mk.Includes)}
		for _, r := range mk.Rules {
			f["rule "+r.Scheme] = strings.TrimSpace(fmt.Sprintf("level=%s from=%s categories=%s", r.Level, r.From, j(r.Categories)))
		}
		m["market "+mk.ID] = f
	}
	for _, r := range c.Recognitions {
		f := fields{"title": r.Title, "effective": r.Effective.String(), "signed": r.Signed.String()}
		for _, g := range r.Grants {
			f["grant "+g.Holder.String()+" -> "+g.Earns.String()] = strings.TrimSpace(g.Effective.String() + " " + g.Source + " " + g.Note)
		}
		m["recognition "+r.ID] = f
	}
	return m
}
