package probe

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
)

// BenchmarkFleetAgainstNmap runs, in the same run and over the accuracy
// gate's fleet of real daemons — BusyBox telnetd logins (one with a
// one-second failure delay and three tries per connection), OpenSSH,
// lighttpd, Mosquitto, vsftpd, snmpd, a tarpit, a look-alike login page… —
// iotlabel's probe (the whole built-in credential list, vendor defaults
// first, 4 sessions per service), nmap -sV -Pn -n -T4 on each TCP host and
// its port, and hydra with the same credential list where one of its modules
// applies (telnet, ssh, ftp, rtsp, http-get on the Basic and Digest pages;
// hydra has no MQTT module), with hydra's default parallelism and -f. nmap
// and hydra run one process per host, all at once, as iotlabel probes hosts
// at once. It reports each tool's wall time, the median time per host, and
// what iotlabel and hydra found of the planted weaknesses. Needs root, the
// gate's daemons, nmap and hydra:
//
//	IOTLABEL_INTEGRATION=1 go test -run XXX -bench FleetAgainstNmap -benchtime 1x ./probe
func BenchmarkFleetAgainstNmap(b *testing.B) {
	for _, tool := range []string{"nmap", "hydra"} {
		_, err := exec.LookPath(tool)
		testenv.Require(b, err == nil, tool+" (package "+tool+")")
	}
	devs := fleet(b)
	var targets []Target
	planted := 0
	for _, d := range devs {
		targets = append(targets, Target{Addr: netip.MustParseAddr(d.addr), Ports: []Port{d.port}})
		planted += len(d.expect)
	}
	credFile := filepath.Join(b.TempDir(), "creds.txt")
	var lines []string
	for _, c := range DefaultCredentials() {
		lines = append(lines, c.String())
	}
	if err := os.WriteFile(credFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		// iotlabel
		start := time.Now()
		s := &Scanner{Timeout: 4 * time.Second, Credentials: DefaultCredentials(), VendorCredentials: DefaultVendorCredentials()}
		got := map[string][]string{}
		var perHost []time.Duration
		var done []string // "name at elapsed", in finishing order
		byAddr := map[string]string{}
		for _, d := range devs {
			byAddr[d.addr] = d.name
		}
		s.Scan(context.Background(), targets, nil, func(r HostReport) {
			perHost = append(perHost, time.Since(start)) // hosts start together: the time to finish each
			done = append(done, fmt.Sprintf("%s %.1fs", byAddr[r.Addr], time.Since(start).Seconds()))
			got[r.Addr] = append(got[r.Addr], failures(r)...)
		})
		probeTime := time.Since(start)
		found, falseFindings := score(devs, got)

		// nmap -sV, one process per TCP host and its port
		var tcp []device
		for _, d := range devs {
			if d.port.Proto == "tcp" {
				tcp = append(tcp, d)
			}
		}
		start = time.Now()
		nmapHost := perProcess(b, tcp, func(d device) (*exec.Cmd, bool) {
			return exec.Command("nmap", "-sV", "-Pn", "-n", "-T4", "-p", fmt.Sprint(d.port.Number), "-oG", "-", d.addr), true
		}, nil)
		nmapTime := time.Since(start)

		// hydra where a module applies
		hydraGot := map[string][]string{}
		var mu sync.Mutex
		login := regexp.MustCompile(`host: \S+\s+login: (\S*)\s+password:`)
		start = time.Now()
		hydraHost := perProcess(b, tcp, func(d device) (*exec.Cmd, bool) {
			service, _, _ := strings.Cut(d.name, "-")
			args := []string{"-I", "-f", "-C", credFile, "-s", fmt.Sprint(d.port.Number), d.addr}
			switch {
			case service == "telnet" || service == "ssh" || service == "ftp" || service == "rtsp":
				args = append(args, service)
			case d.name == "http-basic-weak" || d.name == "http-basic-clean" || d.name == "http-digest-weak":
				args = append(args, "http-get", "/")
			default:
				return nil, false
			}
			return exec.Command("hydra", args...), true
		}, func(d device, out []byte) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range login.FindAllSubmatch(out, -1) {
				hydraGot[d.addr] = append(hydraGot[d.addr], "default-credentials/"+string(m[1]))
			}
		})
		hydraTime := time.Since(start)
		hydraFound, hydraFalse := score(devs, hydraGot)

		b.ReportMetric(probeTime.Seconds(), "iotlabel-s")
		b.ReportMetric(nmapTime.Seconds(), "nmap-s")
		b.ReportMetric(hydraTime.Seconds(), "hydra-s")
		b.ReportMetric(nmapTime.Seconds()/probeTime.Seconds(), "nmap/iotlabel")
		b.ReportMetric(median(nmapHost).Seconds()/median(perHost).Seconds(), "nmap/iotlabel-per-host")
		b.ReportMetric(float64(found), "found")
		b.ReportMetric(float64(hydraFound), "hydra-found")
		b.ReportMetric(float64(planted), "planted")
		b.ReportMetric(float64(falseFindings), "false")
		b.ReportMetric(float64(hydraFalse), "hydra-false")
		b.Logf("%d devices (%d TCP): iotlabel %v (median per host %v), nmap -sV %v (median per host %v), hydra %v on %d hosts (median %v)",
			len(devs), len(tcp), probeTime.Round(time.Millisecond), median(perHost).Round(time.Millisecond),
			nmapTime.Round(time.Millisecond), median(nmapHost).Round(time.Millisecond),
			hydraTime.Round(time.Millisecond), len(hydraHost), median(hydraHost).Round(time.Millisecond))
		b.Logf("last hosts done (iotlabel): %s", strings.Join(done[max(0, len(done)-8):], ", "))
		b.Logf("hydra found %v", hydraGot)
	}
}

// perProcess runs the command cmd makes for each device that has one, all at
// once, hands each output to seen (if set) and returns how long each took.
func perProcess(b *testing.B, devs []device, cmd func(device) (*exec.Cmd, bool), seen func(device, []byte)) []time.Duration {
	var mu sync.Mutex
	var took []time.Duration
	var wg sync.WaitGroup
	for _, d := range devs {
		c, ok := cmd(d)
		if !ok {
			continue
		}
		wg.Go(func() {
			start := time.Now()
			out, err := c.CombinedOutput()
			if err != nil && c.ProcessState == nil {
				b.Errorf("%s: %v", c, err)
			}
			mu.Lock()
			took = append(took, time.Since(start))
			mu.Unlock()
			if seen != nil {
				seen(d, out)
			}
		})
	}
	wg.Wait()
	return took
}

// score counts the planted weaknesses found and the findings that are not.
func score(devs []device, got map[string][]string) (found, falseFindings int) {
	for _, d := range devs {
		for _, f := range got[d.addr] {
			if slices.Contains(d.expect, f) {
				found++
			} else {
				falseFindings++
			}
		}
	}
	return found, falseFindings
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
