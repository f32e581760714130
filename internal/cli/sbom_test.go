package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// vulnDB imports the shared OSV, NVD and KEV data and the example VEX into a
// fresh database through the CLI, and returns its path.
func vulnDB(t *testing.T) string {
	t.Helper()
	data := testenv.SharedData(t)
	db := filepath.Join(t.TempDir(), "v.db")
	code, out, errs := run(t, "vulndb", "import", "--db", db, filepath.Join(data, "osv-oss-fuzz-iot", "vulns"), filepath.Join(data, "nvd-iot-slice"),
		filepath.Join(data, "cisa-kev", "known_exploited_vulnerabilities.json"), filepath.Join("..", "..", "vuln", "testdata", "vex-dnsmasq.csaf.json"))
	if code != 0 || !strings.Contains(out, "506 advisories added") || !strings.Contains(out, "1404 KEV entries") || !strings.Contains(out, "2 VEX statements") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	return db
}

func TestVulndbImportIsAllOrNothing(t *testing.T) {
	db := vulnDB(t)
	// Importing the same data again changes nothing.
	data := testenv.SharedData(t)
	if code, out, _ := run(t, "vulndb", "import", "--db", db, filepath.Join(data, "nvd-iot-slice")); code != 0 || !strings.Contains(out, "0 advisories added, 0 updated, 93 unchanged") {
		t.Errorf("re-import: %d %s", code, out)
	}
	// A bad file stops the import and stores nothing of it.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"id":"OSV-2099-1","modified":"2099-01-01T00:00:00Z","affected":[]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"id":"OSV-2099-2","modified":"not a time","affected":[]}`), 0o644)
	code, _, errs := run(t, "vulndb", "import", "--db", db, dir)
	if code != 2 || !strings.Contains(errs, "nothing was stored") || !strings.Contains(errs, "b.json") {
		t.Errorf("bad import: %d %s", code, errs)
	}
	code, out, _ := run(t, "vulndb", "status", "--db", db, "--format", "json")
	var st []struct {
		Source  string `json:"source"`
		Records int    `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatal(out, err)
	}
	for _, s := range st {
		if s.Source == "osv" && s.Records != 413 {
			t.Errorf("osv records = %d after a failed import, want 413", s.Records)
		}
	}
}

func TestSBOMScan(t *testing.T) {
	db := vulnDB(t)
	manifest := filepath.Join(testenv.SharedData(t), "sbom", "buildroot-laird-som60", "manifest.csv")
	code, out, _ := run(t, "sbom", "scan", manifest, "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("scan: exit %d", code)
	}
	var rep struct {
		Components int `json:"components"`
		Findings   []struct {
			Component      string   `json:"component"`
			Version        string   `json:"version"`
			Vulnerability  string   `json:"vulnerability"`
			Aliases        []string `json:"aliases"`
			Severity       struct{ Level string }
			KnownExploited bool   `json:"known_exploited"`
			FixedIn        string `json:"fixed_in"`
			Source         string `json:"source"`
		} `json:"findings"`
		Suppressed []struct {
			Finding struct {
				Vulnerability string `json:"vulnerability"`
			} `json:"finding"`
		} `json:"suppressed"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range rep.Findings {
		got[f.Component+" "+f.Vulnerability] = true
		if f.Source == "" || f.Severity.Level == "" {
			t.Errorf("finding without source or severity: %+v", f)
		}
	}
	for _, want := range []string{"dnsmasq CVE-2023-28450", "dropbear CVE-2018-15599", "libopenssl CVE-2021-3449", "libcurl CVE-2023-38545", "busybox CVE-2022-48174"} {
		if !got[want] {
			t.Errorf("missing %s", want)
		}
	}
	for _, not := range []string{"dnsmasq CVE-2020-25681", "libopenssl CVE-2020-1971", "libcurl CVE-2020-8286", "dnsmasq CVE-2021-3448", "busybox CVE-2019-5747"} {
		if got[not] {
			t.Errorf("unexpected %s (outside its range, or suppressed by VEX)", not)
		}
	}
	if rep.Components != 92 || len(rep.Suppressed) != 2 {
		t.Errorf("components %d, suppressed %d", rep.Components, len(rep.Suppressed))
	}
	if code, _, errs := run(t, "sbom", "scan", manifest, "--db", db, "--fail-on", "critical"); code != 1 || !strings.Contains(errs, "critical") {
		t.Errorf("--fail-on critical: exit %d %s", code, errs)
	}
	code, out, _ = run(t, "sbom", "scan", manifest, "--db", db, "--format", "sarif")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); code != 0 || err != nil || sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != len(rep.Findings) {
		t.Errorf("SARIF: exit %d, %v, %+v", code, err, sarif.Version)
	}
	code, out, _ = run(t, "sbom", "scan", manifest, "--db", db, "--format", "cyclonedx-vex")
	if code != 0 || !strings.Contains(out, `"specVersion": "1.6"`) || !strings.Contains(out, `"state": "not_affected"`) || !strings.Contains(out, `"justification": "code_not_reachable"`) {
		t.Errorf("CycloneDX VEX: exit %d", code)
	}
}

