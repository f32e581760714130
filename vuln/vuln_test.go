package vuln_test

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

func TestCompareGeneric(t *testing.T) {
	// Each list is in ascending order.
	for _, seq := range [][]string{
		{"1.1.1", "1.1.1a", "1.1.1h", "1.1.1i", "1.1.1k", "1.1.1t", "3.0.0"},
		{"2.84", "2.85", "2.86test5", "2.86test7", "2.86rc1", "2.86rc3", "2.86", "2.87", "2.100"},
		{"2016.73", "2017.75", "2018.76", "2020.79", "2022.83"},
		{"1.29.3", "1.30.0", "1.33.1", "1.36.1", "1.36.2"},
		{"244", "244.5", "245", "246.15", "247"},
		{"v2018.02.0", "2018.3", "v2019.01"},
		{"7.41.0", "7.73.0", "7.74.0", "7.75.0", "8.4.0"},
		{"1.2.2", "1.2.2.2", "1.2.11", "1.2.12", "1.3"},
		// json-c's release tags carry a date stamp: just inside and just outside.
		{"0.14", "0.15-20200726", "0.15.1", "0.16-20220414", "0.17"},
	} {
		for i := range seq {
			for j := range seq {
				want := 0
				switch {
				case i < j:
					want = -1
				case i > j:
					want = 1
				}
				if got := vuln.CompareGeneric(seq[i], seq[j]); got != want {
					t.Errorf("CompareGeneric(%q, %q) = %d, want %d", seq[i], seq[j], got, want)
				}
			}
		}
	}
	// CVE-2020-12762 affects json-c before 0.15-20200726: 0.15 is that release.
	if vuln.CompareGeneric("0.15", "0.15-20200726") != 0 || vuln.CompareGeneric("20200726", "20210101") != -1 {
		t.Error("a trailing date stamp names the release before it; a date alone is still a version")
	}
	if vuln.CompareGeneric("v2018.02.0", "2018.2.0") != 0 {
		t.Error("v2018.02.0 should equal 2018.2.0")
	}
}

func TestCompareEcosystems(t *testing.T) {
	for _, tc := range []struct {
		a, b, eco string
		want      int
	}{
		{"1.2.12-r0", "1.2.10-r0", "Alpine:v3.17", 1},
		{"1.2.10-r1", "1.2.10-r0", "Alpine", 1},
		{"1:1.2.3-1", "1.9.9-1", "Debian:11", 1}, // epoch wins
		{"1.1.1n-0+deb11u3", "1.1.1n-0+deb11u4", "Debian:11", -1},
		{"1.2.3", "1.10.0", "npm", -1},
		{"2.86", "2.86rc1", "OSS-Fuzz", 1},
	} {
		if got := vuln.Compare(tc.a, tc.b, tc.eco); got != tc.want {
			t.Errorf("Compare(%q, %q, %s) = %d, want %d", tc.a, tc.b, tc.eco, got, tc.want)
		}
	}
}

