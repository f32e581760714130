package probe

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/internal/fakenet"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// Unit tests of the check logic against small hand-written fakes; the
// accuracy gate (fleet_test.go) runs the same checks against real daemons.

func TestBuiltinCredentials(t *testing.T) {
	creds := DefaultCredentials()
	if len(creds) < 62 {
		t.Fatalf("%d built-in credentials, want at least Mirai's 61 distinct pairs and vendor defaults", len(creds))
	}
	if creds[0] != (Credential{"root", "xc3511"}) {
		t.Errorf("first credential %v, want Mirai's most weighted root:xc3511", creds[0])
	}
	for _, want := range []Credential{{"admin", ""}, {"Administrator", "meinsm"}, {"admin", "4321"}, {"root", "W!n0&oO7."}} {
		found := false
		for _, c := range creds {
			found = found || c == want
		}
		if !found {
			t.Errorf("built-in list lacks %v", want)
		}
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	_, err := ParseCredentials(strings.NewReader("# mine\nadmin:secret\nnocolon\n"), "creds.txt")
	if err == nil || !strings.Contains(err.Error(), "creds.txt:3:") || !strings.Contains(err.Error(), "user:password") {
		t.Errorf("error %v, want creds.txt:3 and a hint", err)
	}
	got, err := ParseCredentials(strings.NewReader("a:b:c\r\nuser:\n"), "x")
	if err != nil || got[0] != (Credential{"a", "b:c"}) || got[1] != (Credential{"user", ""}) {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestMaskPassword(t *testing.T) {
	for in, want := range map[string]string{"": "(empty)", "ab": "** (2 chars)", "xc3511": "x****1 (6 chars)"} {
		if got := MaskPassword(in); got != want {
			t.Errorf("MaskPassword(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeServer answers each connection on 127.0.0.1 with handle.
func fakeServer(t *testing.T, handle func(net.Conn)) Target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go fakenet.Serve(ln, 5*time.Second, handle)
	return Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{uint16(ln.Addr().(*net.TCPAddr).Port), "tcp"}}}
}

func scanOne(t *testing.T, s *Scanner, target Target) HostReport {
	t.Helper()
	var got HostReport
	s.Scan(context.Background(), []Target{target}, nil, func(r HostReport) { got = r })
	return got
}

func findings(r HostReport) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s %s|", f.Check, f.Result, f.Username)
	}
	return b.String()
}

// TestRTSPDigest: a camera that asks for Digest authentication on DESCRIBE
// and takes admin:12345 is found; the control logins are refused.
func TestRTSPDigest(t *testing.T) {
	const realm, nonce = "IP Camera", "abc123"
	target := fakeServer(t, func(c net.Conn) {
		r := textproto.NewReader(bufio.NewReader(c))
		line, _ := r.ReadLine()
		h, _ := r.ReadMIMEHeader()
		if !strings.HasPrefix(line, "DESCRIBE rtsp://") && !strings.HasPrefix(line, "HEAD ") {
			return
		}
		if strings.HasPrefix(line, "HEAD ") {
			fmt.Fprintf(c, "RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n")
			return
		}
		uri := strings.Fields(line)[1]
		p := authParams(strings.TrimPrefix(h.Get("Authorization"), "Digest "))
		ha1 := md5hex(p["username"] + ":" + realm + ":12345")
		if p["username"] == "admin" && p["response"] == md5hex(ha1+":"+nonce+":"+md5hex("DESCRIBE:"+uri)) {
			fmt.Fprintf(c, "RTSP/1.0 200 OK\r\nCSeq: %s\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n\r\nv=0", h.Get("Cseq"))
			return
		}
		fmt.Fprintf(c, "RTSP/1.0 401 Unauthorized\r\nCSeq: %s\r\nWWW-Authenticate: Digest realm=%q, nonce=%q\r\n\r\n", h.Get("Cseq"), realm, nonce)
	})
	r := scanOne(t, &Scanner{Timeout: time.Second, Credentials: []Credential{{"root", "x"}, {"admin", "12345"}}}, target)
	if got := findings(r); got != "anonymous-access pass |default-credentials fail admin|" {
		t.Errorf("findings %q (services %+v)", got, r.Services)
	}
}

func md5hex(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

// TestTelnetLockout: a service that starts refusing after three
// connections (the probe's identification and its two control logins) is
// left alone with an error, not hammered with the rest of the list.
func TestTelnetLockout(t *testing.T) {
	var tries atomic.Int32
	target := fakeServer(t, func(c net.Conn) {
		if tries.Add(1) > 3 {
			c.Write([]byte("Too many failed attempts, locked for 300 s\r\n"))
			return
		}
		tc := &telnetConn{Conn: c, timeout: time.Second}
		c.Write([]byte("login: "))
		tc.readUntil(func(s string) bool { return strings.Contains(s, "\n") })
		c.Write([]byte("Password: "))
		tc.readUntil(func(s string) bool { return strings.Contains(s, "\n") })
		c.Write([]byte("Login incorrect\r\n"))
	})
	r := scanOne(t, &Scanner{Timeout: time.Second, Credentials: DefaultCredentials()}, target)
	if len(r.Findings) != 1 || r.Findings[0].Result != evidence.Error || !strings.Contains(r.Findings[0].Detail, "lockout") {
		t.Fatalf("findings %+v", r.Findings)
	}
	if n := tries.Load(); n > 4 {
		t.Errorf("%d connections: the probe went on after the lockout sign", n)
	}
}

// TestSSDP: a device answering M-SEARCH is upnp-exposed and identified by
// its device description, fetched only from its own address.
func TestSSDP(t *testing.T) {
	desc := fakeServer(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
		body := `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>Acme</manufacturer><modelName>CamPro</modelName><modelNumber>C-100</modelNumber></device></root>`
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if strings.HasPrefix(string(buf[:n]), "M-SEARCH") {
				fmt.Fprintf(writerTo{pc, from}, "HTTP/1.1 200 OK\r\nSERVER: Linux/3.4 UPnP/1.0 CamPro/1.2\r\nLOCATION: http://127.0.0.1:%d/desc.xml\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n", desc.Ports[0].Number)
			}
		}
	}()
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	r := scanOne(t, &Scanner{Timeout: time.Second}, Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{port, "udp"}}})
	if len(r.Findings) != 1 || r.Findings[0].Check != "upnp-exposed" || r.Findings[0].Data["model"] != "CamPro" {
		t.Fatalf("findings %+v", r.Findings)
	}
	// The evidence is about the product the device names, unless the run was told another.
	for _, it := range Evidence(r, Meta{}) {
		if it.Subject.Product != "CamPro" {
			t.Errorf("%s: subject %+v", it.Check, it.Subject)
		}
	}
	for _, it := range Evidence(r, Meta{Product: "BL-C100"}) {
		if it.Subject.Product != "BL-C100" {
			t.Errorf("--product: subject %+v", it.Subject)
		}
	}
}

