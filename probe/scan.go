package probe

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Scanner connects to ports, identifies each service by what it answers,
// never by its port number, and runs the checks that fit the service
// (docs/probes.md). Nothing it sends changes a device: identification is a
// TLS handshake, an HTTP HEAD, an MQTT CONNECT, an RTSP OPTIONS or a
// CoAP/SSDP/mDNS query, and a login that works is left at once.
type Scanner struct {
	// Timeout bounds each connection attempt and each read.
	Timeout time.Duration
	// HostTimeout bounds all the work on one host (0: no bound); checks
	// cut short report an error.
	HostTimeout time.Duration
	// PerHost is how many ports of one host are probed at once.
	PerHost int
	// Hosts is how many hosts are probed at once.
	Hosts int
	// Dial opens connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// Credentials are tried on every service that asks for a login; none
	// means no login is attempted.
	Credentials []Credential
	// VendorCredentials are tried first, before Credentials, on a service
	// whose banner names their vendor (DefaultVendorCredentials).
	VendorCredentials []VendorCredential
	// Attempts bounds the credentials tried per service (0: all of them),
	// counting a vendor's defaults tried first.
	Attempts int
	// Rate paces login attempts on one host, per second (0: unpaced).
	Rate float64
	// Sessions bounds the logins tried on one service at once (0: 4); it
	// drops to one at the first connection error.
	Sessions int
	// Transcripts keeps what was sent and received for each service.
	Transcripts bool
	// Now is the clock certificates are judged by; nil means time.Now.
	Now func() time.Time
}

// Service is what answered on one port.
type Service struct {
	Port     Port   `json:"port"`
	Address  string `json:"address"` // ip:port
	Protocol string `json:"protocol"`
	// Banner is the first line the service sent, printable characters only.
	Banner string `json:"banner,omitempty"`
	TLS    bool   `json:"tls,omitempty"`
	// Data holds what the service said about the device (mDNS records).
	Data map[string]any `json:"data,omitempty"`
	// Transcript holds what the checks sent and received, when asked for.
	Transcript []byte `json:"-"`
	// Time is when the service was identified.
	Time time.Time `json:"time,omitzero"`
}

// HostReport is the result for one target.
type HostReport struct {
	Host     string    `json:"host"`
	Addr     string    `json:"address,omitempty"`
	Probed   []Port    `json:"probed"`
	Services []Service `json:"services"`
	Findings []Finding `json:"findings"`
	// Error says why the host could not be probed at all (e.g. a name that
	// does not resolve).
	Error string `json:"error,omitempty"`
	// Done is when the last check of the host ended.
	Done time.Time `json:"done,omitzero"`
}

func (s *Scanner) defaults() {
	if s.Timeout <= 0 {
		s.Timeout = 3 * time.Second
	}
	if s.PerHost <= 0 {
		s.PerHost = 8
	}
	if s.Hosts <= 0 {
		s.Hosts = 64
	}
	if s.Sessions <= 0 {
		s.Sessions = 4
	}
	if s.Dial == nil {
		d := &net.Dialer{}
		s.Dial = d.DialContext
	}
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Scan probes every target on its own ports or on ports, runs the checks
// that fit each service found, and calls report once per target (from
// several goroutines, one call at a time).
func (s *Scanner) Scan(ctx context.Context, targets []Target, ports []Port, report func(HostReport)) {
	s.defaults()
	var mu sync.Mutex
	sem := make(chan struct{}, s.Hosts)
	var wg sync.WaitGroup
	for _, t := range targets {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(t Target) {
			defer func() { <-sem; wg.Done() }()
			r := s.scanHost(ctx, t, ports)
			mu.Lock()
			defer mu.Unlock()
			report(r)
		}(t)
	}
	wg.Wait()
}

func (s *Scanner) scanHost(ctx context.Context, t Target, ports []Port) HostReport {
	if s.HostTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.HostTimeout)
		defer cancel()
	}
	r := HostReport{Host: t.Host(), Services: []Service{}}
	addr := t.Addr
	if t.Name != "" {
		rctx, cancel := context.WithTimeout(ctx, s.Timeout)
		addrs, err := net.DefaultResolver.LookupNetIP(rctx, "ip", t.Name)
		cancel()
		if err != nil || len(addrs) == 0 {
			r.Error = fmt.Sprintf("cannot resolve %s: %v", t.Name, err)
			r.Done = s.now()
			return r
		}
		addr = addrs[0].Unmap()
	}
	r.Addr = addr.String()
	if t.Ports != nil {
		ports = t.Ports
	}
	var limiter *rate.Limiter
	if s.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(s.Rate), 1)
	}
	var mu sync.Mutex
	sem := make(chan struct{}, s.PerHost)
	var wg sync.WaitGroup
	for _, p := range ports {
		r.Probed = append(r.Probed, p)
		sem <- struct{}{}
		wg.Add(1)
		go func(p Port) {
			defer func() { <-sem; wg.Done() }()
			var svc Service
			var found []Finding
			var ok bool
			if p.Proto == "udp" {
				svc, found, ok = s.identifyUDP(ctx, addr, p)
				svc.Time = s.now()
			} else if svc, ok = s.identify(ctx, addr, p); ok {
				svc.Time = s.now()
				ss := &session{s: s, ctx: ctx, svc: &svc, limiter: limiter}
				if s.Transcripts {
					ss.log = new(bytes.Buffer)
				}
				found = ss.checks()
				if ss.log != nil {
					svc.Transcript = ss.log.Bytes()
				}
			}
			if ok {
				mu.Lock()
				r.Services = append(r.Services, svc)
				r.Findings = append(r.Findings, found...)
				mu.Unlock()
			}
		}(p)
	}
	wg.Wait()
	r.Done = s.now()
	slices.SortFunc(r.Services, func(a, b Service) int { return cmp.Compare(a.Port.String(), b.Port.String()) })
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Check, b.Check))
	})
	return r
}

