package assess_test

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

var asOf = catalog.MustDate("2026-11-22")

func engine(t testing.TB) *assess.Engine {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := assess.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// example parses one of the shipped examples and applies mods to it.
func example(t testing.TB, name string, mods ...func(*declaration.Declaration)) *declaration.Declaration {
	t.Helper()
	path := "../examples/" + name + "/declaration.yaml"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := declaration.Parse(path, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		m(d)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func tool(check, result, detail string) evidence.Item {
	return evidence.Item{Kind: catalog.Tool, Source: evidence.Source{Tool: "test-probe", Version: "1"},
		Time: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Check: check, Result: result, Detail: detail, Target: "192.0.2.7:23"}
}

// lab is lab evidence as package attest hands it over after verifying a
// signature by a key the trust store accredits for the check.
func lab(check string) evidence.Item {
	it := unsignedLab(check)
	it.Attestation = &evidence.Attestation{KeyID: "0123456789abcdef", Holder: "Example Test Lab", Role: "lab", Accredited: true}
	return it
}

// unsignedLab is a "lab" line anyone could write.
func unsignedLab(check string) evidence.Item {
	return evidence.Item{Kind: catalog.Lab, Source: evidence.Source{Signer: "Example Test Lab"},
		Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Check: check, Result: evidence.Pass, Detail: check + " passed"}
}

func req(t *testing.T, a *assess.Assessment, scheme, id string) assess.RequirementResult {
	t.Helper()
	s := a.Scheme(scheme)
	if s == nil {
		t.Fatalf("no scheme %s", scheme)
	}
	r := s.Requirement(id)
	if r == nil {
		t.Fatalf("no requirement %s:%s", scheme, id)
	}
	return *r
}

func hasFinding(a *assess.Assessment, kind, substr string) bool {
	for _, f := range a.Findings {
		if f.Kind == kind && strings.Contains(f.Message, substr) {
			return true
		}
	}
	return false
}

func TestEngineCompilesDefaultCatalog(t *testing.T) {
	engine(t) // fails if a catalog fact or declaration check has no implementation
}

func TestPasswords(t *testing.T) {
	e := engine(t)
	for _, tc := range []struct {
		name    string
		mod     func(*declaration.Declaration)
		want    assess.Verdict
		reason  string
		gbAllow bool
	}{
		{"user-defined", func(d *declaration.Declaration) {
			d.Passwords.Scheme = "user-defined"
			d.Passwords.DerivedFromIdentifier = nil
		}, assess.Pass, "user sets the password", true},
		{"unique", func(d *declaration.Declaration) {}, assess.Pass, "own password", true},
		{"derived from MAC", func(d *declaration.Declaration) { d.Passwords.DerivedFromIdentifier = ptr(true) }, assess.Fail, "derived from a device identifier", false},
		{"universal default", func(d *declaration.Declaration) {
			d.Passwords.Scheme = "universal-default"
			d.Passwords.DerivedFromIdentifier = nil
		}, assess.Fail, "same default password", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Assess(example(t, "router-tier2", tc.mod), nil, asOf)
			psti := req(t, a, "uk-psti", "Sch1-1")
			if psti.Verdict != tc.want || !strings.Contains(psti.Reason, tc.reason) {
				t.Errorf("uk-psti Sch1-1 = %s (%s), want %s containing %q", psti.Verdict, psti.Reason, tc.want, tc.reason)
			}
			if got := a.Market("GB").Allowed; got != tc.gbAllow {
				t.Errorf("GB allowed = %v, want %v: %v", got, tc.gbAllow, a.Market("GB").Reasons)
			}
			if tc.want == assess.Fail && a.Tier != 0 {
				t.Errorf("tier = %d, want 0 for failing passwords", a.Tier)
			}
		})
	}
}

func TestDisclosureAndSupport(t *testing.T) {
	e := engine(t)
	a := e.Assess(example(t, "router-tier2", func(d *declaration.Declaration) { d.Disclosure.StatusUpdateDays = nil }), nil, asOf)
	for _, ref := range [][2]string{{"uk-psti", "Sch1-2"}, {"au-smart-devices", "Sch1-3"}, {"etsi-en-303-645", "5.2-1"}} {
		r := req(t, a, ref[0], ref[1])
		if r.Verdict != assess.Fail || !strings.Contains(r.Reason, "status-update timescale") {
			t.Errorf("%s:%s = %s (%s), want fail naming the status-update timescale", ref[0], ref[1], r.Verdict, r.Reason)
		}
	}
	a = e.Assess(example(t, "router-tier2", func(d *declaration.Declaration) { d.Support.PublishedAt = "" }), nil, asOf)
	if r := req(t, a, "uk-psti", "Sch1-3"); r.Verdict != assess.Fail || !strings.Contains(r.Reason, "not published") {
		t.Errorf("Sch1-3 = %s (%s), want fail: not published", r.Verdict, r.Reason)
	}
}

func TestConditions(t *testing.T) {
	e := engine(t)
	a := e.Assess(example(t, "sensor-non-updateable"), nil, asOf)
	for _, tc := range []struct {
		id     string
		want   assess.Verdict
		reason string
	}{
		{"5.1-1", assess.NotApplicable, "passwords.scheme is none"},
		{"5.3-2", assess.NotApplicable, "product.constrained is true"},
		{"5.3-3", assess.NotApplicable, "updates.updatable is false"},
		{"5.3-14", assess.Pass, "declared supported"},
		{"5.4-2", assess.Pass, "declared supported"},
		{"5.6-4", assess.NotApplicable, "interfaces.debug_port_accessible is false"},
		{"6-5", assess.NotApplicable, "data.telemetry is false"},
		{"5.3-13", assess.Pass, "security updates until 2031-04-30"},
	} {
		if r := req(t, a, "etsi-en-303-645", tc.id); r.Verdict != tc.want || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s = %s (%s), want %s containing %q", tc.id, r.Verdict, r.Reason, tc.want, tc.reason)
		}
	}
	if s := a.Scheme("eu-red"); !s.Applicable {
		t.Errorf("eu-red should apply to a radio sensor")
	}
	// A condition that is not declared leaves the verdict unknown with what to declare.
	a = e.Assess(example(t, "smart-plug-tier1"), nil, asOf)
	if r := req(t, a, "etsi-en-303-645", "5.6-4"); r.Verdict != assess.Unknown || !strings.Contains(r.Reason, "interfaces.debug_port_accessible is not declared") {
		t.Errorf("5.6-4 = %s (%s), want unknown asking for debug_port_accessible", r.Verdict, r.Reason)
	}
}

func TestNotApplicableAnswers(t *testing.T) {
	e := engine(t)
	// n/a on a conditional provision whose condition is undeclared: accepted.
	a := e.Assess(example(t, "smart-plug-tier1", func(d *declaration.Declaration) {
		d.Answers = map[string]declaration.Answer{"5.6-4": {Support: "n/a", Detail: "no debug header fitted"}}
	}), nil, asOf)
	if r := req(t, a, "etsi-en-303-645", "5.6-4"); r.Verdict != assess.NotApplicable || r.Evidence[0] != "declaration:answers.5.6-4" {
		t.Errorf("5.6-4 = %+v, want not_applicable from the answer", r)
	}
	// n/a while the declaration shows the condition holds: a contradiction.
	a = e.Assess(example(t, "router-tier2", func(d *declaration.Declaration) {
		d.Answers["5.1-4"] = declaration.Answer{Support: "n/a"}
	}), nil, asOf)
	if !hasFinding(a, assess.FindingContradiction, "5.1-4 is declared not applicable, but its condition holds") {
		t.Errorf("no contradiction finding: %+v", a.Findings)
	}
}

func TestToolEvidenceOverrulesDeclaration(t *testing.T) {
	e := engine(t)
	items := []evidence.Item{tool("default-credentials", evidence.Fail, "logged in as admin/admin")}
	a := e.Assess(example(t, "router-tier2"), items, asOf)
	o := a.Outcome("unique-passwords")
	if o.Verdict != assess.Fail || o.Strength != catalog.Tool || !strings.Contains(o.Reason, "admin/admin") {
		t.Errorf("unique-passwords = %+v, want a tool-backed fail", o)
	}
	if r := req(t, a, "uk-psti", "Sch1-1"); r.Verdict != assess.Fail || len(r.Evidence) == 0 || !strings.HasPrefix(r.Evidence[0], "ev-") {
		t.Errorf("Sch1-1 = %+v, want fail citing the evidence item", r)
	}
	if !hasFinding(a, assess.FindingContradiction, "unique-passwords") {
		t.Errorf("no contradiction finding: %+v", a.Findings)
	}
	if a.Tier != 0 || a.Market("GB").Allowed {
		t.Errorf("tier %d, GB allowed %v; want 0 and false", a.Tier, a.Market("GB").Allowed)
	}
}

func TestIgnoredEvidence(t *testing.T) {
	e := engine(t)
	other := tool("default-credentials", evidence.Fail, "x")
	other.Subject.Product = "SOMETHING-ELSE"
	oldFW := tool("default-credentials", evidence.Fail, "x")
	oldFW.Subject.Firmware = "0.9"
	unknown := tool("made-up-check", evidence.Fail, "x")
	a := e.Assess(example(t, "router-tier2"), []evidence.Item{other, oldFW, unknown}, asOf)
	if o := a.Outcome("unique-passwords"); o.Verdict != assess.Pass {
		t.Errorf("ignored evidence changed a verdict: %+v", o)
	}
	for _, want := range []string{`about product "SOMETHING-ELSE"`, `firmware "0.9"`, `check "made-up-check"`} {
		if !hasFinding(a, assess.FindingIgnored, want) {
			t.Errorf("no ignored-evidence finding with %q: %+v", want, a.Findings)
		}
	}
}

func TestMarketsFollowDates(t *testing.T) {
	e := engine(t)
	cam := example(t, "camera-default-password")
	for _, tc := range []struct {
		market string
		date   string
		want   bool
	}{
		{"GB", "2024-04-28", true}, {"GB", "2024-04-29", false},
		{"AU", "2026-03-03", true}, {"AU", "2026-03-04", false},
		{"US-CA", "2019-12-31", true}, {"US-CA", "2020-01-01", false},
		{"EU", "2025-07-31", true}, {"EU", "2025-08-01", false},
		{"JP", "2026-11-22", true}, {"US", "2026-11-22", true},
	} {
		a := e.Assess(cam, nil, catalog.MustDate(tc.date))
		if got := a.Market(tc.market).Allowed; got != tc.want {
			t.Errorf("%s on %s: allowed = %v, want %v (%v)", tc.market, tc.date, got, tc.want, a.Market(tc.market).Reasons)
		}
	}
}

func TestCRAReportingAppliesEarly(t *testing.T) {
	e := engine(t)
	d := example(t, "router-tier2", func(d *declaration.Declaration) { delete(d.Answers, "5.3-8") })
	before := e.Assess(d, nil, catalog.MustDate("2026-09-10"))
	after := e.Assess(d, nil, catalog.MustDate("2026-09-11"))
	if !before.Market("EU").Allowed {
		t.Errorf("EU before 2026-09-11 should not depend on CRA Art. 14: %v", before.Market("EU").Reasons)
	}
	if after.Market("EU").Allowed || !strings.Contains(strings.Join(after.Market("EU").Reasons, ";"), "Art14 applies since 2026-09-11") {
		t.Errorf("EU from 2026-09-11 should need CRA Art. 14: %v", after.Market("EU").Reasons)
	}
	if len(after.Market("EU").Upcoming) == 0 {
		t.Errorf("the rest of the CRA should be listed as upcoming")
	}
}

func TestScopeExclusions(t *testing.T) {
	e := engine(t)
	a := e.Assess(example(t, "camera-default-password", func(d *declaration.Declaration) { d.Product.Category = "medical-device" }), nil, asOf)
	if m := a.Market("GB"); !m.Allowed || !strings.Contains(m.Reasons[0], `does not apply to the "medical-device" category`) {
		t.Errorf("GB for a medical device = %+v", m)
	}
	a = e.Assess(example(t, "camera-default-password", func(d *declaration.Declaration) { d.Product.Radio = false }), nil, asOf)
	if s := a.Scheme("eu-red"); s.Applicable || !strings.Contains(s.Reason, "product.radio is false") {
		t.Errorf("eu-red for wired product = %+v", s)
	}
	if m := e.Assess(example(t, "camera-default-password", func(d *declaration.Declaration) { d.Product.Radio = false }), nil, catalog.MustDate("2026-09-10")).Market("EU"); !m.Allowed {
		t.Errorf("a wired product needed no RED compliance before CRA reporting began: %v", m.Reasons)
	}
}

func verifiedEvidence() []evidence.Item {
	return []evidence.Item{
		tool("sbom-present", evidence.Pass, "CycloneDX 1.5 SBOM with 214 components"),
		scanned(tool("known-exploited-vulnerability", evidence.Pass, "no component in the KEV catalog"), 200, 14),
		scanned(tool("known-vulnerability", evidence.Pass, "no unfixed critical vulnerability"), 200, 14),
	}
}

// scanned records how many SBOM components a scan checked, as sbom scan does.
func scanned(it evidence.Item, checked, notChecked int, names ...string) evidence.Item {
	it.Data = map[string]any{"checked": checked, "not_checked": notChecked}
	if len(names) > 0 {
		it.Data["not_checked_components"] = names
	}
	return it
}

// TestTier3NeedsCoverage: the attack of an SBOM scan that checked 1 of 50
// components; tier 3 needs 90 % (tiers.yaml min_coverage) and the gap names
// what was not checked.
func TestTier3NeedsCoverage(t *testing.T) {
	e := engine(t)
	thin := []evidence.Item{
		tool("sbom-present", evidence.Pass, "SBOM with 50 components"),
		scanned(tool("known-exploited-vulnerability", evidence.Pass, "none in KEV (1 of 50 checked)"), 1, 49, "busybox 1.36.1", "dropbear 2022.83"),
		scanned(tool("known-vulnerability", evidence.Pass, "no critical (1 of 50 checked)"), 1, 49, "busybox 1.36.1", "dropbear 2022.83"),
	}
	a := e.Assess(example(t, "router-tier2"), thin, asOf)
	if a.Tier != 2 || len(a.Gaps) == 0 || !strings.Contains(a.Gaps[0].Problem, "checked only 1 of 50 SBOM components; tier 3 needs 90 %; not checked: busybox 1.36.1, dropbear 2022.83") {
		t.Errorf("tier %d, gaps %+v", a.Tier, a.Gaps)
	}
	// JSON-decoded data (float64) counts the same; 45 of 50 is enough.
	ok := []evidence.Item{thin[0], scanned(thin[1], 45, 5), scanned(thin[2], 45, 5)}
	for i := 1; i < 3; i++ {
		ok[i].Data = map[string]any{"checked": float64(45), "not_checked": float64(5)}
	}
	if a := e.Assess(example(t, "router-tier2"), ok, asOf); a.Tier != 3 {
		t.Errorf("90 %% coverage: tier %d, gaps %+v", a.Tier, a.Gaps)
	}
	// Evidence that does not say what it checked does not reach tier 3.
	bare := []evidence.Item{thin[0], tool("known-exploited-vulnerability", evidence.Pass, "ok"), tool("known-vulnerability", evidence.Pass, "ok")}
	if a := e.Assess(example(t, "router-tier2"), bare, asOf); a.Tier != 2 {
		t.Errorf("coverage unknown: tier %d", a.Tier)
	}
}

func TestTiers(t *testing.T) {
	e := engine(t)
	router := example(t, "router-tier2")
	for _, tc := range []struct {
		name  string
		items []evidence.Item
		tier  int
		gap   string
	}{
		{"declaration only", nil, 2, "tier 3 needs tool evidence"},
		{"SBOM but no vulnerability scan", verifiedEvidence()[:2], 2, "known-vulnerability (no evidence)"},
		{"verified", verifiedEvidence(), 3, "penetration-test"},
		{"pen-tested", append(verifiedEvidence(), lab("penetration-test")), 4, ""},
		{"exploited vulnerability", append(verifiedEvidence()[:2], tool("known-vulnerability", evidence.Pass, "ok"), tool("known-exploited-vulnerability", evidence.Fail, "CVE-2024-12345 in dnsmasq 2.85")), 2, "CVE-2024-12345"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Assess(router, tc.items, asOf)
			if a.Tier != tc.tier {
				t.Errorf("tier = %d, want %d; gaps %+v", a.Tier, tc.tier, a.Gaps)
			}
			var problems []string
			for _, g := range a.Gaps {
				problems = append(problems, g.Problem)
			}
			if tc.gap != "" && !strings.Contains(strings.Join(problems, "\n"), tc.gap) {
				t.Errorf("gaps do not mention %q:\n%s", tc.gap, strings.Join(problems, "\n"))
			}
			if tc.gap == "" && len(a.Gaps) != 0 {
				t.Errorf("top tier should have no gaps: %v", problems)
			}
		})
	}
}

