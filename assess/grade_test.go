package assess_test

import (
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/evidence"
)

// TestLabEvidenceNeedsAccreditedSignature: the attacks on Tier 4. A "lab"
// line anyone can write, a lab key the store does not hold, a key of the wrong
// role, and a lab accredited for other checks all count as declarations, and
// the report says so; only an accredited lab's signature gives Tier 4.
func TestLabEvidenceNeedsAccreditedSignature(t *testing.T) {
	e := engine(t)
	router := example(t, "router-tier2")
	signed := func(role string, accredited bool, reason string) evidence.Item {
		it := unsignedLab("penetration-test")
		it.Attestation = &evidence.Attestation{KeyID: "00112233aabbccdd", Holder: "Some Org", Role: role, Accredited: accredited, Reason: reason}
		return it
	}
	for _, tc := range []struct {
		name    string
		item    evidence.Item
		tier    int
		finding string
	}{
		{"hand-written lab line", unsignedLab("penetration-test"), 3, "is not signed"},
		{"key not in the trust store", signed("", false, "key not in the trust store"), 3, "which the trust store does not hold"},
		{"manufacturer's key", signed("manufacturer", true, ""), 3, "a manufacturer, not a lab"},
		{"lab not accredited for the check", signed("lab", false, "not accredited for check \"penetration-test\""), 3, "not accredited for it"},
		{"accredited lab", lab("penetration-test"), 4, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Assess(router, append(verifiedEvidence(), tc.item), asOf)
			if a.Tier != tc.tier {
				t.Errorf("tier = %d, want %d", a.Tier, tc.tier)
			}
			var demoted []string
			for _, f := range a.Findings {
				if f.Kind == assess.FindingDemoted {
					demoted = append(demoted, f.Message)
				}
			}
			switch {
			case tc.finding == "" && len(demoted) > 0:
				t.Errorf("accredited evidence demoted: %v", demoted)
			case tc.finding != "" && (len(demoted) != 1 || !strings.Contains(demoted[0], tc.finding) || !strings.Contains(demoted[0], "counts as a declaration")):
				t.Errorf("findings %v, want one saying %q", demoted, tc.finding)
			}
			if o := a.Outcome("independent-testing"); tc.tier < 4 && o.Strength == "lab" {
				t.Errorf("independent-testing rests on %s evidence", o.Strength)
			}
		})
	}
}