// The whole Tier 3 path: scan the router's SBOM into evidence, then assess.
func TestSBOMEvidenceReachesTier3(t *testing.T) {
	db := vulnDB(t)
	ev := filepath.Join(t.TempDir(), "ev.jsonl")
	if code, _, errs := run(t, "sbom", "scan", filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json"), "--db", db,
		"--format", "evidence", "--product", "NG-AX3000", "--firmware", "4.2.1", "--out", ev); code != 0 {
		t.Fatalf("scan: %s", errs)
	}
	code, out, errs := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--evidence", ev, "--require-tier", "3")
	if code != 0 || !strings.Contains(out, "TIER 3") {
		t.Errorf("assess with SBOM evidence: exit %d\n%s%s", code, out, errs)
	}
	// The Buildroot manifest's critical findings keep a product below Tier 3.
	manifest := filepath.Join(testenv.SharedData(t), "sbom", "buildroot-laird-som60", "manifest.csv")
	if code, _, errs := run(t, "sbom", "scan", manifest, "--db", db, "--format", "evidence", "--product", "NG-AX3000", "--out", ev); code != 0 {
		t.Fatalf("scan: %s", errs)
	}
	code, out, _ = run(t, "assess", example("router-tier2"), "--as-of", asOf, "--evidence", ev, "--format", "json")
	if code != 0 || !strings.Contains(out, `"tier": 2`) || !strings.Contains(out, "CVE-2021-20231 in gnutls 3.6.15") {
		t.Errorf("assess with critical findings: exit %d", code)
	}
}

// TestSignedScanEvidence: sbom scan --sign-key writes a signed attestation
// that evidence verify checks and assess reads; a tool operator the trust
// store holds is named as the signer.
func TestSignedScanEvidence(t *testing.T) {
	db := vulnDB(t)
	dir := t.TempDir()
	op := filepath.Join(dir, "operator")
	run(t, "keys", "generate", op)
	ev := filepath.Join(dir, "scan.dsse.json")
	if code, _, errs := run(t, "sbom", "scan", filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json"), "--db", db,
		"--format", "evidence", "--product", "NG-AX3000", "--firmware", "4.2.1", "--sign-key", op+".key", "--manufacturer", "Northgate Networks GmbH", "--out", ev); code != 0 {
		t.Fatalf("signed scan: %s", errs)
	}
	ts := writeTrust(t, dir, op, "Northgate QA", "tool_operator", "'*'")
	if code, out, errs := run(t, "evidence", "verify", ev, "--trust", ts); code != 0 || !strings.Contains(out, "signature by Northgate QA (tool_operator") ||
		!strings.Contains(out, "iotlabel:product/Northgate Networks GmbH/NG-AX3000@4.2.1") {
		t.Errorf("verify signed scan: %d %s%s", code, out, errs)
	}
	code, out, _ := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--evidence", ev, "--trust", ts, "--format", "json")
	if code != 0 || !strings.Contains(out, `"tier": 3`) || !strings.Contains(out, `"signer": "Northgate QA (`) {
		t.Errorf("assess with signed scan: exit %d\n%.300s", code, out)
	}
	if code, _, errs := run(t, "sbom", "scan", filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json"), "--db", db, "--sign-key", op+".key"); code != 2 || !strings.Contains(errs, "--format evidence") {
		t.Errorf("--sign-key without --format evidence: %d %s", code, errs)
	}
}

