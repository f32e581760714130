package probe

import (
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

// TestEvidenceTimeIsTheCheck: each finding's evidence carries the moment of
// its own check, not one time for the whole run.
func TestEvidenceTimeIsTheCheck(t *testing.T) {
	run := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	first, second := run.Add(3*time.Second), run.Add(9*time.Second)
	r := HostReport{Addr: "192.0.2.9", Services: []Service{{Address: "192.0.2.9:23", Port: Port{23, "tcp"}, Protocol: "telnet"}},
		Findings: []Finding{{Check: "default-credentials", Result: evidence.Pass, Address: "192.0.2.9:23", Time: first},
			{Check: "tls-weak-protocol", Result: evidence.Pass, Address: "192.0.2.9:23", Time: second}}}
	times := map[string]time.Time{}
	for _, it := range Evidence(r, Meta{At: run}) {
		times[it.Check] = it.Time
	}
	if !times["default-credentials"].Equal(first) || !times["tls-weak-protocol"].Equal(second) || !times["exposed-telnet"].Equal(run) {
		t.Errorf("evidence times: %v", times)
	}
}
