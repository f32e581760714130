package probe

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// TestParallelSessions: logins to a slow device go out on several
// connections at once (at most Sessions), yet the credential reported is the
// first of the list that works, as one session at a time would find it.
func TestParallelSessions(t *testing.T) {
	var now, most atomic.Int32
	target := webTarget(t, func(w http.ResponseWriter, r *http.Request) {
		n := now.Add(1)
		defer now.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		u, p, ok := r.BasicAuth()
		if ok && (u == "u5" && p == "p5" || u == "u8" && p == "p8") {
			w.Write([]byte("welcome"))
			return
		}
		if ok {
			time.Sleep(150 * time.Millisecond) // a device that makes a wrong password wait
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	creds := numbered(12)
	for _, sessions := range []int{1, 3} {
		most.Store(0)
		r := scanOne(t, &Scanner{Timeout: 2 * time.Second, Credentials: creds, Sessions: sessions}, target)
		var f *Finding
		for i := range r.Findings {
			if r.Findings[i].Check == "default-credentials" {
				f = &r.Findings[i]
			}
		}
		if f == nil || f.Result != evidence.Fail || f.Username != "u5" {
			t.Fatalf("sessions %d: %+v", sessions, r.Findings)
		}
		if m := most.Load(); m > int32(sessions) || (sessions > 1 && m < 2) {
			t.Errorf("sessions %d: at most %d requests at once", sessions, m)
		}
	}
}

// TestSlowdownBacksOff: a device that serialises logins (one at a time,
// 100 ms each) answers parallel sessions ever more slowly; the sweep sees
// its logins take over twice as long as the control logins did and goes on
// one at a time, saying so, and still reports the first credential that
// works.
func TestSlowdownBacksOff(t *testing.T) {
	var gate sync.Mutex
	var inFlight atomic.Int32
	var seenMu sync.Mutex
	var seen []int32 // logins in flight as each arrives
	target := webTarget(t, func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		seenMu.Lock()
		seen = append(seen, n)
		seenMu.Unlock()
		gate.Lock()
		time.Sleep(100 * time.Millisecond)
		gate.Unlock()
		if u == "u24" && p == "p24" {
			w.Write([]byte("welcome"))
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	creds := numbered(25)
	r := scanOne(t, &Scanner{Timeout: 5 * time.Second, Credentials: creds, Sessions: 4}, target)
	f := credentialFinding(r)
	if f == nil || f.Result != evidence.Fail || f.Username != "u24" || !strings.Contains(f.Detail, "so the rest went one at a time") {
		t.Fatalf("finding %+v (all: %s)", f, findings(r))
	}
	seenMu.Lock()
	defer seenMu.Unlock()
	if len(seen) < 20 {
		t.Fatalf("%d logins seen", len(seen))
	}
	for i, n := range seen[len(seen)-10:] {
		if n != 1 {
			t.Errorf("login %d of the last 10 arrived with %d in flight (all: %v)", i, n, seen)
		}
	}
}

// numbered is n credentials u0:p0, u1:p1, …
func numbered(n int) []Credential {
	var creds []Credential
	for i := range n {
		creds = append(creds, Credential{fmt.Sprintf("u%d", i), fmt.Sprintf("p%d", i)})
	}
	return creds
}

// TestHTTPKeepAlive: a web server that keeps connections open gets the
// sweep's requests on a few connections, not one per credential; one that
// closes after each reply still gets every credential.
func TestHTTPKeepAlive(t *testing.T) {
	for _, keepAlive := range []bool{true, false} {
		var conns atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); ok && u == "u19" && p == "p19" {
				w.Write([]byte("welcome"))
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		srv.Config.SetKeepAlivesEnabled(keepAlive)
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		defer srv.Close()
		r := scanOne(t, &Scanner{Timeout: 2 * time.Second, Credentials: numbered(20), Sessions: 2}, targetOf(t, srv))
		if f := credentialFinding(r); f == nil || f.Result != evidence.Fail || f.Username != "u19" {
			t.Fatalf("keep-alive %v: %+v (all: %s)", keepAlive, f, findings(r))
		}
		// GET /, two controls and 20 credentials: 23 requests.
		n := conns.Load()
		if keepAlive && n > 6 || !keepAlive && n < 23 {
			t.Errorf("keep-alive %v: %d connections for 23 requests", keepAlive, n)
		}
	}
}
