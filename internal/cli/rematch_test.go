package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRegistryRematchesSBOMs: a label's SBOM is attached over the API; when a
// new KEV catalog lists one of its vulnerabilities, the running registry
// notices the database change, flags the label at risk with an event, and
// the consumer page says why.
func TestRegistryRematchesSBOMs(t *testing.T) {
	db := vulnDB(t)
	dir := t.TempDir()
	ctxDB := filepath.Join(dir, "r.db")
	base, errs := startDemoArgs(t, ctxDB, "--vulndb", db, "--rescan", "100ms")
	log := errs.String()
	id := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +\S+/l/(\S+)`).FindStringSubmatch(log)
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(log)
	if id == nil || token == nil {
		t.Fatalf("demo output:\n%s", log)
	}
	do := bearer(t, base, token[1])
	// dnsmasq 2.89 has CVE-2023-28450 (fixed in 2.90), not known exploited.
	fw := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
		"components":[{"type":"library","name":"dnsmasq","version":"2.89"},{"type":"library","name":"busybox","version":"1.37.0"}]}`)
	if code, out := do("PUT", "/v1/labels/"+id[1]+"/sbom", fw); code != 200 || !strings.Contains(out, `"status": "active"`) || !strings.Contains(out, `"components": 2`) {
		t.Fatalf("attach SBOM: %d %s", code, out)
	}
	if code, out := do("PUT", "/v1/labels/"+id[1]+"/sbom", []byte(`not an sbom`)); code != 400 || !strings.Contains(out, "invalid_request") {
		t.Errorf("bad SBOM: %d %s", code, out)
	}

	kev := filepath.Join(dir, "kev.json")
	os.WriteFile(kev, []byte(`{"title":"test catalog","catalogVersion":"2099.01.01","vulnerabilities":[
		{"cveID":"CVE-2023-28450","vendorProject":"Thekelleys","product":"dnsmasq","vulnerabilityName":"test entry","dateAdded":"2099-01-01"}]}`), 0o644)
	if code, _, errs := run(t, "vulndb", "import", "--db", db, kev); code != 0 {
		t.Fatal(errs)
	}
	var l struct{ Status, StatusReason string }
	for i := 0; i < 100; i++ {
		_, out := do("GET", "/v1/labels/"+id[1], nil)
		json.Unmarshal([]byte(out), &struct {
			Status       *string `json:"status"`
			StatusReason *string `json:"status_reason"`
		}{&l.Status, &l.StatusReason})
		if l.Status == "at_risk" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if l.Status != "at_risk" || !strings.Contains(l.StatusReason, "known exploited vulnerability: CVE-2023-28450 in dnsmasq 2.89") {
		t.Fatalf("after the KEV update: %+v\n%s", l, errs.String())
	}
	if _, out := do("GET", "/v1/events?since=0", nil); !strings.Contains(out, `"actor": "registry"`) || !strings.Contains(out, "CVE-2023-28450") {
		t.Errorf("no event for the change:\n%s", out)
	}
	if _, page := do("GET", "/l/"+id[1], nil); !strings.Contains(page, "Attention needed") || !strings.Contains(page, "CVE-2023-28450 in dnsmasq 2.89") {
		t.Errorf("consumer page does not say why")
	}
}
