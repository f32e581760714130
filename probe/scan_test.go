package probe

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/fakenet"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// freePort returns a TCP port free on addr.
func freePort(t testing.TB, addr string) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// startDaemon runs a real server until the test ends and waits for its port.
func startDaemon(t testing.TB, addr string, port uint16, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, _ := os.Create(filepath.Join(t.TempDir(), "log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	hp := netip.AddrPortFrom(netip.MustParseAddr(addr), port).String()
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", hp, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(out.Name())
	t.Fatalf("%s did not listen on %s:\n%s", name, hp, b)
}

// TestIdentifyRealServices runs real daemons on their own loopback
// addresses and random high ports, and checks that each is named by what it
// answers, not by its port: OpenSSH, BusyBox telnetd, HTTP and HTTPS.
func TestIdentifyRealServices(t *testing.T) {
	sshd, err := exec.LookPath("/usr/sbin/sshd")
	testenv.Require(t, err == nil, "OpenSSH server (/usr/sbin/sshd, package openssh-server)")
	busybox, err := exec.LookPath("busybox")
	testenv.Require(t, err == nil, "BusyBox (package busybox-static)")
	testenv.Require(t, os.Geteuid() == 0, "root, for sshd and telnetd")

	dir := t.TempDir()
	key := filepath.Join(dir, "hostkey")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege-separation directory
	const sshAddr, telnetAddr = "127.0.0.21", "127.0.0.22"
	sshPort := freePort(t, sshAddr)
	startDaemon(t, sshAddr, sshPort, sshd, "-D", "-e", "-f", "/dev/null", "-h", key,
		"-o", "ListenAddress="+netip.AddrPortFrom(netip.MustParseAddr(sshAddr), sshPort).String(), "-o", "PidFile=none")
	login := filepath.Join(dir, "login.sh")
	os.WriteFile(login, []byte("#!/bin/sh\nprintf 'router login: '\nread user\n"), 0o755)
	telnetPort := freePort(t, telnetAddr)
	startDaemon(t, telnetAddr, telnetPort, busybox, "telnetd", "-F", "-l", login,
		"-b", netip.AddrPortFrom(netip.MustParseAddr(telnetAddr), telnetPort).String())

	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("admin")) }))
	defer web.Close()
	tlsWeb := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsWeb.Config.ErrorLog = log.New(io.Discard, "", 0) // the TLS checks' refused handshakes are expected
	tlsWeb.StartTLS()
	defer tlsWeb.Close()

	targets := []Target{
		{Addr: netip.MustParseAddr(sshAddr), Ports: []Port{{sshPort, "tcp"}}},
		{Addr: netip.MustParseAddr(telnetAddr), Ports: []Port{{telnetPort, "tcp"}}},
		{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{portOf(web.URL), "tcp"}, {portOf(tlsWeb.URL), "tcp"}, {freePort(t, "127.0.0.1"), "tcp"}}},
	}
	got := map[string]string{}
	s := &Scanner{Timeout: 2 * time.Second}
	s.Scan(context.Background(), targets, nil, func(r HostReport) {
		for _, svc := range r.Services {
			got[svc.Address] = svc.Protocol + " " + svc.Banner
		}
		if r.Host == "127.0.0.1" && len(r.Services) != 2 {
			t.Errorf("127.0.0.1: %d services, want 2 (the closed port is not one): %+v", len(r.Services), r.Services)
		}
	})
	want := map[string]string{
		netip.AddrPortFrom(netip.MustParseAddr(sshAddr), sshPort).String():       "ssh SSH-2.0-OpenSSH",
		netip.AddrPortFrom(netip.MustParseAddr(telnetAddr), telnetPort).String(): "telnet",
		strings.TrimPrefix(web.URL, "http://"):                                   "http HTTP/1.0 200 OK",
		strings.TrimPrefix(tlsWeb.URL, "https://"):                               "https HTTP/1.0 200 OK",
	}
	for addr, w := range want {
		if !strings.HasPrefix(got[addr], w) {
			t.Errorf("%s: got %q, want %q…", addr, got[addr], w)
		}
	}
}

func portOf(u string) uint16 {
	_, p, _ := net.SplitHostPort(u[strings.Index(u, "//")+2:])
	n, _ := netip.ParseAddrPort("127.0.0.1:" + p)
	return n.Port()
}

// TestTarpitDoesNotStall: services that accept and never answer, or
// trickle one byte at a time, cost a bounded time and leak no goroutines.
func TestTarpitDoesNotStall(t *testing.T) {
	before := runtime.NumGoroutine()
	var targets []Target
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		trickle := i%2 == 1
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				if trickle {
					go func() {
						for range 100 {
							if _, err := c.Write([]byte{'x'}); err != nil {
								return
							}
							time.Sleep(200 * time.Millisecond)
						}
					}()
				}
			}
		}()
		targets = append(targets, Target{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []Port{{uint16(ln.Addr().(*net.TCPAddr).Port), "tcp"}}})
	}
	start := time.Now()
	n, silent := 0, 0
	(&Scanner{Timeout: 300 * time.Millisecond}).Scan(context.Background(), targets, nil, func(r HostReport) {
		n += len(r.Services)
		for _, s := range r.Services {
			if s.Protocol == "silent" {
				silent++
				if it := Evidence(r, Meta{})[0]; !strings.Contains(it.Detail, "a tarpit") {
					t.Errorf("a silent port's evidence: %s", it.Detail)
				}
			}
		}
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("20 tarpits took %v", took)
	}
	if n != 20 || silent != 10 { // the trickling ones say something
		t.Errorf("%d of 20 open ports reported, %d of the 10 silent ones as silent", n, silent)
	}
	time.Sleep(100 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+45 { // the tarpits' own goroutines
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\xff\xfd\x18\xff\xfd\x20", "telnet"},
		{"SSH-2.0-dropbear_2018.76\r\n", "ssh"},
		{"220 (vsFTPd 3.0.3)\r\n", "ftp"},
		{"220 mail.example ESMTP Postfix\r\n", "smtp"},
		{"RTSP/1.0 200 OK\r\n", "rtsp"},
		{"BusyBox v1.35 built-in shell\r\nrouter login: ", "telnet"},
		{"hello", "unknown"},
	} {
		if got, _ := classify([]byte(tc.in), Port{}); got != tc.want {
			t.Errorf("classify(%q) = %s, want %s", tc.in, got, tc.want)
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
