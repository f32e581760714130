package vulndb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/store/vulndb"
	"github.com/iotlabel/iotlabel/vuln"
)

func open(t *testing.T) (*vulndb.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v.db")
	db, err := vulndb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func advisory(mod string, fixed string) vuln.Advisory {
	m, _ := time.Parse(time.RFC3339, mod)
	return vuln.Advisory{ID: "CVE-2099-0001", Source: vuln.SourceNVD, Modified: m, Severity: vuln.Severity{Level: "high"},
		Affected: []vuln.Affected{{Vendor: "thekelleys", Product: "dnsmasq", Bounds: []vuln.Bounds{{EndExcluding: fixed}}}}}
}

func TestUpsertByModificationTime(t *testing.T) {
	ctx := context.Background()
	db, _ := open(t)
	target := vuln.Target{Name: "dnsmasq", Version: "2.85", Upstream: "2.85", Products: []vuln.ProductKey{{Vendor: "thekelleys", Product: "dnsmasq"}}}
	for _, tc := range []struct {
		name           string
		adv            vuln.Advisory
		want           vulndb.Stats
		affectedAt2_85 bool
	}{
		{"first import", advisory("2099-01-01T00:00:00Z", "2.85"), vulndb.Stats{Added: 1}, false},
		{"same again", advisory("2099-01-01T00:00:00Z", "2.85"), vulndb.Stats{Unchanged: 1}, false},
		{"newer record", advisory("2099-02-01T00:00:00Z", "2.86"), vulndb.Stats{Updated: 1}, true},
		{"older record", advisory("2098-12-01T00:00:00Z", "2.80"), vulndb.Stats{Unchanged: 1}, true},
	} {
		st, err := db.Import(ctx, tc.name, []vuln.Batch{{Kind: "nvd", Advisories: []vuln.Advisory{tc.adv}}})
		if err != nil {
			t.Fatal(err)
		}
		if st != tc.want {
			t.Errorf("%s: stats %+v, want %+v", tc.name, st, tc.want)
		}
		advs, err := vuln.Matching(ctx, db, target)
		if err != nil || len(advs) != map[bool]int{true: 1, false: 0}[tc.affectedAt2_85] {
			t.Fatalf("%s: candidates %v %v", tc.name, advs, err)
		}
		if got := len(vuln.MatchOne(target, advs)) == 1; got != tc.affectedAt2_85 {
			t.Errorf("%s: 2.85 affected = %v, want %v", tc.name, got, tc.affectedAt2_85)
		}
	}
	st, err := db.Status(ctx)
	if err != nil || len(st) != 1 || st[0].Records != 1 || !st[0].Newest.Equal(time.Date(2099, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("status = %+v, %v", st, err)
	}
}

func TestReopenKeepsDataAndChecksSchema(t *testing.T) {
	ctx := context.Background()
	db, path := open(t)
	if _, err := db.Import(ctx, "x", []vuln.Batch{{Advisories: []vuln.Advisory{advisory("2099-01-01T00:00:00Z", "2.85")}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := vulndb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if st, _ := db2.Status(ctx); len(st) != 1 {
		t.Errorf("after reopen: %+v", st)
	}
}

func TestKEVCatalog(t *testing.T) {
	data := testenv.SharedData(t)
	ctx := context.Background()
	db, _ := open(t)
	var batches []vuln.Batch
	if err := vuln.Walk(context.Background(), filepath.Join(data, "cisa-kev", "known_exploited_vulnerabilities.json"), nil, func(_ string, b vuln.Batch) error {
		batches = append(batches, b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := db.Import(ctx, "kev", batches)
	if err != nil || st.KEV != 1404 {
		t.Fatalf("KEV import: %+v %v", st, err)
	}
	k, ok, err := db.KEV(ctx, "CVE-2020-25078")
	if err != nil || !ok || k.Vendor != "D-Link" || k.DateAdded != "2025-08-05" || k.CatalogVersion != "2025.08.25" {
		t.Errorf("KEV CVE-2020-25078 = %+v %v %v", k, ok, err)
	}
	if _, ok, _ := db.KEV(ctx, "CVE-2099-0001"); ok {
		t.Error("a CVE outside the catalog is reported as known exploited")
	}
}
