package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// TestConsumerPageInBrowser opens a demo label's consumer page in Chromium
// (Playwright, web/e2e/consumer.mjs) from the URL in its QR text, checks
// the status and support date, revokes it and checks the page again.
// .ci/run installs Node's dependencies and Chromium.
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

	base, errs := startDemo(t, filepath.Join(t.TempDir(), "r.db"))
	log := errs.String()
	id := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +\S+/l/(\S+)`).FindStringSubmatch(log)
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(log)
	if id == nil || token == nil {
		t.Fatalf("demo output lacks the label or the token:\n%s", log)
	}
	shots := t.TempDir()
	if dir := os.Getenv("IOTLABEL_SCREENSHOTS"); dir != "" {
		shots = dir // keep them, e.g. as CI artifacts
	}
	cmd := exec.Command(node, "consumer.mjs")
	cmd.Dir = "../../web/e2e"
	cmd.Env = append(os.Environ(), "BASE="+base, "LABEL_ID="+id[1], "ADMIN_TOKEN="+token[1],
		"SUPPORT_END=2033-01-31", "SHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser test failed: %v\n%s", err, out)
	}
	for _, shot := range []string{"active.png", "revoked.png"} {
		if fi, err := os.Stat(filepath.Join(shots, shot)); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty: %v", shot, err)
		}
	}
	t.Logf("%s", out)
}
