package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// firmwareImage builds a small SquashFS (xz) image with mksquashfs: real
// BusyBox, a Mirai password in shadow and telnetd handing out a shell.
func firmwareImage(t *testing.T) string {
	t.Helper()
	mksquashfs, err := exec.LookPath("mksquashfs")
	testenv.Require(t, err == nil, "mksquashfs (Debian package squashfs-tools)")
	openssl, err := exec.LookPath("openssl")
	testenv.Require(t, err == nil, "openssl")
	busybox, err := os.ReadFile("/bin/busybox")
	testenv.Require(t, err == nil, "/bin/busybox (Debian package busybox-static)")
	hash, err := exec.Command(openssl, "passwd", "-1", "-salt", "Zk3xQ1p0", "vizxv").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for p, content := range map[string]string{
		"bin/busybox": string(busybox),
		"etc/shadow":  "root:" + strings.TrimSpace(string(hash)) + ":19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n",
		"etc/inittab": "::respawn:/bin/busybox telnetd -F -l /bin/sh\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(content), 0o755)
	}
	img := filepath.Join(t.TempDir(), "fw.sqfs")
	if out, err := exec.Command(mksquashfs, root, img, "-comp", "xz", "-noappend", "-all-root", "-quiet").CombinedOutput(); err != nil {
		t.Fatalf("mksquashfs: %v %s", err, out)
	}
	return img
}

