package probe

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/internal/testenv"
)

// startSNMPD runs Debian's net-snmp agent on addr:port with the given
// configuration lines and waits until it answers the community it knows.
func startSNMPD(t testing.TB, addr string, port uint16, community string, conf ...string) {
	t.Helper()
	_, err := exec.LookPath("/usr/sbin/snmpd")
	testenv.Require(t, err == nil, "net-snmp's agent (/usr/sbin/snmpd, package snmpd)")
	dir := t.TempDir()
	cf := filepath.Join(dir, "snmpd.conf")
	body := ""
	for _, l := range conf {
		body += l + "\n"
	}
	if err := os.WriteFile(cf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/sbin/snmpd", "-f", "-Lf", filepath.Join(dir, "log"), "-C", "-c", cf, "-p", filepath.Join(dir, "pid"),
		fmt.Sprintf("udp:%s:%d", addr, port))
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+dir, "MIBS=")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start snmpd: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &Scanner{Timeout: 200 * time.Millisecond}
	s.defaults()
	hp := netip.AddrPortFrom(netip.MustParseAddr(addr), port).String()
	for range 50 {
		if a, _ := s.snmpSweep(context.Background(), hp, []string{community}); len(a) > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "log"))
	t.Fatalf("snmpd did not answer on %s:\n%s", hp, b)
}

// TestSNMPCommunities: a real snmpd that answers "public" is found on its
// own (non-standard) port, named by its system description, and reported
// as a default-credentials failure in both SNMP versions, with the community
// masked in the evidence; an agent that knows only its own community is
// not an SNMP finding at all (it says nothing to strangers).
func TestSNMPCommunities(t *testing.T) {
	weak, clean := "127.0.3.1", "127.0.3.2"
	wp, cp := freeUDPPort(t, weak), freeUDPPort(t, clean)
	startSNMPD(t, weak, wp, "public", "rocommunity public 127.0.0.0/8", "sysdescr Example IoT camera, firmware 1.0")
	startSNMPD(t, clean, cp, "x9-unique-community", "rocommunity x9-unique-community 127.0.0.0/8")
	s := &Scanner{Timeout: time.Second, Credentials: DefaultCredentials()}
	var reports []HostReport
	s.Scan(context.Background(), []Target{{Addr: netip.MustParseAddr(weak), Ports: []Port{{wp, "udp"}}}, {Addr: netip.MustParseAddr(clean), Ports: []Port{{cp, "udp"}}}}, nil,
		func(r HostReport) { reports = append(reports, r) })
	slices.SortFunc(reports, func(a, b HostReport) int { return strings.Compare(a.Host, b.Host) })
	w := reports[0]
	if len(w.Services) != 1 || w.Services[0].Protocol != "snmp" || w.Services[0].Banner != "Example IoT camera, firmware 1.0" {
		t.Fatalf("weak agent's services: %+v", w.Services)
	}
	var f *Finding
	for i := range w.Findings {
		if w.Findings[i].Check == "default-credentials" {
			f = &w.Findings[i]
		}
	}
	if f == nil || f.Result != evidence.Fail || f.Protocol != "snmp" || f.Password != "public" ||
		!slices.Equal(f.Data["versions"].([]string), []string{"v2c", "v1"}) || f.Data["communities_answered"] != 1 {
		t.Fatalf("weak agent's finding: %+v", f)
	}
	items := Evidence(w, Meta{At: time.Now()})
	for _, it := range items {
		if it.Check == "default-credentials" && (it.PasswordHint == "public" || it.PasswordHint == "") {
			t.Errorf("the community is not masked: %q", it.PasswordHint)
		}
	}
	c := reports[1]
	for _, f := range c.Findings {
		if f.Result == evidence.Fail {
			t.Errorf("clean agent: %+v", f)
		}
	}
	if len(c.Services) != 0 {
		t.Errorf("clean agent identified: %+v", c.Services)
	}
}
