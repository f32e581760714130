package vuln_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/store/vulndb"
	"github.com/iotlabel/iotlabel/vuln"
	"go.yaml.in/yaml/v3"
)

// importShared builds a database from the shared OSV, NVD and KEV data.
func importShared(t testing.TB) *vulndb.DB {
	t.Helper()
	data := testenv.SharedData(t)
	db, err := vulndb.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }
	for _, p := range []string{"osv-oss-fuzz-iot/vulns", "nvd-iot-slice", "cisa-kev/known_exploited_vulnerabilities.json"} {
		var batches []vuln.Batch
		if err := vuln.Walk(filepath.Join(data, p), func(_ string, b vuln.Batch) error { batches = append(batches, b); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Import(context.Background(), p, batches); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestLabelledAccuracy is the accuracy gate: on the labelled set every
// affected case must be found and no unaffected case reported.
func TestLabelledAccuracy(t *testing.T) {
	db := importShared(t)
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/labelled.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Cases []struct {
			Component, Version, Vulnerability, Why string
			Affected                               bool
		}
	}
	if err := yaml.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	falsePos, missed := 0, 0
	for _, c := range set.Cases {
		tg := dict.Identify(c.Component, c.Version, "", "")
		advs, err := vuln.Matching(context.Background(), db, tg)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range vuln.MatchOne(tg, advs) {
			for _, id := range append([]string{f.Vulnerability}, f.Aliases...) {
				found = found || id == c.Vulnerability
			}
		}
		switch {
		case found && !c.Affected:
			falsePos++
			t.Errorf("false positive: %s %s reported for %s (%s)", c.Component, c.Version, c.Vulnerability, c.Why)
		case !found && c.Affected:
			missed++
			t.Errorf("missed: %s %s not reported for %s (%s)", c.Component, c.Version, c.Vulnerability, c.Why)
		}
	}
	t.Logf("%d labelled cases: %d false positives, %d missed", len(set.Cases), falsePos, missed)
	if len(set.Cases) < 50 {
		t.Errorf("labelled set shrank to %d cases", len(set.Cases))
	}
}

// Every CPE pair the dictionary backs with evidence must really appear as a
// vulnerable cpeMatch in that NVD record.
func TestDictionaryEvidence(t *testing.T) {
	data := testenv.SharedData(t)
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range dict.Entries {
		if !e.Unverified && len(e.Evidence) == 0 && len(e.CPE) > 0 {
			t.Errorf("%s: CPE pairs without evidence must be marked unverified", e.Name)
		}
		seen := map[string]bool{}
		for _, cve := range e.Evidence {
			b, err := os.ReadFile(filepath.Join(data, "nvd-iot-slice", cve+".json"))
			if err != nil {
				t.Errorf("%s: evidence %s: %v", e.Name, cve, err)
				continue
			}
			batch, err := vuln.Parse(cve, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, af := range batch.Advisories[0].Affected {
				seen[af.Vendor+":"+af.Product] = true
			}
		}
		for _, c := range e.CPE {
			if len(e.Evidence) > 0 && !seen[c] {
				t.Errorf("%s: CPE %s is not in its evidence %v", e.Name, c, e.Evidence)
			}
		}
	}
}