// checks runs the checks that fit the service's protocol.
func (ss *session) checks() []Finding {
	var out []Finding
	if ss.svc.TLS {
		out = append(out, ss.tlsChecks()...)
	}
	switch ss.svc.Protocol {
	case "telnet":
		out = append(out, ss.tryCredentials(ss.telnetLogin)...)
		ss.idleTelnet.closeAll()
	case "ssh":
		out = append(out, ss.sshChecks()...)
	case "http", "https":
		out = append(out, ss.httpChecks()...)
		ss.idleHTTP.closeAll()
	case "ftp":
		out = append(out, ss.ftpChecks()...)
	case "mqtt":
		out = append(out, ss.mqttChecks()...)
	case "rtsp":
		out = append(out, ss.rtspChecks()...)
	}
	return out
}

// identify connects to one port; ok is false when nothing accepts there.
func (s *Scanner) identify(ctx context.Context, addr netip.Addr, p Port) (Service, bool) {
	hostport := netip.AddrPortFrom(addr, p.Number).String()
	svc := Service{Port: p, Address: hostport, Protocol: "unknown"}
	first, err := s.exchange(ctx, hostport, nil, false)
	if errors.Is(err, errRefused) {
		return svc, false
	}
	if len(first) == 0 && likelyMQTT(p) {
		// The port is MQTT's own: ask that first. The answer, not the
		// port, names the service; a broker answers at once, where the
		// questions below could each wait for a timeout on it.
		if b, _ := s.exchange(ctx, hostport, mqttConnectPacket(nil), false); isConnack(b) {
			svc.Protocol, svc.Banner = "mqtt", "MQTT"
			return svc, true
		}
	}
	if len(first) == 0 {
		// Silent until spoken to: try TLS, then plain HTTP, MQTT and RTSP.
		if b, err := s.exchange(ctx, hostport, []byte(headRequest), true); !errors.Is(err, errNoTLS) && !errors.Is(err, errRefused) {
			svc.TLS = true
			svc.Protocol = "tls"
			if bytes.HasPrefix(b, []byte("HTTP/")) {
				svc.Protocol, svc.Banner = "https", firstLine(b)
			} else if b, _ := s.exchange(ctx, hostport, mqttConnectPacket(nil), true); isConnack(b) {
				svc.Protocol, svc.Banner = "mqtt", "MQTT over TLS"
			}
			return svc, true
		}
		first, _ = s.exchange(ctx, hostport, []byte(headRequest), false)
		if len(first) == 0 {
			if b, _ := s.exchange(ctx, hostport, mqttConnectPacket(nil), false); isConnack(b) {
				svc.Protocol, svc.Banner = "mqtt", "MQTT"
				return svc, true
			}
			// An RTSP server that ignores HTTP still answers OPTIONS.
			first, _ = s.exchange(ctx, hostport, []byte(rtspOptions), false)
		}
	}
	svc.Protocol, svc.Banner = classify(first, p)
	return svc, true
}

