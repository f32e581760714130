package declaration_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

func cat(t testing.TB) *catalog.Catalog {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTemplateAndExamplesAreValid(t *testing.T) {
	d, err := declaration.Parse("template.yaml", declaration.Template)
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	if err := d.Check(cat(t)); err != nil {
		t.Fatalf("template against catalog: %v", err)
	}
	files, _ := filepath.Glob("../examples/*/declaration.yaml")
	if len(files) < 6 {
		t.Fatalf("found %d examples, want at least 6", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		d, err := declaration.Parse(f, b)
		if err == nil {
			err = d.Check(cat(t))
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The schema published in docs/ must be the one the code enforces.
func TestPublishedSchemaIsCurrent(t *testing.T) {
	pub, err := os.ReadFile("../docs/declaration.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pub, declaration.Schema) {
		t.Error("docs/declaration.schema.json differs from declaration/schema.json; copy it over")
	}
}

// The schema's category list must be the catalog's.
func TestSchemaCategoriesMatchCatalog(t *testing.T) {
	var ids []string
	for _, k := range cat(t).Categories {
		ids = append(ids, `"`+k.ID+`"`)
	}
	if !bytes.Contains(declaration.Schema, []byte(`"category": {"enum": [`+strings.Join(ids, ", ")+`]}`)) {
		t.Error("schema category enum and catalog categories differ")
	}
}

func TestEveryCatalogFactIsComputable(t *testing.T) {
	d, _ := declaration.Parse("t", declaration.Template)
	for _, f := range cat(t).Facts {
		if _, ok := d.Fact(f.ID); !ok {
			t.Errorf("fact %s cannot be computed", f.ID)
		}
	}
}

const minimal = `schema: iotlabel/declaration/v1
manufacturer: {name: Acme}
product: {name: Cam, model: C1, firmware_versions: ["1.0"], category: camera, constrained: false, radio: true, internet_connected: true}
markets: [GB]
support: {end_date: 2030-12-31}
disclosure: {contact: security@acme.example}
passwords: {scheme: user-defined}
updates: {updatable: true}
data: {personal_data: false, telemetry: false}
`

func problems(t *testing.T, src string) []string {
	t.Helper()
	_, err := declaration.Parse("d.yaml", []byte(src))
	var inv *declaration.Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("Parse error = %v, want *Invalid", err)
	}
	var out []string
	for _, p := range inv.Problems {
		out = append(out, inv.Format(p))
	}
	return out
}

func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"unquoted version", `firmware_versions: ["1.0"]`, `firmware_versions: [1.0]`,
			[]string{`d.yaml:3:53: product.firmware_versions[0]: must be string, not number (quote the value so it stays text, e.g. "1.0")`}},
		{"bad date", "end_date: 2030-12-31", "end_date: 2030-13-31",
			[]string{`d.yaml:5:21: support.end_date: "2030-13-31" is not a valid date (write dates as YYYY-MM-DD, e.g. 2030-12-31)`}},
		{"enum typo", "scheme: user-defined", "scheme: user-defind",
			[]string{`d.yaml:7:21: passwords.scheme: "user-defind" is not an allowed value (did you mean "user-defined"?)`}},
		{"unknown field", "{name: Acme}", "{name: Acme, adress: x}",
			[]string{`d.yaml:2:28: manufacturer.adress: unknown field (did you mean "address"?)`}},
		{"missing required", "data: {personal_data: false, telemetry: false}\n", "",
			[]string{`d.yaml:1:1: data: required field is missing (add it; see ` + "`iotlabel declaration init`" + `)`}},
		{"contradiction", "updates: {updatable: true}", "updates: {updatable: false, automatic: true}",
			[]string{`d.yaml:8:40: updates.automatic: updates.automatic is true but updates.updatable is false (a product that cannot be updated cannot have this property)`}},
		{"standalone with an app", "data: {personal_data: false, telemetry: false}\n",
			"data: {personal_data: false, telemetry: false}\necosystem: {standalone: true, app: {name: CamApp}}\n",
			[]string{`d.yaml:10:25: ecosystem.standalone: ecosystem.standalone is true but a companion app or cloud service is listed (remove standalone, or the app and cloud entries)`}},
		{"deletion without personal data", "data: {personal_data: false, telemetry: false}\n",
			"data: {personal_data: false, telemetry: false}\necosystem: {cloud: [{name: C, personal_data: false, user_deletion: true}]}\n",
			[]string{`d.yaml:10:68: ecosystem.cloud[0].user_deletion: cloud service "C" keeps no personal data, so user_deletion does not apply (remove user_deletion, or set personal_data: true)`}},
		{"ecosystem fact typo", "data: {personal_data: false, telemetry: false}\n",
			"data: {personal_data: false, telemetry: false}\necosystem: {app: {name: CamApp, authenticate: true}}\n",
			[]string{`d.yaml:10:33: ecosystem.app.authenticate: unknown field (did you mean "authenticated"?)`}},
		{"several at once", "markets: [GB]", "markets: [gb, GB, GB]",
			[]string{`d.yaml:4:10: markets: items 1 and 2 are the same (list each value once)`, `d.yaml:4:11: markets[0]: "gb" has the wrong form (use a market code such as GB, EU, US or US-CA)`}},
		{"syntax", "markets: [GB]", "markets: [GB",
			[]string{`d.yaml:4: not valid YAML or JSON: did not find expected ',' or ']' (check indentation and quoting near this line)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimal, tc.old, tc.new, 1)
			if diff := cmp.Diff(tc.want, problems(t, src)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestYAMLPitfalls(t *testing.T) {
	// An unquoted date stays a date string; JSON input works the same.
	d, err := declaration.Parse("d.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if d.Support.EndDate.String() != "2030-12-31" {
		t.Errorf("end date = %s", d.Support.EndDate)
	}
	js := `{"schema":"iotlabel/declaration/v1","manufacturer":{"name":"Acme"},"product":{"name":"Cam","model":"C1","firmware_versions":["1.0"],"category":"camera","constrained":false,"radio":true,"internet_connected":true},"markets":["GB"],"support":{"end_date":"2030-12-31"},"disclosure":{"contact":"security@acme.example","acknowledgement_days":5},"passwords":{"scheme":"user-defined"},"updates":{"updatable":true},"data":{"personal_data":false,"telemetry":false}}`
	d, err = declaration.Parse("d.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if *d.Disclosure.AcknowledgementDays != 5 {
		t.Errorf("acknowledgement_days = %d", *d.Disclosure.AcknowledgementDays)
	}
	if _, err := declaration.Parse("empty.yaml", nil); err == nil || !strings.Contains(err.Error(), "file is empty") {
		t.Errorf("empty file: %v", err)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		bomb += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	if _, err := declaration.Parse("bomb.yaml", []byte(bomb)); err == nil || !strings.Contains(err.Error(), "aliases expanding too far") {
		t.Errorf("alias bomb: %v", err)
	}
	big := bytes.Repeat([]byte("#"), declaration.MaxSize+1)
	if _, err := declaration.Parse("big.yaml", big); err == nil {
		t.Error("oversized file accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add(declaration.Template)
	f.Add([]byte(`{"schema":"iotlabel/declaration/v1"}`))
	f.Add([]byte("a: &x [*x]\n"))
	files, _ := filepath.Glob("../examples/*/declaration.yaml")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	c, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := declaration.Parse("fuzz.yaml", data)
		if err != nil {
			var inv *declaration.Invalid
			if !errors.As(err, &inv) || len(inv.Problems) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		_ = d.Check(c)
		declaration.SameAfterStoring(t, d) // the registry's stored form reads back as parsed
	})
}

// TestTemplateDocLinks: every document the template points a user to exists.
func TestTemplateDocLinks(t *testing.T) {
	links := regexp.MustCompile(`docs/[A-Za-z0-9._-]+\.md`).FindAllString(string(declaration.Template), -1)
	if len(links) == 0 {
		t.Fatal("the template names no document; this test looks for docs/*.md")
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join("..", l)); err != nil {
			t.Errorf("the template points to %s: %v", l, err)
		}
	}
}

// TestPreinstalledPasswordsFact: EN 303 645 5.1-2 concerns pre-installed
// passwords unique per device, so a universal default is not that case.
func TestPreinstalledPasswordsFact(t *testing.T) {
	for scheme, want := range map[string]declaration.Tri{"unique-per-device": declaration.True, "universal-default": declaration.False, "user-defined": declaration.False} {
		d := &declaration.Declaration{}
		d.Passwords.Scheme = scheme
		if v, _ := d.Fact("preinstalled_passwords"); v.Value != want {
			t.Errorf("%s: preinstalled_passwords = %v, want %v", scheme, v.Value, want)
		}
	}
}
