package probe

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/iotlabel/iotlabel/evidence"
)

// Finding is the result of one check on one service.
type Finding struct {
	Check    string `json:"check"`
	Result   string `json:"result"` // pass, fail, error or info
	Address  string `json:"address"`
	Protocol string `json:"protocol"`
	Detail   string `json:"detail"`
	// Username and Password are the credential that worked, for
	// default-credentials and universal-password failures.
	Username string         `json:"username,omitempty"`
	Password string         `json:"-"`
	Data     map[string]any `json:"data,omitempty"`
	// Time is when the check concluded.
	Time time.Time `json:"time,omitzero"`
}

// maxTranscript bounds the transcript kept for one service.
const maxTranscript = 256 << 10

// session is the state of the checks on one service: how to connect, the
// host's pacing and, when asked, the transcript of everything exchanged.
type session struct {
	s       *Scanner
	ctx     context.Context
	svc     *Service
	limiter *rate.Limiter
	mu      sync.Mutex
	log     *bytes.Buffer // nil unless transcripts are kept
	// Connections a device re-prompted on after a refused login, kept for
	// the next credential (devices that allow several tries per connection).
	idleTelnet idle[*telnetConn]
	idleFTP    idle[*ftpConn]
	// HTTP connections the server kept open after a reply (keep-alive).
	idleHTTP idle[*httpConn]
}

// idle keeps open connections for the next login of a sweep.
type idle[C interface{ Close() error }] struct {
	mu    sync.Mutex
	conns []C
}

// get takes a kept connection; ok is false when there is none.
func (p *idle[C]) get() (c C, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) == 0 {
		return c, false
	}
	c = p.conns[len(p.conns)-1]
	p.conns = p.conns[:len(p.conns)-1]
	return c, true
}

func (p *idle[C]) put(c C) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

// release keeps c for the next login when keep, and closes it otherwise.
func (p *idle[C]) release(c C, keep bool) {
	if keep {
		p.put(c)
	} else {
		c.Close()
	}
}

// closeAll closes the kept connections: the sweep is over.
func (p *idle[C]) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// finding makes a finding about the session's service.
func (ss *session) finding(check, result, detail string) Finding {
	return Finding{Check: check, Result: result, Address: ss.svc.Address, Protocol: ss.svc.Protocol, Detail: detail, Time: ss.s.now()}
}

// dial connects to the service, over TLS when the service speaks it, with
// the scanner's deadline on the whole connection.
func (ss *session) dial() (net.Conn, error) {
	return ss.dialTLS(ss.svc.TLS, nil)
}

// dialTLS connects with an explicit TLS choice and configuration (nil:
// insecureTLS), recording the connection when transcripts are kept.
func (ss *session) dialTLS(useTLS bool, cfg *tls.Config) (net.Conn, error) {
	var wrap func(net.Conn) net.Conn
	if ss.log != nil {
		ss.note("connect %s", ss.svc.Address)
		wrap = func(c net.Conn) net.Conn { return &recordingConn{Conn: c, ss: ss} }
	}
	return ss.s.connect(ss.ctx, ss.svc.Address, useTLS, cfg, wrap)
}

// insecureTLS is the client configuration for talking to a device: the
// certificate is examined by the TLS check, not trusted, and old devices
// that speak only TLS 1.0 or weak suites are still reached (and reported
// by tls-weak-protocol).
func insecureTLS(hostport string) *tls.Config {
	host, _, _ := net.SplitHostPort(hostport)
	return &tls.Config{InsecureSkipVerify: true, ServerName: host, //nolint:gosec // inspecting, not trusting
		MinVersion: tls.VersionTLS10, CipherSuites: allCipherSuites}
}