func TestFromBuildroot(t *testing.T) {
	manifest := filepath.Join(testenv.SharedData(t), "sbom", "buildroot-laird-som60", "manifest.csv")
	out := filepath.Join(t.TempDir(), "sbom.json")
	if code, _, errs := run(t, "sbom", "from-buildroot", manifest, "--name", "SOM60", "--version", "7.0.0.430", "--out", out); code != 0 {
		t.Fatal(errs)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `"name": "dnsmasq"`) || !strings.Contains(string(b), `"specVersion": "1.6"`) {
		t.Errorf("CycloneDX from Buildroot lacks expected content")
	}
	// Read back with the CycloneDX library: a serial number, a purl on every
	// component, Buildroot's own CPE where it has one, and licenses that are
	// valid SPDX expressions or else names.
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(b), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("serialNumber %q", bom.SerialNumber)
	}
	cpes := 0
	for _, c := range *bom.Components {
		if !strings.HasPrefix(c.PackageURL, "pkg:generic/"+c.Name+"@") {
			t.Errorf("%s: purl %q", c.Name, c.PackageURL)
		}
		if c.CPE != "" {
			cpes++
		}
		if c.Licenses != nil {
			for _, l := range *c.Licenses {
				if l.Expression != "" {
					if _, ok := sbom.SPDXExpression(l.Expression); !ok {
						t.Errorf("%s: invalid expression %q", c.Name, l.Expression)
					}
				} else if l.License == nil || l.License.Name == "" {
					t.Errorf("%s: license neither expression nor name", c.Name)
				}
			}
		}
		if c.Name == "busybox" && c.CPE != "cpe:2.3:a:busybox:busybox:1.29.3:*:*:*:*:*:*:*" {
			t.Errorf("busybox CPE %q, want Buildroot's vendor and product at the manifest's version", c.CPE)
		}
	}
	if cpes < 20 {
		t.Errorf("only %d of %d components got a CPE", cpes, len(*bom.Components))
	}
	if code, _, errs := run(t, "sbom", "from-buildroot", filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json")); code != 2 || !strings.Contains(errs, "not a Buildroot manifest") {
		t.Errorf("non-manifest: %d %s", code, errs)
	}
}

