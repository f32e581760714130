package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/probe"
)

const probeUsage = `probe TARGET... [--ports LIST] [--format text|json] [--out FILE] [--product MODEL]
      [--timeout 3s] [--per-host N] [--hosts N] [--shard i/n] [--allow-large]

Connects to the TCP ports of each target and names every service by what it answers (SSH, telnet, FTP,
SMTP, RTSP, HTTP, HTTPS/TLS), whatever its port. TARGET is an address, a CIDR block, a range
(192.0.2.10-20), host:port or a hostname; only what you name is touched, and more than a /16 is refused
without --allow-large. --format json writes evidence JSON Lines for iotlabel assess --evidence:
service-open for each service and exposed-telnet (fail per telnet service, pass when none answered).
Only reads, plus one HTTP HEAD or TLS handshake to a service that says nothing first. UDP ports and the
credential, TLS, UPnP and CoAP checks of issue #4 are not built yet. Exit 1 when a check fails.`

func runProbe(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("probe", probeUsage)
	ports := fs.String("ports", probe.DefaultPorts, "ports to probe, e.g. 22,80-90 (UDP entries are skipped)")
	format := fs.String("format", "text", "output format: text or json (evidence JSON Lines)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	product := fs.String("product", "", "product `MODEL` the evidence is about")
	timeout := fs.Duration("timeout", 3*time.Second, "deadline for each connection and read")
	perHost := fs.Int("per-host", 8, "ports of one host probed at once")
	hosts := fs.Int("hosts", 64, "hosts probed at once")
	shard := fs.String("shard", "", "probe only shard `i/n` of the targets (deterministic split)")
	allowLarge := fs.Bool("allow-large", false, "allow more than 65,536 addresses")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return badInput("probe needs at least one TARGET")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	targets, err := probe.ParseTargets(pos, *allowLarge)
	if err != nil {
		return badInput("%v", err)
	}
	portList, err := probe.ParsePorts(*ports)
	if err != nil {
		return badInput("--ports: %v", err)
	}
	if *shard != "" {
		var i, n int
		if _, err := fmt.Sscanf(*shard, "%d/%d", &i, &n); err != nil {
			return badInput("--shard %q: want i/n, e.g. 2/4", *shard)
		}
		if targets, err = probe.Shard(targets, i, n); err != nil {
			return badInput("--shard: %v", err)
		}
	}
	s := &probe.Scanner{Timeout: *timeout, PerHost: *perHost, Hosts: *hosts}
	var reports []probe.HostReport
	var items []evidence.Item
	progress := e.progress()
	s.Scan(ctx, targets, portList, func(r probe.HostReport) {
		reports = append(reports, r)
		items = append(items, probe.Evidence(r, *product, e.now(), Version)...)
		progress("probed %d of %d hosts…", len(reports), len(targets))
	})
	progress("")
	err = e.writeOutput(*out, func(w io.Writer) error {
		if *format == "json" {
			return evidence.Write(w, items)
		}
		return writeProbeText(w, reports, items)
	})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Result == evidence.Fail {
			return errFailed
		}
	}
	return nil
}

func writeProbeText(w io.Writer, reports []probe.HostReport, items []evidence.Item) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\tERROR\t%s\n", r.Host, r.Error)
			continue
		}
		fmt.Fprintf(tw, "%s (%s): %d of %d TCP ports answer\n", r.Host, r.Addr, len(r.Services), len(r.Probed))
		for _, s := range r.Services {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Port, strings.ToUpper(s.Protocol), s.Banner)
		}
	}
	fails := 0
	for _, it := range items {
		if it.Result == evidence.Fail {
			fails++
			fmt.Fprintf(tw, "FAIL %s\t%s\t%s\n", it.Check, it.Target, it.Detail)
		}
	}
	fmt.Fprintf(tw, "%d host(s), %d failed check(s)\n", len(reports), fails)
	return tw.Flush()
}
