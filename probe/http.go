package probe

import (
	"bufio"
	"crypto/md5" //nolint:gosec // HTTP Digest's default algorithm
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// reply is a parsed HTTP or RTSP response, its body cut at 64 KiB.
type reply struct {
	status int
	header textproto.MIMEHeader
	body   []byte
}

// httpConn is an HTTP connection kept open between requests of one
// service (keep-alive), with what its reader has buffered.
type httpConn struct {
	net.Conn
	r *bufio.Reader
}

// request sends one request and reads the reply. proto is "HTTP/1.1" or
// "RTSP/1.0". HTTP requests go on a connection the server kept open after an
// earlier reply when there is one (fewer handshakes for a device answering
// a credential sweep); a kept connection the server has since closed is
// replaced and the request sent again, as nothing of it was answered.
func (ss *session) request(method, target, proto string, extra map[string]string) (reply, error) {
	isHTTP := !strings.HasPrefix(proto, "RTSP")
	if isHTTP {
		if c, ok := ss.idleHTTP.get(); ok {
			if rep, answered, err := ss.exchangeOn(c, method, target, proto, extra); answered {
				return rep, err
			}
		}
	}
	conn, err := ss.dial()
	if err != nil {
		return reply{}, err
	}
	rep, _, err := ss.exchangeOn(&httpConn{Conn: conn, r: bufio.NewReader(conn)}, method, target, proto, extra)
	return rep, err
}

// exchangeOn sends one request on c and reads the reply; it keeps c for the
// next request when the reply says the server keeps it open and its body was
// read to its end, and closes it otherwise. answered is false when the
// server sent nothing back (a kept connection it had closed).
func (ss *session) exchangeOn(c *httpConn, method, target, proto string, extra map[string]string) (rep reply, answered bool, err error) {
	keep := false
	defer func() { ss.idleHTTP.release(c, keep) }()
	c.SetDeadline(time.Now().Add(ss.s.Timeout))
	isHTTP := !strings.HasPrefix(proto, "RTSP")
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\n", method, target, proto)
	if isHTTP {
		fmt.Fprintf(&b, "Host: %s\r\n", ss.svc.Address)
	} else {
		b.WriteString("CSeq: 1\r\n")
	}
	b.WriteString("User-Agent: iotlabel-probe\r\n")
	for k, v := range extra {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		return reply{}, false, err
	}
	r := textproto.NewReader(c.r)
	line, err := r.ReadLine()
	if err != nil {
		return reply{}, line != "", err
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], strings.SplitN(proto, "/", 2)[0]+"/") {
		return reply{}, true, fmt.Errorf("not a %s status line: %q", proto, firstLine([]byte(line)))
	}
	if rep.status, err = strconv.Atoi(f[1]); err != nil {
		return reply{}, true, fmt.Errorf("bad status line %q", firstLine([]byte(line)))
	}
	rep.header, _ = r.ReadMIMEHeader()
	// HTTP/1.1 keeps the connection unless the server says otherwise.
	reusable := isHTTP && f[0] == "HTTP/1.1" && !containsAny(rep.header.Get("Connection"), "close")
	limit := int64(64 << 10)
	n, err := strconv.ParseInt(rep.header.Get("Content-Length"), 10, 64)
	switch {
	case method == "HEAD" || rep.status == 204 || rep.status == 304:
		keep = reusable
		return rep, true, nil
	case err == nil && n >= 0:
		limit = min(limit, n)
	case !isHTTP:
		// RTSP sends a body only with a Content-Length, and keeps the
		// connection open: reading on would wait for the deadline.
		return rep, true, nil
	default:
		reusable = false // the body ends where the connection does
	}
	rep.body, err = io.ReadAll(io.LimitReader(c.r, limit))
	keep = reusable && err == nil && int64(len(rep.body)) == n
	return rep, true, nil
}

