package probe

import (
	"net"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// TestSilentHostGivesNoPass: a host where nothing answered gives errors,
// never passes an outcome could rest on; a host that answered something
// still gets its absence passes.
func TestSilentHostGivesNoPass(t *testing.T) {
	probed := []Port{{23, "tcp"}, {80, "tcp"}, {1900, "udp"}, {5683, "udp"}}
	for _, tc := range []struct {
		name     string
		services []Service
		want     string
	}{
		{"nothing answered", nil, evidence.Error},
		{"a web server answered", []Service{{Address: "192.0.2.9:80", Port: Port{80, "tcp"}, Protocol: "http"}}, evidence.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := Evidence(HostReport{Addr: "192.0.2.9", Probed: probed, Services: tc.services}, Meta{Product: "X"})
			seen := map[string]string{}
			for _, it := range items {
				seen[it.Check] = it.Result
				if tc.services == nil && it.Result == evidence.Pass {
					t.Errorf("silent host gave a pass: %s %s", it.Check, it.Detail)
				}
			}
			for _, c := range []string{"exposed-telnet", "upnp-exposed", "coap-open"} {
				if seen[c] != tc.want {
					t.Errorf("%s = %q, want %q", c, seen[c], tc.want)
				}
			}
		})
	}
}

// TestEvidenceTimeIsTheCheck: each item carries the moment it was seen — a
// service when it was identified, a finding when its check ran, what the
// host lacks as a whole when its last check ended — not one time for the
// whole run; the run's time stands in only where none is known.
func TestEvidenceTimeIsTheCheck(t *testing.T) {
	run := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	seen, first, second, done := run.Add(time.Second), run.Add(3*time.Second), run.Add(9*time.Second), run.Add(10*time.Second)
	r := HostReport{Addr: "192.0.2.9", Probed: []Port{{23, "tcp"}, {1900, "udp"}}, Done: done,
		Services: []Service{{Address: "192.0.2.9:23", Port: Port{23, "tcp"}, Protocol: "telnet", Time: seen}},
		Findings: []Finding{{Check: "default-credentials", Result: evidence.Pass, Address: "192.0.2.9:23", Time: first},
			{Check: "tls-weak-protocol", Result: evidence.Pass, Address: "192.0.2.9:23", Time: second}}}
	times := map[string]time.Time{}
	for _, it := range Evidence(r, Meta{At: run}) {
		times[it.Check] = it.Time
	}
	want := map[string]time.Time{"service-open": seen, "exposed-telnet": seen, "default-credentials": first,
		"tls-weak-protocol": second, "upnp-exposed": done, "coap-open": done}
	for check, at := range want {
		if !times[check].Equal(at) {
			t.Errorf("%s at %v, want %v", check, times[check], at)
		}
	}
	r.Services[0].Time, r.Done = time.Time{}, time.Time{}
	for _, it := range Evidence(r, Meta{At: run}) {
		if it.Check == "service-open" && !it.Time.Equal(run) {
			t.Errorf("no identification time: %v, want the run's", it.Time)
		}
	}
	// A scan fills both: identification before the host's end.
	scanned := scanOne(t, &Scanner{Timeout: time.Second}, fakeServer(t, func(c net.Conn) { c.Write([]byte("SSH-2.0-dropbear\r\n")) }))
	if len(scanned.Services) != 1 || scanned.Services[0].Time.IsZero() || scanned.Done.Before(scanned.Services[0].Time) {
		t.Errorf("scan times: services %+v, done %v", scanned.Services, scanned.Done)
	}
}
