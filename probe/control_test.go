package probe

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
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