// httpChecks looks at the page at / (following same-site redirects):
// whether it needs authentication, whether it is an administrative page
// that answers without, and whether HTTP Basic or Digest authentication
// accepts a default credential.
func (ss *session) httpChecks() []Finding {
	path := "/"
	var rep reply
	var err error
	for range 4 {
		if rep, err = ss.request("GET", path, "HTTP/1.1", nil); err != nil || rep.status < 300 || rep.status > 399 {
			break
		}
		next, ok := sameSite(rep.header.Get("Location"), path, ss.svc.Address)
		if !ok {
			break
		}
		path = next
	}
	if err != nil {
		return []Finding{ss.finding("unauthenticated-admin", evidence.Error, "GET / failed: "+err.Error())}
	}
	ss.remember("server", rep.header.Get("Server"))
	ss.remember("www_authenticate", rep.header.Get("Www-Authenticate"))
	if m := htmlTitle.FindSubmatch(rep.body); m != nil {
		ss.remember("title", strings.Join(strings.Fields(string(m[1])), " "))
	}
	if rep.status == 401 {
		scheme, params := challenge(rep.header.Values("Www-Authenticate"))
		if scheme == "" {
			return []Finding{ss.finding("unauthenticated-admin", evidence.Pass,
				fmt.Sprintf("%s answers 401 (authentication %q, which the probe does not try)", path, rep.header.Get("Www-Authenticate")))}
		}
		out := []Finding{ss.finding("unauthenticated-admin", evidence.Pass,
			fmt.Sprintf("%s asks for HTTP %s authentication", path, scheme))}
		return append(out, ss.tryCredentials(func(c Credential) (loginResult, string, error) {
			return ss.authLogin("GET", path, path, "HTTP/1.1", scheme, params, c)
		})...)
	}
	if rep.status >= 400 {
		return []Finding{ss.finding("unauthenticated-admin", evidence.Pass, fmt.Sprintf("%s answers %d", path, rep.status))}
	}
	return []Finding{ss.adminPage(path, rep.body)}
}

// remember keeps what a service said about itself (its Server header, its
// authentication challenge, its page title) in Service.Data, where the
// evidence shows it and Recog's fingerprints read it; the first value of a
// key stays, printable characters only, at most 200 of them.
func (ss *session) remember(key, value string) {
	value = firstLine([]byte(value))
	if value == "" {
		return
	}
	if len(value) > 200 {
		value = value[:200]
	}
	if ss.svc.Data == nil {
		ss.svc.Data = map[string]any{}
	}
	if _, ok := ss.svc.Data[key]; !ok {
		ss.svc.Data[key] = value
	}
}

var (
	htmlTitle     = regexp.MustCompile(`(?is)<title[^>]*>(.{0,400}?)</title>`)
	passwordField = regexp.MustCompile(`(?i)<input[^>]+type\s*=\s*["']?password`)
	adminMarkers  = []string{"reboot", "factory reset", "factory default", "firmware upgrade", "upgrade firmware",
		"wireless settings", "wifi settings", "wi-fi settings", "port forwarding", "change password",
		"system settings", "network settings", "device settings", "dhcp server", "administration"}
)

// adminPage decides whether a page answered without authentication is an
// administrative interface: it names at least two administrative functions
// and asks for no password. A login page is not.
func (ss *session) adminPage(path string, body []byte) Finding {
	if passwordField.Match(body) {
		return ss.finding("unauthenticated-admin", evidence.Pass, path+" is a login form")
	}
	var hits []string
	lower := strings.ToLower(string(body))
	for _, m := range adminMarkers {
		if strings.Contains(lower, m) {
			hits = append(hits, m)
		}
	}
	if len(hits) >= 2 {
		f := ss.finding("unauthenticated-admin", evidence.Fail,
			fmt.Sprintf("%s shows an administrative page without asking for credentials (it offers: %s)", path, strings.Join(hits, ", ")))
		f.Data = map[string]any{"path": path}
		return f
	}
	return ss.finding("unauthenticated-admin", evidence.Pass, path+" answers without authentication but is not an administrative page")
}