func TestLevelsAndRecognitions(t *testing.T) {
	e := engine(t)
	router := example(t, "router-tier2")
	items := append(verifiedEvidence(), lab("secure-development"), lab("binary-analysis"))
	for _, tc := range []struct {
		name   string
		items  []evidence.Item
		level  string
		earns  string
		absent string
	}{
		// CLS level 2 gives only a simplified application for the German label (sg-de-2022), not the label.
		{"declared", nil, "2", "uk-psti", "de-bsi-label"},
		{"lab-reviewed", items, "3", "fi-traficom", ""},
		{"pen-tested", append(items, lab("penetration-test")), "4", "kr-kisa-cic level Basic", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Assess(router, tc.items, asOf)
			if got := a.Scheme("sg-cls").Level; got != tc.level {
				t.Errorf("CLS level = %q, want %q (%s)", got, tc.level, a.Scheme("sg-cls").Reason)
			}
			earned := map[string]bool{}
			for _, r := range a.Recognitions {
				earned[r.Earns] = true
			}
			if !earned[tc.earns] {
				t.Errorf("does not earn %s: %+v", tc.earns, a.Recognitions)
			}
			if tc.absent != "" && earned[tc.absent] {
				t.Errorf("earns %s too early", tc.absent)
			}
		})
	}
}

