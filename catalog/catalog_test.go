package catalog_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/iotlabel/iotlabel/catalog"
)

func mustDefault(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatalf("embedded catalog does not load: %v", err)
	}
	return c
}

func TestDefaultCatalogVersionAndSchemes(t *testing.T) {
	c := mustDefault(t)
	if c.Version != "2026.12.2" {
		t.Errorf("version = %q, want 2026.12.2", c.Version)
	}
	// Other tools and the registry rely on these IDs; they must never change.
	stable := []string{"etsi-en-303-645", "uk-psti", "au-smart-devices", "au-cop", "sg-cls", "us-nistir-8259",
		"us-nistir-8425", "us-nistir-8425a", "us-cyber-trust-mark", "us-federal", "us-ca-sb327", "eu-cra", "eu-red", "de-bsi-label",
		"fi-traficom", "jp-jc-star", "kr-kisa-cic"}
	for _, id := range stable {
		if c.Scheme(id) == nil {
			t.Errorf("scheme %q missing", id)
		}
	}
	if len(c.Schemes) != len(stable) {
		t.Errorf("catalog has %d schemes, want %d", len(c.Schemes), len(stable))
	}
	for _, m := range []string{"GB", "AU", "EU", "SG", "US", "US-CA", "DE", "FI", "JP", "KR"} {
		if c.Market(m) == nil {
			t.Errorf("market %q missing", m)
		}
	}
	if n := len(c.Outcomes); n < 22 || n > 34 {
		t.Errorf("catalog has %d outcomes, want about 30", n)
	}
}

