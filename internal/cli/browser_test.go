package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// TestConsumerPageInBrowser opens demo labels' consumer pages in Chromium at
// phone width (Playwright, web/e2e/consumer.mjs) from the URL in their QR
// text, in every status a label can reach — active, at risk for an ending
// support period and for a known exploited flaw, suspended, reinstated,
// revoked, not yet valid, support ended — and keeps a screenshot of each.
// Statuses come about as they do in service: by the API, and by the
// registry's own sweeps while its clock moves (back a day, then past the
// doorbell's end of support), each sweep set off by a vulnerability-database
// import. .ci/run installs Node's dependencies and Chromium.
func TestConsumerPageInBrowser(t *testing.T) {
	node, err := exec.LookPath("node")
	testenv.Require(t, err == nil, "node (Node.js)")
	_, err = os.Stat("../../web/e2e/node_modules/playwright-core")
	testenv.Require(t, err == nil, "playwright-core (npm ci --prefix web/e2e)")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	testenv.Require(t, err == nil, "Chromium at "+chromium)

	var clock atomic.Int64
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	vdb := vulnDB(t)
	base, errs := startDemoAt(t, filepath.Join(t.TempDir(), "r.db"), now, "--vulndb", vdb, "--rescan", "100ms")
	log := errs.String()
	ids := map[string]string{}
	for env, name := range map[string]string{"ROUTER": "router-tier2", "DOORBELL": "doorbell-support-ending", "SENSOR": "sensor-non-updateable", "PLUG": "smart-plug-tier1"} {
		m := regexp.MustCompile(name + ` +tier \d \S+ +\S+/l/(\S+)`).FindStringSubmatch(log)
		if m == nil {
			t.Fatalf("demo output lacks the label of %s:\n%s", name, log)
		}
		ids[env] = m[1]
	}
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(log)
	if token == nil {
		t.Fatalf("demo output lacks the admin token:\n%s", log)
	}
	api := bearer(t, base, token[1])
	// sweepTo imports a new KEV catalog (listing CVE-2023-28450), which sets
	// off a sweep, and waits for the label to reach the status.
	kevs := 0
	sweepTo := func(id, status string) {
		t.Helper()
		kevs++
		kev := filepath.Join(t.TempDir(), "kev.json")
		os.WriteFile(kev, fmt.Appendf(nil, `{"title":"test catalog","catalogVersion":"2099.01.%02d","vulnerabilities":[
			{"cveID":"CVE-2023-28450","vendorProject":"Thekelleys","product":"dnsmasq","vulnerabilityName":"test entry %d","dateAdded":"2099-01-01"}]}`, kevs, kevs), 0o644)
		if code, _, errs := run(t, "vulndb", "import", "--db", vdb, kev); code != 0 {
			t.Fatal(errs)
		}
		var l struct{ Status string }
		for range 100 {
			_, b := api("GET", "/v1/labels/"+id, nil)
			json.Unmarshal([]byte(b), &l)
			if l.Status == status {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("label %s is %q after the sweep, want %q\n%s", id, l.Status, status, errs.String())
	}
	shots := t.TempDir()
	if dir := os.Getenv("IOTLABEL_SCREENSHOTS"); dir != "" {
		shots = dir // keep them, e.g. as CI artifacts
	}
	browse := func(phase string) {
		t.Helper()
		cmd := exec.Command(node, "consumer.mjs")
		cmd.Dir = "../../web/e2e"
		cmd.Env = append(os.Environ(), "PHASE="+phase, "BASE="+base, "ADMIN_TOKEN="+token[1], "SHOTS="+shots, "CHROMIUM="+chromium,
			"SUPPORT_END=2033-01-31")
		for k, v := range ids {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("browser test, phase %s, failed: %v\n%s", phase, err, out)
		}
		t.Logf("%s", out)
	}

	// The sensor ships dnsmasq 2.89; CVE-2023-28450 becomes known exploited.
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"dnsmasq","version":"2.89"}]}`)
	if code, b := api("PUT", "/v1/labels/"+ids["SENSOR"]+"/sbom", sbom); code != 200 {
		t.Fatalf("attach SBOM: %d %s", code, b)
	}
	sweepTo(ids["SENSOR"], "at_risk")
	browse("now")
	clock.Store(start.AddDate(0, 0, -1).UnixNano()) // the day before the labels were issued
	sweepTo(ids["PLUG"], "pending")
	browse("pending")
	clock.Store(time.Date(2027, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano()) // after the doorbell's support ended
	sweepTo(ids["DOORBELL"], "expired")
	browse("ended")

	for _, shot := range []string{"active", "at-risk-support-ending", "at-risk-exploited", "suspended", "reinstated", "revoked", "pending", "support-ended", "revoked-later"} {
		if fi, err := os.Stat(filepath.Join(shots, shot+".png")); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", shot, err)
		}
	}
}