// TestRecognitionNeedsAHeldLabel: a declared certificate earns nothing and
// counts for no market; a verified label does; and a label never overrides
// the product's own failure.
func TestRecognitionNeedsAHeldLabel(t *testing.T) {
	e := engine(t)
	plug := func(d *declaration.Declaration) { d.Compliance.StatementURL = "" } // PSTI SoC unknown
	a := e.Assess(example(t, "smart-plug-tier1", plug), nil, asOf)
	if a.Market("GB").Allowed {
		t.Fatalf("without a statement of compliance GB should be refused: %v", a.Market("GB").Reasons)
	}
	withCLS := func(d *declaration.Declaration) {
		d.Certifications = []declaration.Certification{{Scheme: "sg-cls", Level: "1", ID: "CSA-2026-0042", ValidUntil: catalog.MustDate("2028-01-01")}}
	}
	// The attack: a declared certificate, no label to show it.
	a = e.Assess(example(t, "smart-plug-tier1", plug, withCLS), nil, asOf)
	if a.Market("GB").Allowed {
		t.Errorf("a declared CLS certificate gave GB: %v", a.Market("GB").Reasons)
	}
	if r := recognition(a, "sg-uk-2025", "uk-psti"); r == nil || r.Status != assess.RecognitionDeclared || !strings.Contains(r.Basis, "not verified") {
		t.Errorf("declared certificate shown as %+v", r)
	}
	held := []assess.Held{{Scheme: "sg-cls", Level: "1", LabelID: "IL-TESTCLS00001"}}
	a = e.AssessHolding(example(t, "smart-plug-tier1", plug), nil, held, asOf)
	if m := a.Market("GB"); !m.Allowed || !strings.Contains(strings.Join(m.Reasons, ";"), "through sg-uk-2025 (holds sg-cls level 1, label IL-TESTCLS00001)") {
		t.Errorf("GB with a held CLS label = %+v, want deemed compliance through sg-uk-2025", m)
	}
	if r := recognition(a, "sg-uk-2025", "uk-psti"); r == nil || r.Status != assess.RecognitionEarned {
		t.Errorf("held label: recognition %+v", r)
	}
	// The UK grant rests on SI 2025/1267, in force 2025-12-04 (before the
	// MoU itself, 2026-01-01): the day before, the label did not help.
	a = e.AssessHolding(example(t, "smart-plug-tier1", plug), nil, held, catalog.MustDate("2025-12-03"))
	if a.Market("GB").Allowed {
		t.Errorf("deemed compliance before 2025-12-04: %v", a.Market("GB").Reasons)
	}
	if a = e.AssessHolding(example(t, "smart-plug-tier1", plug), nil, held, catalog.MustDate("2025-12-04")); !a.Market("GB").Allowed {
		t.Errorf("no deemed compliance on 2025-12-04: %v", a.Market("GB").Reasons)
	}
	// A current JC-STAR STAR-1 label counts the same from the same day.
	star := []assess.Held{{Scheme: "jp-jc-star", Level: "STAR-1", LabelID: "IL-TESTSTAR0001"}}
	if a = e.AssessHolding(example(t, "smart-plug-tier1", plug), nil, star, catalog.MustDate("2025-12-04")); !a.Market("GB").Allowed {
		t.Errorf("STAR-1 label: GB %v", a.Market("GB").Reasons)
	}
	// A held label over the product's own declared universal password: the
	// failure decides, and the contradiction is reported.
	universal := func(d *declaration.Declaration) { d.Passwords.Scheme = "universal-default" }
	a = e.AssessHolding(example(t, "smart-plug-tier1", plug, universal), nil, held, asOf)
	if a.Market("GB").Allowed || !hasFinding(a, assess.FindingContradiction, "the failure decides") {
		t.Errorf("label over a declared failure: GB %v, findings %+v", a.Market("GB").Reasons, a.Findings)
	}
}

