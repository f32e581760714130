package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	oscalvalidation "github.com/defenseunicorns/go-oscal/src/pkg/validation"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const asOf = "2026-11-22"

// run executes the CLI with a fixed clock and returns exit code, stdout, stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, now: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }}
	code := e.main(context.Background(), args)
	return code, out.String(), errb.String()
}

// assessExample assesses a shipped example's declaration (no evidence) on
// the built-in catalog as of asOf.
func assessExample(t *testing.T, name string) *assess.Assessment {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := readDeclaration(cat, example(name))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := assess.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	date, _ := catalog.ParseDate(asOf)
	return eng.Assess(d, nil, date)
}

func example(name string) string {
	return filepath.Join("..", "..", "examples", name, "declaration.yaml")
}

var exampleNames = []string{"camera-default-password", "smart-plug-tier1", "router-tier2", "sensor-non-updateable", "doorbell-support-ending", "camera-contradiction"}

func exampleArgs(name string) []string {
	args := []string{"assess", example(name), "--as-of", asOf}
	ev := filepath.Join("..", "..", "examples", name, "evidence.jsonl")
	if _, err := os.Stat(ev); err == nil {
		args = append(args, "--evidence", ev)
	}
	return args
}

// TestExamplesGolden checks each shipped example's text report against its
// golden summary (go test ./internal/cli -update rewrites them).
func TestExamplesGolden(t *testing.T) {
	for _, name := range exampleNames {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := run(t, exampleArgs(name)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden := filepath.Join("..", "..", "examples", name, "expected.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -update)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s; run go test ./internal/cli -update and review the diff\n--- got ---\n%s", golden, out)
			}
		})
	}
}

