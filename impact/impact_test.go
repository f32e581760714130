package impact

import (
	"slices"
	"testing"

	"github.com/iotlabel/iotlabel/assess"
)

func assessment(outs []assess.Verdict, reqs []assess.Verdict) *assess.Assessment {
	a := &assess.Assessment{}
	for i, v := range outs {
		a.Outcomes = append(a.Outcomes, assess.OutcomeResult{ID: string(rune('a' + i)), Verdict: v})
	}
	s := assess.SchemeResult{ID: "s"}
	for i, v := range reqs {
		s.Requirements = append(s.Requirements, assess.RequirementResult{ID: string(rune('z' - i)), Verdict: v})
	}
	a.Schemes = []assess.SchemeResult{s, {ID: "t", Requirements: []assess.RequirementResult{{ID: "x", Verdict: assess.Pass}}}}
	return a
}

// TestVerdictCausesWalkMatchesLookup: walking two assessments of the same
// shape side by side names exactly the causes matching them by ID names, in
// the same order; a different shape is matched by ID.
func TestVerdictCausesWalkMatchesLookup(t *testing.T) {
	p, f, u := assess.Pass, assess.Fail, assess.Unknown
	before := assessment([]assess.Verdict{p, f, u}, []assess.Verdict{p, u, f, p})
	after := assessment([]assess.Verdict{f, f, p}, []assess.Verdict{u, u, p, p})
	want := append(causes(outcomes(before), outcomes(after), "tier outcome"), causes(requirements(before), requirements(after), "requirement")...)
	got := verdictCauses(before, after)
	if !slices.Equal(got, want) || len(got) != 4 {
		t.Errorf("walk: %q\nlookup: %q", got, want)
	}
	if c := verdictCauses(before, before); len(c) != 0 {
		t.Errorf("same assessment: %q", c)
	}
	shorter := assessment([]assess.Verdict{p, f}, []assess.Verdict{p, u, f, p})
	if c := verdictCauses(before, shorter); !slices.Contains(c, "tier outcome c removed (was unknown)") {
		t.Errorf("different shape: %q", c)
	}
}
