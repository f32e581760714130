package catalog

import "slices"

// Demand is what one scheme asks of one outcome: the strongest strength of
// its requirements that map to it ("" when none does), the strongest
// evidence those requirements name, and their references.
type Demand struct {
	Scheme       string       `json:"scheme"`
	Strength     Strength     `json:"strength,omitempty"`
	Evidence     EvidenceKind `json:"evidence,omitempty"`
	Requirements []string     `json:"requirements"`
}

// OutcomeComparison is one outcome across the compared schemes.
type OutcomeComparison struct {
	Outcome string   `json:"outcome"`
	Title   string   `json:"title"`
	Schemes []Demand `json:"schemes"`
}

// Compare sets the schemes side by side, outcome by outcome, in catalog
// order. A requirement that includes others (CLS level 2 takes every
// mandatory EN 303 645 provision) asks for their outcomes too, at its own
// strength. Unknown scheme IDs are the caller's to refuse.
func (c *Catalog) Compare(schemes []string) []OutcomeComparison {
	out := make([]OutcomeComparison, len(c.Outcomes))
	index := map[string]int{}
	for i, o := range c.Outcomes {
		out[i] = OutcomeComparison{Outcome: o.ID, Title: o.Title, Schemes: make([]Demand, len(schemes))}
		for j, s := range schemes {
			out[i].Schemes[j] = Demand{Scheme: s, Requirements: []string{}}
		}
		index[o.ID] = i
	}
	for j, id := range schemes {
		s := c.Scheme(id)
		if s == nil {
			continue
		}
		for _, r := range s.Requirements {
			ev := r.Evidence
			if ev == "" {
				ev = Declared
			}
			for _, o := range c.reachedOutcomes(r) {
				i, ok := index[o]
				if !ok {
					continue
				}
				d := &out[i].Schemes[j]
				if d.Strength == "" || r.Strength == Mandatory {
					d.Strength = r.Strength // the strongest: mandatory over recommended
				}
				if ev.Rank() > d.Evidence.Rank() {
					d.Evidence = ev
				}
				if !slices.Contains(d.Requirements, r.Ref()) {
					d.Requirements = append(d.Requirements, r.Ref())
				}
			}
		}
	}
	return out
}

// reachedOutcomes are a requirement's outcomes and those of the
// requirements it includes.
func (c *Catalog) reachedOutcomes(r *Requirement) []string {
	out := slices.Clone(r.Outcomes)
	add := func(x *Requirement) {
		for _, o := range x.Outcomes {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	for _, ref := range r.Includes {
		if x := c.Requirement(ref); x != nil {
			add(x)
		}
	}
	if s := c.Scheme(r.IncludesMandatoryOf); s != nil {
		for _, x := range s.Requirements {
			if x.Strength == Mandatory {
				add(x)
			}
		}
	}
	return out
}