// likelyMQTT says whether p is the port IANA assigns to MQTT without TLS.
func likelyMQTT(p Port) bool { return p.Proto == "tcp" && p.Number == 1883 }

const (
	headRequest = "HEAD / HTTP/1.0\r\n\r\n"
	rtspOptions = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"
)

// speakFirstWait is how long a new connection is given to say something
// before the probe speaks.
const speakFirstWait = 500 * time.Millisecond

var (
	errRefused = errors.New("nothing accepts connections there")
	errNoTLS   = errors.New("no TLS handshake")
)

// connect opens a connection with the scanner's deadline on all of it,
// passes the raw connection through wrap (the transcript recorder) when
// given, and then, when useTLS, completes a TLS handshake with cfg (nil:
// insecureTLS). Failures wrap errRefused (nothing accepted the connection)
// or errNoTLS (the handshake failed).
func (s *Scanner) connect(ctx context.Context, hostport string, useTLS bool, cfg *tls.Config, wrap func(net.Conn) net.Conn) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	conn, err := s.Dial(dctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRefused, err)
	}
	conn.SetDeadline(time.Now().Add(s.Timeout))
	if wrap != nil {
		conn = wrap(conn)
	}
	if !useTLS {
		return conn, nil
	}
	if cfg == nil {
		cfg = insecureTLS(hostport)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(dctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %v", errNoTLS, err)
	}
	return tc, nil
}

// exchange connects (over TLS when useTLS), sends send if any, and returns
// the first bytes the service sends back within the timeout. Every step has
// a deadline, so a service that accepts and never answers, or trickles,
// costs at most a few timeouts.
func (s *Scanner) exchange(ctx context.Context, hostport string, send []byte, useTLS bool) ([]byte, error) {
	conn, err := s.connect(ctx, hostport, useTLS, nil, nil)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if send != nil {
		if _, err := conn.Write(send); err != nil {
			return nil, err
		}
	} else {
		// A service that speaks first (telnet, SSH, FTP) does so at once.
		// One that is slower still gets named: its banner is what the
		// TLS or HTTP probe that follows reads first.
		conn.SetReadDeadline(time.Now().Add(min(s.Timeout, speakFirstWait)))
	}
	buf := make([]byte, 1024)
	n, err := conn.Read(buf)
	if n == 0 {
		return nil, err
	}
	// A TLS 1.0 server sends the first byte of its answer in a record of
	// its own (against BEAST): after so short a read, gather a little more.
	for n < 4 && !bytes.ContainsAny(buf[:n], "\r\n") {
		conn.SetReadDeadline(time.Now().Add(min(s.Timeout, 100*time.Millisecond)))
		m, err := conn.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	// A device may send a banner line and its login prompt in separate
	// segments ("ZTE ZXHN F660", then "Login: "): when what came first names
	// no protocol, wait briefly for the rest.
	for send == nil && n < len(buf) {
		if proto, _ := classify(buf[:n], Port{}); proto != "unknown" {
			break
		}
		conn.SetReadDeadline(time.Now().Add(min(s.Timeout, 150*time.Millisecond)))
		m, err := conn.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	return buf[:n], nil
}

// classify names a service from its first bytes.
func classify(b []byte, p Port) (string, string) {
	line := firstLine(b)
	switch {
	case len(b) == 0:
		return "silent", "" // accepts connections and says nothing to any question: a tarpit, or a protocol not spoken here
	case b[0] == 0xFF: // telnet IAC: option negotiation
		return "telnet", line
	case strings.HasPrefix(line, "SSH-"):
		return "ssh", line
	case strings.HasPrefix(line, "HTTP/"):
		return "http", line
	case strings.HasPrefix(line, "RTSP/"):
		return "rtsp", line
	case strings.HasPrefix(line, "220"):
		if strings.Contains(strings.ToUpper(line), "SMTP") {
			return "smtp", line
		}
		return "ftp", line
	case bytes.Contains(bytes.ToLower(b), []byte("login:")):
		return "telnet", line
	}
	return "unknown", line
}

// firstLine returns the first line of b with non-printable bytes removed.
func firstLine(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		}
	}
	return strings.TrimSpace(sb.String())
}