type writerTo struct {
	pc   net.PacketConn
	addr net.Addr
}

func (w writerTo) Write(b []byte) (int, error) { return w.pc.WriteTo(b, w.addr) }

func TestCompare(t *testing.T) {
	svc := func(addr string) []Service {
		return []Service{{Port: Port{23, "tcp"}, Address: addr, Protocol: "telnet"}}
	}
	fail := func(addr, user, pass string) Finding {
		return Finding{Check: "default-credentials", Result: evidence.Fail, Address: addr, Protocol: "telnet", Username: user, Password: pass}
	}
	a := HostReport{Addr: "192.0.2.1", Services: svc("192.0.2.1:23"), Findings: []Finding{fail("192.0.2.1:23", "root", "xc3511")}}
	b := HostReport{Addr: "192.0.2.2", Services: svc("192.0.2.2:23"), Findings: []Finding{fail("192.0.2.2:23", "root", "xc3511")}}
	if got := Compare(a, b); len(got) != 1 || got[0].Result != evidence.Fail || got[0].Username != "root" {
		t.Errorf("same credential: %+v", got)
	}
	b.Findings[0].Password = "other"
	if got := Compare(a, b); len(got) != 1 || got[0].Result != evidence.Pass {
		t.Errorf("different credentials: %+v", got)
	}
	b.Findings = nil
	if got := Compare(a, b); got[0].Result != evidence.Error {
		t.Errorf("unit b not checked: %+v", got)
	}
}

