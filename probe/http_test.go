package probe

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// webTarget serves h on loopback and returns it as a target.
func webTarget(t *testing.T, h http.HandlerFunc) Target {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return targetOf(t, srv)
}

// targetOf is a started test server as a target.
func targetOf(t *testing.T, srv *httptest.Server) Target {
	t.Helper()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	pn, _ := strconv.ParseUint(port, 10, 16)
	return Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{uint16(pn), "tcp"}}}
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
