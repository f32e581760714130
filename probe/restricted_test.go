package probe

import (
	"bufio"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// restrictedShell is a telnet device with a vendor CLI: it takes root:xc3511
// (a Mirai pair), prints a BusyBox banner and a "# " prompt, but answers the
// harmless echo with "not found"; a wrong login gets "Login incorrect".
func restrictedShell(c net.Conn) {
	r := bufio.NewReader(c)
	c.Write([]byte("BusyBox v1.19.4 (2015-05-19) built-in shell\r\ncam login: "))
	user, _ := r.ReadString('\n')
	c.Write([]byte("Password: "))
	pass, _ := r.ReadString('\n')
	if strings.TrimSpace(user) != "root" || strings.TrimSpace(pass) != "xc3511" {
		c.Write([]byte("Login incorrect\r\n"))
		return
	}
	c.Write([]byte("# "))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		c.Write([]byte(word + ": not found\r\n# "))
	}
}

// TestRestrictedShellLogin: an accepted login whose shell cannot run the
// harmless command is a failure ("login accepted, command not confirmed"),
// never "none of the default credentials was accepted"; a device that
// answers every login with a prompt stays undecidable.
func TestRestrictedShellLogin(t *testing.T) {
	s := &Scanner{Timeout: time.Second, Credentials: []Credential{{"admin", "admin"}, {"root", "xc3511"}}}
	r := scanOne(t, s, fakeServer(t, restrictedShell))
	got := credentialFinding(r)
	if got == nil || got.Result != evidence.Fail || got.Username != "root" || !strings.Contains(got.Detail, `login accepted (prompt "#"), command not confirmed`) {
		t.Fatalf("restricted shell: %+v (all: %s)", got, findings(r))
	}
	anyLogin := func(c net.Conn) {
		br := bufio.NewReader(c)
		c.Write([]byte("login: "))
		br.ReadString('\n')
		c.Write([]byte("Password: "))
		br.ReadString('\n')
		c.Write([]byte("> "))
		br.ReadString('\n')
		c.Write([]byte("unknown command\r\n> "))
	}
	r = scanOne(t, s, fakeServer(t, anyLogin))
	for _, f := range r.Findings {
		if f.Check == "default-credentials" && (f.Result != evidence.Error || !strings.Contains(f.Detail, "undecidable")) {
			t.Errorf("a device that prompts after any login: %+v", f)
		}
	}
}

// TestTelnetSeveralTriesPerConnection: a device that allows three tries per
// connection, waits after each wrong password and re-prompts is swept on a
// third of the connections, and the credential found is still the first of
// the list that works; a kept connection the device closed is replaced.
func TestTelnetSeveralTriesPerConnection(t *testing.T) {
	device := telnetDevice("BusyBox v1.36.1 built-in shell\r\n", "cam login: ", "admin", "1234", 3, 100*time.Millisecond)
	creds := []Credential{{"root", "xc3511"}, {"root", "vizxv"}, {"admin", "admin"}, {"root", "888888"}, {"support", "support"}, {"admin", "1234"}, {"admin", "12345"}}
	got, r, n := sweepCounting(t, device, creds)
	if got == nil || got.Result != evidence.Fail || got.Username != "admin" || got.Password != "1234" {
		t.Fatalf("slow device: %+v (all: %s)", got, findings(r))
	}
	// The two control logins and five refusals, three tries a connection,
	// then the login that works: 3 connections, not 8 (plus the probe's own
	// identification connection, if it made one).
	if n > 4 {
		t.Errorf("%d connections for 8 logins on a device that allows 3 per connection", n)
	}
}

// TestFTPSeveralTriesPerConnection: an FTP server that allows three logins
// per connection is swept on a third of the connections.
func TestFTPSeveralTriesPerConnection(t *testing.T) {
	server := func(c net.Conn) {
		r := bufio.NewReader(c)
		c.Write([]byte("220 camera FTP\r\n"))
		for fails := 0; fails < 3; {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
			switch cmd {
			case "USER":
				c.Write([]byte("331 Please specify the password.\r\n"))
				if arg != "admin" {
					arg = ""
				}
				line, err = r.ReadString('\n')
				if err != nil {
					return
				}
				if arg == "admin" && strings.TrimSpace(line) == "PASS 1234" {
					c.Write([]byte("230 Login successful.\r\n"))
					continue
				}
				fails++
				c.Write([]byte("530 Login incorrect.\r\n"))
			case "QUIT":
				c.Write([]byte("221 Goodbye.\r\n"))
				return
			default:
				c.Write([]byte("530 Please login with USER and PASS.\r\n"))
			}
		}
	}
	creds := []Credential{{"root", "xc3511"}, {"admin", "admin"}, {"root", "888888"}, {"support", "support"}, {"admin", "1234"}}
	got, r, n := sweepCounting(t, server, creds)
	if got == nil || got.Result != evidence.Fail || got.Username != "admin" || got.Password != "1234" {
		t.Fatalf("FTP: %+v (all: %s)", got, findings(r))
	}
	// anonymous, the two control logins and four refusals, then the login:
	// 8 logins on 3 connections (plus identification, if any).
	if n > 4 {
		t.Errorf("%d connections for 8 FTP logins on a server that allows 3 per connection", n)
	}
}