func recognition(a *assess.Assessment, agreement, earns string) *assess.RecognitionResult {
	for i := range a.Recognitions {
		if a.Recognitions[i].Agreement == agreement && a.Recognitions[i].Earns == earns {
			return &a.Recognitions[i]
		}
	}
	return nil
}

func TestSupportFindings(t *testing.T) {
	e := engine(t)
	a := e.Assess(example(t, "doorbell-support-ending"), nil, asOf)
	if a.Support.DaysRemaining != 129 || a.Support.Ended {
		t.Errorf("support = %+v, want 129 days left", a.Support)
	}
	if !hasFinding(a, assess.FindingSupport, "in 129 days") {
		t.Errorf("no support finding: %+v", a.Findings)
	}
	if r := req(t, a, "eu-cra", "Art13(8)"); r.Verdict != assess.Fail || !strings.Contains(r.Reason, "less than five years") {
		t.Errorf("CRA Art13(8) = %+v", r)
	}
	// The CRA minimum is scoped to the CRA: PSTI's support requirement still passes.
	if r := req(t, a, "uk-psti", "Sch1-3"); r.Verdict != assess.Pass {
		t.Errorf("PSTI Sch1-3 = %+v, want pass", r)
	}
	a = e.Assess(example(t, "doorbell-support-ending"), nil, catalog.MustDate("2027-04-01"))
	if !a.Support.Ended || !hasFinding(a, assess.FindingSupport, "ended on 2027-03-31") {
		t.Errorf("support after the end date = %+v, %+v", a.Support, a.Findings)
	}
}

