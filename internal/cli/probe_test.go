package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/fakenet"
	"github.com/iotlabel/iotlabel/probe"
)

// TestProbeFeedsAssess probes a telnet-like service (a hand-written fake
// that sends telnet option negotiation, as BusyBox telnetd does; the probe
// package tests run the real daemons) and an HTTP server, then feeds the
// evidence to assess: the observed telnet service overrules the router's
// declaration.
func TestProbeFeedsAssess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01login: "))
			c.Close()
		}
	}()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer web.Close()
	_, telnetPort, _ := net.SplitHostPort(ln.Addr().String())
	_, webPort, _ := net.SplitHostPort(strings.TrimPrefix(web.URL, "http://"))
	ports := telnetPort + "," + webPort

	code, out, errs := run(t, "probe", "127.0.0.1", "--ports", ports, "--timeout", "1s", "--no-login")
	if code != 1 || !strings.Contains(out, "TELNET") || !strings.Contains(out, "HTTP") || !regexp.MustCompile(`FAIL +exposed-telnet`).MatchString(out) {
		t.Fatalf("probe text: exit %d\n%s%s", code, out, errs)
	}
	ev := filepath.Join(t.TempDir(), "probe.jsonl")
	if code, _, errs := run(t, "probe", "127.0.0.1", "--ports", ports, "--timeout", "1s", "--no-login", "--format", "json", "--product", "NG-AX3000", "--out", ev); code != 1 {
		t.Fatalf("probe json: exit %d %s", code, errs)
	}
	b, _ := os.ReadFile(ev)
	if strings.Count(string(b), `"check":"service-open"`) != 2 || !strings.Contains(string(b), `"check":"exposed-telnet","result":"fail"`) {
		t.Errorf("evidence:\n%s", b)
	}
	_, report, errs := run(t, "assess", example("router-tier2"), "--as-of", asOf, "--evidence", ev)
	if !strings.Contains(report, "[contradiction] outcome minimal-attack-surface") || !strings.Contains(report, "a telnet service answers on port "+telnetPort) {
		t.Errorf("assess with probe evidence does not use it:\n%s%s", report, errs)
	}

	for _, bad := range [][]string{{"probe"}, {"probe", "10.0.0.0/8"}, {"probe", "127.0.0.1", "--shard", "3/2"}, {"probe", "127.0.0.1", "--ports", "0"}} {
		if code, _, errs := run(t, bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}
}

// fakeTelnetUnit is a device login (a hand-written fake; the probe package
// tests the real BusyBox telnetd) that accepts root with password and
// answers the probe's echo like a shell.
func fakeTelnetUnit(t *testing.T, ln net.Listener, password string) {
	t.Cleanup(func() { ln.Close() })
	go fakenet.Serve(ln, 5*time.Second, func(c net.Conn) {
		r := bufio.NewReader(c)
		c.Write([]byte("cam login: "))
		user, _ := r.ReadString('\n')
		c.Write([]byte("Password: "))
		pass, _ := r.ReadString('\n')
		if strings.TrimSpace(user) != "root" || strings.TrimSpace(pass) != password {
			c.Write([]byte("Login incorrect\r\n"))
			return
		}
		c.Write([]byte("# "))
		cmd, _ := r.ReadString('\n')
		c.Write([]byte(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(cmd), "echo "), "$((40+2))", "42") + "\r\n# "))
	})
}