// shell is a POSIX shell after a login, as far as the probe looks: a "# "
// prompt that answers the harmless echo.
func shell(c net.Conn, r *bufio.Reader) {
	c.Write([]byte("# "))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if strings.Contains(line, "echo iotlabel") {
			c.Write([]byte(telnetAnswer + "\r\n"))
		}
		c.Write([]byte("# "))
	}
}

// credentialFinding is the host's default-credentials finding, or nil.
func credentialFinding(r HostReport) *Finding {
	for i := range r.Findings {
		if r.Findings[i].Check == "default-credentials" {
			return &r.Findings[i]
		}
	}
	return nil
}

// TestRecogNamesTheDevice: a telnet banner that a Recog fingerprint reads as a
// hardware product identifies the device (for --registry), and its vendor's
// defaults go first though the banner never spells the vendor out.
func TestRecogNamesTheDevice(t *testing.T) {
	device := telnetDevice("", "RT-AC54U login: ", "admin", "password", 1, 0)
	// admin:password is the 13th of the general list, the 2nd of Asus's.
	s := &Scanner{Timeout: time.Second, Credentials: DefaultCredentials(), VendorCredentials: DefaultVendorCredentials(), Attempts: 3}
	r := scanOne(t, s, fakeServer(t, device))
	id, ok := Identify(r)
	if !ok || id.Manufacturer != "Asus" || id.Model != "RT-AC54U" || id.Via != "recog:telnet" {
		t.Errorf("identity %+v %v (services %+v)", id, ok, r.Services)
	}
	got := credentialFinding(r)
	if got == nil || got.Result != evidence.Fail || got.Username != "admin" || got.Password != "password" || !strings.Contains(got.Detail, "the defaults of asus were tried first") {
		t.Errorf("asus defaults first: %+v", got)
	}
}

// telnetDevice is a device login: it sends greeting, then up to tries times
// prompt, a user and a "Password: " prompt; the pair user:pass gets a shell,
// others wait delay and get "Login incorrect".
func telnetDevice(greeting, prompt, user, pass string, tries int, delay time.Duration) func(net.Conn) {
	return func(c net.Conn) {
		r := bufio.NewReader(c)
		for try := range tries {
			if try == 0 {
				c.Write([]byte(greeting + prompt)) // one segment, as the probe reads a first answer
			} else {
				c.Write([]byte(prompt))
			}
			u, _ := r.ReadString('\n')
			c.Write([]byte("Password: "))
			p, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.TrimSpace(u) == user && strings.TrimSpace(p) == pass {
				shell(c, r)
				return
			}
			time.Sleep(delay)
			c.Write([]byte("Login incorrect\r\n"))
		}
	}
}

// TestBannerThenPrompt: a device that sends its banner line and its login
// prompt in separate segments is still recognised as telnet, and its banner
// kept.
func TestBannerThenPrompt(t *testing.T) {
	device := func(c net.Conn) {
		c.Write([]byte("ZTE ZXHN F660\r\n"))
		time.Sleep(50 * time.Millisecond)
		telnetDevice("", "Login: ", "root", "Zte521", 1, 0)(c)
	}
	s := &Scanner{Timeout: time.Second, Credentials: []Credential{{"root", "Zte521"}}}
	r := scanOne(t, s, fakeServer(t, device))
	if len(r.Services) != 1 || r.Services[0].Protocol != "telnet" || r.Services[0].Banner != "ZTE ZXHN F660" {
		t.Fatalf("services %+v", r.Services)
	}
	if got := credentialFinding(r); got == nil || got.Result != evidence.Fail {
		t.Errorf("login: %+v", got)
	}
}

// sweepCounting probes a fake service one session at a time and returns its
// credential finding, the report and the connections the service saw.
func sweepCounting(t *testing.T, handle func(net.Conn), creds []Credential) (*Finding, HostReport, int32) {
	t.Helper()
	var conns atomic.Int32
	s := &Scanner{Timeout: time.Second, Credentials: creds, Sessions: 1}
	r := scanOne(t, s, fakeServer(t, func(c net.Conn) { conns.Add(1); handle(c) }))
	return credentialFinding(r), r, conns.Load()
}