func TestUpstreamAndTags(t *testing.T) {
	for _, tc := range [][3]string{{"1.2.10-r0", "apk", "1.2.10"}, {"2:1.1.1n-0+deb11u3", "deb", "1.1.1n"}, {"1.2.3", "", "1.2.3"}} {
		if got := vuln.Upstream(tc[0], tc[1]); got != tc[2] {
			t.Errorf("Upstream(%q, %s) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
	for _, tc := range [][3]string{{"v2.86", "dnsmasq", "2.86"}, {"curl-7_74_0", "curl", "7.74.0"}, {"OpenSSL_1_1_1i", "openssl", "1.1.1i"}, {"dnsmasq-2.84", "dnsmasq", "2.84"}} {
		if got := vuln.TagVersion(tc[0], tc[1]); got != tc[2] {
			t.Errorf("TagVersion(%q) = %q, want %q", tc[0], got, tc[2])
		}
	}
}

func TestCVSS(t *testing.T) {
	for _, tc := range []struct {
		vector string
		score  float64
		level  string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "high"},
		{"CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:L", 8.1, "high"},
		{"CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N", 2.6, "low"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, "none"},
		{"AV:N/AC:L/Au:N/C:N/I:N/A:P", 0, "unknown"},
	} {
		s := vuln.SeverityFromVector(tc.vector)
		if s.Score != tc.score || s.Level != tc.level {
			t.Errorf("%s = %v %s, want %v %s", tc.vector, s.Score, s.Level, tc.score, tc.level)
		}
	}
}

func TestParseCSAFVEX(t *testing.T) {
	b, err := os.ReadFile("testdata/vex-dnsmasq.csaf.json")
	if err != nil {
		t.Fatal(err)
	}
	batch, err := vuln.Parse("vex.json", b)
	if err != nil {
		t.Fatal(err)
	}
	want := []vuln.VEXStatement{
		{Vulnerability: "CVE-2021-3448", Product: "dnsmasq@2.84", Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path", Document: "NG-VEX-2026-004"},
		{Vulnerability: "CVE-2019-5747", Product: "cpe:2.3:a:busybox:busybox:1.29.3:*:*:*:*:*:*:*", Status: "not_affected", Justification: "udhcpc is not built into this firmware", Document: "NG-VEX-2026-004"},
	}
	if diff := cmp.Diff(want, batch.VEX); diff != "" {
		t.Errorf("VEX statements (-want +got):\n%s", diff)
	}
	bad := strings.Replace(string(b), `"known_not_affected": ["DNSMASQ-2.84"]`, `"known_not_affected": ["NOPE"]`, 1)
	if _, err := vuln.Parse("vex.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), `product "NOPE"`) {
		t.Errorf("undefined product: %v", err)
	}
}

func TestParseErrorsAndShapes(t *testing.T) {
	page := `{"resultsPerPage":1,"vulnerabilities":[{"cve":{"id":"CVE-2099-0001","lastModified":"2099-01-01T00:00:00.000","configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*","versionEndExcluding":"2.99"}]}]}]}}]}`
	b, err := vuln.Parse("page.json", []byte(page))
	if err != nil || b.Kind != vuln.SourceNVD || len(b.Advisories) != 1 || b.Advisories[0].Affected[0].Bounds[0].EndExcluding != "2.99" {
		t.Errorf("NVD page: %+v, %v", b, err)
	}
	osvJSON := `{"id":"OSV-2099-1","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"dnsmasq"},"versions":["v2.99"]}]}`
	if b, err := vuln.Parse("o.json", []byte(osvJSON)); err != nil || b.Kind != vuln.SourceOSV {
		t.Errorf("OSV JSON: %+v %v", b, err)
	}
	for name, in := range map[string]string{
		"empty":    "",
		"not json": "{nope",
		"unknown":  `{"hello":"world"}`,
		"bad cpe":  `{"id":"CVE-2099-2","lastModified":"2099-01-01T00:00:00","configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:/a:x"}]}]}]}`,
		"bad time": `{"id":"OSV-1","modified":"yesterday","affected":[]}`,
	} {
		if _, err := vuln.Parse(name+".json", []byte(in)); err == nil || !strings.HasPrefix(err.Error(), name+".json") {
			t.Errorf("%s: error %v should name the file", name, err)
		}
	}
}

func TestWalkZip(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "all.zip")
	f, _ := os.Create(zpath)
	zw := zip.NewWriter(f)
	for i, id := range []string{"OSV-2099-1", "OSV-2099-2"} {
		w, _ := zw.Create(id + ".json")
		w.Write([]byte(`{"id":"` + id + `","modified":"2099-01-0` + string(rune('1'+i)) + `T00:00:00Z","affected":[]}`))
	}
	zw.Close()
	f.Close()
	var ids []string
	if err := vuln.Walk(context.Background(), zpath, nil, func(_ string, b vuln.Batch) error { ids = append(ids, b.Advisories[0].ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"OSV-2099-1", "OSV-2099-2"}, ids); diff != "" {
		t.Errorf("zip (-want +got):\n%s", diff)
	}
}

// fakeSource is a hand-written Source for the scan logic.
type fakeSource struct {
	advs []vuln.Advisory
	kev  map[string]vuln.KEVEntry
	vex  []vuln.VEXStatement
	ecos map[string]int
}

func (f *fakeSource) Candidates(_ context.Context, _ vuln.Target) ([]vuln.Candidate, error) {
	var out []vuln.Candidate
	for _, a := range f.advs {
		for _, af := range a.Affected {
			out = append(out, vuln.Candidate{ID: a.ID, Source: a.Source, Affected: af})
		}
	}
	return out, nil
}
func (f *fakeSource) Advisory(_ context.Context, id, source string) (vuln.Advisory, error) {
	for _, a := range f.advs {
		if a.ID == id && a.Source == source {
			return a, nil
		}
	}
	return vuln.Advisory{}, fmt.Errorf("no %s", id)
}
func (f *fakeSource) KEV(_ context.Context, cve string) (vuln.KEVEntry, bool, error) {
	k, ok := f.kev[cve]
	return k, ok, nil
}
func (f *fakeSource) VEX(_ context.Context, ids []string) ([]vuln.VEXStatement, error) {
	var out []vuln.VEXStatement
	for _, s := range f.vex {
		for _, id := range ids {
			if s.Vulnerability == id {
				out = append(out, s)
			}
		}
	}
	return out, nil
}
func (f *fakeSource) HasEcosystem(_ context.Context, eco string) (bool, error) {
	return f.ecos[eco] > 0, nil
}

func adv(id, source string, sev float64, aliases ...string) vuln.Advisory {
	return vuln.Advisory{ID: id, Source: source, Aliases: aliases, Severity: vuln.Severity{Score: sev, Level: vuln.LevelOf(sev)},
		Affected: []vuln.Affected{{Vendor: "thekelleys", Product: "dnsmasq", Bounds: []vuln.Bounds{{EndExcluding: "2.90"}}},
			{Ecosystem: "OSS-Fuzz", Package: "dnsmasq", Versions: []string{"v2.84"}}}}
}

func TestScanMergesMarksAndSuppresses(t *testing.T) {
	dict, _ := vuln.DefaultDictionary()
	src := &fakeSource{
		advs: []vuln.Advisory{adv("CVE-2099-1", "nvd", 5.0), adv("OSV-2099-9", "osv", 0, "CVE-2099-1"), adv("CVE-2099-2", "nvd", 9.8), adv("CVE-2099-3", "nvd", 7.5)},
		kev:  map[string]vuln.KEVEntry{"CVE-2099-3": {CVE: "CVE-2099-3", DateAdded: "2099-02-01"}},
		vex:  []vuln.VEXStatement{{Vulnerability: "CVE-2099-2", Product: "dnsmasq@2.84", Status: "not_affected", Justification: "component_not_present"}},
		ecos: map[string]int{"OSS-Fuzz": 1},
	}
	comps := []sbom.Component{{Name: "dnsmasq", Version: "2.84"}, {Name: "dnsmasq", Version: "2.84"},
		{Name: "mystery", Version: "1"}, {Name: "zlib", Version: "1.2.10-r0", PURL: "pkg:apk/alpine/zlib@1.2.10-r0?distro=alpine-3.17.2"}}
	rep, err := vuln.Scan(context.Background(), src, dict, comps)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Vulnerability+" "+f.Source)
	}
	// KEV first, then by severity; the OSV record merged into its CVE; the duplicate component reported once.
	if diff := cmp.Diff([]string{"CVE-2099-3 nvd", "CVE-2099-1 nvd+osv"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if !rep.Findings[0].KnownExploited || rep.Findings[0].KEV.DateAdded != "2099-02-01" {
		t.Errorf("KEV not marked: %+v", rep.Findings[0])
	}
	if len(rep.Suppressed) != 1 || rep.Suppressed[0].Statement.Justification != "component_not_present" {
		t.Errorf("suppressed = %+v", rep.Suppressed)
	}
	if len(rep.NotChecked) != 2 || !strings.Contains(rep.NotChecked[0].Reason, "not identified") || !strings.Contains(rep.NotChecked[1].Reason, "Alpine:v3.17") {
		t.Errorf("not checked = %+v", rep.NotChecked)
	}
}

func TestIdentify(t *testing.T) {
	dict, _ := vuln.DefaultDictionary()
	for _, tc := range []struct {
		name, version, purl, cpe string
		via                      string
		products                 []vuln.ProductKey
		packages                 []vuln.PackageKey
	}{
		{"dnsmasq", "2.84", "", "", "dictionary", []vuln.ProductKey{{"thekelleys", "dnsmasq"}}, []vuln.PackageKey{{"OSS-Fuzz", "dnsmasq"}}},
		{"", "", "pkg:generic/dnsmasq@2.86", "", "dictionary", []vuln.ProductKey{{"thekelleys", "dnsmasq"}}, []vuln.PackageKey{{"OSS-Fuzz", "dnsmasq"}}},
		// A wrongly guessed CPE vendor is kept, and the right one added.
		{"dnsmasq", "2.84", "", "cpe:2.3:a:dnsmasq:dnsmasq:2.84:*:*:*:*:*:*:*", "cpe", []vuln.ProductKey{{"dnsmasq", "dnsmasq"}, {"thekelleys", "dnsmasq"}}, []vuln.PackageKey{{"OSS-Fuzz", "dnsmasq"}}},
		{"", "", "pkg:golang/golang.org/x/crypto@v0.1.0", "", "purl", nil, []vuln.PackageKey{{"Go", "golang.org/x/crypto"}}},
		{"", "", "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?distro=debian-11.6", "", "purl", nil, []vuln.PackageKey{{"Debian:11", "openssl"}}},
	} {
		got := dict.Identify(tc.name, tc.version, tc.purl, tc.cpe)
		if got.Via != tc.via || !cmp.Equal(tc.products, got.Products) || !cmp.Equal(tc.packages, got.Packages) {
			t.Errorf("Identify(%q, %q, %q) = %+v", tc.name, tc.purl, tc.cpe, got)
		}
	}
}

func TestDictionaryRejectsBadData(t *testing.T) {
	for name, in := range map[string]string{
		"duplicate alias": "components:\n- {name: a, cpe: [x:a]}\n- {name: b, aliases: [A], cpe: [x:b]}\n",
		"bad cpe":         "components:\n- {name: a, cpe: [xa]}\n",
		"maps nothing":    "components:\n- {name: a}\n",
		"unknown field":   "components:\n- {name: a, cpes: [x:a]}\n",
	} {
		if _, err := vuln.ParseDictionary([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMatchDataRoundTrip(t *testing.T) {
	for _, af := range []vuln.Affected{
		{Versions: []string{"v2.86", "v2.86rc1"}, Ranges: []vuln.Range{{Type: "GIT", Events: []vuln.Event{{Introduced: "abc"}, {Fixed: "def"}}},
			{Type: "ECOSYSTEM", Events: []vuln.Event{{Introduced: "0"}, {LastAffected: "1.2"}, {Limit: "2"}}}}},
		{Bounds: []vuln.Bounds{{EndExcluding: "2.83"}, {Exact: "2.86"}, {StartIncluding: "1.0", EndIncluding: "1.5"}}},
		{Versions: []string{"odd\x1fversion"}},
		{},
	} {
		var got vuln.Affected
		if err := vuln.DecodeMatch(vuln.EncodeMatch(af), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(af, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
	if err := vuln.DecodeMatch("x\x1fnope\n", &vuln.Affected{}); err == nil {
		t.Error("garbage decoded")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"OSV-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2"}]}],"versions":["v1"]}]}`))
	f.Add([]byte("id: OSV-2\nmodified: '2024-01-01T00:00:00Z'\naffected: []\n"))
	f.Add([]byte(`{"id":"CVE-2024-1","lastModified":"2024-01-01T00:00:00.000","configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*","versionEndExcluding":"2"}]}]}]}`))
	f.Add([]byte(`{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-1","dateAdded":"2024-01-01"}]}`))
	f.Add([]byte(`{"document":{"category":"csaf_vex"},"product_tree":{},"vulnerabilities":[]}`))
	for _, p := range []string{"testdata/euvd-page.json", "testdata/csaf-advisory-gateway.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"id":"EUVD-2099-1","aliases":"CVE-2099-1","exploitedSince":"Oct 5, 2026, 12:00:00 AM"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := vuln.Parse("fuzz.json", data)
		if err != nil {
			return
		}
		for _, a := range b.Advisories {
			for _, af := range a.Affected {
				var back vuln.Affected
				if err := vuln.DecodeMatch(vuln.EncodeMatch(af), &back); err != nil {
					t.Fatalf("match data of a parsed advisory does not round-trip: %v", err)
				}
				tg := vuln.Target{Name: "x", Version: "1.0", Upstream: "1.0", Packages: []vuln.PackageKey{{af.Ecosystem, af.Package}},
					Products: []vuln.ProductKey{{af.Vendor, af.Product}}}
				vuln.MatchOne(tg, []vuln.Advisory{a})
			}
		}
	})
}
