package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
)

// syncBuffer is the server's stderr, read by the test while it runs.
type syncBuffer = testenv.SyncBuffer

// startDemo runs serve --demo on db until the test ends and returns its base
// URL and its stderr; the server must exit cleanly when the test ends.
func startDemo(t *testing.T, db string) (string, *syncBuffer) {
	t.Helper()
	return startDemoArgs(t, db)
}

// bearer returns a client of the registry at base that sends token: each
// call makes a request and returns the status and body.
func bearer(t *testing.T, base, token string) func(method, path string, body []byte) (int, string) {
	return func(method, path string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}

// startDemoArgs is startDemo with more serve flags.
func startDemoArgs(t *testing.T, db string, more ...string) (string, *syncBuffer) {
	t.Helper()
	return startDemoAt(t, db, func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }, more...)
}

// startDemoAt is startDemoArgs with the registry's clock.
func startDemoAt(t *testing.T, db string, now func() time.Time, more ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errs := &syncBuffer{}
	e := &env{stdout: io.Discard, stderr: errs, now: now}
	done := make(chan int, 1)
	args := []string{"serve", "--demo", "--listen", "127.0.0.1:0"}
	if db != "" {
		args = append(args, "--db", db)
	}
	args = append(args, more...)
	go func() { done <- e.main(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d:\n%s", code, errs.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	for i := 0; i < 200; i++ {
		time.Sleep(50 * time.Millisecond)
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(errs.String()); m != nil {
			return m[1], errs
		}
	}
	t.Fatalf("server did not start:\n%s", errs.String())
	return "", nil
}

func TestServeDemo(t *testing.T) {
	testServeDemo(t, filepath.Join(t.TempDir(), "r.db"))
}

// TestServeDemoTwice: a newcomer runs the quick start twice on the same file.
func TestServeDemoTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	for i := 0; i < 2; i++ {
		t.Run("", func(t *testing.T) { testServeDemo(t, db) })
	}
}

// TestServeDemoFresh: serve --demo without --db uses a new temporary
// database, says where, and leaves nothing in the working directory; a second
// run starts from the same four labels, not eight.
func TestServeDemoFresh(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("IOTLABEL_DB", "")
	var first string
	for i := 0; i < 2; i++ {
		t.Run("", func(t *testing.T) {
			base, errs := startDemo(t, "")
			m := regexp.MustCompile(`demo database: (\S+)`).FindStringSubmatch(errs.String())
			if m == nil || m[1] == first {
				t.Fatalf("no new demo database named:\n%s", errs.String())
			}
			first = m[1]
			resp, err := http.Get(base + "/v1/labels")
			if err != nil {
				t.Fatal(err)
			}
			var ls struct{ Labels []struct{ ID string } }
			json.NewDecoder(resp.Body).Decode(&ls)
			resp.Body.Close()
			if len(ls.Labels) != 4 { // two of the six examples earn no label
				t.Errorf("demo run %d: %d labels, want 4", i+1, len(ls.Labels))
			}
		})
		if _, err := os.Stat(first); !os.IsNotExist(err) {
			t.Errorf("demo database %s left behind: %v", first, err)
		}
	}
	if ents, _ := os.ReadDir("."); len(ents) != 0 {
		t.Errorf("serve --demo wrote into the working directory: %v", ents)
	}
}

// TestServeHelpDefault: --help names the --db default once and never
// prints the value of $IOTLABEL_DB (it may hold a password).
func TestServeHelpDefault(t *testing.T) {
	t.Setenv("IOTLABEL_DB", "postgres://u:secret@127.0.0.1/x")
	code, out, errs := run(t, "serve", "--help")
	help := out + errs
	if code != 0 || strings.Contains(help, "secret") || strings.Count(help, "iotlabel.db") != 1 {
		t.Errorf("serve --help (exit %d):\n%s", code, help)
	}
}

func TestServeDemoPostgres(t *testing.T) {
	testServeDemo(t, pgtest.NewDB(t))
}

func testServeDemo(t *testing.T, db string) {
	base, errs := startDemo(t, db)
	resp, err := http.Get(base + "/v1/products")
	if err != nil {
		t.Fatal(err)
	}
	var ps struct{ Products []struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&ps)
	resp.Body.Close()
	if len(ps.Products) != 6 {
		t.Errorf("demo products: %+v", ps)
	}
	page := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +(\S+)`).FindStringSubmatch(errs.String())
	if page == nil || !strings.Contains(errs.String(), "no label for camera-contradiction") {
		t.Fatalf("demo labels:\n%s", errs.String())
	}
	resp, err = http.Get(page[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `Security updates until <span class="date">2033-01-31</span>`) {
		t.Errorf("consumer page: %d", resp.StatusCode)
	}
}

func TestRegistryClients(t *testing.T) {
	base, _ := startDemo(t, filepath.Join(t.TempDir(), "r.db"))
	code, out, _ := run(t, "sunsets", "--registry", base, "--within", "180d")
	if code != 0 || !regexp.MustCompile(`2027-03-31\s+at_risk\s+Ringway Devices Inc\.\s+RW-DB2`).MatchString(out) || !strings.Contains(out, "1 label(s)") {
		t.Errorf("sunsets: %d\n%s", code, out)
	}
	csvPath := filepath.Join(t.TempDir(), "models.csv")
	os.WriteFile(csvPath, []byte("sku,manufacturer,model,firmware\n1,Northgate Networks GmbH,NG-AX3000,4.2.1\n2,Brightlook Electronics Co.,BL-C100,\n3,Plugwise Home Ltd,PWM-2,2.1.1\n4,Plugwise Home Ltd,PWM-2,9.9\n"), 0o644)
	code, out, _ = run(t, "check", "--registry", base, "--market", "GB", csvPath)
	if code != 1 || !regexp.MustCompile(`BL-C100\s+any\s+GB\s+NOT_COVERED\s+no label of`).MatchString(out) ||
		!regexp.MustCompile(`PWM-2\s+9.9\s+GB\s+NOT_COVERED`).MatchString(out) || !strings.Contains(out, "2 of 4 product(s)") {
		t.Errorf("check GB: %d\n%s", code, out)
	}
	code, out, _ = run(t, "check", "--registry", base, "--market", "EU", "--tier", "2", csvPath)
	if code != 1 || !strings.Contains(out, "3 of 4 product(s) may not be sold in EU at tier 2") {
		t.Errorf("procurement check: %d\n%s", code, out)
	}
	os.WriteFile(csvPath, []byte("model\nNG-AX3000\n"), 0o644)
	if code, _, errs := run(t, "check", "--registry", base, "--market", "GB", csvPath); code != 2 || !strings.Contains(errs, "manufacturer and model") {
		t.Errorf("CSV without manufacturer: %d %s", code, errs)
	}
}
