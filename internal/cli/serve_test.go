package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuffer) String() string               { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	e := &env{stdout: &out, stderr: &errs, now: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }}
	done := make(chan int, 1)
	go func() { done <- e.main(ctx, []string{"serve", "--demo", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "r.db")}) }()
	var base string
	for i := 0; i < 100 && base == ""; i++ {
		time.Sleep(50 * time.Millisecond)
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(errs.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("server did not start:\n%s", errs.String())
	}
	page := regexp.MustCompile(`router-tier2 +tier 2 ACTIVE +(\S+)`).FindStringSubmatch(errs.String())
	if page == nil || !strings.Contains(errs.String(), "no label for camera-contradiction") {
		t.Fatalf("demo labels:\n%s", errs.String())
	}
	resp, err := http.Get(page[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Security updates until 2033-01-31") {
		t.Errorf("consumer page: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
