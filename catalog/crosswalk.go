package catalog

import (
	"fmt"
	"slices"
)

// Link is one requirement of the source scheme with the requirements of the
// target scheme that address the same outcomes, and why they are linked.
type Link struct {
	From    string   `json:"from"`
	Title   string   `json:"title"`
	To      []string `json:"to"`
	Via     []string `json:"via"`
	Partial bool     `json:"partial"`
}

// Crosswalk maps every requirement of scheme from onto the requirements of
// scheme to. Two requirements are linked when they share an outcome, when one
// includes the other, or when one is deemed met by the other. A link is partial
// when the source requirement has outcomes that no target requirement covers.
func (c *Catalog) Crosswalk(from, to string) ([]Link, error) {
	src, dst := c.schemes[from], c.schemes[to]
	if src == nil {
		return nil, fmt.Errorf("unknown scheme %q%s", from, suggest(from, c.schemes))
	}
	if dst == nil {
		return nil, fmt.Errorf("unknown scheme %q%s", to, suggest(to, c.schemes))
	}
	var links []Link
	for _, r := range src.Requirements {
		l := Link{From: r.ID, Title: r.Title}
		covered := map[string]bool{}
		outs := c.outcomesOf(r)
		for _, t := range dst.Requirements {
			tOuts := c.outcomesOf(t)
			linked := false
			for _, o := range outs {
				if slices.Contains(tOuts, o) {
					covered[o] = true
					linked = true
					if !slices.Contains(l.Via, o) {
						l.Via = append(l.Via, o)
					}
				}
			}
			if slices.Contains(r.DeemedBy, t.Ref()) || slices.Contains(t.DeemedBy, r.Ref()) ||
				slices.Contains(r.Includes, t.Ref()) || slices.Contains(t.Includes, r.Ref()) {
				linked = true
			}
			if linked {
				l.To = append(l.To, t.ID)
			}
		}
		l.Partial = len(l.To) > 0 && len(covered) < len(outs)
		links = append(links, l)
	}
	return links, nil
}

// outcomesOf returns the outcomes a requirement addresses, directly or through
// the requirements it includes.
func (c *Catalog) outcomesOf(r *Requirement) []string {
	if len(r.Includes) == 0 && r.IncludesMandatoryOf == "" {
		return r.Outcomes
	}
	outs := slices.Clone(r.Outcomes)
	add := func(x *Requirement) {
		for _, o := range x.Outcomes {
			if !slices.Contains(outs, o) {
				outs = append(outs, o)
			}
		}
	}
	for _, ref := range r.Includes {
		add(c.requirements[ref])
	}
	if s := c.schemes[r.IncludesMandatoryOf]; s != nil {
		for _, x := range s.Requirements {
			if x.Strength == Mandatory {
				add(x)
			}
		}
	}
	return outs
}