func TestExampleExpectations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tier    int
		allowed map[string]bool
		finding string
	}{
		{"camera-default-password", 0, map[string]bool{"GB": false, "AU": false, "EU": false, "US-CA": false}, ""},
		{"smart-plug-tier1", 1, map[string]bool{"GB": true, "AU": true}, ""},
		{"router-tier2", 2, map[string]bool{"GB": true, "EU": true, "SG": true, "US": true}, ""},
		{"sensor-non-updateable", 1, map[string]bool{"GB": true, "AU": true}, ""},
		{"doorbell-support-ending", 1, map[string]bool{"GB": true, "US-CA": true}, "support"},
		{"camera-contradiction", 0, map[string]bool{"GB": false}, "contradiction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := run(t, append(exampleArgs(tc.name), "--format", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var a struct {
				Tier    int `json:"tier"`
				Markets []struct {
					ID      string `json:"id"`
					Allowed bool   `json:"allowed"`
				} `json:"markets"`
				Findings []struct {
					Kind string `json:"kind"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatal(err)
			}
			if a.Tier != tc.tier {
				t.Errorf("tier = %d, want %d", a.Tier, tc.tier)
			}
			for _, m := range a.Markets {
				if want, ok := tc.allowed[m.ID]; ok && m.Allowed != want {
					t.Errorf("market %s allowed = %v, want %v", m.ID, m.Allowed, want)
				}
			}
			if tc.finding != "" {
				found := false
				for _, f := range a.Findings {
					found = found || f.Kind == tc.finding
				}
				if !found {
					t.Errorf("no %s finding", tc.finding)
				}
			}
		})
	}
}

func TestAssessJSONContract(t *testing.T) {
	_, out, _ := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--format", "json")
	var a map[string]any
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"product", "catalog_version", "as_of", "digest", "tier", "outcomes", "schemes", "markets", "recognitions", "gaps"} {
		if _, ok := a[k]; !ok {
			t.Errorf("assess JSON lacks %q", k)
		}
	}
	o := a["outcomes"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "verdict", "reason", "evidence"} {
		if _, ok := o[k]; !ok {
			t.Errorf("outcome lacks %q", k)
		}
	}
	s := a["schemes"].([]any)[0].(map[string]any)
	r := s["requirements"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "met", "requirements"} {
		if _, ok := s[k]; !ok {
			t.Errorf("scheme lacks %q", k)
		}
	}
	for _, k := range []string{"id", "verdict", "reason", "evidence"} {
		if _, ok := r[k]; !ok {
			t.Errorf("requirement lacks %q", k)
		}
	}
	m := a["markets"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "allowed", "reasons"} {
		if _, ok := m[k]; !ok {
			t.Errorf("market lacks %q", k)
		}
	}
}

func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("schema: iotlabel/declaration/v1\nmanufacturer: {name: X, webiste: y}\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string // substring of stdout+stderr
	}{
		{"no args", nil, 2, "Usage: iotlabel COMMAND"},
		{"help", []string{"help"}, 0, "Commands:"},
		{"typo", []string{"asses"}, 2, `did you mean "assess"?`},
		{"assess help", []string{"assess", "--help"}, 0, "--require-tier"},
		{"tier met", []string{"assess", example("router-tier2"), "--as-of", asOf, "--require-tier", "2"}, 0, "TIER 2"},
		{"tier missed", []string{"assess", example("smart-plug-tier1"), "--as-of", asOf, "--require-tier", "2"}, 1, "below the required tier 2"},
		{"market ok", []string{"assess", example("smart-plug-tier1"), "--as-of", asOf, "--market", "GB"}, 0, ""},
		{"market refused", []string{"assess", example("camera-default-password"), "--as-of", asOf, "--market", "GB"}, 1, "may not be sold in GB"},
		{"unknown market", []string{"assess", example("router-tier2"), "--market", "XX"}, 2, `--market "XX"`},
		{"bad format", []string{"assess", example("router-tier2"), "--format", "xml"}, 2, `--format "xml"`},
		{"bad date", []string{"assess", example("router-tier2"), "--as-of", "22/11/2026"}, 2, "--as-of"},
		{"missing file", []string{"assess", "nope.yaml"}, 2, "nope.yaml"},
		{"invalid declaration", []string{"assess", bad}, 2, `bad.yaml:2:25: manufacturer.webiste: unknown field (did you mean "website"?)`},
		{"bad evidence", []string{"assess", example("router-tier2"), "--evidence", bad}, 2, "bad.yaml:1: not a valid evidence object"},
		{"version", []string{"version"}, 0, "catalog 2026.12.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit = %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			if !strings.Contains(out+errs, tc.out) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.out, out, errs)
			}
		})
	}
}

func TestAssessOutAndFormats(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"text", "json", "markdown", "html", "oscal"} {
		path := filepath.Join(dir, "report."+f)
		code, _, errs := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--format", f, "--out", path)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", f, err)
		}
		switch f {
		case "html":
			if !bytes.HasPrefix(b, []byte("<!doctype html>")) || bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("http://")) {
				t.Errorf("HTML is not a self-contained page without scripts")
			}
		case "markdown":
			if !bytes.Contains(b, []byte("| 5.1-1 | pass |")) {
				t.Errorf("markdown lacks the requirement table")
			}
		case "oscal":
			validateOSCAL(t, b, "assessment-results")
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("expected exactly the 5 reports in %s, found %d entries (temporary files left behind?)", dir, len(entries))
	}
}

func validateOSCAL(t *testing.T, doc []byte, model string) {
	t.Helper()
	v, err := oscalvalidation.NewValidator(doc)
	if err != nil {
		t.Fatalf("OSCAL validator: %v", err)
	}
	if v.GetModelType() != model {
		t.Errorf("OSCAL model = %q, want %q", v.GetModelType(), model)
	}
	if err := v.Validate(); err != nil {
		res, _ := v.GetValidationResult()
		t.Fatalf("OSCAL %s does not validate against NIST's schema %s: %v\n%+v", model, v.GetSchemaVersion(), err, res.Errors)
	}
}

func TestDeclarationCommands(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "decl.yaml")
	if code, _, errs := run(t, "declaration", "init", "--out", tmpl); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "declaration", "init", "--out", tmpl); code != 2 || !strings.Contains(errs, "already exists") {
		t.Errorf("init over an existing file: exit %d: %s", code, errs)
	}
	if code, out, _ := run(t, "declaration", "validate", tmpl); code != 0 || !strings.Contains(out, "valid") {
		t.Errorf("template does not validate: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`schema: iotlabel/declaration/v1
manufacturer: {name: Acme}
product: {name: Cam, model: C1, firmware_versions: ["1"], category: camra, constrained: false, radio: true, internet_connected: true}
markets: [GB, ZZ]
support: {end_date: 2030-02-30}
disclosure: {contact: sec@acme.example}
passwords: {scheme: unique-per-device}
updates: {updatable: true}
data: {personal_data: false, telemetry: false}
answers:
  "5.1-99": {support: yes}
`), 0o644)
	code, out, _ := run(t, "declaration", "validate", bad, "--format", "json")
	if code != 2 {
		t.Errorf("invalid declaration: exit %d", code)
	}
	var res []validation_
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range res[0].Problems {
		msgs = append(msgs, p.Path+": "+p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"product.category", "support.end_date", "passwords.derived_from_identifier: required field is missing"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	// Catalog problems are reported once the schema is satisfied.
	fixed := strings.NewReplacer("camra", "camera", "2030-02-30", "2030-02-28", "{scheme: unique-per-device}", "{scheme: unique-per-device, derived_from_identifier: false}").Replace(mustRead(t, bad))
	os.WriteFile(bad, []byte(fixed), 0o644)
	code, out, _ = run(t, "declaration", "validate", bad)
	if code != 2 || !strings.Contains(out, `markets[1]: market "ZZ" is not in catalog`) || !strings.Contains(out, `"5.1-99" is not a requirement`) {
		t.Errorf("catalog checks: exit %d\n%s", code, out)
	}
}

type validation_ struct {
	Valid    bool `json:"valid"`
	Problems []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"problems"`
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCatalogCommands(t *testing.T) {
	code, out, _ := run(t, "catalog", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scheme", "id", "title", "strength", "condition", "phase", "outcomes"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("catalog list JSON lacks %q", k)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"catalog", "schemes"}, 0, "etsi-en-303-645"},
		{[]string{"catalog", "list", "--scheme", "uk-psti"}, 0, "4 requirements"},
		{[]string{"catalog", "list", "--phase", "sunsetting", "--scheme", "etsi-en-303-645"}, 0, "6 requirements"},
		{[]string{"catalog", "list", "--scheme", "uk-pst"}, 2, `did you mean "uk-psti"`},
		{[]string{"catalog", "show", "5.1-1"}, 0, "(1) the product uses passwords"},
		{[]string{"catalog", "show", "eu-cra:I(2)(a)"}, 0, "Placed on the market without known exploitable vulnerabilities"},
		{[]string{"catalog", "show", "sg-cls"}, 0, "UNVERIFIED"},
		{[]string{"catalog", "show", "unique-passwords"}, 0, "uk-psti:Sch1-1"},
		{[]string{"catalog", "show", "tier-3"}, 0, "known-exploited-vulnerability"},
		{[]string{"catalog", "show", "5.1-77"}, 2, "nothing called"},
		{[]string{"catalog", "coverage"}, 0, "thinly covered"},
		{[]string{"catalog", "crosswalk", "--from", "uk-psti", "--to", "eu-cra"}, 0, "Sch1-1"},
		{[]string{"catalog", "diff", "builtin", "builtin"}, 0, "0 change(s)"},
		{[]string{"catalog", "frob"}, 2, "unknown catalog subcommand"},
	} {
		code, out, errs := run(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out, errs)
		}
	}
	code, out, errs := run(t, "catalog", "export", "--format", "oscal")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	validateOSCAL(t, []byte(out), "catalog")
	code, out, errs = run(t, "catalog", "export", "--format", "oscal", "--scheme", "uk-psti")
	if code != 0 || strings.Count(out, `"id": "uk-psti_`) != 8 || strings.Contains(out, "etsi-en-303-645_") {
		t.Fatalf("export --scheme uk-psti: exit %d, %s", code, errs)
	}
	validateOSCAL(t, []byte(out), "catalog")
	if code, out, _ := run(t, "version", "--format", "json"); code != 0 || !strings.Contains(out, `"catalog_version": "2026.12.2"`) {
		t.Errorf("version --format json: %d %s", code, out)
	}
}

func TestCatalogEditAndDiff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cat")
	if code, _, errs := run(t, "catalog", "export", "--format", "yaml", "--out", dir); code != 0 {
		t.Fatalf("export yaml: %s", errs)
	}
	tiers := filepath.Join(dir, "tiers.yaml")
	os.WriteFile(tiers, []byte(strings.Replace(mustRead(t, tiers), "{id: secure-development, evidence: declared}\n  - level: 3", "{id: secure-development, evidence: lab}\n  - level: 3", 1)), 0o644)
	code, out, _ := run(t, "catalog", "diff", "builtin", dir)
	if code != 0 || !strings.Contains(out, `~ tier 2: outcome secure-development: "evidence declared" -> "evidence lab"`) {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	// The edited catalog is used for assessment.
	if code, out, _ := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--catalog", dir, "--format", "json"); code != 0 || !strings.Contains(out, `"catalog_version": "2026.12.2"`) {
		t.Errorf("assess with --catalog: exit %d", code)
	}
	os.WriteFile(tiers, []byte("tiers: [{level: 1, name: x, summary: y, outcomes: [{id: nope, evidence: declared}]}]\n"), 0o644)
	code, _, errs := run(t, "catalog", "schemes", "--catalog", dir)
	if code != 2 || !strings.Contains(errs, `tiers.yaml:1: tier 1: outcome "nope" does not exist`) {
		t.Errorf("broken catalog: exit %d: %s", code, errs)
	}
}

func TestReports(t *testing.T) {
	code, out, _ := run(t, "report", "ics", example("router-tier2"), "--as-of", asOf)
	if code != 0 || strings.Count(out, "\n| ") != 69 || !strings.Contains(out, "| 5.1-1 | M C (1) | Y |") {
		t.Errorf("ICS: exit %d, %d rows\n%s", code, strings.Count(out, "\n| "), out)
	}
	code, out, _ = run(t, "report", "ics", example("router-tier2"), "--as-of", asOf, "--format", "json")
	var rows []map[string]string
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 68 {
		t.Errorf("ICS JSON: exit %d, %v, %d rows", code, err, len(rows))
	}
	code, out, _ = run(t, "report", "psti", example("camera-default-password"), "--as-of", asOf)
	if code != 0 || !strings.Contains(out, "must not be issued yet") {
		t.Errorf("PSTI draft for a failing camera: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "report", "psti", example("smart-plug-tier1"), "--as-of", asOf)
	if code != 0 || strings.Contains(out, "must not be issued") || !strings.Contains(out, "at least until **2030-03-31**") {
		t.Errorf("PSTI draft for a compliant plug: exit %d\n%s", code, out)
	}
}

// TestFirstMinutesOutput holds the small output faults a newcomer met in
// the first minutes of use.
func TestFirstMinutesOutput(t *testing.T) {
	_, text, _ := run(t, "assess", example("router-tier2"), "--as-of", asOf)
	if strings.Contains(text, "not in none") || !strings.Contains(text, "not targeted: may be sold in AU") {
		t.Errorf("text report's untargeted markets:\n%s", text)
	}
	_, md, _ := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--format", "markdown")
	if strings.Contains(md, "&lt;br&gt;") || !strings.Contains(md, "<br>Upcoming: ") {
		t.Errorf("markdown market table escapes its own line break")
	}
	for id, want := range map[string]string{
		"sg-uk-2025": "holding sg-cls level 1 counts as uk-psti",
		"KR":         "none: no scheme is mandatory here",
	} {
		code, out, stderr := run(t, "catalog", "show", id)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("catalog show %s: exit %d, %s%s", id, code, out, stderr)
		}
		if code, out, _ := run(t, "catalog", "show", id, "--format", "json"); code != 0 || !json.Valid([]byte(out)) {
			t.Errorf("catalog show %s --format json: exit %d", id, code)
		}
	}
}