func TestParseCoAP(t *testing.T) {
	// 2.05 Content, message ID 0x1234, a 2-byte token, a Content-Format
	// option (12) of one byte, then the payload.
	msg := []byte{0x62, 0x45, 0x12, 0x34, 0xAA, 0xBB, 0xC1, 40, 0xFF, '<', '/', '>'}
	m, err := parseCoAP(msg)
	if err != nil || m.Code != 0x45 || m.ID != 0x1234 || string(m.Payload) != "</>" {
		t.Errorf("got %+v, %v", m, err)
	}
	for _, bad := range [][]byte{{0x40}, {0x80, 0x45, 0, 0}, {0x49, 0x45, 0, 0}, {0x40, 0x45, 0, 0, 0x1F}, {0x40, 0x45, 0, 0, 0xFF}} {
		if _, err := parseCoAP(bad); err == nil {
			t.Errorf("parseCoAP(% x) accepted", bad)
		}
	}
	if _, err := parseCoAP(coapWellKnownCore(7)); err != nil {
		t.Errorf("our own request does not parse: %v", err)
	}
}

func TestAuthParams(t *testing.T) {
	p := authParams(`realm="cam, 2", nonce="n1", qop="auth,auth-int", algorithm=MD5, stale=FALSE`)
	if p["realm"] != "cam, 2" || p["nonce"] != "n1" || p["qop"] != "auth,auth-int" || p["algorithm"] != "MD5" || p["stale"] != "FALSE" {
		t.Errorf("%v", p)
	}
}

func FuzzParseCoAP(f *testing.F) {
	f.Add([]byte{0x62, 0x45, 0x12, 0x34, 0xAA, 0xBB, 0xC1, 40, 0xFF, '<', '/', '>'})
	f.Add(coapWellKnownCore(1))
	f.Add([]byte{0x40, 0x45, 0, 0, 0xE0, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseCoAP(b)
		if err == nil && len(m.Payload) > len(b) {
			t.Fatal("payload longer than the message")
		}
	})
}

func FuzzAuthParams(f *testing.F) {
	f.Add(`realm="cam", nonce="n1", qop="auth"`)
	f.Add(`a="unterminated`)
	f.Fuzz(func(t *testing.T, s string) { authParams(s) })
}

func FuzzTelnetFeed(f *testing.F) {
	f.Add([]byte("\xff\xfd\x18\xff\xfb\x01\xff\xfa\x18\x01\xff\xf0login: "))
	f.Fuzz(func(t *testing.T, b []byte) {
		tc := &telnetConn{}
		var reply []byte
		for _, c := range b {
			reply = tc.feed(c, reply)
		}
		if tc.text.Len() > len(b) || len(reply) > 3*len(b) {
			t.Fatal("more out than in")
		}
	})
}