// TestETSIProvisions pins the facts of EN 303 645 v2.1.1 Table B.1: 68
// provisions, 33 mandatory and 35 recommended, and our phase tally.
func TestETSIProvisions(t *testing.T) {
	s := mustDefault(t).Scheme("etsi-en-303-645")
	count := map[catalog.Strength]int{}
	phases := map[catalog.Phase]int{}
	for _, r := range s.Requirements {
		count[r.Strength]++
		phases[r.Phase]++
	}
	if diff := cmp.Diff(map[catalog.Strength]int{"mandatory": 33, "recommended": 35}, count); diff != "" {
		t.Errorf("strength counts (-want +got):\n%s", diff)
	}
	want := map[catalog.Phase]int{"design": 29, "development": 9, "sale": 5, "setup": 7, "maintenance": 12, "sunsetting": 6}
	if diff := cmp.Diff(want, phases); diff != "" {
		t.Errorf("phase tally (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		id       string
		strength catalog.Strength
		facts    []string
	}{
		{"4-1", "mandatory", nil},
		{"5.1-1", "mandatory", []string{"uses_passwords"}},
		{"5.1-2", "mandatory", []string{"preinstalled_passwords"}},
		{"5.3-6", "recommended", []string{"automatic_updates_or_notifications", "update_mechanism"}},
		{"5.3-10", "mandatory", []string{"network_updates", "update_mechanism"}},
		{"5.3-13", "mandatory", nil},
		{"5.3-14", "recommended", []string{"not_updateable", "constrained"}},
		{"5.6-4", "mandatory", []string{"debug_interface"}},
		{"6-5", "mandatory", []string{"telemetry"}},
	} {
		r := s.Requirement(tc.id)
		if r == nil {
			t.Errorf("provision %s missing", tc.id)
			continue
		}
		if r.Strength != tc.strength {
			t.Errorf("%s strength = %s, want %s", tc.id, r.Strength, tc.strength)
		}
		if diff := cmp.Diff(tc.facts, r.Facts); diff != "" {
			t.Errorf("%s condition facts (-want +got):\n%s", tc.id, diff)
		}
	}
}

func TestEveryRequirementIsComplete(t *testing.T) {
	c := mustDefault(t)
	for _, r := range c.Requirements() {
		if r.Phase == "" || r.Strength == "" || r.Title == "" {
			t.Errorf("%s lacks phase, strength or title", r.Ref())
		}
		if len(r.Outcomes) == 0 && len(r.Includes) == 0 && r.IncludesMandatoryOf == "" {
			t.Errorf("%s maps to nothing", r.Ref())
		}
		if c.Requirement(r.Ref()) != r {
			t.Errorf("%s is not indexed", r.Ref())
		}
	}
}

func TestMarketsIncludeTheirUnion(t *testing.T) {
	c := mustDefault(t)
	var got []string
	for _, r := range c.MarketRules("DE") {
		got = append(got, r.Scheme)
	}
	if diff := cmp.Diff([]string{"eu-red", "eu-cra"}, got); diff != "" {
		t.Errorf("DE rules (-want +got):\n%s", diff)
	}
}

// mutate returns a copy of the embedded catalog with one file's text edited.
func mutate(t *testing.T, file, old, new string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(catalog.Data(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(catalog.Data(), p)
		if p == file {
			if !strings.Contains(string(b), old) {
				t.Fatalf("%s does not contain %q", file, old)
			}
			b = []byte(strings.Replace(string(b), old, new, 1))
		}
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIntegrityErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"duplicate requirement", "schemes/uk-psti.yaml", "id: Sch1-2", "id: Sch1-1",
			`schemes/uk-psti.yaml:27: requirement "Sch1-1" is defined twice in scheme uk-psti`},
		{"unresolved outcome", "schemes/au-cop.yaml", "outcomes: [secure-storage]", "outcomes: [secure-storag]",
			`requirement P4: outcome "secure-storag" does not exist (did you mean "secure-storage"?)`},
		{"missing strength", "schemes/au-cop.yaml", "strength: recommended, phase: design, outcomes: [secure-storage]", "phase: design, outcomes: [secure-storage]",
			`requirement P4: strength "" is not "mandatory" or "recommended"`},
		{"bad phase", "schemes/au-cop.yaml", "phase: design, outcomes: [secure-storage]", "phase: desing, outcomes: [secure-storage]",
			`requirement P4: phase "desing" is not one of`},
		{"unknown field", "outcomes.yaml", "    consumer: Each device", "    consumr: Each device",
			`outcomes.yaml:8: unknown field "consumr" (did you mean "consumer"?)`},
		{"bad include", "schemes/sg-cls.yaml", "etsi-en-303-645:5.1-2,", "etsi-en-303-645:5.1-99,",
			`referenced requirement "etsi-en-303-645:5.1-99" does not exist`},
		{"bad tier check", "tiers.yaml", "checks: [sbom-present]", "checks: [penetration-test]",
			`tier 3: outcome sbom: check "penetration-test" does not exist or does not feed that outcome`},
		{"bad market scheme", "markets.yaml", "scheme: uk-psti", "scheme: uk-pst",
			`market GB: scheme "uk-pst" does not exist`},
		{"bad date", "schemes/uk-psti.yaml", "effective: 2024-04-29", "effective: 2024-04-31",
			`date "2024-04-31" is not a valid YYYY-MM-DD date`},
		{"bad recognition level", "recognitions.yaml", "earns: {scheme: sg-cls, level: \"3\"}}", "earns: {scheme: sg-cls, level: \"5\"}}",
			`recognition sg-fi-2021: scheme sg-cls has no level "5"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.LoadFS(mutate(t, tc.file, tc.old, tc.new))
			var le *catalog.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("LoadFS error = %v, want a *LoadError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not mention %q:\n%v", tc.want, err)
			}
		})
	}
}

func TestLoadDirRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := catalog.WriteDir(dir, catalog.Data()); err != nil {
		t.Fatal(err)
	}
	c, err := catalog.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := catalog.Diff(mustDefault(t), c); len(d) != 0 {
		t.Errorf("catalog copied to disk differs: %v", d)
	}
	if _, err := catalog.LoadDir(dir + "/nope"); err == nil {
		t.Error("LoadDir of a missing directory succeeded")
	}
}

func TestDiff(t *testing.T) {
	a := mustDefault(t)
	b, err := catalog.LoadFS(mutate(t, "schemes/etsi-en-303-645.yaml", `strength: recommended, phase: maintenance, outcomes: [vulnerability-handling]}`, `strength: mandatory, phase: maintenance, outcomes: [vulnerability-handling]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Change{{Kind: "changed", Item: "requirement etsi-en-303-645:5.2-2", Field: "strength", Old: "recommended", New: "mandatory"}}
	if diff := cmp.Diff(want, catalog.Diff(a, b)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if d := catalog.Diff(a, a); len(d) != 0 {
		t.Errorf("Diff of a catalog with itself = %v", d)
	}
}

// TestDiffAddedField: a tier that gains an outcome reports the outcome as
// added, with its evidence, not as a change from an empty string.
func TestDiffAddedField(t *testing.T) {
	a := mustDefault(t)
	b, err := catalog.LoadFS(mutate(t, "tiers.yaml", "      - {id: support-period, evidence: declared}\n",
		"      - {id: support-period, evidence: declared}\n      - {id: secure-updates, evidence: declared}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := catalog.Diff(a, b)
	want := []catalog.Change{{Kind: "added", Item: "tier 1", Field: "outcome secure-updates", New: "evidence declared"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("Diff (-want +got):\n%s", diff)
	}
	if got := d[0].String(); got != `+ tier 1: outcome secure-updates added: "evidence declared"` {
		t.Errorf("String() = %s", got)
	}
	back := catalog.Diff(b, a)
	if len(back) != 1 || back[0].String() != `- tier 1: outcome secure-updates removed (was "evidence declared")` {
		t.Errorf("reverse diff = %v", back)
	}
}

func TestCoverageMarksThinPhases(t *testing.T) {
	cov := mustDefault(t).Coverage()
	var etsi catalog.SchemeCoverage
	for _, s := range cov.Schemes {
		if s.Scheme == "etsi-en-303-645" {
			etsi = s
		}
	}
	got := map[catalog.Phase][2]int{}
	for _, p := range etsi.Phases {
		got[p.Phase] = [2]int{p.Mandatory, p.Recommended}
	}
	want := map[catalog.Phase][2]int{"design": {14, 15}, "development": {6, 3}, "sale": {5, 0}, "setup": {3, 4}, "maintenance": {4, 8}, "sunsetting": {1, 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EN 303 645 coverage (-want +got):\n%s", diff)
	}
	if len(cov.ThinPhases) == 0 || cov.ThinPhases[len(cov.ThinPhases)-1] != catalog.Sunsetting {
		t.Errorf("thin phases = %v, want sunsetting among them", cov.ThinPhases)
	}
}

func TestCrosswalk(t *testing.T) {
	c := mustDefault(t)
	links, err := c.Crosswalk("uk-psti", "etsi-en-303-645")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, l := range links {
		got[l.From] = l.To
	}
	if diff := cmp.Diff([]string{"5.1-1", "5.1-2"}, got["Sch1-1"]); diff != "" {
		t.Errorf("PSTI Sch1-1 -> ETSI (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"5.3-13"}, got["Sch1-3"]); diff != "" {
		t.Errorf("PSTI Sch1-3 -> ETSI (-want +got):\n%s", diff)
	}
	if _, err := c.Crosswalk("uk-pst", "eu-cra"); err == nil || !strings.Contains(err.Error(), `did you mean "uk-psti"`) {
		t.Errorf("unknown scheme error = %v", err)
	}
}

// TestUKRecognitionFacts: the UK's recognition of CLS and JC-STAR STAR-1
// labels rests on SI 2025/1267, in force 2025-12-04 — a date of the grant,
// not of the Singapore–UK MoU (2026-01-01) or the UK–Japan signing
// (2025-11-05); the SI cites CLS publication v1.4.
func TestUKRecognitionFacts(t *testing.T) {
	c := mustDefault(t)
	for _, tc := range []struct{ rec, holder string }{{"sg-uk-2025", "sg-cls level 1"}, {"uk-jp-2025", "jp-jc-star level STAR-1"}} {
		r := c.Recognition(tc.rec)
		var found bool
		for _, g := range r.Grants {
			if g.Holder.String() == tc.holder && g.Earns.Scheme == "uk-psti" {
				found = true
				if g.From(r).String() != "2025-12-04" || g.Source != "SI 2025/1267" {
					t.Errorf("%s: %s -> uk-psti from %s (%s), want 2025-12-04 (SI 2025/1267)", tc.rec, tc.holder, g.From(r), g.Source)
				}
			}
		}
		if !found {
			t.Errorf("%s has no %s -> uk-psti grant", tc.rec, tc.holder)
		}
	}
	if r := c.Recognition("sg-uk-2025"); r.Effective.String() != "2026-01-01" {
		t.Errorf("the MoU's own date: %s", r.Effective)
	}
	if v := c.Scheme("sg-cls").Version; !strings.Contains(v, "v1.4") {
		t.Errorf("sg-cls version %q, want the v1.4 publication the SI cites", v)
	}
}

// TestUSDates: P.L. 116-207 was signed on 2020-12-04, its procurement ban
// applies from 2022-12-04 (15 U.S.C. 278g-3e); NIST IR 8425 is of 2022-09-19.
func TestUSDates(t *testing.T) {
	c := mustDefault(t)
	if s := c.Scheme("us-federal"); s.Published.String() != "2020-12-04" || s.Effective.String() != "2022-12-04" {
		t.Errorf("us-federal published %s, effective %s", s.Published, s.Effective)
	}
	if s := c.Scheme("us-nistir-8425"); s.Published.String() != "2022-09-19" {
		t.Errorf("us-nistir-8425 published %s", s.Published)
	}
	// California requires neither a vulnerability contact nor a support period.
	if sum := c.Tiers[0].Summary; strings.Contains(sum, "California,") || !strings.Contains(sum, "California asks only the password part") {
		t.Errorf("tier 1 summary: %s", sum)
	}
}

// TestReviewedFacts holds the facts a review against primary sources
// corrected (issue 13), one check per fact.
func TestReviewedFacts(t *testing.T) {
	c := mustDefault(t)
	// CLS level 1 takes every mandatory provision of EN 303 645 clauses 5.1-5.3, and its list says so.
	l1 := c.Requirement("sg-cls:L1")
	etsi := c.Scheme("etsi-en-303-645")
	for _, r := range etsi.Requirements {
		in := slices.Contains(l1.Includes, r.Ref())
		clause, _, _ := strings.Cut(r.ID, "-")
		if want := r.Strength == catalog.Mandatory && (clause == "5.1" || clause == "5.2" || clause == "5.3"); in != want {
			t.Errorf("sg-cls:L1 includes %s: %v, want %v (%s)", r.Ref(), in, want, r.Strength)
		}
	}
	// The CRA's exclusions (Art. 2(2)-(4)), Art. 13(9) and the severe-incident report times.
	cra := c.Scheme("eu-cra")
	for _, k := range []string{"medical-device", "vehicle", "aviation-equipment", "marine-equipment"} {
		if !slices.Contains(cra.ExcludedCategories, k) {
			t.Errorf("eu-cra does not exclude %s", k)
		}
	}
	if c.Requirement("eu-cra:Art13(9)") == nil || !strings.Contains(c.Requirement("eu-cra:Art14(3)").Title, "one month") ||
		!strings.Contains(cra.Notes, "class II product always needs a third") {
		t.Error("eu-cra: Art. 13(9), Art. 14(3) or the class routes are missing")
	}
	// RED: medical devices are out of all three articles; each EN 18031 part maps to its article.
	red := c.Scheme("eu-red")
	if !slices.Contains(red.ExcludedCategories, "medical-device") || !strings.Contains(red.Notes, "(d) radio equipment that can communicate over the internet") ||
		!strings.Contains(red.Notes, "(EU) 2025/138") || !strings.Contains(red.ExclusionNotes, "road-toll") {
		t.Errorf("eu-red scope: %s / %s", red.Notes, red.ExclusionNotes)
	}
	// The Cyber Trust Mark: wireless only, and not obtainable now.
	ctm := c.Scheme("us-cyber-trust-mark")
	if a, ok := ctm.AvailableOn(catalog.MustDate("2026-12-02")); !ok || a.Available || !strings.Contains(ctm.ExclusionNotes, "wired-only") {
		t.Errorf("CTM availability on 2026-12-02: %+v %v; exclusions %q", a, ok, ctm.ExclusionNotes)
	}
	if a, ok := ctm.AvailableOn(catalog.MustDate("2025-03-01")); !ok || !a.Available {
		t.Errorf("CTM availability on 2025-03-01: %+v %v", a, ok)
	}
	if !strings.Contains(c.Market("US").Notes, "cannot be obtained") {
		t.Errorf("US market notes: %s", c.Market("US").Notes)
	}
	// Third-party testing is independent testing, not secure development.
	for _, ref := range []string{"us-cyber-trust-mark:CTM-lab", "fi-traficom:inspection", "jp-jc-star:STAR-3", "kr-kisa-cic:Lite-lab"} {
		if r := c.Requirement(ref); !slices.Equal(r.Outcomes, []string{"independent-testing"}) {
			t.Errorf("%s maps to %v", ref, r.Outcomes)
		}
	}
	// NIST IR 8425A, final 2024-09-10, covers routers only.
	if s := c.Scheme("us-nistir-8425a"); s == nil || s.Published.String() != "2024-09-10" || !slices.Equal(s.Categories, []string{"router"}) {
		t.Errorf("us-nistir-8425a: %+v", s)
	}
	// KISA CIC Standard is a fuller item set (41 items in 2018), not a penetration test: every level is lab-tested.
	if r := c.Requirement("kr-kisa-cic:Standard"); slices.Contains(r.Outcomes, "independent-testing") || r.Evidence == catalog.Lab ||
		!strings.Contains(c.Scheme("kr-kisa-cic").Notes, "41 items") {
		t.Errorf("kr-kisa-cic:Standard maps to %v (evidence %s)", r.Outcomes, r.Evidence)
	}
	// California: (a) is the duty; (b) is a safe harbour that deems (a) met, (c) another route.
	a, b, cc := c.Requirement("us-ca-sb327:1798.91.04(a)"), c.Requirement("us-ca-sb327:1798.91.04(b)"), c.Requirement("us-ca-sb327:1798.91.04(c)")
	if a.Strength != catalog.Mandatory || !slices.Equal(a.DeemedBy, []string{b.Ref()}) || b.Strength == catalog.Mandatory || cc.Strength == catalog.Mandatory ||
		!strings.Contains(b.Notes, "safe harbour") {
		t.Errorf("SB-327: (a) %s deemed by %v, (b) %s, (c) %s", a.Strength, a.DeemedBy, b.Strength, cc.Strength)
	}
	// CTM-updates is a duty to disclose how updates arrive, decided by a declaration check of its own.
	if r := c.Requirement("us-cyber-trust-mark:CTM-updates"); !slices.Equal(r.Outcomes, []string{"update-disclosure"}) ||
		c.Check("declared-update-method") == nil || c.Check("declared-update-method").Outcome != "update-disclosure" {
		t.Errorf("CTM-updates maps to %v", r.Outcomes)
	}
	// Tier 3 does not promise what it does not ask.
	if t3 := c.Tiers[2]; !strings.Contains(t3.Summary, "Secure development stays a declaration") {
		t.Errorf("tier 3 summary: %s", t3.Summary)
	}
	// SG-DE: a CLS label gives only a simplified German application, not the German label.
	for _, g := range c.Recognition("sg-de-2022").Grants {
		if g.Holder.Scheme == "sg-cls" && g.Earns.Scheme == "de-bsi-label" {
			t.Errorf("sg-de-2022 grants the German label to %s", g.Holder)
		}
	}
	// Dates that are now verified.
	if r := c.Recognition("sg-fi-2021"); r.Effective.String() != "2021-10-06" || r.Unverified != "" {
		t.Errorf("sg-fi-2021: %s (%q)", r.Effective, r.Unverified)
	}
	if rule := c.Market("SG").Rules[0]; rule.From.String() != "2021-04-13" || !strings.Contains(rule.Note, "2022-05-01") || rule.Unverified != "" {
		t.Errorf("SG router rule: %+v", rule)
	}
	if s := c.Scheme("us-nistir-8259"); !strings.Contains(s.Version, "2021-08-25") || s.Unverified != "" {
		t.Errorf("us-nistir-8259: %s (%q)", s.Version, s.Unverified)
	}
	if !strings.Contains(ctm.Notes, "2024-09-09") || !strings.Contains(ctm.Notes, "2027-01-04") {
		t.Errorf("CTM notes: %s", ctm.Notes)
	}
}

// TestTierReviewDates: every tier says when it took its form and when it
// will be reviewed; catalog diff reports a moved review date, and a tier
// without dates is refused.
func TestTierReviewDates(t *testing.T) {
	a := mustDefault(t)
	for _, tr := range a.Tiers {
		if tr.Effective.IsZero() || !tr.ReviewBy.After(tr.Effective) {
			t.Errorf("tier %d: effective %s, review by %s", tr.Level, tr.Effective, tr.ReviewBy)
		}
	}
	b, err := catalog.LoadFS(mutate(t, "tiers.yaml", "    name: Baseline\n    effective: 2026-11-22\n    review_by: 2027-12-01\n", "    name: Baseline\n    effective: 2026-11-22\n    review_by: 2027-06-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Change{{Kind: "changed", Item: "tier 1", Field: "review_by", Old: "2027-12-01", New: "2027-06-01"}}
	if diff := cmp.Diff(want, catalog.Diff(a, b)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	_, err = catalog.LoadFS(mutate(t, "tiers.yaml", "    name: Baseline\n    effective: 2026-11-22\n    review_by: 2027-12-01\n", "    name: Baseline\n"))
	if err == nil || !strings.Contains(err.Error(), "tier 1: needs an effective date and a later review_by date") {
		t.Errorf("tier without dates: %v", err)
	}
}
