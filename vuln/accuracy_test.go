package vuln_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/store/vulndb"
	"github.com/iotlabel/iotlabel/vuln"
	"go.yaml.in/yaml/v3"
)

// sharedInputs are the shared OSV, NVD and KEV data the accuracy gate reads.
var sharedInputs = []string{"osv-oss-fuzz-iot/vulns", "nvd-iot-slice", "cisa-kev/known_exploited_vulnerabilities.json"}

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
	for _, p := range sharedInputs {
		var batches []vuln.Batch
		if err := vuln.Walk(context.Background(), filepath.Join(data, p), nil, func(_ string, b vuln.Batch) error { batches = append(batches, b); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Import(context.Background(), p, batches); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// labelledCase is one entry of testdata/labelled.yaml.
type labelledCase struct {
	Component, Version, Vulnerability, Why string
	Affected                               bool
}

func labelledSet(t *testing.T) ([]labelledCase, []vuln.Target) {
	t.Helper()
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/labelled.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Cases []labelledCase }
	if err := yaml.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	targets := make([]vuln.Target, len(set.Cases))
	for i, c := range set.Cases {
		targets[i] = dict.Identify(c.Component, c.Version, "", "")
	}
	return set.Cases, targets
}

// osvZip writes the shared OSV records (YAML) as JSON into one zip, as OSV
// publishes an ecosystem, so that the loader's skimming path reads real records.
func osvZip(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "all.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	files, _ := filepath.Glob(filepath.Join(data, "osv-oss-fuzz-iot", "vulns", "*", "*.yaml"))
	for _, p := range files {
		var rec map[string]any
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		w, err := z.Create(strings.TrimSuffix(filepath.Base(p), ".yaml") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(w).Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if len(files) < 400 {
		t.Fatalf("only %d shared OSV records", len(files))
	}
	return path
}

// TestLabelledAccuracy is the accuracy gate: on the labelled set every
// affected case must be found and no unaffected case reported — from the
// database, from the same files loaded straight into memory, and from the
// OSV records zipped as JSON (which the loader skims before parsing).
func TestLabelledAccuracy(t *testing.T) {
	data := testenv.SharedData(t)
	cases, targets := labelledSet(t)
	if len(cases) < 50 {
		t.Errorf("labelled set shrank to %d cases", len(cases))
	}
	load := func(t *testing.T, paths ...string) vuln.Source {
		m, err := vuln.Load(context.Background(), paths, vuln.NewWant(targets))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var shared []string
	for _, p := range sharedInputs {
		shared = append(shared, filepath.Join(data, p))
	}
	for name, src := range map[string]func(t *testing.T) vuln.Source{
		"database": func(t *testing.T) vuln.Source { return importShared(t) },
		"memory":   func(t *testing.T) vuln.Source { return load(t, shared...) },
		"zip": func(t *testing.T) vuln.Source {
			m := load(t, append([]string{osvZip(t, data)}, shared[1:]...)...).(*vuln.Memory)
			st, _ := m.Status(context.Background())
			all := 0
			for _, s := range st {
				if s.Source != vuln.SourceKEV {
					all += s.Records
				}
			}
			if m.Held() == 0 || m.Held() >= all/2 {
				t.Errorf("the loader kept %d of %d advisories: it should keep the few that name a labelled component", m.Held(), all)
			}
			return m
		},
	} {
		t.Run(name, func(t *testing.T) { checkAccuracy(t, src(t), cases, targets) })
	}
}

func checkAccuracy(t *testing.T, src vuln.Source, cases []labelledCase, targets []vuln.Target) {
	falsePos, missed := 0, 0
	for i, c := range cases {
		advs, err := vuln.Matching(context.Background(), src, targets[i])
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range vuln.MatchOne(targets[i], advs) {
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
	t.Logf("%d labelled cases: %d false positives, %d missed", len(cases), falsePos, missed)
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