// osv-scanner's Alpine fixture: its apk packages are distribution packages and
// the shared data holds no Alpine advisories, so they are reported as not
// checked (never matched by upstream version); syft's busybox binary component
// carries a CPE and is matched against the NVD.
func TestAlpineFixture(t *testing.T) {
	db := vulnDB(t)
	fixture := filepath.Join(testenv.SharedData(t), "sbom", "osv-scanner-fixtures", "alpine.cdx.xml")
	code, out, _ := run(t, "sbom", "scan", fixture, "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		NotChecked []struct{ Component, Reason string } `json:"not_checked"`
		Findings   []struct{ Component string }         `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	alpine := 0
	for _, g := range rep.NotChecked {
		if strings.Contains(g.Reason, "no Alpine:v3.17 advisories") {
			alpine++
		}
	}
	if alpine != 14 {
		t.Errorf("%d apk packages reported as not covered, want 14: %+v", alpine, rep.NotChecked)
	}
	for _, f := range rep.Findings {
		if f.Component != "busybox" {
			t.Errorf("unexpected finding for %s", f.Component)
		}
	}
}

// TestStaleDataIsLoud: the shared KEV catalog is months old on the tests'
// date: vulndb status shows its age and says it is stale; a scan warns, and
// its JSON names each source's age; the limits are the user's to set.
func TestStaleDataIsLoud(t *testing.T) {
	db := vulnDB(t)
	code, out, _ := run(t, "vulndb", "status", "--db", db)
	if code != 0 || !regexp.MustCompile(`(?m)^kev\s+\d+\s+catalog \S+\s+\d+ days`).MatchString(out) || !strings.Contains(out, "STALE: kev data is") {
		t.Errorf("vulndb status:\n%s", out)
	}
	sbomPath := filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json")
	code, out, errs := run(t, "sbom", "scan", sbomPath, "--db", db, "--format", "json")
	var rep struct {
		DataAge map[string]int `json:"data_age_days"`
		Stale   []string       `json:"stale_data"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.DataAge["kev"] < 30 || len(rep.Stale) == 0 || !strings.Contains(errs, "warning: kev data is") {
		t.Errorf("scan: exit %d, %+v, %v, stderr %s", code, rep, err, errs)
	}
	if _, _, errs := run(t, "sbom", "scan", sbomPath, "--db", db, "--max-kev-age", "100y", "--max-age", "100y"); strings.Contains(errs, "warning") {
		t.Errorf("warnings past generous limits: %s", errs)
	}
	// firmware scan says the same about the data it matched with.
	img := firmwareImage(t)
	_, out, errs = run(t, "firmware", "scan", img, "--db", db, "--format", "json")
	rep.DataAge, rep.Stale = nil, nil
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.DataAge["kev"] < 30 || len(rep.Stale) == 0 || !strings.Contains(errs, "warning: kev data is") {
		t.Errorf("firmware scan: %+v, %v, stderr %s", rep, err, errs)
	}
}

// TestVEXAndSARIFForDownstreamTools: the CycloneDX VEX output passes the
// official CycloneDX 1.6 JSON schema (shipped in the cyclonedx-go module),
// gives every entry an analysis state, and names affected components by
// BOM-Link into the input SBOM; SARIF locates results by file:// URI with a
// region.
func TestVEXAndSARIFForDownstreamTools(t *testing.T) {
	db := vulnDB(t)
	sbomPath := filepath.Join("..", "..", "examples", "router-tier2", "sbom.cdx.json")
	code, out, errs := run(t, "sbom", "scan", sbomPath, "--db", db, "--format", "cyclonedx-vex")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	schemaPath := filepath.Join(strings.TrimSpace(string(dir)), "schema", "bom-1.6.schema.json")
	c := jsonschema.NewCompiler()
	// The schema's references to its two companions, served from the same
	// directory instead of the network.
	for url, file := range map[string]string{"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
		"http://cyclonedx.org/schema/spdx.schema.json": "spdx.schema.json"} {
		f, err := os.Open(filepath.Join(filepath.Dir(schemaPath), file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil || c.AddResource(url, doc) != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("the VEX output fails the CycloneDX 1.6 schema: %v", err)
	}
	var bom struct {
		Vulnerabilities []struct {
			ID       string
			Analysis *struct{ State string }
			Affects  []struct{ Ref string }
		}
	}
	json.Unmarshal([]byte(out), &bom)
	if len(bom.Vulnerabilities) == 0 {
		t.Fatal("no vulnerabilities in the VEX output")
	}
	for _, v := range bom.Vulnerabilities {
		if v.Analysis == nil || v.Analysis.State == "" {
			t.Errorf("%s has no analysis state", v.ID)
		}
		for _, a := range v.Affects {
			link, err := cdx.ParseBOMLink(a.Ref)
			if err != nil || link.SerialNumber() != "urn:uuid:5b0b1e2c-7d1e-4d7a-9f8e-2f3c7a6d4e10" || link.Reference() == "" {
				t.Errorf("%s affects %q: not a BOM-Link into the input SBOM (%v)", v.ID, a.Ref, err)
			}
		}
	}

	_, out, _ = run(t, "sbom", "scan", sbomPath, "--db", db, "--format", "sarif")
	var sarif struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	json.Unmarshal([]byte(out), &sarif)
	for _, r := range sarif.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		if !strings.HasPrefix(l.ArtifactLocation.URI, "file:///") || !strings.HasSuffix(l.ArtifactLocation.URI, "/examples/router-tier2/sbom.cdx.json") || l.Region.StartLine != 1 {
			t.Errorf("SARIF location %+v", l)
		}
	}
}

// TestSBOMScanWithoutDatabase: sbom scan --osv reads the same files the
// database was built from and reports exactly what the database scan
// reports, in every format, with the data's age; misuse and broken inputs
// get clear errors.
func TestSBOMScanWithoutDatabase(t *testing.T) {
	data := testenv.SharedData(t)
	db := vulnDB(t)
	inputs := []string{"--osv", filepath.Join(data, "osv-oss-fuzz-iot", "vulns"), "--osv", filepath.Join(data, "nvd-iot-slice"),
		"--osv", filepath.Join(data, "cisa-kev", "known_exploited_vulnerabilities.json"), "--osv", filepath.Join("..", "..", "vuln", "testdata", "vex-dnsmasq.csaf.json")}
	manifest := filepath.Join(data, "sbom", "buildroot-laird-som60", "manifest.csv")
	for _, format := range []string{"json", "text", "sarif", "cyclonedx-vex", "evidence"} {
		args := []string{"sbom", "scan", manifest, "--format", format}
		code1, fromDB, _ := run(t, append(args, "--db", db)...)
		code2, direct, errs := run(t, append(args, inputs...)...)
		if format == "evidence" { // items carry their time: compare the verdict-bearing lines only
			fromDB, direct = regexp.MustCompile(`"time":"[^"]*"`).ReplaceAllString(fromDB, ""), regexp.MustCompile(`"time":"[^"]*"`).ReplaceAllString(direct, "")
		}
		if code1 != 0 || code2 != 0 || fromDB != direct {
			t.Errorf("--format %s: --db exit %d, --osv exit %d (%s); outputs differ:\n--db:\n%.2000s\n--osv:\n%.2000s", format, code1, code2, errs, fromDB, direct)
		}
		if format == "json" && !regexp.MustCompile(`"kev": \d+`).MatchString(direct) {
			t.Errorf("--osv output does not say how old the KEV catalog is:\n%.1000s", direct)
		}
	}
	if code, _, errs := run(t, "sbom", "scan", manifest, "--db", db, inputs[0], inputs[1]); code != 2 || !strings.Contains(errs, "give one") {
		t.Errorf("--db with --osv: exit %d, %s", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.zip")
	if err := os.WriteFile(bad, []byte("PK\x03\x04 not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, "sbom", "scan", manifest, "--osv", bad); code != 2 || !strings.Contains(errs, "bad.zip") || out != "" {
		t.Errorf("broken zip: exit %d, stdout %q, stderr %s", code, out, errs)
	}
}

// TestEUVDAndCSAFAdvisories: EUVD records and a CSAF security advisory are
// imported by content like the other sources; a scan, from the database or
// straight from the files, reports the advisory's flaw as known exploited
// on EUVD's word, and says how old the EUVD data is.
func TestEUVDAndCSAFAdvisories(t *testing.T) {
	dir := t.TempDir()
	sbomPath := filepath.Join(dir, "gw.cdx.json")
	if err := os.WriteFile(sbomPath, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
		{"type":"application","name":"gateway-agent","version":"1.2.4","cpe":"cpe:2.3:a:example-iot:gateway_agent:1.2.4:*:*:*:*:*:*:*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	csaf, euvd := filepath.Join("..", "..", "vuln", "testdata", "csaf-advisory-gateway.json"), filepath.Join("..", "..", "vuln", "testdata", "euvd-page.json")
	db := filepath.Join(dir, "v.db")
	if code, out, errs := run(t, "vulndb", "import", "--db", db, csaf, euvd); code != 0 || !strings.Contains(out, "2 advisories added") || !strings.Contains(out, "0 KEV entries; 1 EUVD exploited entries") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := run(t, "vulndb", "status", "--db", db); code != 0 || !regexp.MustCompile(`(?m)^euvd\s+1\b`).MatchString(out) || !regexp.MustCompile(`(?m)^csaf\s+3\b`).MatchString(out) {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	for name, src := range map[string][]string{"--db": {"--db", db}, "--osv": {"--osv", csaf, "--osv", euvd}} {
		code, out, errs := run(t, append([]string{"sbom", "scan", sbomPath, "--format", "json", "--max-age", "100y", "--max-kev-age", "100y"}, src...)...)
		var rep struct {
			Findings []struct {
				Vulnerability  string                                  `json:"vulnerability"`
				KnownExploited bool                                    `json:"known_exploited"`
				KEV            struct{ Source, CatalogVersion string } `json:"kev"`
			} `json:"findings"`
			DataAge map[string]int `json:"data_age_days"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
			t.Fatalf("%s: exit %d, %v\n%s", name, code, err, errs)
		}
		if len(rep.Findings) != 2 || rep.Findings[0].Vulnerability != "CVE-2099-0001" || !rep.Findings[0].KnownExploited ||
			rep.Findings[0].KEV.Source != "euvd" || rep.Findings[1].KnownExploited {
			t.Errorf("%s: findings %+v", name, rep.Findings)
		}
		if _, ok := rep.DataAge["euvd"]; !ok {
			t.Errorf("%s: no EUVD age in %v", name, rep.DataAge)
		}
		_, text, _ := run(t, append([]string{"sbom", "scan", sbomPath, "--max-age", "100y", "--max-kev-age", "100y"}, src...)...)
		if !strings.Contains(text, "KNOWN EXPLOITED (EUVD-2099-0001, exploited since 2026-10-05)") {
			t.Errorf("%s: text output:\n%s", name, text)
		}
	}
}
