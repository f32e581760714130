package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/store/sqlstore"
)

// TestMain lets the crash test run the CLI in a child process of this test
// binary, so it can be killed with SIGKILL.
func TestMain(m *testing.M) {
	if args := os.Getenv("IOTLABEL_TEST_CHILD_ARGS"); args != "" {
		var argv []string
		json.Unmarshal([]byte(args), &argv)
		os.Exit(Main(context.Background(), argv, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestCrashSafety kills the registry with SIGKILL during a burst of writes:
// after a restart every acknowledged label is there, and the labels and the
// event log agree exactly (nothing half-written is visible).
func TestCrashSafety(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "r.db")
	db, err := sqlite.Open(ctx, sqlite.Config{Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	token, bodies, ids := burst(t, db, dir, "crash", n)

	args, _ := json.Marshal([]string{"serve", "--db", dbPath, "--listen", "127.0.0.1:0", "--trust", filepath.Join(dir, "issuer.pub"),
		"--rate", "0", "--token-rate", "0"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IOTLABEL_TEST_CHILD_ARGS="+string(args))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := ""
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if base == "" {
		t.Fatal("server did not start")
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	jobs := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				req, _ := http.NewRequest("POST", base+"/v1/labels", bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died mid-request: not acknowledged
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					acked[ids[i]] = true
					mu.Unlock()
				}
			}
		}()
	}
	killed := false
	for i := range bodies {
		mu.Lock()
		done := len(acked)
		mu.Unlock()
		if done >= n/3 && !killed {
			syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			killed = true
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	cmd.Process.Kill() // in case the burst ended before the kill landed
	cmd.Wait()
	if !killed || len(acked) == 0 || len(acked) == n {
		t.Fatalf("the kill did not land mid-burst: killed=%v, %d of %d acknowledged", killed, len(acked), n)
	}

	db, err = sqlite.Open(ctx, sqlite.Config{Path: dbPath})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer db.Close()
	labels, err := db.Labels(ctx, store.LabelQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, l := range labels {
		stored[l.ID] = true
	}
	for id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged label %s lost in the crash", id)
		}
	}
	events, _ := db.Events(ctx, 0, 10000)
	evLabels := map[string]int{}
	for _, e := range events {
		evLabels[e.LabelID]++
	}
	if len(events) != len(labels) {
		t.Errorf("%d events for %d labels", len(events), len(labels))
	}
	for id := range stored {
		if evLabels[id] != 1 {
			t.Errorf("label %s has %d issued events", id, evLabels[id])
		}
	}
	t.Logf("killed after %d acknowledged writes; %d labels stored, all acknowledged ones present", len(acked), len(labels))
}

// burst prepares a registry for a burst of writes: it registers the router
// example's maker, product and declaration (the registry publishes only
// labels it recomputes), mints a lab token, writes the issuer's public key
// to dir/issuer.pub, closes db, and pre-signs n distinct labels (one
// assessment, different issue times) as publish bodies.
func burst(t *testing.T, db *sqlstore.DB, dir, tokenName string, n int) (token string, bodies [][]byte, ids []string) {
	t.Helper()
	ctx := context.Background()
	pub, priv, _ := label.GenerateKey(nil)
	cat, _ := catalog.Default()
	svc, err := registry.New(registry.Config{Store: db, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if token, _, err = svc.CreateToken(ctx, registry.RoleLab, "Lab", tokenName); err != nil {
		t.Fatal(err)
	}
	admin := registry.Actor{Role: registry.RoleAdmin, Org: "Registry"}
	decl, _ := os.ReadFile(example("router-tier2"))
	org, err := svc.CreateOrg(ctx, admin, "Northgate Networks GmbH", registry.RoleManufacturer)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := svc.CreateProduct(ctx, admin, org.ID, "NG-AX3000", "router")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitDeclaration(ctx, admin, prod.ID, decl, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	pubPEM, _ := label.MarshalPublicKey(pub)
	os.WriteFile(filepath.Join(dir, "issuer.pub"), pubPEM, 0o644)
	assessment := assessExample(t, "router-tier2")
	bodies, ids = make([][]byte, n), make([]string, n)
	for i := range bodies {
		st, err := label.NewStatement(assessment, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: time.Date(2026, 11, 22, 0, 0, i, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		env, _ := label.Sign(ctx, st, priv)
		bodies[i], _ = json.Marshal(map[string]any{"envelope": json.RawMessage(env)})
		ids[i] = st.Predicate.LabelID
	}
	return token, bodies, ids
}
