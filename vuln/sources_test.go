package vuln_test

import (
	"os"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/vuln"
)

func parseFile(t *testing.T, p string) vuln.Batch {
	t.Helper()
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := vuln.Parse(p, raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// EUVD records marked exploited become exploitation entries like the KEV
// catalog's; the others only date the data.
func TestEUVD(t *testing.T) {
	b := parseFile(t, "testdata/euvd-page.json")
	if b.Kind != vuln.SourceEUVD || len(b.KEV) != 1 || len(b.Advisories) != 0 {
		t.Fatalf("batch %+v", b)
	}
	k := b.KEV[0]
	if k.CVE != "CVE-2099-0001" || k.Source != vuln.SourceEUVD || k.DateAdded != "2026-10-05" || k.Vendor != "Example IoT" ||
		k.Says() != "EUVD-2099-0001, exploited since 2026-10-05" {
		t.Errorf("entry %+v (%s)", k, k.Says())
	}
	if want := time.Date(2026, 10, 9, 8, 0, 0, 0, time.UTC); !b.Newest.Equal(want) {
		t.Errorf("newest %v, want %v (the non-exploited record's update)", b.Newest, want)
	}
	for _, bad := range []string{`[{"id":"CVE-1"}]`, `{"id":"EUVD-1","dateUpdated":"yesterday"}`} {
		if _, err := vuln.Parse("bad.json", []byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A CSAF security advisory's known-affected products become advisories:
// a vers range, a version branch over a CPE 2.2 URI without version, a
// versioned purl; its not-affected products stay VEX statements.
func TestCSAFAdvisory(t *testing.T) {
	b := parseFile(t, "testdata/csaf-advisory-gateway.json")
	if b.Kind != vuln.SourceCSAF || len(b.Advisories) != 2 || len(b.VEX) != 1 {
		t.Fatalf("batch %+v", b)
	}
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		version, purl, cpe string
		want               []string
	}{
		{"1.0.0", "", "cpe:2.3:a:example-iot:gateway_agent:1.0.0:*:*:*:*:*:*:*", []string{"CVE-2099-0001"}},
		{"1.2.4", "", "cpe:2.3:a:example-iot:gateway_agent:1.2.4:*:*:*:*:*:*:*", []string{"CVE-2099-0001", "CVE-2099-0002"}},
		{"1.3.0", "", "cpe:2.3:a:example-iot:gateway_agent:1.3.0:*:*:*:*:*:*:*", nil},
		{"0.9.9", "", "cpe:2.3:a:example-iot:gateway_agent:0.9.9:*:*:*:*:*:*:*", nil},
		{"", "pkg:golang/example.org/gateway-agent@v1.1.0", "", []string{"CVE-2099-0002"}},
		{"", "pkg:golang/example.org/gateway-agent@v1.1.1", "", nil},
	} {
		tg := dict.Identify("gateway-agent", c.version, c.purl, c.cpe)
		var got []string
		for _, f := range vuln.MatchOne(tg, b.Advisories) {
			got = append(got, f.Vulnerability)
		}
		if len(got) != len(c.want) || (len(got) > 0 && !equalSets(got, c.want)) {
			t.Errorf("%s%s: %v, want %v", c.cpe, c.purl, got, c.want)
		}
	}
	if a := b.Advisories[0]; a.Severity.Level != "critical" || a.Aliases[0] != "EXIOT-2099-01" || a.Summary != "Command injection in the diagnostics endpoint" {
		t.Errorf("advisory %+v", a)
	}
}

func equalSets(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}
