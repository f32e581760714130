package probe

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string // hosts, with ports after '@'
		err  string
	}{
		{"192.0.2.7", "[192.0.2.7]", ""},
		{"192.0.2.8/30", "[192.0.2.8 192.0.2.9 192.0.2.10 192.0.2.11]", ""},
		{"192.0.2.9/30", "[192.0.2.8 192.0.2.9 192.0.2.10 192.0.2.11]", ""},
		{"192.0.2.10-12", "[192.0.2.10 192.0.2.11 192.0.2.12]", ""},
		{"192.0.2.254-192.0.3.1", "[192.0.2.254 192.0.2.255 192.0.3.0 192.0.3.1]", ""},
		{"127.0.0.1:2323", "[127.0.0.1@2323]", ""},
		{"[::1]:22", "[::1@22]", ""},
		{"2001:db8::1", "[2001:db8::1]", ""},
		{"my-camera.local", "[my-camera.local]", ""},
		{"cam-1.example:8080", "[cam-1.example@8080]", ""},
		{"10.0.0.0/8", "", "more than 65536"},
		{"10.0.0.0-10.255.255.255", "", "more than 65536"},
		{"2001:db8::/32", "", "more than 65536"},
		{"192.0.2.20-10", "", "before its start"},
		{"192.0.2.1-300", "", "neither an address"},
		{"cam.example:0", "", "not 1-65535"},
		{"bad host!", "", "not an address"},
		{"", "", "empty target"},
	} {
		ts, err := ParseTargets([]string{tc.spec}, false)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		var got []string
		for _, x := range ts {
			h := x.Host()
			if len(x.Ports) == 1 {
				h += fmt.Sprintf("@%d", x.Ports[0].Number)
			}
			got = append(got, h)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%q: got %v, want %s", tc.spec, got, tc.want)
		}
	}
	// The limit counts all targets together, and --allow-large lifts it.
	if _, err := ParseTargets([]string{"10.0.0.0/17", "10.1.0.0/17", "10.2.0.0/24"}, false); err == nil {
		t.Error("the /16 limit is per target, not per run")
	}
	if ts, err := ParseTargets([]string{"10.0.0.0/15"}, true); err != nil || len(ts) != 1<<17 {
		t.Errorf("allow large: %d, %v", len(ts), err)
	}
}

func TestParsePorts(t *testing.T) {
	ps, err := ParsePorts(DefaultPorts)
	if err != nil || len(ps) != 16 || ps[12].String() != "5683/udp" || ps[14].String() != "5353/udp" || ps[15].String() != "161/udp" {
		t.Errorf("default ports: %v %v", ps, err)
	}
	if ps, err := ParsePorts("80-82,81,22/tcp"); err != nil || fmt.Sprint(ps) != "[80 81 82 22]" {
		t.Errorf("range and duplicates: %v %v", ps, err)
	}
	for _, bad := range []string{"0", "70000", "90-80", "x", ""} {
		if _, err := ParsePorts(bad); err == nil {
			t.Errorf("ParsePorts(%q) accepted", bad)
		}
	}
}

func TestShardPartitions(t *testing.T) {
	ts, _ := ParseTargets([]string{"192.0.2.0/24", "198.51.100.0/25"}, false)
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		part, err := Shard(ts, i, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(part) < 80 || len(part) > 170 {
			t.Errorf("shard %d/3 holds %d of %d targets: badly balanced", i, len(part), len(ts))
		}
		for _, x := range part {
			seen[x.Host()]++
		}
	}
	for _, x := range ts {
		if seen[x.Host()] != 1 {
			t.Fatalf("%s is in %d shards", x.Host(), seen[x.Host()])
		}
	}
	if _, err := Shard(ts, 4, 3); err == nil {
		t.Error("shard 4/3 accepted")
	}
}

func FuzzParseTargets(f *testing.F) {
	for _, s := range []string{"192.0.2.7", "192.0.2.0/28", "192.0.2.10-20", "[::1]:22", "cam.local:8080", "10.0.0.0/8", "a-b", "1.2.3.4-1.2.3.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTargets([]string{s}, false)
		if err == nil && len(ts) > MaxTargets {
			t.Fatalf("%q expands to %d targets, over the limit", s, len(ts))
		}
	})
}
