package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// startDemoAsAdmin starts serve --demo and puts its admin token in
// $IOTLABEL_TOKEN, as a scheme owner's shell would hold theirs.
func startDemoAsAdmin(t *testing.T) string {
	t.Helper()
	base, errs := startDemo(t, filepath.Join(t.TempDir(), "r.db"))
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(errs.String())
	if token == nil {
		t.Fatal(errs.String())
	}
	t.Setenv("IOTLABEL_TOKEN", token[1])
	return base
}

// writeTrust writes a trust store with one entry for the key at prefix.pub.
func writeTrust(t *testing.T, dir, prefix, holder, role, checks string) string {
	t.Helper()
	pub, err := os.ReadFile(prefix + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	doc := "entries:\n  - holder: " + holder + "\n    role: " + role + "\n    checks: [" + checks + "]\n" +
		"    valid_from: 2026-01-01\n    valid_until: 2028-12-31\n    key: |\n      " +
		strings.ReplaceAll(strings.TrimSpace(string(pub)), "\n", "\n      ") + "\n"
	path := filepath.Join(dir, "trust.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrustChain is the chain end to end, and the attack on it: a lab line
// written by hand gives no Tier 4; the same item signed by a lab the trust
// store accredits does, and the label names its inputs.
func TestTrustChain(t *testing.T) {
	dir := t.TempDir()
	sbom := filepath.Join(dir, "sbom.jsonl")
	os.WriteFile(sbom, []byte(strings.Join([]string{
		`{"kind":"tool","source":{"tool":"iotlabel sbom scan","version":"1"},"time":"2026-11-20T09:00:00Z","subject":{"product":"NG-AX3000"},"check":"sbom-present","result":"pass","detail":"SBOM with 40 components"}`,
		`{"kind":"tool","source":{"tool":"iotlabel sbom scan","version":"1"},"time":"2026-11-20T09:00:00Z","subject":{"product":"NG-AX3000"},"check":"known-exploited-vulnerability","result":"pass","detail":"none in KEV","data":{"checked":40,"not_checked":0}}`,
		`{"kind":"tool","source":{"tool":"iotlabel sbom scan","version":"1"},"time":"2026-11-20T09:00:00Z","subject":{"product":"NG-AX3000"},"check":"known-vulnerability","result":"pass","detail":"no unfixed critical","data":{"checked":40,"not_checked":0}}`,
	}, "\n")+"\n"), 0o644)
	fake := filepath.Join(dir, "fake.jsonl")
	os.WriteFile(fake, []byte(`{"kind":"lab","source":{"signer":"Totally Real Lab"},"time":"2026-11-15T00:00:00Z","subject":{"product":"NG-AX3000"},"check":"penetration-test","result":"pass","detail":"we tested it"}`+"\n"), 0o644)
	router := example("router-tier2")

	// The attack: a hand-written lab line.
	code, out, _ := run(t, "assess", router, "--as-of", asOf, "--evidence", sbom, "--evidence", fake, "--format", "json")
	if code != 0 || !strings.Contains(out, `"tier": 3`) || !strings.Contains(out, `from \"Totally Real Lab\" for check \"penetration-test\" is not signed; it counts as a declaration`) {
		t.Fatalf("unsigned lab line: exit %d\n%.600s", code, out)
	}

	// A lab signs the same evidence; the trust store accredits it.
	lab := filepath.Join(dir, "lab")
	run(t, "keys", "generate", lab)
	trustFile := writeTrust(t, dir, lab, "Accredited Test Lab", "lab", "penetration-test")
	signed := filepath.Join(dir, "pentest.dsse.json")
	if code, out, errs := run(t, "evidence", "sign", fake, "--key", lab+".key", "--manufacturer", "Northgate Networks", "--firmware", "3.2.1", "--out", signed); code != 0 {
		t.Fatalf("evidence sign: %d %s%s", code, out, errs)
	}
	if code, out, errs := run(t, "evidence", "verify", signed, "--trust", trustFile); code != 0 || !strings.Contains(out, "signature by Accredited Test Lab (lab") || !strings.Contains(out, "penetration-test pass — accredited") {
		t.Errorf("evidence verify: %d %s%s", code, out, errs)
	}
	if code, _, _ := run(t, "assess", router, "--as-of", asOf, "--evidence", sbom, "--evidence", signed, "--trust", trustFile, "--require-tier", "4"); code != 0 {
		t.Errorf("signed, accredited lab evidence does not give tier 4: exit %d", code)
	}
	// Without the trust store the signature cannot be checked: not Tier 4.
	if code, _, errs := run(t, "assess", router, "--as-of", asOf, "--evidence", sbom, "--evidence", signed, "--require-tier", "4"); code != 1 || !strings.Contains(errs, "read as unsigned") {
		t.Errorf("signed evidence without --trust: exit %d %s", code, errs)
	}
	// A lab accredited for other checks only: not Tier 4.
	other := filepath.Join(dir, "other")
	os.Mkdir(other, 0o755)
	otherTrust := writeTrust(t, other, lab, "Accredited Test Lab", "lab", "exposed-telnet")
	if code, _, _ := run(t, "assess", router, "--as-of", asOf, "--evidence", sbom, "--evidence", signed, "--trust", otherTrust, "--require-tier", "4"); code != 1 {
		t.Errorf("lab not accredited for the check: exit %d", code)
	}
	if code, out, _ := run(t, "evidence", "verify", signed, "--trust", otherTrust); code != 1 || !strings.Contains(out, "NOT ACCREDITED") {
		t.Errorf("evidence verify, unaccredited: %d %s", code, out)
	}

	// label issue computes tier 4 itself and names its inputs' digests.
	issuer := filepath.Join(dir, "issuer")
	run(t, "keys", "generate", issuer)
	ld := filepath.Join(dir, "label")
	if code, out, errs := run(t, "label", "issue", "--declaration", router, "--evidence", sbom, "--evidence", signed, "--trust", trustFile,
		"--as-of", asOf, "--key", issuer+".key", "--out", ld); code != 0 || !strings.Contains(out, "tier 4") {
		t.Fatalf("label issue: %d %s%s", code, out, errs)
	}
	_, out, _ = run(t, "label", "verify", filepath.Join(ld, "label.json"), "--pubkey", issuer+".pub", "--format", "json")
	var v struct {
		Label struct {
			Inputs struct {
				Declaration string
				Evidence    []string
			}
		}
	}
	json.Unmarshal([]byte(out), &v)
	if !strings.HasPrefix(v.Label.Inputs.Declaration, "sha256:") || len(v.Label.Inputs.Evidence) != 2 {
		t.Errorf("label inputs: %+v\n%s", v.Label.Inputs, out)
	}
	for _, f := range []string{"label.json", "label.qr.txt", "label.svg", "label.png"} {
		if st, err := os.Stat(filepath.Join(ld, f)); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v, want a public 0644 file", f, st.Mode(), err)
		}
	}
}

// TestVerifyAgainstRegistry: a revoked label verifies offline, but not with
// --registry; a label the registry does not know is not valid; a registry
// that cannot be reached is exit 2, never "ACTIVE".
func TestVerifyAgainstRegistry(t *testing.T) {
	base, errs := startDemo(t, filepath.Join(t.TempDir(), "r.db"))
	dir := t.TempDir()
	pub := filepath.Join(dir, "demo.pub")
	m := regexp.MustCompile(`(?s)-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----\n`).FindString(errs.String())
	os.WriteFile(pub, []byte(m), 0o644)
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(errs.String())
	id := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +\S+/l/(\S+)`).FindStringSubmatch(errs.String())
	if m == "" || token == nil || id == nil {
		t.Fatalf("demo output:\n%s", errs.String())
	}
	resp, err := http.Get(base + "/v1/labels/" + id[1])
	if err != nil {
		t.Fatal(err)
	}
	var l struct{ Compact string }
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if code, out, errs := run(t, "label", "verify", "--qr", l.Compact, "--pubkey", pub, "--registry", base); code != 0 || !strings.Contains(out, "the registry "+base+" says active") {
		t.Fatalf("active label with --registry: %d %s%s", code, out, errs)
	}
	req, _ := http.NewRequest("POST", base+"/v1/labels/"+id[1]+"/revoke", bytes.NewReader([]byte(`{"reason":"firmware signing key leaked"}`)))
	req.Header.Set("Authorization", "Bearer "+token[1])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	if code, out, _ := run(t, "label", "verify", "--qr", l.Compact, "--pubkey", pub); code != 0 {
		t.Errorf("offline verify of a revoked label (no --registry) should still verify the signature: %d %s", code, out)
	}
	code, out, _ := run(t, "label", "verify", "--qr", l.Compact, "--pubkey", pub, "--registry", base)
	if code != 1 || !strings.HasPrefix(out, "REVOKED: the registry says revoked: firmware signing key leaked") {
		t.Errorf("revoked label with --registry: %d %s", code, out)
	}
	// A revoked label earns the product no recognition.
	resp, err = http.Get(base + "/l/" + id[1] + "/label.json")
	if err != nil {
		t.Fatal(err)
	}
	held, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	heldPath := filepath.Join(dir, "held.json")
	os.WriteFile(heldPath, held, 0o644)
	demoTrust := writeIssuerTrust(t, dir, strings.TrimSuffix(pub, ".pub"))
	if code, _, errOut := run(t, "assess", example("router-tier2"), "--label", heldPath, "--trust", demoTrust, "--label-registry", base); code != 1 || !strings.Contains(errOut, "revoked") {
		t.Errorf("assess with a revoked held label: %d %s", code, errOut)
	}
	// A registry that does not know the label.
	other, _ := startDemo(t, filepath.Join(t.TempDir(), "other.db"))
	if code, out, _ := run(t, "label", "verify", "--qr", l.Compact, "--pubkey", pub, "--registry", other); code != 1 || !strings.Contains(out, "holds no label") {
		t.Errorf("unknown to the registry: %d %s", code, out)
	}
	// No registry listening: exit 2 and never ACTIVE.
	code, out, errOut := run(t, "label", "verify", "--qr", l.Compact, "--pubkey", pub, "--registry", "http://127.0.0.1:1")
	if code != 2 || strings.Contains(out, "ACTIVE") || !strings.Contains(errOut, "live status is unknown") {
		t.Errorf("registry down: %d %s %s", code, out, errOut)
	}
}

// writeIssuerTrust writes a trust store in which the key at prefix.pub may
// issue labels for every scheme.
func writeIssuerTrust(t *testing.T, dir, prefix string) string {
	t.Helper()
	path := writeTrust(t, dir, prefix, "Scheme Test Lab", "lab", "'*'")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), "    valid_from:", "    schemes: ['*']\n    valid_from:", 1)), 0o644)
	return path
}

// TestRecognitionFromHeldLabel: self-assessment only makes a product
// eligible; a label it holds, signed by a trusted issuer, earns the
// recognition; a label from a key the store does not trust is refused.
func TestRecognitionFromHeldLabel(t *testing.T) {
	dir := t.TempDir()
	router := example("router-tier2")
	_, out, _ := run(t, "assess", router, "--as-of", asOf, "--format", "json")
	if strings.Contains(out, `"status": "earned"`) || !strings.Contains(out, `"status": "eligible"`) {
		t.Fatalf("self-assessment earned a recognition:\n%.400s", out)
	}
	issuer := filepath.Join(dir, "issuer")
	run(t, "keys", "generate", issuer)
	ld := filepath.Join(dir, "label")
	if code, _, errs := run(t, "label", "issue", "--declaration", router, "--as-of", asOf, "--key", issuer+".key", "--out", ld); code != 0 {
		t.Fatal(errs)
	}
	ts := writeIssuerTrust(t, dir, issuer)
	code, out, errs := run(t, "assess", router, "--as-of", asOf, "--label", filepath.Join(ld, "label.json"), "--trust", ts, "--format", "json")
	if code != 0 || !strings.Contains(out, `"status": "earned"`) || !strings.Contains(out, `"basis": "holds label IL-`) {
		t.Errorf("held label: exit %d %s\n%.300s", code, errs, out)
	}
	// The same label against a store that does not hold the issuer's key.
	other := filepath.Join(dir, "other")
	os.Mkdir(other, 0o755)
	stranger := filepath.Join(other, "stranger")
	run(t, "keys", "generate", stranger)
	if code, _, errs := run(t, "assess", router, "--as-of", asOf, "--label", filepath.Join(ld, "label.json"), "--trust", writeIssuerTrust(t, other, stranger)); code != 1 || !strings.Contains(errs, "no key of the trust store signed it") {
		t.Errorf("label from an untrusted key: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, "assess", router, "--label", filepath.Join(ld, "label.json")); code != 2 || !strings.Contains(errs, "--label needs --trust") {
		t.Errorf("--label without --trust: exit %d %s", code, errs)
	}
}

// TestTrustStoreOnTheRegistry: a scheme owner (here the demo admin)
// accredits a lab through the CLI; anyone fetches the store by URL and
// verifies the lab's evidence with it; after revocation, evidence observed
// from then on no longer counts as lab evidence.
func TestTrustStoreOnTheRegistry(t *testing.T) {
	base := startDemoAsAdmin(t)
	dir := t.TempDir()
	lab := filepath.Join(dir, "lab")
	run(t, "keys", "generate", lab)
	code, out, errOut := run(t, "trust", "add", "--registry", base, "--pubkey", lab+".pub", "--holder", "Accredited Test Lab", "--role", "lab",
		"--checks", "penetration-test", "--valid-from", "2026-01-01", "--valid-until", "2028-12-31")
	keyID := regexp.MustCompile(`accredited key (\S+)`).FindStringSubmatch(out)
	if code != 0 || keyID == nil {
		t.Fatalf("trust add: %d %s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "trust", "show", "--registry", base); code != 0 || !strings.Contains(out, "holder: Accredited Test Lab") {
		t.Errorf("trust show: %d %s", code, out)
	}
	fake := filepath.Join(dir, "pentest.jsonl")
	os.WriteFile(fake, []byte(`{"kind":"lab","source":{"signer":"Accredited Test Lab"},"time":"2026-11-15T00:00:00Z","check":"penetration-test","result":"pass","detail":"structured test"}`+"\n"), 0o644)
	signed := filepath.Join(dir, "pentest.dsse.json")
	run(t, "evidence", "sign", fake, "--key", lab+".key", "--product", "NG-AX3000", "--out", signed)
	if code, out, _ := run(t, "evidence", "verify", signed, "--trust", base+"/v1/trust.yaml"); code != 0 || !strings.Contains(out, "accredited") {
		t.Errorf("verify against the registry's store: %d %s", code, out)
	}
	if code, out, errOut := run(t, "trust", "revoke", "--registry", base, keyID[1], "--reason", "key leaked"); code != 0 || !strings.Contains(out, "revoked key") {
		t.Fatalf("trust revoke: %d %s%s", code, out, errOut)
	}
	// The revocation is today (2026-11-22 in these tests): evidence observed
	// before it still counts; the same key's later evidence does not.
	late := filepath.Join(dir, "late.jsonl")
	os.WriteFile(late, []byte(strings.Replace(mustRead(t, fake), "2026-11-15", "2026-11-23", 1)), 0o644)
	lateSigned := filepath.Join(dir, "late.dsse.json")
	run(t, "evidence", "sign", late, "--key", lab+".key", "--product", "NG-AX3000", "--out", lateSigned)
	if code, out, _ := run(t, "evidence", "verify", lateSigned, "--trust", base+"/v1/trust.yaml"); code != 1 || !strings.Contains(out, "revoked on 2026-11-22 (key leaked)") {
		t.Errorf("evidence after revocation: %d %s", code, out)
	}
	if code, _, errOut := run(t, "trust", "revoke", "--registry", base, keyID[1], "--reason", "again"); code != 2 || !strings.Contains(errOut, "already revoked") {
		t.Errorf("second revoke: %d %s", code, errOut)
	}
}

// TestIssuePublishVerify is the flow end to end through the CLI: a scheme
// owner accredits an issuer on the registry; the issuer's label publishes only
// after that; a hand-edited one never does; it then verifies offline and
// online.
func TestIssuePublishVerify(t *testing.T) {
	base := startDemoAsAdmin(t)
	dir := t.TempDir()
	issuer := filepath.Join(dir, "issuer")
	run(t, "keys", "generate", issuer)
	ld := filepath.Join(dir, "label")
	if code, _, errOut := run(t, "label", "issue", "--declaration", example("router-tier2"), "--as-of", asOf, "--key", issuer+".key",
		"--out", ld, "--registry-url", base); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, "label", "publish", ld, "--registry", base); code != 1 || !strings.Contains(errOut, "untrusted_signature") {
		t.Errorf("publish before accreditation: %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "trust", "add", "--registry", base, "--pubkey", issuer+".pub", "--holder", "Issuing Lab", "--role", "lab",
		"--schemes", "*", "--valid-from", "2026-01-01", "--valid-until", "2028-12-31"); code != 0 {
		t.Fatalf("trust add: %s%s", out, errOut)
	}
	code, out, errOut := run(t, "label", "publish", ld, "--registry", base)
	if code != 0 || !strings.Contains(out, "tier 2, ACTIVE") {
		t.Fatalf("publish: %d %s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "label", "verify", filepath.Join(ld, "label.json"), "--pubkey", issuer+".pub", "--registry", base); code != 0 || !strings.Contains(out, "says active") {
		t.Errorf("verify online: %d %s", code, out)
	}
	// The published label, held by the product, earns recognitions only while
	// the registry holds it active.
	if code, out, errOut := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--label", filepath.Join(ld, "label.json"), "--trust", base+"/v1/trust.yaml",
		"--label-registry", base, "--format", "json"); code != 0 || !strings.Contains(out, `"status": "earned"`) {
		t.Errorf("held label, active in the registry: %d %s", code, errOut)
	}
	// Offline with the registry's trust store: the issuer is entitled to every scheme.
	if code, out, _ := run(t, "label", "verify", filepath.Join(ld, "label.json"), "--trust", base+"/v1/trust.yaml"); code != 0 || !strings.HasPrefix(out, "ACTIVE") {
		t.Errorf("verify --trust: %d %s", code, out)
	}
	// A store that lets the issuer label UK PSTI only: the label claims more.
	narrow := writeTrust(t, dir, issuer, "Issuing Lab", "lab", "'*'")
	b, _ := os.ReadFile(narrow)
	os.WriteFile(narrow, []byte(strings.Replace(string(b), "    valid_from:", "    schemes: [uk-psti]\n    valid_from:", 1)), 0o644)
	if code, out, _ := run(t, "label", "verify", filepath.Join(ld, "label.json"), "--trust", narrow); code != 1 || !strings.Contains(out, "may not issue labels for scheme") {
		t.Errorf("verify --trust, issuer not entitled: %d %s", code, out)
	}
	// A label resting on evidence the registry never received (Tier 3 from
	// scan lines written by hand) does not match what the registry stored.
	forged := filepath.Join(dir, "forged.jsonl")
	os.WriteFile(forged, []byte(`{"kind":"tool","source":{"tool":"me"},"time":"2026-11-20T00:00:00Z","check":"sbom-present","result":"pass","detail":"trust me"}`+"\n"+
		`{"kind":"tool","source":{"tool":"me"},"time":"2026-11-20T00:00:00Z","check":"known-exploited-vulnerability","result":"pass","detail":"none","data":{"checked":9,"not_checked":0}}`+"\n"+
		`{"kind":"tool","source":{"tool":"me"},"time":"2026-11-20T00:00:00Z","check":"known-vulnerability","result":"pass","detail":"none","data":{"checked":9,"not_checked":0}}`+"\n"), 0o644)
	ld2 := filepath.Join(dir, "label2")
	if code, out, errOut := run(t, "label", "issue", "--declaration", example("router-tier2"), "--evidence", forged, "--as-of", asOf, "--key", issuer+".key", "--out", ld2, "--registry-url", base); code != 0 || !strings.Contains(out, "tier 3") {
		t.Fatalf("issue with evidence the registry never saw: %d %s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "label", "publish", ld2, "--registry", base); code != 1 || !strings.Contains(errOut, "claims_not_recomputed") {
		t.Errorf("publish of a label the registry cannot recompute: %d %s", code, errOut)
	}
}
