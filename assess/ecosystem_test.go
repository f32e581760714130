package assess_test

import (
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/declaration"
)

// verdict is the verdict of an outcome ("outcome", id) or a requirement
// (scheme, id), with its reason.
func verdict(t *testing.T, a *assess.Assessment, scheme, id string) (assess.Verdict, string) {
	t.Helper()
	if scheme == "outcome" {
		o := a.Outcome(id)
		if o == nil {
			t.Fatalf("no outcome %s", id)
		}
		return o.Verdict, o.Reason
	}
	r := req(t, a, scheme, id)
	return r.Verdict, r.Reason
}

// TestEcosystemDecides: the app and cloud facts decide the requirements about
// them. Without an ecosystem block those are unknown with a reason, even where
// the answers say "yes" (the router answers 5.8-2 yes); facts that contradict
// an answer fail it; a standalone product passes them.
func TestEcosystemDecides(t *testing.T) {
	e := engine(t)
	type want struct {
		scheme, id string
		verdict    assess.Verdict
		reason     string // a part of the reason
	}
	noEcosystem := func(d *declaration.Declaration) { d.Ecosystem = declaration.Ecosystem{} }
	for _, tc := range []struct {
		name  string
		mod   func(*declaration.Declaration)
		wants []want
	}{
		{"as declared", nil, []want{
			{"outcome", "service-communication", assess.Pass, "encrypted in transit: app \"Northgate Connect\", cloud service \"Northgate Cloud\""},
			{"outcome", "service-authentication", assess.Pass, "signed-in or paired"},
			{"outcome", "service-data-deletion", assess.Pass, "can delete"},
			{"etsi-en-303-645", "5.8-2", assess.Pass, "mutually authenticated TLS"},
			{"etsi-en-303-645", "5.11-2", assess.Pass, "can delete"},
			{"eu-cra", "I(2)(e)", assess.Pass, ""},
		}},
		{"no ecosystem block", noEcosystem, []want{
			{"outcome", "service-communication", assess.Unknown, "ecosystem.standalone"},
			{"outcome", "service-authentication", assess.Unknown, "companion app"},
			{"outcome", "service-data-deletion", assess.Unknown, "companion app"},
			{"etsi-en-303-645", "5.8-2", assess.Unknown, "does not say which companion app"}, // answered yes, still unknown
			{"etsi-en-303-645", "5.11-2", assess.Unknown, "ecosystem"},
			{"eu-cra", "I(2)(d)", assess.Unknown, "service-authentication"},
			{"eu-cra", "I(2)(e)", assess.Unknown, "service-communication"},
			{"eu-cra", "I(2)(m)", assess.Unknown, "service-data-deletion"},
			{"us-nistir-8425", "data-protection", assess.Unknown, "service-communication"},
			{"etsi-en-303-645", "5.11-1", assess.Pass, "Factory reset"}, // about the device: unaffected
		}},
		{"cloud traffic in clear", func(d *declaration.Declaration) { d.Ecosystem.Cloud[0].EncryptedInTransit = ptr(false) }, []want{
			{"outcome", "service-communication", assess.Fail, "declared unencrypted in transit: cloud service \"Northgate Cloud\""},
			{"etsi-en-303-645", "5.8-2", assess.Fail, "unencrypted"}, // the answer says yes; the facts win
			{"eu-cra", "I(2)(e)", assess.Fail, ""},
			{"us-nistir-8425", "data-protection", assess.Fail, ""},
		}},
		{"app without sign-in", func(d *declaration.Declaration) { d.Ecosystem.App.Authenticated = ptr(false) }, []want{
			{"outcome", "service-authentication", assess.Fail, "without the user signing in"},
			{"eu-cra", "I(2)(d)", assess.Fail, ""},
			{"us-nistir-8425", "interface-access-control", assess.Fail, ""},
		}},
		{"cloud data kept", func(d *declaration.Declaration) { d.Ecosystem.Cloud[0].UserDeletion = ptr(false) }, []want{
			{"outcome", "service-data-deletion", assess.Fail, "cannot be deleted by the user"},
			{"etsi-en-303-645", "5.11-2", assess.Fail, ""},
			{"eu-cra", "I(2)(m)", assess.Fail, ""},
			{"etsi-en-303-645", "5.11-1", assess.Pass, ""}, // the device's own erase still passes
		}},
		{"cloud data left out", func(d *declaration.Declaration) { d.Ecosystem.Cloud[0].PersonalData = nil }, []want{
			{"outcome", "service-data-deletion", assess.Unknown, "(ecosystem.cloud.0.personal_data)"},
			{"etsi-en-303-645", "5.11-2", assess.Unknown, "personal data the user can delete"},
		}},
		{"a fact left out", func(d *declaration.Declaration) { d.Ecosystem.App.EncryptedInTransit = nil }, []want{
			{"outcome", "service-communication", assess.Unknown, "ecosystem.app.encrypted_in_transit"},
			{"etsi-en-303-645", "5.8-2", assess.Unknown, "(ecosystem.app.encrypted_in_transit)"},
		}},
		{"standalone", func(d *declaration.Declaration) { d.Ecosystem = declaration.Ecosystem{Standalone: true} }, []want{
			{"outcome", "service-communication", assess.Pass, "declared standalone"},
			{"outcome", "service-authentication", assess.Pass, "no companion app"},
			{"outcome", "service-data-deletion", assess.Pass, "no cloud service"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mods []func(*declaration.Declaration)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			a := e.Assess(example(t, "router-tier2", mods...), nil, asOf)
			for _, w := range tc.wants {
				v, why := verdict(t, a, w.scheme, w.id)
				if v != w.verdict || !strings.Contains(why, w.reason) {
					t.Errorf("%s %s = %s (%s), want %s containing %q", w.scheme, w.id, v, why, w.verdict, w.reason)
				}
			}
		})
	}
}

// TestEcosystemCounts: removing the ecosystem block moves the tier (it used to
// change nothing).
func TestEcosystemCounts(t *testing.T) {
	e := engine(t)
	with := e.Assess(example(t, "router-tier2"), verifiedEvidence(), asOf)
	without := e.Assess(example(t, "router-tier2", func(d *declaration.Declaration) { d.Ecosystem = declaration.Ecosystem{} }), verifiedEvidence(), asOf)
	if with.Tier != 3 || without.Tier != 1 {
		t.Fatalf("tier with ecosystem %d, without %d; want 3 and 1", with.Tier, without.Tier)
	}
	found := false
	for _, g := range without.Gaps {
		found = found || strings.Contains(g.Problem, "ecosystem")
	}
	if !found {
		t.Errorf("no gap names the missing ecosystem: %+v", without.Gaps)
	}
}

// TestSchemeCategories: a scheme that covers only some categories (NIST IR
// 8425A: routers) applies to a router and to nothing else, with the reason.
func TestSchemeCategories(t *testing.T) {
	e := engine(t)
	router := e.Assess(example(t, "router-tier2"), nil, asOf).Scheme("us-nistir-8425a")
	plug := e.Assess(example(t, "smart-plug-tier1"), nil, asOf).Scheme("us-nistir-8425a")
	if router == nil || !router.Applicable || plug == nil || plug.Applicable || !strings.Contains(plug.Reason, `covers only router products, this is "smart-plug"`) {
		t.Errorf("router: %+v\nplug: %+v", router, plug)
	}
}