// TestMDNS: a responder announcing a HomeKit accessory is named by its
// service types, and its TXT record (model) lands in the evidence.
func TestMDNS(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		switch q.Question[0].Name {
		case "_services._dns-sd._udp.local.":
			m.Answer = append(m.Answer, &dns.PTR{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 10}, Ptr: "_hap._tcp.local."})
		case "_hap._tcp.local.":
			m.Answer = append(m.Answer, &dns.PTR{Hdr: dns.RR_Header{Name: "_hap._tcp.local.", Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 10}, Ptr: "Lamp._hap._tcp.local."})
			m.Extra = append(m.Extra, &dns.TXT{Hdr: dns.RR_Header{Name: "Lamp._hap._tcp.local.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 10}, Txt: []string{"md=Bulb A19", "ci=5"}})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	defer srv.Shutdown()
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	r := scanOne(t, &Scanner{Timeout: time.Second}, Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{port, "udp"}}})
	if len(r.Services) != 1 || r.Services[0].Protocol != "mdns" || r.Services[0].Banner != "mDNS: _hap._tcp.local." {
		t.Fatalf("services %+v", r.Services)
	}
	items := Evidence(r, Meta{At: time.Now()})
	if items[0].Check != "service-open" || fmt.Sprint(items[0].Data["mdns_txt"]) != "map[Lamp._hap._tcp.local:[md=Bulb A19 ci=5]]" {
		t.Errorf("evidence %+v", items)
	}
	// The port answered neither SSDP nor CoAP: both pass, and say how much
	// a silent UDP port is worth.
	if len(items) != 3 || items[1].Check != "upnp-exposed" || items[2].Check != "coap-open" ||
		items[1].Result != evidence.Pass || !strings.Contains(items[2].Detail, "firewall") {
		t.Errorf("evidence %+v", items[1:])
	}
}

// TestHostTimeout: the per-host deadline cuts a long credential run short
// and says so, instead of letting one slow device hold the fleet.
func TestHostTimeout(t *testing.T) {
	target := fakeServer(t, func(c net.Conn) {
		tc := &telnetConn{Conn: c, timeout: time.Second}
		c.Write([]byte("login: "))
		tc.readUntil(func(s string) bool { return strings.Contains(s, "\n") })
		c.Write([]byte("Password: "))
		tc.readUntil(func(s string) bool { return strings.Contains(s, "\n") })
		time.Sleep(100 * time.Millisecond)
		c.Write([]byte("Login incorrect\r\n"))
	})
	start := time.Now()
	r := scanOne(t, &Scanner{Timeout: time.Second, HostTimeout: 600 * time.Millisecond, Credentials: DefaultCredentials()}, target)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v with a 600 ms host deadline", took)
	}
	if len(r.Findings) != 1 || r.Findings[0].Result != evidence.Error {
		t.Fatalf("findings %+v", r.Findings)
	}
	t.Log(r.Findings[0].Detail)
}

// TestOldTLSDevice: a web server that speaks only TLS 1.0, with a
// self-signed, non-CA, 1024-bit, SHA-1 certificate that has expired, is
// still named HTTPS and every one of those weaknesses is reported.
func TestOldTLSDevice(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "192.168.1.1"},
		NotBefore: time.Now().AddDate(-10, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0),
		SignatureAlgorithm: x509.SHA1WithRSA, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		// The device under test is defined by its SHA-1 signature; a Go
		// that refuses to make one cannot run this test, and CI must say so.
		testenv.Require(t, false, "a Go that signs SHA-1 certificates ("+err.Error()+")")
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	r := scanOne(t, &Scanner{Timeout: time.Second}, Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{uint16(port), "tcp"}}})
	if len(r.Services) != 1 || r.Services[0].Protocol != "https" {
		t.Fatalf("services %+v", r.Services)
	}
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Check] = f.Result + ": " + f.Detail
	}
	for check, want := range map[string][]string{
		"tls-weak-protocol": {"fail", "TLS 1.0 accepted"},
		"tls-certificate":   {"fail", "expired", "self-signed", "RSA key of only 1024 bits", "signed with SHA1-RSA"},
	} {
		for _, w := range want {
			if !strings.Contains(got[check], w) {
				t.Errorf("%s: %q lacks %q", check, got[check], w)
			}
		}
	}
}

