package assess_test

import (
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/evidence"
)

// TestVerdictsDoNotContradict: with admin:admin accepted, strong
// authentication cannot pass just because "/" asks for a password; the
// catalog (checks.yaml also_fails), not Go, ties the two outcomes.
func TestVerdictsDoNotContradict(t *testing.T) {
	e := engine(t)
	items := []evidence.Item{
		tool("default-credentials", evidence.Fail, "HTTP Basic login admin:admin accepted"),
		tool("unauthenticated-admin", evidence.Pass, "/ asks for HTTP Basic authentication"),
	}
	a := e.Assess(example(t, "router-tier2"), items, asOf)
	for _, id := range []string{"unique-passwords", "strong-authentication"} {
		if o := a.Outcome(id); o.Verdict != assess.Fail || !strings.Contains(o.Reason, "admin:admin") {
			t.Errorf("%s = %s (%s), want fail on the accepted default login", id, o.Verdict, o.Reason)
		}
	}
	// A passing default-credentials check vouches for nothing beyond its own outcome.
	a = e.Assess(example(t, "router-tier2"), []evidence.Item{tool("default-credentials", evidence.Pass, "none accepted")}, asOf)
	if o := a.Outcome("strong-authentication"); o.Verdict == assess.Fail {
		t.Errorf("a pass failed strong-authentication: %s", o.Reason)
	}
}