func TestDeterministicDigest(t *testing.T) {
	e := engine(t)
	d := example(t, "camera-contradiction")
	items := []evidence.Item{tool("default-credentials", evidence.Fail, "x"), tool("exposed-telnet", evidence.Fail, "y")}
	a1, a2 := e.Assess(d, items, asOf), e.Assess(d, items, asOf)
	if diff := cmp.Diff(a1, a2); diff != "" {
		t.Fatalf("two runs differ:\n%s", diff)
	}
	if !strings.HasPrefix(a1.Digest, "sha256:") || len(a1.Digest) != 71 || !assess.VerifyDigest(a1) {
		t.Fatalf("digest %q does not verify", a1.Digest)
	}
	a1.Tier = 4
	if assess.VerifyDigest(a1) {
		t.Error("digest still verifies after the tier was changed")
	}
	if a3 := e.Assess(d, items, catalog.MustDate("2026-11-23")); a3.Digest == a2.Digest {
		t.Error("a different as-of date gave the same digest")
	}
}

func TestEveryVerdictHasAReason(t *testing.T) {
	e := engine(t)
	for _, name := range []string{"camera-default-password", "smart-plug-tier1", "router-tier2", "sensor-non-updateable", "doorbell-support-ending", "camera-contradiction"} {
		a := e.Assess(example(t, name), verifiedEvidence(), asOf)
		for _, o := range a.Outcomes {
			if o.Reason == "" {
				t.Errorf("%s: outcome %s has no reason", name, o.ID)
			}
			if o.Verdict == assess.Pass && len(o.Evidence) == 0 {
				t.Errorf("%s: outcome %s passes with no evidence reference", name, o.ID)
			}
		}
		for _, s := range a.Schemes {
			for _, r := range s.Requirements {
				if r.Reason == "" {
					t.Errorf("%s: %s:%s has no reason", name, s.ID, r.ID)
				}
			}
		}
	}
}

