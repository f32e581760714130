package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// TestTransparencyLog: a registry keeps its events in a transparency log; a
// mirror verifies it over HTTP and from a directory copy, checks that the
// log only grew, proves a label's events are in it, and catches tampering.
func TestTransparencyLog(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "log")
	if code, out, errs := run(t, "log", "keygen", "--origin", "registry.test/log", "--out", key); code != 0 {
		t.Fatalf("keygen: %d %s %s", code, out, errs)
	}
	if fi, err := os.Stat(key + ".skey"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("signing key mode: %v %v", fi.Mode(), err)
	}
	logDir := filepath.Join(dir, "tlog")
	base, errs := startDemoArgs(t, filepath.Join(dir, "r.db"), "--log", logDir, "--log-key", key+".skey")
	id := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +\S+/l/(\S+)`).FindStringSubmatch(errs.String())
	token := regexp.MustCompile(`demo admin token \(shown once\): (\S+)`).FindStringSubmatch(errs.String())
	if id == nil || token == nil {
		t.Fatalf("demo output:\n%s", errs.String())
	}
	cp1 := filepath.Join(dir, "cp1")
	// waitVerify verifies the served log until it holds n entries.
	waitVerify := func(n int, args ...string) string {
		t.Helper()
		var out, errOut string
		var code int
		for i := 0; i < 100; i++ {
			code, out, errOut = run(t, append([]string{"log", "verify", base + "/log/", "--key", key + ".vkey", "--format", "json"}, args...)...)
			var rep struct{ Size int }
			json.Unmarshal([]byte(out), &rep)
			if code == 0 && rep.Size == n {
				return out
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("log never verified at %d entries: %d %s %s", n, code, out, errOut)
		return ""
	}
	waitVerify(4, "--save", cp1) // four demo labels issued

	req, _ := http.NewRequest("POST", base+"/v1/labels/"+id[1]+"/revoke", bytes.NewReader([]byte(`{"reason":"transparency test"}`)))
	req.Header.Set("Authorization", "Bearer "+token[1])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	out := waitVerify(5, "--previous", cp1, "--label", id[1])
	if !strings.Contains(out, `"consistent_with_previous": true`) || strings.Count(out, `"proof_hashes"`) != 2 || !strings.Contains(out, `"status": "revoked"`) {
		t.Errorf("verify with previous checkpoint and label:\n%s", out)
	}
	// The registry's own inclusion proofs check out against its signed checkpoint.
	resp, err := http.Get(base + "/v1/labels/" + id[1] + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Checkpoint string
		Pending    int
		Entries    []struct {
			Index uint64
			Entry string
			Proof [][]byte
		}
	}
	json.NewDecoder(resp.Body).Decode(&pr)
	resp.Body.Close()
	vkey, _ := os.ReadFile(key + ".vkey")
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		t.Fatal(err)
	}
	cp, _, _, err := tlog.ParseCheckpoint([]byte(pr.Checkpoint), v.Name(), v)
	if err != nil || len(pr.Entries) != 2 || pr.Pending != 0 {
		t.Fatalf("proof response: %v %+v", err, pr)
	}
	for _, en := range pr.Entries {
		leaf := rfc6962.DefaultHasher.HashLeaf([]byte(en.Entry))
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, en.Index, cp.Size, leaf, en.Proof, cp.Hash); err != nil || !strings.Contains(en.Entry, id[1]) {
			t.Errorf("entry %d: %v", en.Index, err)
		}
	}
	_, text, _ := run(t, "log", "verify", logDir, "--key", key+".vkey", "--previous", cp1, "--label", id[1])
	if !strings.Contains(text, "consistent with the previous checkpoint") || strings.Count(text, "included: entry") != 2 {
		t.Errorf("verify the directory:\n%s", text)
	}

	// A mirror whose copy was edited fails.
	mirror := filepath.Join(dir, "mirror")
	if err := exec.Command("cp", "-r", logDir, mirror).Run(); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(mirror, "tile", "entries", "000.p", "5")
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bundle, bytes.Replace(b, []byte("revoked"), []byte("active!"), 1), 0o644)
	if code, _, errOut := run(t, "log", "verify", mirror, "--key", key+".vkey"); code != 1 || !strings.Contains(errOut, "altered") {
		t.Errorf("tampered mirror: exit %d %s", code, errOut)
	}
	// The private state of the log is not served.
	if resp, err := http.Get(base + "/log/.state/treeState"); err != nil || resp.StatusCode != 404 {
		t.Errorf("log state is served: %v %v", resp, err)
	}
}
