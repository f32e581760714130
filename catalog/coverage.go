package catalog

import "slices"

// PhaseCount counts a scheme's requirements in one lifecycle phase.
type PhaseCount struct {
	Phase       Phase `json:"phase"`
	Mandatory   int   `json:"mandatory"`
	Recommended int   `json:"recommended"`
	// Thin marks a phase this scheme leaves without any mandatory requirement
	// while it has mandatory requirements elsewhere.
	Thin bool `json:"thin"`
}

// SchemeCoverage is the lifecycle profile of one scheme.
type SchemeCoverage struct {
	Scheme string       `json:"scheme"`
	Phases []PhaseCount `json:"phases"`
	Total  int          `json:"total"`
}

// Coverage is the lifecycle gap analysis of a whole catalog: for every scheme,
// how many mandatory and recommended requirements fall in each phase (by
// primary phase), and across all schemes which phases are thinly covered.
type Coverage struct {
	Schemes []SchemeCoverage `json:"schemes"`
	// Totals counts all requirements of all schemes per phase.
	Totals []PhaseCount `json:"totals"`
	// ThinPhases are phases whose share of all mandatory requirements is below
	// half of an even share (1/12 with six phases).
	ThinPhases []Phase `json:"thin_phases"`
	// Outcomes counts the harmonized outcomes whose primary phase is each phase.
	Outcomes map[Phase]int `json:"outcomes"`
}

// Coverage computes the lifecycle gap analysis.
func (c *Catalog) Coverage() Coverage {
	var cov Coverage
	totals := make([]PhaseCount, len(Phases))
	for i, p := range Phases {
		totals[i].Phase = p
	}
	allMandatory := 0
	for _, s := range c.Schemes {
		sc := SchemeCoverage{Scheme: s.ID, Phases: make([]PhaseCount, len(Phases))}
		hasMandatory := false
		for i, p := range Phases {
			sc.Phases[i].Phase = p
		}
		for _, r := range s.Requirements {
			i := slices.Index(Phases, r.Phase)
			if r.Strength == Mandatory {
				sc.Phases[i].Mandatory++
				totals[i].Mandatory++
				allMandatory++
				hasMandatory = true
			} else {
				sc.Phases[i].Recommended++
				totals[i].Recommended++
			}
			sc.Total++
		}
		for i := range sc.Phases {
			sc.Phases[i].Thin = hasMandatory && sc.Phases[i].Mandatory == 0
		}
		cov.Schemes = append(cov.Schemes, sc)
	}
	for i := range totals {
		if allMandatory > 0 && totals[i].Mandatory*2*len(Phases) < allMandatory {
			totals[i].Thin = true
			cov.ThinPhases = append(cov.ThinPhases, totals[i].Phase)
		}
	}
	cov.Totals = totals
	cov.Outcomes = map[Phase]int{}
	for _, o := range c.Outcomes {
		cov.Outcomes[o.Phase]++
	}
	return cov
}
