package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// issueLabel generates a key and issues a label for the router example.
func issueLabel(t *testing.T) (dir, pub string) {
	t.Helper()
	dir = t.TempDir()
	prefix := filepath.Join(dir, "issuer")
	if code, out, errs := run(t, "keys", "generate", prefix); code != 0 || !strings.Contains(out, "key ID") {
		t.Fatalf("keys generate: %d %s%s", code, out, errs)
	}
	if st, err := os.Stat(prefix + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v %v", st.Mode(), err)
	}
	if code, _, errs := run(t, "keys", "generate", prefix); code != 2 || !strings.Contains(errs, "already exists") {
		t.Errorf("keys generate over existing: %d %s", code, errs)
	}
	code, out, errs := run(t, "label", "issue", "--declaration", example("router-tier2"), "--as-of", asOf, "--key", prefix+".key", "--out", filepath.Join(dir, "label"),
		"--issuer", "Example Test Lab", "--registry-url", "https://registry.iotlabel.example")
	if code != 0 || !strings.Contains(out, "tier 2") {
		t.Fatalf("label issue: %d %s%s", code, out, errs)
	}
	return dir, prefix + ".pub"
}

func TestLabelIssueAndVerify(t *testing.T) {
	dir, pub := issueLabel(t)
	ld := filepath.Join(dir, "label")
	for _, f := range []string{"label.json", "label.qr.txt", "label.svg", "label.png"} {
		if st, err := os.Stat(filepath.Join(ld, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing: %v", f, err)
		}
	}
	if code, out, _ := run(t, "label", "verify", filepath.Join(ld, "label.json"), "--pubkey", pub); code != 0 || !strings.HasPrefix(out, "ACTIVE") {
		t.Errorf("verify label.json: %d %s", code, out)
	}
	qr, _ := os.ReadFile(filepath.Join(ld, "label.qr.txt"))
	if !strings.HasPrefix(string(qr), "https://registry.iotlabel.example/l/IL-") {
		t.Errorf("QR text does not open the consumer page: %.80s", qr)
	}
	if code, out, _ := run(t, "label", "verify", "--qr", string(qr), "--pubkey", pub, "--format", "json"); code != 0 || !strings.Contains(out, `"status": "active"`) {
		t.Errorf("verify --qr: %d %s", code, out)
	}
	// A tampered label exits 1; a broken public key file exits 2.
	b, _ := os.ReadFile(filepath.Join(ld, "label.json"))
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"payload":"`, `"payload":"A`, 1)), 0o644)
	if code, out, _ := run(t, "label", "verify", bad, "--pubkey", pub); code != 1 || !strings.HasPrefix(out, "INVALID") {
		t.Errorf("tampered: %d %s", code, out)
	}
	if code, _, _ := run(t, "label", "verify", bad, "--pubkey", bad); code != 2 {
		t.Errorf("bad key file: exit %d", code)
	}
	// A second issue into the same directory is refused.
	if code, _, errs := run(t, "label", "issue", "--declaration", example("router-tier2"), "--key", filepath.Join(dir, "issuer.key"), "--out", ld); code != 2 || !strings.Contains(errs, "already holds") {
		t.Errorf("reissue into the same dir: %d %s", code, errs)
	}
}

func TestLabelRefusals(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "k")
	run(t, "keys", "generate", prefix)
	if code, _, errs := run(t, "label", "issue", "--declaration", example("camera-default-password"), "--as-of", asOf, "--key", prefix+".key", "--out", filepath.Join(dir, "l")); code != 1 || !strings.Contains(errs, "does not reach Tier 1") {
		t.Errorf("tier 0 label: %d %s", code, errs)
	}
	// The attack: an assessment edited after the fact, its digest recomputed
	// (anyone can). label issue signs nothing it did not compute itself.
	router := filepath.Join(dir, "r.json")
	run(t, "assess", example("smart-plug-tier1"), "--as-of", asOf, "--format", "json", "--out", router)
	b, _ := os.ReadFile(router)
	os.WriteFile(router, []byte(strings.Replace(string(b), `"tier": 1`, `"tier": 4`, 1)), 0o644)
	if code, _, errs := run(t, "label", "issue", router, "--key", prefix+".key", "--out", filepath.Join(dir, "l2")); code != 2 || !strings.Contains(errs, "signs nothing it did not compute") {
		t.Errorf("edited assessment: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "l2")); err == nil {
		t.Error("a refused label left files behind")
	}
}

// The printed QR code is read back with a real QR scanner (zbarimg), and what
// it reads verifies.
func TestLabelQRScans(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	testenv.Require(t, err == nil, "zbarimg (Debian package zbar-tools)")
	dir, pub := issueLabel(t)
	out, err := exec.Command(zbar, "--raw", "-q", filepath.Join(dir, "label", "label.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg could not read the label's QR code: %v", err)
	}
	scanned := strings.TrimSpace(string(out))
	want, _ := os.ReadFile(filepath.Join(dir, "label", "label.qr.txt"))
	if scanned != strings.TrimSpace(string(want)) {
		t.Errorf("scanned %q, want %q", scanned, want)
	}
	if code, out, _ := run(t, "label", "verify", "--qr", scanned, "--pubkey", pub); code != 0 {
		t.Errorf("scanned QR does not verify: %s", out)
	}
}
