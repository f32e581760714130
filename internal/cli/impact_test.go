package cli

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store/sqlite"
)

// impactRegistry is a SQLite registry holding the published labels of the
// router-tier2 and smart-plug-tier1 examples.
func impactRegistry(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pub, priv, _ := label.GenerateKey(nil)
	cat, _ := catalog.Default()
	svc, err := registry.New(registry.Config{Store: db, Catalog: cat, Keys: map[string]label.PublicKey{label.KeyID(pub): pub}})
	if err != nil {
		t.Fatal(err)
	}
	admin := registry.Actor{Role: registry.RoleAdmin, Org: "Registry"}
	for _, name := range []string{"router-tier2", "smart-plug-tier1"} {
		decl, _ := os.ReadFile(example(name))
		a := assessExample(t, name)
		org, err := svc.CreateOrg(ctx, admin, a.Product.Manufacturer, registry.RoleManufacturer)
		if err != nil {
			t.Fatal(err)
		}
		prod, err := svc.CreateProduct(ctx, admin, org.ID, a.Product.Model, a.Product.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SubmitDeclaration(ctx, admin, prod.ID, decl, nil); err != nil {
			t.Fatal(err)
		}
		st, err := label.NewStatement(a, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		env, _ := label.Sign(ctx, st, priv)
		compact, _ := label.Compact(&st.Predicate, priv)
		if _, err := svc.Publish(ctx, admin, env, compact); err != nil {
			t.Fatalf("publish %s: %v", name, err)
		}
	}
	return path
}

// TestCatalogImpact: a proposed catalog whose Tier 2 wants a lab's word on
// secure development drops the Tier 2 router to Tier 1, says why, and leaves
// the Tier 1 plug alone; the built-in catalog against itself changes nothing.
func TestCatalogImpact(t *testing.T) {
	reg := impactRegistry(t)
	dir := filepath.Join(t.TempDir(), "cat")
	if code, _, errs := run(t, "catalog", "export", "--format", "yaml", "--out", dir); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	if code, out, errs := run(t, "catalog", "impact", dir, "--db", reg, "--as-of", asOf); code != 0 || !strings.Contains(out, "2 labels: 2 unchanged") || !strings.Contains(out, "no label would change") {
		t.Errorf("unchanged catalog: exit %d\n%s%s", code, out, errs)
	}
	tiers := filepath.Join(dir, "tiers.yaml")
	os.WriteFile(tiers, []byte(strings.Replace(mustRead(t, tiers), "{id: secure-development, evidence: declared}\n  - level: 3", "{id: secure-development, evidence: lab}\n  - level: 3", 1)), 0o644)
	code, out, errs := run(t, "catalog", "impact", dir, "--db", reg, "--as-of", asOf)
	if code != 0 || !strings.Contains(out, "2 labels: 1 unchanged") || !strings.Contains(out, "tier 2 -> 1") || !strings.Contains(out, "new gap tier 2 secure-development") {
		t.Errorf("stricter tier 2: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "catalog", "impact", dir, "--db", reg, "--as-of", asOf, "--format", "json")
	var rep struct {
		Impact struct {
			Labels, Unchanged int
			Groups            []struct {
				Move   string
				Count  int
				Labels []string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || len(rep.Impact.Groups) != 1 || rep.Impact.Groups[0].Count != 1 || rep.Impact.Groups[0].Move != "tier 2 -> 1" {
		t.Errorf("json: exit %d, %v, %+v", code, err, rep)
	}
	svg := filepath.Join(t.TempDir(), "impact.svg")
	if code, _, errs := run(t, "catalog", "impact", dir, "--db", reg, "--as-of", asOf, "--format", "svg", "--out", svg); code != 0 {
		t.Fatalf("svg: %s", errs)
	}
	if b := mustRead(t, svg); !strings.HasPrefix(b, "<svg") || !strings.Contains(b, "tier 2 -&gt; 1") {
		t.Errorf("svg:\n%s", b)
	}
	if code, _, errs := run(t, "catalog", "impact", filepath.Join(dir, "nope"), "--db", reg); code != 2 || !strings.Contains(errs, "nope") {
		t.Errorf("missing catalog: exit %d %s", code, errs)
	}
}

// TestCoverageChartsAndCompare: the coverage chart is well-formed SVG (read
// back by encoding/xml) with a row per scheme, the HTML page carries it and
// the table; compare sets schemes side by side, with CLS level 2's included
// EN 303 645 provisions counted for CLS.
func TestCoverageChartsAndCompare(t *testing.T) {
	code, out, errs := run(t, "catalog", "coverage", "--format", "svg")
	if code != 0 {
		t.Fatalf("svg: %s", errs)
	}
	var doc struct {
		XMLName xml.Name
		Texts   []string `xml:"text"`
		Rects   []struct {
			Title string `xml:"title"`
		} `xml:"rect"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Fatalf("not SVG: %v\n%.300s", err, out)
	}
	cat, _ := catalog.Default()
	if cells := len(doc.Rects) - 1; cells != (len(cat.Schemes)+1)*len(catalog.Phases) || !slices.Contains(doc.Texts, "EU CRA") {
		t.Errorf("%d cells for %d schemes; texts %v", cells, len(cat.Schemes), doc.Texts[:min(len(doc.Texts), 20)])
	}
	html := filepath.Join(t.TempDir(), "coverage.html")
	if code, _, errs := run(t, "catalog", "coverage", "--format", "html", "--out", html); code != 0 {
		t.Fatalf("html: %s", errs)
	}
	if b := mustRead(t, html); !strings.Contains(b, "<svg") || !strings.Contains(b, "<table>") || !strings.Contains(b, "(thin)") {
		t.Errorf("html page:\n%.500s", b)
	}
	code, out, _ = run(t, "catalog", "compare", "uk-psti", "eu-cra", "sg-cls", "--format", "json")
	var rows []catalog.OutcomeComparison
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 {
		t.Fatalf("compare: exit %d, %v", code, err)
	}
	find := func(outcome string) catalog.OutcomeComparison {
		for _, r := range rows {
			if r.Outcome == outcome {
				return r
			}
		}
		t.Fatalf("no row for %s", outcome)
		return catalog.OutcomeComparison{}
	}
	if r := find("unique-passwords"); r.Schemes[0].Strength != catalog.Mandatory || r.Schemes[1].Strength != catalog.Mandatory {
		t.Errorf("unique-passwords: %+v", r)
	}
	if r := find("secure-storage"); r.Schemes[0].Strength != "" || r.Schemes[2].Strength != catalog.Mandatory || !slices.Contains(r.Schemes[2].Requirements, "sg-cls:L2") {
		t.Errorf("secure-storage: %+v", r)
	}
	if r := find("independent-testing"); r.Schemes[2].Evidence != catalog.Lab {
		t.Errorf("independent-testing at CLS: %+v", r)
	}
	if code, _, errs := run(t, "catalog", "compare", "uk-psti", "eu-crx"); code != 2 || !strings.Contains(errs, `did you mean "eu-cra"`) {
		t.Errorf("unknown scheme: exit %d %s", code, errs)
	}
}