// note adds a line to the transcript.
func (ss *session) note(format string, args ...any) {
	if ss.log == nil {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.log.Len() < maxTranscript {
		fmt.Fprintf(ss.log, "# "+format+"\n", args...)
	}
}

// recordingConn copies what is sent and received into the transcript.
type recordingConn struct {
	net.Conn
	ss *session
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.record("<", b[:n])
	return n, err
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.record(">", b)
	return c.Conn.Write(b)
}

func (c *recordingConn) record(dir string, b []byte) {
	if len(b) == 0 {
		return
	}
	c.ss.mu.Lock()
	defer c.ss.mu.Unlock()
	if c.ss.log.Len() < maxTranscript {
		fmt.Fprintf(c.ss.log, "%s %q\n", dir, b)
	}
}

// loginResult is what one login attempt showed.
type loginResult int

const (
	rejected loginResult = iota
	accepted
	lockedOut // the service shows signs of locking the account or the client out
	// promptOnly: the login was answered like a success — a prompt, no
	// failure text, unlike the control logins' answers — but no harmless
	// command could confirm a shell (vendor CLIs, restricted shells). It is
	// still a login: it never becomes a pass.
	promptOnly
)

// login tries one credential on a service.
type login func(Credential) (loginResult, string, error)

// tryCredentials tries the scanner's credentials on one service, paced by
// the host's limiter, at most Attempts of them, on up to Sessions
// connections at once. Two control logins come first, and decide what a
// refusal looks like: a random user with a random password, and the first
// candidate's user (a known account) with a random password. A service that
// accepts either accepts logins it should not, and no default credential is
// reported for it: nothing would tell a default apart. The sweep stops at
// the first credential that works and at the first sign of a lockout.
func (ss *session) tryCredentials(try login) []Finding {
	return ss.tryCredentialsOn(try, ss.s.Sessions)
}

// tryCredentialsOn is tryCredentials on at most sessions connections at once.
func (ss *session) tryCredentialsOn(try login, sessions int) []Finding {
	creds := ss.s.Credentials
	var vendors []string
	if len(creds) > 0 {
		creds, vendors = vendorFirst(creds, ss.s.VendorCredentials, vendorText(*ss.svc))
	}
	if ss.s.Attempts > 0 && len(creds) > ss.s.Attempts {
		creds = creds[:ss.s.Attempts]
	}
	if len(creds) == 0 {
		return nil
	}
	controls := []Credential{
		{Username: "iotlabel-" + randomHex(4), Password: randomHex(12)}, // nobody
		{Username: creds[0].Username, Password: randomHex(12)},          // a known user, a wrong password
	}
	results, err := ss.tryControls(controls, try, sessions)
	if err != nil {
		return []Finding{ss.finding("default-credentials", evidence.Error, "stopped before the first login: "+err.Error())}
	}
	for i, r := range results {
		who := "a random user and password"
		if i == 1 {
			who = fmt.Sprintf("user %q with a random password", controls[i].Username)
		}
		switch {
		case errors.Is(r.err, errNotOffered):
			return []Finding{ss.finding("default-credentials", evidence.Pass, "the service offers no password login")}
		case r.err != nil:
			return []Finding{ss.finding("default-credentials", evidence.Error, "could not try a login: "+r.err.Error())}
		case r.res == accepted || r.res == promptOnly:
			// Not a default-credentials failure: nothing tells a default apart
			// from any other login here. Open pages are unauthenticated-admin's
			// to judge.
			return []Finding{ss.finding("default-credentials", evidence.Error,
				"undecidable: the service accepted "+who+" ("+r.why+"), so it takes logins without the right password")}
		case r.res == lockedOut:
			return []Finding{ss.finding("default-credentials", evidence.Error, "the service refused before any default was tried: "+r.why)}
		}
	}
	baseline := min(results[0].took, results[1].took)
	out := ss.sweep(creds, try, sessions, baseline)
	if len(vendors) > 0 {
		out[0].Detail += fmt.Sprintf("; the defaults of %s were tried first, as the banner points to it", strings.Join(vendors, ", "))
	}
	return out
}

// tryControls tries the control logins, two at once when sessions allow,
// each paced by the host's limiter; err is set when pacing stopped them.
func (ss *session) tryControls(controls []Credential, try login, sessions int) ([]attempt, error) {
	results := make([]attempt, len(controls))
	sem := make(chan struct{}, max(1, min(sessions, len(controls))))
	var wg sync.WaitGroup
	for i, c := range controls {
		if err := ss.wait(); err != nil {
			wg.Wait()
			return nil, err
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r := &results[i]
			start := time.Now()
			r.res, r.why, r.err = try(c)
			r.took = time.Since(start)
		})
	}
	wg.Wait()
	return results, nil
}

// attempt is the outcome of one credential tried.
type attempt struct {
	res  loginResult
	why  string
	err  error
	took time.Duration
}

