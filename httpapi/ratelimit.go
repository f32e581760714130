package httpapi

import (
	"crypto/sha256"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the request rates a registry allows. Rates are per second;
// a zero rate means no limit.
type Limits struct {
	// PerAddress limits every request by client IP address.
	PerAddress   rate.Limit
	AddressBurst int
	// PerToken limits requests that carry a bearer token, by token.
	PerToken   rate.Limit
	TokenBurst int
}

// maxTracked bounds the limiter table; idle entries are dropped first.
const maxTracked = 100_000

// limiters hands out one token bucket per key.
type limiters struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiters(r rate.Limit, burst int) *limiters {
	if r <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &limiters{rate: r, burst: burst, m: map[string]*bucket{}}
}

// allow takes one token for key; when none is left it reports how long
// until one will be.
func (l *limiters) allow(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	if b == nil {
		if len(l.m) >= maxTracked {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.m[key] = b
	}
	b.seen = now
	if b.lim.AllowN(now, 1) {
		return 0, true
	}
	need := 1 - b.lim.TokensAt(now)
	return time.Duration(need / float64(l.rate) * float64(time.Second)), false
}

// evict drops buckets idle long enough to have refilled, or, if none are,
// half the table: a full bucket and a missing one behave the same.
func (l *limiters) evict(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.rate) * float64(time.Second))
	for k, b := range l.m {
		if now.Sub(b.seen) > full {
			delete(l.m, k)
		}
	}
	for k := range l.m {
		if len(l.m) < maxTracked/2 {
			break
		}
		delete(l.m, k)
	}
}

// admit applies the address and token limits to r.
func (s *Server) admit(r *http.Request) (time.Duration, bool) {
	now := time.Now()
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if wait, ok := s.byAddr.allow(host, now); !ok {
		return wait, false
	}
	if secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.byTok != nil {
		// Key by a hash so the table never holds a usable secret.
		sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
		return s.byTok.allow(string(sum[:16]), now)
	}
	return 0, true
}
