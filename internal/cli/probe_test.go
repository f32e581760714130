package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
