package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMonitorFlagsNewExploitedVulnerabilities(t *testing.T) {
	db := vulnDB(t)
	dir, pub := issueLabel(t) // the router label, in dir/label
	fleet := filepath.Join(dir, "fleet")
	os.MkdirAll(filepath.Join(fleet, "router"), 0o755)
	b, _ := os.ReadFile(filepath.Join(dir, "label", "label.json"))
	os.WriteFile(filepath.Join(fleet, "router", "label.json"), b, 0o644)
	// The shipped firmware carries dnsmasq 2.89: CVE-2023-28450 (< 2.90) applies, but is not known exploited.
	os.WriteFile(filepath.Join(fleet, "router", "firmware.cdx.json"), []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
		"components":[{"type":"library","name":"dnsmasq","version":"2.89"},{"type":"library","name":"busybox","version":"1.37.0"}]}`), 0o644)
	// A doorbell whose support ends within 180 days.
	if code, _, errs := run(t, "label", "issue", "--declaration", example("doorbell-support-ending"), "--as-of", asOf, "--key", filepath.Join(dir, "issuer.key"), "--out", filepath.Join(fleet, "doorbell")); code != 0 {
		t.Fatal(errs)
	}

	statuses := func() map[string]string {
		t.Helper()
		_, out, errs := run(t, "monitor", fleet, "--pubkey", pub, "--db", db, "--format", "json")
		var checks []struct {
			Model, Status string
			Reasons       []string
		}
		if err := json.Unmarshal([]byte(out), &checks); err != nil {
			t.Fatalf("%v\n%s%s", err, out, errs)
		}
		m := map[string]string{}
		for _, c := range checks {
			m[c.Model] = c.Status + ": " + strings.Join(c.Reasons, "; ")
		}
		return m
	}
	got := statuses()
	if !strings.HasPrefix(got["NG-AX3000"], "active") || !strings.HasPrefix(got["RW-DB2"], "at_risk: security support ends 2027-03-31, in 129 days") {
		t.Fatalf("before the KEV update: %v", got)
	}
	// A new KEV catalog lists CVE-2023-28450: the router label turns at risk.
	kev := filepath.Join(dir, "kev.json")
	os.WriteFile(kev, []byte(`{"title":"test catalog","catalogVersion":"2099.01.01","vulnerabilities":[
		{"cveID":"CVE-2023-28450","vendorProject":"Thekelleys","product":"dnsmasq","vulnerabilityName":"test entry","dateAdded":"2099-01-01"}]}`), 0o644)
	if code, _, errs := run(t, "vulndb", "import", "--db", db, kev); code != 0 {
		t.Fatal(errs)
	}
	got = statuses()
	if !strings.HasPrefix(got["NG-AX3000"], "at_risk: known exploited vulnerability: CVE-2023-28450 in dnsmasq 2.89") {
		t.Errorf("after the KEV update: %v", got)
	}
	if code, _, _ := run(t, "monitor", fleet, "--pubkey", pub, "--db", db); code != 1 {
		t.Errorf("monitor with labels at risk: exit %d, want 1", code)
	}
	// A label signed by another key is reported invalid.
	other := filepath.Join(dir, "other")
	run(t, "keys", "generate", other)
	_, out, _ := run(t, "monitor", fleet, "--pubkey", other+".pub", "--db", db)
	if !strings.Contains(out, "INVALID") {
		t.Errorf("foreign key: %s", out)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{"0d": 0, "180d": 180 * day, "2w": 14 * day,
		"1m": 31 * day, "6m": (31 + 28 + 31 + 30 + 31 + 30) * day, "1y": 365 * day} {
		got, err := parsePeriod(in, now)
		if err != nil || got != want {
			t.Errorf("parsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "6", "6x", "-1d", "06d", "1.5m", "6 m", "99999999y"} {
		if _, err := parsePeriod(in, now); err == nil {
			t.Errorf("parsePeriod(%q) accepted", in)
		}
	}
}