// sameSite resolves a redirect; ok only when it stays on the device.
func sameSite(loc, from, hostport string) (string, bool) {
	base := &url.URL{Scheme: "http", Host: hostport, Path: from}
	u, err := base.Parse(loc)
	if err != nil || u.Host != hostport || loc == "" {
		return "", false
	}
	return u.RequestURI(), true
}

// challenge picks Basic or Digest from WWW-Authenticate headers.
func challenge(values []string) (string, map[string]string) {
	var digest map[string]string
	for _, v := range values {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		switch strings.ToLower(scheme) {
		case "basic":
			return "Basic", nil
		case "digest":
			digest = authParams(rest)
		}
	}
	if digest != nil {
		return "Digest", digest
	}
	return "", nil
}

// authParams parses key=value and key="value" pairs separated by commas.
func authParams(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		s = strings.TrimLeft(s, " ,")
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			v, s = rest[1:end+1], rest[end+2:]
		} else {
			v, s, _ = strings.Cut(rest, ",")
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// authLogin tries one credential on an HTTP or RTSP resource with Basic or
// Digest authentication (Digest asks for a fresh challenge first); uri is
// what Digest signs.
func (ss *session) authLogin(method, target, uri, proto, scheme string, params map[string]string, c Credential) (loginResult, string, error) {
	var auth string
	if scheme == "Basic" {
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password))
	} else {
		rep, err := ss.request(method, target, proto, nil)
		if err != nil {
			return rejected, "", err
		}
		if _, p := challenge(rep.header.Values("Www-Authenticate")); p != nil {
			params = p
		}
		auth = digestAuth(method, uri, params, c)
	}
	rep, err := ss.request(method, target, proto, map[string]string{"Authorization": auth})
	switch {
	case err != nil:
		return rejected, "", err
	case rep.status == 429:
		return lockedOut, "HTTP 429 Too Many Requests", nil
	case containsAny(string(rep.body), lockoutSigns...) && rep.status >= 400:
		return lockedOut, fmt.Sprintf("%d: %s", rep.status, firstLine(rep.body)), nil
	case rep.status == 401:
		return rejected, "", nil
	}
	// Anything but 401 means the credential got past authentication, even
	// a 403 or 404 for the page itself; the control logins (a random
	// user; a known user with a wrong password) guard against servers that
	// answer so to every login or every password.
	return accepted, fmt.Sprintf("%s %s answered %d with %s authentication", method, target, rep.status, scheme), nil
}

// digestAuth computes an Authorization header (RFC 7616) for MD5 or
// SHA-256, with qop=auth when the server offers it.
func digestAuth(method, uri string, p map[string]string, c Credential) string {
	algo := p["algorithm"]
	var h func() hash.Hash = md5.New
	if strings.EqualFold(algo, "SHA-256") {
		h = sha256.New
	}
	sum := func(s string) string { d := h(); io.WriteString(d, s); return hex.EncodeToString(d.Sum(nil)) }
	ha1 := sum(c.Username + ":" + p["realm"] + ":" + c.Password)
	ha2 := sum(method + ":" + uri)
	hdr := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s"`, c.Username, p["realm"], p["nonce"], uri)
	if qop := p["qop"]; qop != "" && containsAny(qop, "auth") {
		cnonce, nc := randomHex(8), "00000001"
		hdr += fmt.Sprintf(`, qop=auth, nc=%s, cnonce="%s", response="%s"`, nc, cnonce, sum(ha1+":"+p["nonce"]+":"+nc+":"+cnonce+":auth:"+ha2))
	} else {
		hdr += fmt.Sprintf(`, response="%s"`, sum(ha1+":"+p["nonce"]+":"+ha2))
	}
	if algo != "" {
		hdr += ", algorithm=" + algo
	}
	if o := p["opaque"]; o != "" {
		hdr += fmt.Sprintf(`, opaque="%s"`, o)
	}
	return hdr
}