func TestVendorFirst(t *testing.T) {
	vc := DefaultVendorCredentials()
	if len(vc) < 100 {
		t.Fatalf("built-in vendor list has %d entries", len(vc))
	}
	creds := []Credential{{"root", "xc3511"}, {"admin", "admin"}}
	for _, tc := range []struct {
		banner string
		vendor string // "" for none
		first  Credential
	}{
		{"ZTE login:", "zte", Credential{"admin", "admin"}},
		{"D-Link DSL-2750U login:", "dlink", Credential{"admin", "admin"}},
		{"Welcome to HIKVISION2 camera", "hikvision", Credential{"admin", "12345"}},
		{"Activate your device", "", Credential{"root", "xc3511"}}, // "acti" is not in "Active"
		{"BusyBox v1.36.1 built-in shell", "", Credential{"root", "xc3511"}},
	} {
		got, named := vendorFirst(creds, vc, tc.banner)
		if (tc.vendor == "") != (len(named) == 0) || (tc.vendor != "" && named[0] != tc.vendor) || got[0] != tc.first {
			t.Errorf("%q: vendors %v, first %v", tc.banner, named, got[0])
		}
		if tc.vendor == "" && len(got) != len(creds) {
			t.Errorf("%q: list changed without a vendor: %v", tc.banner, got)
		}
	}
	// A vendor's defaults are added once and the list keeps no duplicate.
	got, _ := vendorFirst(creds, vc, "ZTE")
	seen := map[Credential]bool{}
	for _, c := range got {
		if seen[c] {
			t.Errorf("duplicate %v", c)
		}
		seen[c] = true
	}
	if !seen[Credential{"root", "Zte521"}] || !seen[Credential{"root", "xc3511"}] {
		t.Errorf("ZTE list: %v", got)
	}
	if _, err := ParseVendorCredentials(strings.NewReader("D-Link admin:admin\n"), "v.txt"); err == nil || !strings.Contains(err.Error(), "v.txt:1") {
		t.Errorf("bad vendor name: %v", err)
	}
}

// TestVendorDefaultsFirstFindsTheLogin: with only three attempts allowed, a
// ZTE device whose default is deep in the general list is found because its
// banner names the vendor, and the finding says why it was tried first.
func TestVendorDefaultsFirstFindsTheLogin(t *testing.T) {
	device := telnetDevice("ZTE ZXHN F660\r\n", "Login: ", "root", "Zte521", 1, 0)
	for _, vendorFirst := range []bool{false, true} {
		s := &Scanner{Timeout: time.Second, Credentials: DefaultCredentials(), Attempts: 6}
		if vendorFirst {
			s.VendorCredentials = DefaultVendorCredentials()
		}
		r := scanOne(t, s, fakeServer(t, device))
		got := credentialFinding(r)
		switch {
		case got == nil:
			t.Fatalf("no credential finding: %s", findings(r))
		case vendorFirst && (got.Result != evidence.Fail || got.Password != "Zte521" || !strings.Contains(got.Detail, "the defaults of zte were tried first")):
			t.Errorf("vendor first: %+v", got)
		case !vendorFirst && got.Result != evidence.Pass:
			t.Errorf("without vendor defaults the 6 attempts should miss it: %+v", got)
		}
	}
}

func FuzzParseVendorCredentials(f *testing.F) {
	f.Add("zte root:Zte521\n# comment\n\ndlink admin:\n")
	f.Add("D-Link admin:admin\n")
	f.Fuzz(func(t *testing.T, s string) {
		vc, err := ParseVendorCredentials(strings.NewReader(s), "f.txt")
		if err != nil {
			return
		}
		for _, v := range vc {
			if v.Vendor == "" || v.Username == "" || normVendor(v.Vendor) != v.Vendor {
				t.Fatalf("accepted %+v", v)
			}
		}
	})
}