// TestFirmwareScan runs `firmware scan` as a lab would: JSON for machines,
// CycloneDX that the CycloneDX library reads, evidence that `assess` takes,
// and clear errors for bad input.
func TestFirmwareScan(t *testing.T) {
	img := firmwareImage(t)
	db := filepath.Join(t.TempDir(), "v.db") // an empty vulnerability database
	code, out, errs := run(t, "firmware", "scan", img, "--db", db, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d (want 1: checks fail)\n%s", code, errs)
	}
	var rep struct {
		Image       struct{ SHA256 string }
		Layers      []struct{ Format string }
		Components  []struct{ Name, Version, Path string }
		Credentials []struct {
			User, Password string
			Cracked        bool
		}
		Services []struct {
			Name     string
			Insecure bool
		}
		Findings []struct{ Check, Result, Detail string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if !strings.Contains(out, `"data_age_days"`) {
		t.Errorf("the scan does not say how old its vulnerability data is")
	}
	if len(rep.Image.SHA256) != 64 || len(rep.Layers) != 1 || rep.Layers[0].Format != "squashfs" {
		t.Errorf("image and layers: %+v %+v", rep.Image, rep.Layers)
	}
	if len(rep.Components) != 1 || rep.Components[0].Name != "busybox" || rep.Components[0].Path != "/bin/busybox" || rep.Components[0].Version == "" {
		t.Errorf("components: %+v", rep.Components)
	}
	if len(rep.Credentials) != 1 || !rep.Credentials[0].Cracked || rep.Credentials[0].Password != "v***v (5 chars)" {
		t.Errorf("credentials (the password must be masked): %+v", rep.Credentials)
	}
	if len(rep.Services) != 1 || !rep.Services[0].Insecure {
		t.Errorf("services: %+v", rep.Services)
	}
	if code, out, _ := run(t, "firmware", "scan", img, "--db", db, "--format", "json", "--reveal"); code != 1 || !strings.Contains(out, `"password": "vizxv"`) {
		t.Errorf("--reveal does not show the password")
	}

	// Text for people: the summary first.
	code, out, _ = run(t, "firmware", "scan", img, "--db", db)
	if code != 1 || !strings.HasPrefix(out, img+" (") || !strings.Contains(out, "FAIL  hard-coded-credentials") || !strings.Contains(out, "DEFAULT PASSWORD v***v") {
		t.Errorf("text output:\n%s", out)
	}

	// SARIF for code-scanning dashboards: a result per failed check.
	code, out, _ = run(t, "firmware", "scan", img, "--db", db, "--format", "sarif")
	var sarif struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID string
				Level  string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 2 ||
		sarif.Runs[0].Results[0].RuleID != "hard-coded-credentials" || sarif.Runs[0].Results[1].RuleID != "insecure-boot-service" {
		t.Errorf("SARIF (exit %d): %v\n%s", code, err, out)
	}

	// CycloneDX, read by the CycloneDX library.
	code, out, _ = run(t, "firmware", "scan", img, "--db", db, "--format", "cyclonedx", "--product", "FW-1")
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader([]byte(out)), cdx.BOMFileFormatJSON).Decode(&bom); err != nil || bom.Components == nil || len(*bom.Components) != 1 {
		t.Fatalf("CycloneDX (exit %d): %v\n%s", code, err, out)
	}
	if c := (*bom.Components)[0]; c.Name != "busybox" || !strings.HasPrefix(c.PackageURL, "pkg:generic/busybox@") || !strings.HasPrefix(c.CPE, "cpe:2.3:a:busybox:busybox:") ||
		c.Evidence == nil || c.Evidence.Occurrences == nil || (*c.Evidence.Occurrences)[0].Location != "/bin/busybox" ||
		!strings.HasPrefix((*c.Evidence.Occurrences)[0].AdditionalContext, "sha256:") {
		t.Errorf("CycloneDX component (with where it was found): %+v", c)
	}

	// Evidence into assess: the router's declaration with this firmware's
	// evidence fails unique-passwords because of the image's password.
	ev := filepath.Join(t.TempDir(), "fw.jsonl")
	if code, _, errs := run(t, "firmware", "scan", img, "--db", db, "--format", "evidence", "--out", ev, "--product", "NG-AX3000", "--firmware", "4.2.1"); code != 1 {
		t.Fatalf("evidence: exit %d %s", code, errs)
	}
	_, out, errs = run(t, "assess", example("router-tier2"), "--evidence", ev, "--as-of", "2026-11-22", "--format", "json")
	var a struct {
		Outcomes []struct{ ID, Verdict, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("assess: %v\n%s", err, errs)
	}
	status := map[string]string{}
	for _, o := range a.Outcomes {
		status[o.ID] = o.Verdict + ": " + o.Reason
	}
	if s := status["unique-passwords"]; !strings.HasPrefix(s, "fail") || !strings.Contains(s, "known default password") {
		t.Errorf("unique-passwords with the firmware's evidence: %q", s)
	}
	if s := status["minimal-attack-surface"]; !strings.HasPrefix(s, "fail") {
		t.Errorf("minimal-attack-surface with the firmware's evidence: %q", s)
	}

	// Signed by a lab's key: the subject names the image by its SHA-256.
	dir := t.TempDir()
	lab := filepath.Join(dir, "lab")
	run(t, "keys", "generate", lab)
	signed := filepath.Join(dir, "fw.dsse.json")
	if code, _, errs := run(t, "firmware", "scan", img, "--db", db, "--format", "evidence", "--product", "NG-AX3000", "--firmware", "4.2.1",
		"--manufacturer", "Northgate Networks GmbH", "--sign-key", lab+".key", "--out", signed); code != 1 {
		t.Fatalf("signed evidence: exit %d %s", code, errs)
	}
	ts := writeTrust(t, dir, lab, "Test Lab", "tool_operator", "'*'")
	if code, out, errs := run(t, "evidence", "verify", signed, "--trust", ts); code != 0 || !strings.Contains(out, rep.Image.SHA256) {
		t.Errorf("verify signed firmware evidence (want the image's SHA-256 %s as the subject digest): %d %s%s", rep.Image.SHA256, code, out, errs)
	}
	// Signed by a lab the trust store accredits for binary-analysis, with
	// the declared SBOM: the lab check is there, as lab evidence.
	accredited := writeTrust(t, dir, lab, "Test Lab", "lab", "binary-analysis")
	busyboxSBOM := filepath.Join(dir, "sbom.cdx.json")
	os.WriteFile(busyboxSBOM, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"application","name":"busybox","version":"`+rep.Components[0].Version+`"}]}`), 0o644)
	labSigned := filepath.Join(dir, "lab.dsse.json")
	run(t, "firmware", "scan", img, "--db", db, "--format", "evidence", "--sbom", busyboxSBOM, "--product", "NG-AX3000", "--firmware", "4.2.1",
		"--manufacturer", "Northgate Networks GmbH", "--sign-key", lab+".key", "--out", labSigned)
	// (the tool checks in it are not accredited to this key, so verify exits 1)
	if _, out, errs := run(t, "evidence", "verify", labSigned, "--trust", accredited); !strings.Contains(out, "lab binary-analysis pass — accredited") {
		t.Errorf("lab-signed firmware evidence: %s%s", out, errs)
	}

	// Reconciled with a declared SBOM that gives BusyBox another version.
	declared := filepath.Join(t.TempDir(), "declared.cdx.json")
	os.WriteFile(declared, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"application","name":"busybox","version":"1.20.0"}]}`), 0o644)
	_, out, _ = run(t, "firmware", "scan", img, "--db", db, "--format", "json", "--sbom", declared)
	if !strings.Contains(out, `"check": "sbom-reconciliation"`) || !strings.Contains(out, `the SBOM says 1.20.0`) {
		t.Errorf("--sbom: no failing sbom-reconciliation:\n%.2000s", out)
	}
	if code, _, errs := run(t, "firmware", "scan", img, "--db", db, "--sbom", img); code != 2 || !strings.Contains(errs, "--sbom") {
		t.Errorf("--sbom that is not an SBOM: exit %d %s", code, errs)
	}

	// Bad input: a missing image, an unknown format, two images to --extract.
	if code, _, errs := run(t, "firmware", "scan", filepath.Join(t.TempDir(), "nope.bin"), "--db", db); code != 2 || !strings.Contains(errs, "nope.bin") {
		t.Errorf("missing image: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, "firmware", "scan", img, "--format", "xml"); code != 2 || !strings.Contains(errs, "xml") {
		t.Errorf("bad format: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, "firmware", "scan", img, img, "--extract", t.TempDir()); code != 2 || !strings.Contains(errs, "one IMAGE") {
		t.Errorf("--extract with two images: exit %d %s", code, errs)
	}
	if code, out, _ := run(t, "firmware", "scan", "--help"); code != 0 || !strings.Contains(out, "--wordlist") {
		t.Errorf("--help: %d %s", code, out)
	}
}