// sweep tries creds in order on up to sessions connections at once (each
// attempt still waits for the host's pacing), starting with one and adding
// one after each clean refusal, so that a device that locks out after a few
// tries sees no more connections than it would one at a time. The answer does not depend on
// the parallelism: attempts are started in list order, and when one is
// accepted the ones already started finish, so the first credential of the
// list that works is the one reported. A connection error, or a login
// taking much longer than the control logins did (a device that serialises
// logins or is straining), drops to one session for good (a device shedding
// connections is not pushed), three errors stop the sweep, and a lockout
// sign stops it at once.
func (ss *session) sweep(creds []Credential, try login, sessions int, baseline time.Duration) []Finding {
	results := make([]*attempt, len(creds))
	var mu sync.Mutex
	next, errs, stop, slowed := 0, 0, "", ""
	var stopErr error
	// Slow start: one session, one more after each clean refusal, up to
	// sessions; back to one, for good, at the first connection error or
	// slowdown.
	limit, cautious := 1, false
	running := 0
	cond := sync.NewCond(&mu)
	var wg sync.WaitGroup
	for {
		mu.Lock()
		for running >= limit && stop == "" {
			cond.Wait()
		}
		if stop != "" || next >= len(creds) {
			mu.Unlock()
			break
		}
		i := next
		next++
		running++
		mu.Unlock()
		if err := ss.wait(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "exceed context deadline") {
				err = errors.New("the time allowed for this host ran out")
			}
			mu.Lock()
			running--
			stop, stopErr, next = "wait", err, i
			mu.Unlock()
			break
		}
		wg.Go(func() {
			start := time.Now()
			res, why, err := try(creds[i])
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			results[i] = &attempt{res, why, err, took}
			running--
			if !cautious && sessions > 1 && slowedDown(took, baseline) {
				limit, cautious = 1, true
				slowed = fmt.Sprintf("; logins slowed from %s to %s, so the rest went one at a time",
					baseline.Round(time.Millisecond), took.Round(time.Millisecond))
			}
			switch {
			case err != nil:
				limit, cautious = 1, true
				if errs++; errs >= 3 && stop == "" {
					stop, stopErr = "errors", err
				}
			case res == accepted || res == promptOnly:
				if stop == "" {
					stop = "found"
				}
			case res == lockedOut:
				stop = "lockout"
			case !cautious:
				limit = min(limit+1, max(sessions, 1))
			}
			cond.Broadcast()
		})
	}
	wg.Wait()
	out := ss.judge(creds, results, stop, stopErr, next)
	out[0].Detail += slowed
	return out
}

// judge reads the sweep's attempts in list order: the first login that
// worked, else the first lockout sign, else why the sweep stopped, else a
// pass.
func (ss *session) judge(creds []Credential, results []*attempt, stop string, stopErr error, next int) []Finding {
	tried := 0
	for i, r := range results {
		if r == nil {
			continue
		}
		tried = i + 1
		switch {
		case r.err != nil:
		case r.res == accepted:
			f := ss.finding("default-credentials", evidence.Fail,
				fmt.Sprintf("the service accepts the known default login for user %q (%s); a random login and a wrong password for %q were refused", creds[i].Username, r.why, creds[0].Username))
			f.Username, f.Password = creds[i].Username, creds[i].Password
			return []Finding{f}
		case r.res == promptOnly:
			f := ss.finding("default-credentials", evidence.Fail,
				fmt.Sprintf("the service accepts the known default login for user %q: %s, while a random login and a wrong password for %q were refused", creds[i].Username, r.why, creds[0].Username))
			f.Username, f.Password = creds[i].Username, creds[i].Password
			return []Finding{f}
		case r.res == lockedOut:
			return []Finding{ss.finding("default-credentials", evidence.Error,
				fmt.Sprintf("stopped after %d of %d credentials at a lockout sign: %s", i+1, len(creds), r.why))}
		}
	}
	switch stop {
	case "wait":
		return []Finding{ss.finding("default-credentials", evidence.Error,
			fmt.Sprintf("stopped after %d of %d credentials: %v", next, len(creds), stopErr))}
	case "errors":
		return []Finding{ss.finding("default-credentials", evidence.Error,
			fmt.Sprintf("stopped after %d of %d credentials: %v", tried, len(creds), stopErr))}
	}
	return []Finding{ss.finding("default-credentials", evidence.Pass,
		fmt.Sprintf("none of the %d default credentials tried was accepted", len(creds)))}
}

// slowedDown says whether a login took so much longer than the control
// logins (baseline) that the device is straining: over twice as long, and
// by more than a quarter second (jitter on fast devices is not a sign).
func slowedDown(took, baseline time.Duration) bool {
	return baseline > 0 && took > 2*baseline && took-baseline > 250*time.Millisecond
}

// wait paces login attempts on one host.
func (ss *session) wait() error {
	if ss.limiter == nil {
		return ss.ctx.Err()
	}
	return ss.limiter.Wait(ss.ctx)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
