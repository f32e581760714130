package probe

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/internal/fakenet"
)

// TestKnownUserWrongPassword: a device that answers an unknown user with a
// refusal but a known user's wrong password with something that looks like
// success (a CLI prompt without failure text; an HTTP 403 instead of 401)
// would make every default of that user look like a login. The second
// control login (the known user, a random password) shows it: the result is
// undecidable, never a failure that names a password that does not work.
func TestKnownUserWrongPassword(t *testing.T) {
	creds := []Credential{{"root", "xc3511"}, {"root", "vizxv"}, {"admin", "admin"}}
	telnet := func(c net.Conn) {
		r := bufio.NewReader(c)
		c.Write([]byte("router login: "))
		user, _ := r.ReadString('\n')
		c.Write([]byte("Password: "))
		r.ReadString('\n')
		if strings.TrimSpace(user) != "root" {
			c.Write([]byte("Login incorrect\r\n"))
			return
		}
		c.Write([]byte("\r\nAccess not permitted from this line\r\nrouter> "))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			c.Write([]byte("% Unknown command: " + strings.TrimSpace(line) + "\r\nrouter> "))
		}
	}
	web := webTarget(t, func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); ok && u == "root" {
			http.Error(w, "wrong password", http.StatusForbidden)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="router"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	targets := map[string]Target{"telnet": fakeServer(t, telnet), "http": web}
	for name, target := range targets {
		r := scanOne(t, &Scanner{Timeout: time.Second, Credentials: creds}, target)
		got := credentialFinding(r)
		if got == nil || got.Result != evidence.Error || !strings.Contains(got.Detail, `undecidable: the service accepted user "root" with a random password`) {
			t.Errorf("%s: %+v (all: %s)", name, got, findings(r))
		}
	}
}

// TestMQTTPortAskedMQTTFirst: on 1883 a silent service is asked an MQTT
// CONNECT before TLS and HTTP, so a broker that stalls on bytes it cannot
// parse (a TLS ClientHello, a HEAD request) is named without waiting on
// either; what it answers still decides.
func TestMQTTPortAskedMQTTFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.83.0.1:1883")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var openers []byte
	go fakenet.Serve(ln, 5*time.Second, func(c net.Conn) {
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		mu.Lock()
		openers = append(openers, b[0])
		mu.Unlock()
		if b[0] != 0x10 { // not CONNECT: wait for bytes that never come
			io.Copy(io.Discard, c)
			return
		}
		c.Write([]byte{0x20, 2, 0, 0}) // CONNACK, accepted
	})
	r := scanOne(t, &Scanner{Timeout: time.Second}, Target{Addr: netip.MustParseAddr("127.83.0.1"), Ports: []Port{{1883, "tcp"}}})
	if len(r.Services) != 1 || r.Services[0].Protocol != "mqtt" {
		t.Fatalf("services %+v", r.Services)
	}
	mu.Lock()
	defer mu.Unlock()
	if i := slices.IndexFunc(openers, func(b byte) bool { return b != 0x10 }); i >= 0 {
		t.Errorf("connection %d opened with %#x, not an MQTT CONNECT (all: % x)", i, openers[i], openers)
	}
}

// FuzzHTTPReply: whatever a server sends back to a request — status line,
// headers, a body of any length or none, a lie in Content-Length — the
// reader returns a reply or an error, never panics, keeps at most 64 KiB of
// body, and keeps the connection only when the reply's end was found.
func FuzzHTTPReply(f *testing.F) {
	f.Add([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"DCS-2530L\"\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: GoAhead-Webs\r\nContent-Length: 30\r\n\r\n<html><title>Cam</title></htm"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n<title>x"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: -5\r\nConnection: close\r\n\r\n"))
	f.Add([]byte("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"))
	f.Add([]byte("garbage\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		go func() {
			br := bufio.NewReader(server)
			for { // the request, to its empty line
				line, err := br.ReadString('\n')
				if err != nil || line == "\r\n" {
					break
				}
			}
			server.Write(data)
			server.Close()
		}()
		ss := &session{s: &Scanner{Timeout: time.Second}, svc: &Service{Address: "192.0.2.1:80"}}
		rep, _, err := ss.exchangeOn(&httpConn{Conn: client, r: bufio.NewReader(client)}, "GET", "/", "HTTP/1.1", nil)
		if err == nil && len(rep.body) > 64<<10 {
			t.Fatalf("body of %d bytes kept", len(rep.body))
		}
		if c, ok := ss.idleHTTP.get(); ok {
			c.Close()
		}
	})
}
