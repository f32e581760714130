package probe

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// BenchmarkFleetAgainstNmap runs iotlabel's probe (the whole built-in
// credential list, vendor defaults first, 4 sessions per service) and
// nmap -sV -Pn -n -T4 over the accuracy gate's fleet of real daemons —
// BusyBox telnetd logins (one with a one-second failure delay and three tries
// per connection), OpenSSH, lighttpd, Mosquitto, vsftpd, snmpd, a tarpit, a
// look-alike login page… — in the same run, and reports both wall times, the
// ratio and the planted weaknesses iotlabel found. nmap gets the TCP hosts
// with the union of their ports (it takes one port list for all hosts);
// UDP-only devices are iotlabel's alone. Needs root, the gate's daemons and
// nmap:
//
//	go test -run XXX -bench FleetAgainstNmap -benchtime 1x ./probe
func BenchmarkFleetAgainstNmap(b *testing.B) {
	_, err := exec.LookPath("nmap")
	testenv.Require(b, err == nil, "nmap (package nmap)")
	devs := fleet(b)
	var targets []Target
	var tcpHosts []string
	var tcpPorts []string
	planted := 0
	for _, d := range devs {
		targets = append(targets, Target{Addr: netip.MustParseAddr(d.addr), Ports: []Port{d.port}})
		planted += len(d.expect)
		if d.port.Proto == "tcp" {
			tcpHosts = append(tcpHosts, d.addr)
			if p := fmt.Sprint(d.port.Number); !slices.Contains(tcpPorts, p) {
				tcpPorts = append(tcpPorts, p)
			}
		}
	}
	for b.Loop() {
		start := time.Now()
		s := &Scanner{Timeout: 4 * time.Second, Credentials: DefaultCredentials(), VendorCredentials: DefaultVendorCredentials()}
		got := map[string][]string{}
		var done []string // "name at elapsed", in finishing order
		byAddr := map[string]string{}
		for _, d := range devs {
			byAddr[d.addr] = d.name
		}
		s.Scan(context.Background(), targets, nil, func(r HostReport) {
			done = append(done, fmt.Sprintf("%s %.1fs", byAddr[r.Addr], time.Since(start).Seconds()))
			got[r.Addr] = append(got[r.Addr], failures(r)...)
		})
		probeTime := time.Since(start)
		found, falseFindings := 0, 0
		for _, d := range devs {
			for _, f := range got[d.addr] {
				if slices.Contains(d.expect, f) {
					found++
				} else {
					falseFindings++
				}
			}
		}
		start = time.Now()
		out, err := exec.Command("nmap", append([]string{"-sV", "-Pn", "-n", "-T4", "-p", strings.Join(tcpPorts, ","), "-oG", "-"}, tcpHosts...)...).CombinedOutput()
		if err != nil {
			b.Fatalf("nmap: %v\n%s", err, out)
		}
		nmapTime := time.Since(start)
		b.ReportMetric(probeTime.Seconds(), "iotlabel-s")
		b.ReportMetric(nmapTime.Seconds(), "nmap-s")
		b.ReportMetric(nmapTime.Seconds()/probeTime.Seconds(), "nmap/iotlabel")
		b.ReportMetric(float64(found), "found")
		b.ReportMetric(float64(planted), "planted")
		b.ReportMetric(float64(falseFindings), "false")
		b.Logf("%d devices (%d with TCP, %d TCP ports for nmap): iotlabel %v, nmap -sV %v", len(devs), len(tcpHosts), len(tcpPorts), probeTime.Round(time.Millisecond), nmapTime.Round(time.Millisecond))
		b.Logf("last hosts done: %s", strings.Join(done[max(0, len(done)-8):], ", "))
	}
}
