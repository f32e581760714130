package probe

import (
	"bufio"
	"net"
	"strings"
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
	var got *Finding
	for i := range r.Findings {
		if r.Findings[i].Check == "default-credentials" {
			got = &r.Findings[i]
		}
	}
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
