package translog_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/translog"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
)

// events is a hand-written event source for the unit tests.
type events []store.Event

func (e *events) list(_ context.Context, since int64, limit int) ([]store.Event, error) {
	var out []store.Event
	for _, ev := range *e {
		if ev.Seq > since && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (e *events) add(n int) {
	for i := 0; i < n; i++ {
		seq := int64(len(*e) + 1)
		if seq > 5 {
			seq += 3 // sequences may have gaps (PostgreSQL)
		}
		id := "IL-" + string(rune('A'+len(*e)%26))
		*e = append(*e, store.Event{Seq: seq, Time: time.Unix(1.8e9+seq, 0).UTC(), LabelID: id, Kind: "status", Status: "active", Reason: "test"})
	}
}

func newLog(t *testing.T) (*translog.Log, string, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "registry.test/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	dir := t.TempDir()
	l, err := translog.Open(context.Background(), dir, signer, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	return l, dir, verifier
}

// verifyWhenSize verifies the log once its checkpoint covers n entries.
func verifyWhenSize(t *testing.T, dir string, v note.Verifier, n uint64, opt translog.Options) *translog.Report {
	t.Helper()
	var rep *translog.Report
	var err error
	for i := 0; i < 100; i++ {
		rep, err = translog.Verify(context.Background(), client.FileFetcher{Root: dir}, v, opt)
		if err == nil && rep.Size == n {
			return rep
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("log never verified at size %d: %+v, %v", n, rep, err)
	return nil
}

func TestSyncVerifyAndTamper(t *testing.T) {
	ctx := context.Background()
	l, dir, v := newLog(t)
	var evs events
	evs.add(300) // more than one entry bundle
	if n, err := l.Sync(ctx, evs.list); err != nil || n != 300 {
		t.Fatalf("Sync: %d, %v", n, err)
	}
	first := verifyWhenSize(t, dir, v, 300, translog.Options{})

	// Syncing again appends nothing; new events are appended after a gap in sequence numbers.
	if n, err := l.Sync(ctx, evs.list); err != nil || n != 0 {
		t.Fatalf("second Sync: %d, %v", n, err)
	}
	evs.add(7)
	if n, err := l.Sync(ctx, evs.list); err != nil || n != 7 {
		t.Fatalf("third Sync: %d, %v", n, err)
	}
	rep := verifyWhenSize(t, dir, v, 307, translog.Options{Previous: first.Checkpoint, LabelID: "IL-C"})
	if !rep.Consistent || len(rep.Inclusions) != 12 || rep.Events["status"] != 307 {
		t.Errorf("report: consistent=%v inclusions=%d events=%v", rep.Consistent, len(rep.Inclusions), rep.Events)
	}

	// Flip one byte of an entry: the root no longer matches the signed checkpoint.
	bundle := filepath.Join(dir, "tile", "entries", "000")
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"test"`)
	b[i+1] = 'b'
	os.WriteFile(bundle, b, 0o644)
	if _, err := translog.Verify(ctx, client.FileFetcher{Root: dir}, v, translog.Options{}); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("tampered entry: %v", err)
	}
}

// TestForkIsDetected: a log signed by the same key whose history differs
// from a checkpoint seen earlier fails the consistency check.
func TestForkIsDetected(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := note.GenerateKey(rand.Reader, "registry.test/log")
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	build := func(evs events) string {
		dir := t.TempDir()
		l, err := translog.Open(ctx, dir, signer, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close(ctx) })
		if _, err := l.Sync(ctx, evs.list); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	var honest events
	honest.add(3)
	prev := verifyWhenSize(t, build(honest), v, 3, translog.Options{})

	forked := append(events{}, honest...)
	forked[1].Reason = "history rewritten"
	forked.add(2)
	dir := build(forked)
	verifyWhenSize(t, dir, v, 5, translog.Options{}) // fine on its own
	_, err := translog.Verify(ctx, client.FileFetcher{Root: dir}, v, translog.Options{Previous: prev.Checkpoint})
	if err == nil || !strings.Contains(err.Error(), "history was rewritten") {
		t.Fatalf("a rewritten history was not detected: %v", err)
	}
}
