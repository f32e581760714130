package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
)

// replica is one serve process of the test.
type replica struct {
	cmd     *exec.Cmd
	base    string
	mu      sync.Mutex
	leading bool
	dead    bool
}

func (r *replica) isLeading() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.leading && !r.dead }

func startReplica(t *testing.T, args []string) *replica {
	t.Helper()
	argv, _ := json.Marshal(args)
	r := &replica{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	r.cmd.Env = append(os.Environ(), "IOTLABEL_TEST_CHILD_ARGS="+string(argv))
	stderr, _ := r.cmd.StderrPipe()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill(); r.cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			r.base = m[1]
			break
		}
	}
	if r.base == "" {
		t.Fatal("a replica did not start")
	}
	go func() {
		for sc.Scan() {
			r.mu.Lock()
			switch {
			case strings.Contains(sc.Text(), "leading background work"):
				r.leading = true
			case strings.Contains(sc.Text(), "lost leadership"):
				r.leading = false
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func leaders(rs []*replica) []*replica {
	var out []*replica
	for _, r := range rs {
		if r.isLeading() {
			out = append(out, r)
		}
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplicasLeaderKilled: three serve processes share one PostgreSQL
// database and one transparency-log directory; exactly one leads the
// background work. A round-robin client publishes labels; the leader is
// killed with SIGKILL mid-burst. Another replica takes over; every
// acknowledged label is in the database, in the event feed (gapless, in
// order) and in the transparency log, which verifies.
func TestReplicasLeaderKilled(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDB(t)
	dir := t.TempDir()
	db, err := postgres.Open(ctx, postgres.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	const n = 240
	token, bodies, ids := burst(t, db, dir, "replicas", n)
	keys := filepath.Join(dir, "log")
	if code, _, stderr := run(t, "log", "keygen", "--origin", "iotlabel.test/replicas", "--out", keys); code != 0 {
		t.Fatal(stderr)
	}

	logDir := filepath.Join(dir, "tlog")
	args := []string{"serve", "--db", dsn, "--listen", "127.0.0.1:0", "--trust", filepath.Join(dir, "issuer.pub"),
		"--rate", "0", "--token-rate", "0", "--log", logDir, "--log-key", keys + ".skey"}
	var rs []*replica
	for range 3 {
		rs = append(rs, startReplica(t, args))
	}
	waitUntil(t, "a leader", func() bool { return len(leaders(rs)) == 1 })
	time.Sleep(1500 * time.Millisecond) // the others keep trying for the lock meanwhile
	if l := leaders(rs); len(l) != 1 {
		t.Fatalf("%d replicas lead at once", len(l))
	}
	first := leaders(rs)[0]

	var mu sync.Mutex
	acked := map[string]bool{}
	jobs := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 6 {
		wg.Go(func() {
			k := w
			for i := range jobs {
				r := rs[k%len(rs)] // round robin, the dead one included: its writes are simply not acknowledged
				k++
				req, _ := http.NewRequest("POST", r.base+"/v1/labels", bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					acked[ids[i]] = true
					mu.Unlock()
				}
			}
		})
	}
	for i := range bodies {
		mu.Lock()
		done := len(acked)
		mu.Unlock()
		if done >= n/3 && !first.dead {
			syscall.Kill(first.cmd.Process.Pid, syscall.SIGKILL)
			first.mu.Lock()
			first.dead = true
			first.mu.Unlock()
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if !first.dead || len(acked) <= n/3 {
		t.Fatalf("the kill did not land mid-burst: %d of %d acknowledged", len(acked), n)
	}
	waitUntil(t, "a new leader", func() bool { l := leaders(rs); return len(l) == 1 && l[0] != first })
	alive := leaders(rs)[0]

	// The feed: every acknowledged label has its issued event, numbered 1..N without a gap.
	var events []store.Event
	for since := int64(0); ; {
		var page struct {
			Events []store.Event `json:"events"`
		}
		resp, err := client.Get(fmt.Sprintf("%s/v1/events?since=%d&limit=1000", alive.base, since))
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if len(page.Events) == 0 {
			break
		}
		events = append(events, page.Events...)
		since = page.Events[len(page.Events)-1].Seq
	}
	issued := map[string]bool{}
	for i, ev := range events {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has sequence number %d: the feed has a gap or is out of order", i+1, ev.Seq)
		}
		if ev.Kind == "issued" {
			issued[ev.LabelID] = true
		}
	}
	for id := range acked {
		if !issued[id] {
			t.Errorf("acknowledged label %s is not in the event feed", id)
		}
		if resp, err := client.Get(alive.base + "/v1/labels/" + id); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("acknowledged label %s is not in the database: %v", id, err)
		} else {
			resp.Body.Close()
		}
	}

	// The transparency log, kept by whichever replica leads, catches up with
	// every event and verifies.
	var rep struct{ Size int }
	waitUntil(t, "the transparency log to hold every event", func() bool {
		code, out, _ := run(t, "log", "verify", logDir, "--key", keys+".vkey", "--format", "json")
		return code == 0 && json.Unmarshal([]byte(out), &rep) == nil && rep.Size == len(events)
	})
	if code, out, stderr := run(t, "log", "verify", logDir, "--key", keys+".vkey"); code != 0 {
		t.Errorf("log verify: %s %s", out, stderr)
	}
	t.Logf("leader killed after at least %d acknowledged writes; %d acknowledged in all, %d events, log of %d entries verified",
		n/3, len(acked), len(events), rep.Size)
}
