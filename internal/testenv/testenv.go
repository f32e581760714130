// Package testenv holds the one rule for tests that need something outside the
// repository (the shared data directory, a server): on a developer's machine
// they skip when it is missing, but in CI (IOTLABEL_INTEGRATION=1) a missing
// dependency fails the test instead.
package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Integration reports whether missing dependencies must fail tests.
func Integration() bool { return os.Getenv("IOTLABEL_INTEGRATION") == "1" }

// Require skips (or, in CI, fails) the test when ok is false.
func Require(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if Integration() {
		t.Fatalf("%s is missing, and IOTLABEL_INTEGRATION=1 makes that a failure", what)
	}
	t.Skipf("%s is missing; skipping (set IOTLABEL_INTEGRATION=1 to fail instead)", what)
}

// SharedData returns the path of ../shared/data next to the repository, for
// tests that read the shared fixtures in place (GPL-licensed ones must never be
// copied into the repository).
func SharedData(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	st, err := os.Stat(dir)
	Require(t, err == nil && st.IsDir(), "the shared data directory "+dir)
	return dir
}

// SyncBuffer is a bytes.Buffer that a server or sweeping goroutine writes
// while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