// listenPair listens on the same free port of two loopback addresses,
// trying other ports when the first one is taken on the second address.
func listenPair(t *testing.T, hostA, hostB string) (a, b net.Listener, port string) {
	t.Helper()
	var last error
	for range 20 {
		a, err := net.Listen("tcp", hostA+":0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(a.Addr().String())
		b, err := net.Listen("tcp", hostB+":"+port)
		if err == nil {
			return a, b, port
		}
		a.Close()
		last = err
	}
	t.Fatalf("no port free on both %s and %s: %v", hostA, hostB, last)
	return nil, nil, ""
}

// TestProbeCompareUnits: two units of one model share a password that is
// in no default list; --credentials supplies it, --compare reports the
// universal password, --reveal and --transcripts show what was done.
func TestProbeCompareUnits(t *testing.T) {
	a, b, port := listenPair(t, "127.0.3.1", "127.0.3.2")
	fakeTelnetUnit(t, a, "Cam-2024!")
	fakeTelnetUnit(t, b, "Cam-2024!")
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds.txt")
	os.WriteFile(creds, []byte("# the model's shared password\nroot:Cam-2024!\n"), 0o644)
	transcripts := filepath.Join(dir, "tr")
	args := []string{"probe", "127.0.3.1:" + port, "127.0.3.2:" + port, "--compare", "--credentials", creds,
		"--rate", "0", "--timeout", "1s", "--transcripts", transcripts, "--format", "json"}
	code, out, errs := run(t, args...)
	if code != 1 || !strings.Contains(out, `"check":"universal-password","result":"fail"`) || !strings.Contains(out, `"password_hint":"C*******! (9 chars)"`) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	tr, err := os.ReadFile(filepath.Join(transcripts, "127.0.3.1_"+port+".txt"))
	if err != nil || !strings.Contains(string(tr), `> "Cam-2024!\r\n"`) {
		t.Errorf("transcript: %v\n%s", err, tr)
	}
	if !strings.Contains(out, probe.TranscriptDigest(tr)) {
		t.Errorf("evidence does not cite the transcript's digest %s", probe.TranscriptDigest(tr))
	}
	_, out, _ = run(t, append(args, "--reveal")...)
	if !strings.Contains(out, `"password_hint":"Cam-2024!"`) {
		t.Errorf("--reveal does not show the password:\n%s", out)
	}
	// Without the model's password, the units share nothing the list knows.
	code, out, _ = run(t, "probe", "127.0.3.1:"+port, "127.0.3.2:"+port, "--compare", "--rate", "0", "--timeout", "1s", "--attempts", "5")
	if code != 1 || !regexp.MustCompile(`PASS +universal-password`).MatchString(out) {
		t.Errorf("exit %d\n%s", code, out)
	}
	os.WriteFile(creds, []byte("no-colon-here\n"), 0o644)
	if code, _, errs := run(t, "probe", "127.0.3.1:"+port, "--credentials", creds); code != 2 || !strings.Contains(errs, "creds.txt:1:") {
		t.Errorf("bad credentials file: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "probe", "127.0.3.1", "--compare"); code != 2 || !strings.Contains(errs, "two targets") {
		t.Errorf("--compare with one target: exit %d, %s", code, errs)
	}
}

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		want        string
	}{{0, 10, "[    ]"}, {5, 10, "[##  ]"}, {10, 10, "[####]"}, {0, 0, "[####]"}} {
		if got := bar(tc.done, tc.total, 4); got != tc.want {
			t.Errorf("bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

// TestProbeRanksHosts: a run ends with the hosts ranked by risk — the one
// whose failure breaks Tier 1 (a default login, from the catalog's tiers)
// above one with only an exposed telnet port (Tier 2's attack surface) and a
// silent one — in text, as JSON (--format summary) and as an HTML page that
// html/template escaped and that masks the password.
func TestProbeRanksHosts(t *testing.T) {
	weak, telnetOnly, port := listenPair(t, "127.0.3.5", "127.0.3.6")
	fakeTelnetUnit(t, weak, "xc3511")
	go func() {
		for {
			c, err := telnetOnly.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01login: "))
			c.Close()
		}
	}()
	args := []string{"probe", "127.0.3.6:" + port, "127.0.3.7:" + port, "127.0.3.5:" + port, "--rate", "0", "--timeout", "1s", "--attempts", "3"}
	code, out, errs := run(t, args...)
	if code != 1 || !regexp.MustCompile(`(?s)Hosts by risk.*127\.0\.3\.5\s+tier 1\s+[^\n]*default-credentials.*127\.0\.3\.6\s+tier 2\s+exposed-telnet.*127\.0\.3\.7\s+silent`).MatchString(out) {
		t.Fatalf("ranking: exit %d\n%s%s", code, out, errs)
	}
	_, out, _ = run(t, append(args, "--format", "summary")...)
	var hosts []struct {
		Host   string   `json:"host"`
		Breaks int      `json:"breaks_tier"`
		Failed []string `json:"failed_checks"`
		Silent bool     `json:"silent"`
	}
	if err := json.Unmarshal([]byte(out), &hosts); err != nil || len(hosts) != 3 || hosts[0].Host != "127.0.3.5" || hosts[0].Breaks != 1 || !hosts[2].Silent {
		t.Errorf("summary: %v %+v", err, hosts)
	}
	page := filepath.Join(t.TempDir(), "network.html")
	if code, _, errs := run(t, append(args, "--format", "html", "--out", page)...); code != 1 {
		t.Fatalf("html: exit %d %s", code, errs)
	}
	b, _ := os.ReadFile(page)
	if !strings.Contains(string(b), "high: breaks the legal baseline (Tier 1)") || strings.Contains(string(b), "xc3511") || !strings.Contains(string(b), `<a href="#127.0.3.5">`) {
		t.Errorf("page:\n%.2000s", b)
	}
}

// fakeUPnP answers SSDP on addr with a device description naming the
// manufacturer and model; it returns the UDP port.
func fakeUPnP(t *testing.T, addr, manufacturer, model string) uint16 {
	t.Helper()
	web := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>%s</manufacturer><modelName>%s</modelName></device></root>`, manufacturer, model)
	})}
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	go web.Serve(ln)
	t.Cleanup(func() { web.Close() })
	pc, err := net.ListenPacket("udp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if strings.HasPrefix(string(buf[:n]), "M-SEARCH") {
				pc.WriteTo([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nSERVER: Linux UPnP/1.0\r\nLOCATION: http://%s/desc.xml\r\nST: upnp:rootdevice\r\nUSN: uuid:1\r\n\r\n", ln.Addr())), from)
			}
		}
	}()
	return uint16(pc.LocalAddr().(*net.UDPAddr).Port)
}

// TestProbeAsksTheRegistry: devices that name themselves over UPnP are
// looked up in a live registry: the demo's router has a label, with its
// status, tier and support end; a model the registry does not know has none.
func TestProbeAsksTheRegistry(t *testing.T) {
	base, _ := startDemo(t, "")
	known := fakeUPnP(t, "127.0.3.10", "Northgate Networks GmbH", "NG-AX3000")
	unknown := fakeUPnP(t, "127.0.3.11", "Nobody Ltd", "X-1")
	code, out, errs := run(t, "probe", "127.0.3.10", "127.0.3.11", "--ports", fmt.Sprintf("%d/udp,%d/udp", known, unknown),
		"--timeout", "1s", "--registry", base, "--format", "summary")
	var hosts []struct {
		Host     string
		Identity struct{ Manufacturer, Model, Via string }
		Label    struct {
			Status  string
			LabelID string `json:"label_id"`
			Tier    int
		}
	}
	if err := json.Unmarshal([]byte(out), &hosts); err != nil || code != 1 || len(hosts) != 2 {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errs)
	}
	for _, h := range hosts {
		switch h.Host {
		case "127.0.3.10":
			if h.Identity.Model != "NG-AX3000" || h.Identity.Via != "upnp" || h.Label.LabelID == "" || h.Label.Tier != 2 || h.Label.Status == "" {
				t.Errorf("known device: %+v", h)
			}
		case "127.0.3.11":
			if h.Label.Status != "no label" {
				t.Errorf("unknown device: %+v", h)
			}
		}
	}
}