// TestSchemeMatrix pins every scheme's verdict for the Tier 2 router, on its
// declaration alone and with tool and lab evidence. Expected values are
// reasoned from the catalog: e.g. the Cyber Trust Mark and KISA CIC need a lab,
// and the Finnish subset includes recommendations the router never answered.
func TestSchemeMatrix(t *testing.T) {
	e := engine(t)
	router := example(t, "router-tier2")
	labs := append(verifiedEvidence(), lab("secure-development"), lab("binary-analysis"), lab("penetration-test"))
	type want struct {
		met   bool
		level string
	}
	for _, tc := range []struct {
		name  string
		items []evidence.Item
		want  map[string]want
	}{
		{"declaration only", nil, map[string]want{
			"etsi-en-303-645": {true, ""}, "uk-psti": {true, ""}, "au-smart-devices": {true, ""}, "au-cop": {true, ""},
			"sg-cls": {true, "2"}, "us-nistir-8259": {true, ""}, "us-nistir-8425": {true, ""}, "us-nistir-8425a": {true, ""},
			"us-cyber-trust-mark": {false, ""}, "us-federal": {true, ""}, "us-ca-sb327": {true, ""},
			"eu-cra": {false, ""}, "eu-red": {true, ""}, "de-bsi-label": {true, ""}, "fi-traficom": {false, ""},
			"jp-jc-star": {true, "STAR-2"}, "kr-kisa-cic": {false, ""},
		}},
		{"tool and lab evidence", labs, map[string]want{
			"etsi-en-303-645": {true, ""}, "uk-psti": {true, ""}, "au-smart-devices": {true, ""}, "au-cop": {true, ""},
			"sg-cls": {true, "4"}, "us-nistir-8259": {true, ""}, "us-nistir-8425": {true, ""}, "us-nistir-8425a": {true, ""},
			"us-cyber-trust-mark": {true, ""}, "us-federal": {true, ""}, "us-ca-sb327": {true, ""},
			"eu-cra": {true, ""}, "eu-red": {true, ""}, "de-bsi-label": {true, ""}, "fi-traficom": {false, ""},
			"jp-jc-star": {true, "STAR-4"}, "kr-kisa-cic": {true, "Standard"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Assess(router, tc.items, asOf)
			got := map[string]want{}
			for _, s := range a.Schemes {
				got[s.ID] = want{s.Met, s.Level}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("schemes (-want +got):\n%s", diff)
			}
			if fi := a.Scheme("fi-traficom"); !strings.Contains(fi.Reason, "ETSI-subset (unknown)") {
				t.Errorf("fi-traficom reason = %q, want the unanswered subset named", fi.Reason)
			}
		})
	}
}

// A recognition that earns a higher level than a market rule asks for counts.
func TestDeemedAtHigherLevel(t *testing.T) {
	e := engine(t)
	held := []assess.Held{{Scheme: "fi-traficom", LabelID: "IL-TESTFI000007"}}
	// A router that misses CLS level 1 on its own (5.3-2 unanswered, so
	// unknown), but holds a Finnish label, which earns CLS level 3 under the
	// SG–FI MoU.
	d := example(t, "router-tier2", func(d *declaration.Declaration) { delete(d.Answers, "5.3-2") })
	a := e.AssessHolding(d, nil, held, asOf)
	if a.Scheme("sg-cls").Met {
		t.Fatalf("CLS should be missed on its own: %s", a.Scheme("sg-cls").Reason)
	}
	want := "deemed to meet SG CLS level 1 through sg-fi-2021 (holds fi-traficom, label IL-TESTFI000007)"
	if m := a.Market("SG"); !m.Allowed || !strings.Contains(strings.Join(m.Reasons, ";"), want) {
		t.Errorf("SG = %+v", m)
	}
	// With no published support period CLS level 1 fails outright: the label
	// does not override that failure.
	d = example(t, "router-tier2", func(d *declaration.Declaration) { d.Support.PublishedAt = "" })
	a = e.AssessHolding(d, nil, held, asOf)
	if a.Market("SG").Allowed || !hasFinding(a, assess.FindingContradiction, "fails L1") {
		t.Errorf("label over a failure: SG %v, findings %+v", a.Market("SG").Reasons, a.Findings)
	}
}

// TestAnswerKeys: an EN 303 645 answer may be keyed bare ("5.1-1") or with its
// scheme ("etsi-en-303-645:5.1-1"); either decides the provision, and the
// evidence ref names the key as written.
func TestAnswerKeys(t *testing.T) {
	e := engine(t)
	for _, key := range []string{"5.6-1", "etsi-en-303-645:5.6-1"} {
		d := example(t, "router-tier2", func(d *declaration.Declaration) {
			delete(d.Answers, "5.6-1")
			d.Answers[key] = declaration.Answer{Support: declaration.No, Detail: "a debug shell is left on"}
		})
		r := e.Assess(d, nil, asOf).Scheme("etsi-en-303-645").Requirement("5.6-1")
		want := "declaration:answers." + key
		if r.Verdict != assess.Fail || len(r.Evidence) != 1 || r.Evidence[0] != want {
			t.Errorf("key %q: %s %v, want fail on [%s]", key, r.Verdict, r.Evidence, want)
		}
	}
}

// TestEvidenceRefsResolve: every evidence reference in an assessment names a
// declaration field, an outcome of the same assessment, or an evidence item it
// lists; a reference without its "declaration:" prefix would fail here.
func TestEvidenceRefsResolve(t *testing.T) {
	e := engine(t)
	for _, name := range []string{"camera-default-password", "smart-plug-tier1", "router-tier2", "sensor-non-updateable", "doorbell-support-ending", "camera-contradiction"} {
		a := e.Assess(example(t, name), verifiedEvidence(), asOf)
		known := map[string]bool{}
		for _, o := range a.Outcomes {
			known["outcome:"+o.ID] = true
		}
		for _, ev := range a.Evidence {
			known[ev.Ref] = true
		}
		check := func(where string, refs []string) {
			for _, ref := range refs {
				if !known[ref] && !strings.HasPrefix(ref, "declaration:") && !strings.HasPrefix(ref, "label:") {
					t.Errorf("%s: %s: evidence ref %q resolves to nothing", name, where, ref)
				}
			}
		}
		for _, o := range a.Outcomes {
			check("outcome "+o.ID, o.Evidence)
		}
		for _, s := range a.Schemes {
			for _, r := range s.Requirements {
				check(s.ID+" "+r.ID, r.Evidence)
			}
		}
		for _, f := range a.Findings {
			check("finding", f.Evidence)
		}
	}
}

// TestConcurrentAssessments: an Engine is safe for concurrent use and reuses
// its working memory between assessments; results computed in parallel, in
// any order, match those computed one at a time, and stay intact afterwards.
func TestConcurrentAssessments(t *testing.T) {
	e := engine(t)
	names := []string{"camera-default-password", "smart-plug-tier1", "router-tier2", "sensor-non-updateable", "doorbell-support-ending", "camera-contradiction"}
	want := map[string]string{}
	decls := map[string]*declaration.Declaration{}
	for _, n := range names {
		decls[n] = example(t, n)
		want[n] = e.Assess(decls[n], verifiedEvidence(), asOf).Digest
	}
	results := make([][]*assess.Assessment, 8)
	var wg sync.WaitGroup
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 30 {
				n := names[(g+k)%len(names)]
				a := e.Assess(decls[n], verifiedEvidence(), asOf)
				if a.Digest != want[n] {
					t.Errorf("%s: digest %s in parallel, %s alone", n, a.Digest, want[n])
				}
				results[g] = append(results[g], a)
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, a := range rs {
			if !assess.VerifyDigest(a) {
				t.Fatalf("%s: result changed after later assessments reused the engine's memory", a.Product.Model)
			}
		}
	}
}
