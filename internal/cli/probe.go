package cli

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/probe"
	"github.com/iotlabel/iotlabel/report"
)

const probeUsage = `probe TARGET... [--ports LIST] [--format text|json|summary|html] [--out FILE] [--product MODEL]
      [--credentials FILE] [--no-login] [--attempts N] [--rate N] [--sessions N] [--reveal] [--transcripts DIR]
      [--timeout 3s] [--host-timeout 10m] [--per-host N] [--hosts N] [--shard i/n] [--allow-large] [--compare]
      [--registry URL] [--sign-key KEY [--manufacturer NAME]]   (with --format json: a signed attestation instead of JSONL)

Connects to the ports of each target, names every service by what it answers (SSH, telnet, FTP, SMTP,
RTSP, HTTP, HTTPS, MQTT, CoAP, SSDP, mDNS, SNMP), whatever its port, and runs the checks that fit it: default
credentials (telnet, SSH, HTTP Basic/Digest, FTP, MQTT, RTSP; SNMP communities) from the built-in lists plus --credentials,
anonymous access (FTP, MQTT, RTSP), administrative pages open without authentication, TLS versions,
ciphers and certificates, SSH host keys, UPnP/SSDP and CoAP exposure. TARGET is an address, a CIDR block,
a range (192.0.2.10-20), host:port or a hostname; only what you name is touched, and more than a /16 is
refused without --allow-large. --compare takes two units of one model and fails universal-password when a
credential works on both. --format json writes evidence JSON Lines for iotlabel assess --evidence; a text run
ends with the hosts ranked by risk (the lowest label tier a failure breaks), which --format summary writes as
JSON and --format html as a page to hand on; --registry URL adds what a registry's labels say of each device
that names itself (UPnP, mDNS).
Passwords that work are masked unless --reveal. Nothing on a device is changed: a telnet login is
confirmed with a harmless echo, and every other login is left at once. Exit 1 when a check fails.`

func runProbe(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("probe", probeUsage)
	ports := fs.String("ports", probe.DefaultPorts, "ports to probe, e.g. 22,80-90,5683/udp")
	format := fs.String("format", "text", "output format: text, json (evidence JSON Lines), summary (hosts ranked by risk, JSON) or html (a page to hand on)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	registryURL := fs.String("registry", "", "ask the registry at `URL` what the labels of each identified device say")
	product := fs.String("product", "", "product `MODEL` the evidence is about")
	var sign signFlags
	sign.register(fs)
	credFile := fs.String("credentials", "", "also try the user:password lines of `FILE`")
	noLogin := fs.Bool("no-login", false, "try no credentials at all")
	attempts := fs.Int("attempts", 80, "at most `N` credentials per service (0: the whole list)")
	rateN := fs.Float64("rate", 10, "login attempts per second on one host (0: unpaced)")
	sessions := fs.Int("sessions", 4, "at most `N` logins on one service at once (slow start; one after a connection error; SSH: one)")
	reveal := fs.Bool("reveal", false, "write working passwords in clear instead of a masked hint")
	transcripts := fs.String("transcripts", "", "write what was sent and received to `DIR`, one file per service")
	timeout := fs.Duration("timeout", 3*time.Second, "deadline for each connection and read")
	hostTimeout := fs.Duration("host-timeout", 10*time.Minute, "deadline for all the checks on one host")
	perHost := fs.Int("per-host", 8, "ports of one host probed at once")
	hosts := fs.Int("hosts", 64, "hosts probed at once")
	shard := fs.String("shard", "", "probe only shard `i/n` of the targets (deterministic split)")
	allowLarge := fs.Bool("allow-large", false, "allow more than 65,536 addresses")
	compare := fs.Bool("compare", false, "compare two units of one model for a shared working credential")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return badInput("probe needs at least one TARGET")
	}
	if err := checkFormat(*format, "text", "json", "summary", "html"); err != nil {
		return err
	}
	if sign.key != "" && *format != "json" {
		return badInput("--sign-key signs evidence: add --format json")
	}
	targets, err := probe.ParseTargets(pos, *allowLarge)
	if err != nil {
		return badInput("%v", err)
	}
	if *compare && len(targets) != 2 {
		return badInput("--compare needs exactly two targets, two units of one model; got %d", len(targets))
	}
	portList, err := probe.ParsePorts(*ports)
	if err != nil {
		return badInput("--ports: %v", err)
	}
	if *shard != "" {
		if *compare {
			return badInput("--shard and --compare do not go together")
		}
		var i, n int
		if _, err := fmt.Sscanf(*shard, "%d/%d", &i, &n); err != nil {
			return badInput("--shard %q: want i/n, e.g. 2/4", *shard)
		}
		if targets, err = probe.Shard(targets, i, n); err != nil {
			return badInput("--shard: %v", err)
		}
	}
	if *sessions < 1 {
		return badInput("--sessions %d: want at least 1", *sessions)
	}
	if *attempts < 0 || *rateN < 0 {
		return badInput("--attempts and --rate must not be negative")
	}
	s := &probe.Scanner{Timeout: *timeout, HostTimeout: *hostTimeout, PerHost: *perHost, Hosts: *hosts, Attempts: *attempts, Rate: *rateN, Sessions: *sessions,
		Transcripts: *transcripts != "", Now: e.now}
	if !*noLogin {
		if s.Credentials, err = loadCredentials(*credFile); err != nil {
			return err
		}
		s.VendorCredentials = probe.DefaultVendorCredentials()
	}
	if *transcripts != "" {
		if err := os.MkdirAll(*transcripts, 0o700); err != nil {
			return badInput("--transcripts: %v", err)
		}
	}
	var reports []probe.HostReport
	progress := e.progress()
	s.Scan(ctx, targets, portList, func(r probe.HostReport) {
		reports = append(reports, r)
		progress("%s %d of %d hosts", bar(len(reports), len(targets), 30), len(reports), len(targets))
	})
	progress("")
	slices.SortFunc(reports, func(a, b probe.HostReport) int {
		x, errX := netip.ParseAddr(a.Addr)
		y, errY := netip.ParseAddr(b.Addr)
		if errX == nil && errY == nil && x != y {
			return x.Compare(y)
		}
		return strings.Compare(a.Host, b.Host)
	})
	if *compare {
		a, b := reports[0], reports[1]
		if a.Host != targets[0].Host() {
			a, b = b, a
		}
		a.Findings = append(a.Findings, probe.Compare(a, b)...)
		reports = []probe.HostReport{a, b}
	}
	meta := probe.Meta{Product: *product, At: e.now(), Version: Version, Reveal: *reveal}
	var items []evidence.Item
	byHost := make([][]evidence.Item, len(reports))
	for i, r := range reports {
		byHost[i] = probe.Evidence(r, meta)
		items = append(items, byHost[i]...)
		if *transcripts != "" {
			if err := writeTranscripts(*transcripts, r); err != nil {
				return err
			}
		}
	}
	cat, err := catalog.Default()
	if err != nil {
		return err
	}
	ranked := probe.Summarise(reports, byHost, cat.TierBroken)
	if *registryURL != "" {
		askRegistry(ctx, httpapi.NewClient(strings.TrimSuffix(*registryURL, "/")), ranked)
	}
	err = e.writeOutput(*out, func(w io.Writer) error {
		switch *format {
		case "json":
			return sign.writeEvidence(ctx, w, items, *product, "")
		case "summary":
			return writeJSONTo(w, ranked)
		case "html":
			page := report.ProbePage{At: e.now(), Version: Version, Hosts: ranked, Items: map[string][]evidence.Item{}}
			for i, r := range reports {
				page.Items[r.Host] = byHost[i]
			}
			return report.ProbeHTML(w, page)
		}
		if err := writeProbeText(w, reports, byHost); err != nil {
			return err
		}
		return writeRanking(w, ranked)
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

// bar draws a progress bar of width cells for done out of total.
func bar(done, total, width int) string {
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(" ", width-filled) + "]"
}

// loadCredentials is the built-in list followed by the lines of path.
func loadCredentials(path string) ([]probe.Credential, error) {
	creds := probe.DefaultCredentials()
	if path == "" {
		return creds, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, badInput("--credentials: %v", err)
	}
	defer f.Close()
	more, err := probe.ParseCredentials(f, path)
	if err != nil {
		return nil, badInput("--credentials: %v", err)
	}
	for _, c := range more {
		if !slices.Contains(creds, c) {
			creds = append(creds, c)
		}
	}
	return creds, nil
}

// writeTranscripts writes one file per service, named after its address.
func writeTranscripts(dir string, r probe.HostReport) error {
	for _, s := range r.Services {
		if s.Transcript == nil {
			continue
		}
		name := strings.NewReplacer(":", "_", "[", "", "]", "").Replace(s.Address) + ".txt"
		if err := os.WriteFile(filepath.Join(dir, name), s.Transcript, 0o600); err != nil {
			return fmt.Errorf("--transcripts: %w", err)
		}
	}
	return nil
}

// askRegistry looks up the labels of every identified device: the newest
// label's status, or "no label"; a failed lookup says so in the host's
// entry instead of stopping the run.
func askRegistry(ctx context.Context, c *httpapi.Client, ranked []probe.HostSummary) {
	for i := range ranked {
		id := ranked[i].Identity
		if id == nil || id.Manufacturer == "" {
			continue
		}
		ls, err := c.ProductLabels(ctx, id.Manufacturer, id.Model, id.Firmware)
		switch {
		case err != nil:
			ranked[i].Label = &probe.LabelStatus{Status: "unknown", Reason: err.Error()}
		case len(ls) == 0:
			ranked[i].Label = &probe.LabelStatus{Status: "no label", Reason: fmt.Sprintf("the registry holds no label for %s %s", id.Manufacturer, id.Model)}
		default:
			l := ls[0]
			ranked[i].Label = &probe.LabelStatus{Status: l.Status, LabelID: l.ID, Tier: l.Tier, SupportEnd: l.SupportEnd, Reason: l.StatusReason}
		}
	}
}

// writeRanking ends a text run with the hosts ranked by risk.
func writeRanking(w io.Writer, ranked []probe.HostSummary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nHosts by risk\nHOST\tBREAKS\tFAILED CHECKS\tSERVICES\tDEVICE\tLABEL")
	for _, h := range ranked {
		breaks := "-"
		switch {
		case h.Error != "":
			breaks = "not probed"
		case h.Silent:
			breaks = "silent"
		case h.Breaks > 0:
			breaks = fmt.Sprintf("tier %d", h.Breaks)
		}
		device, lbl := "-", "-"
		if h.Identity != nil {
			device = strings.TrimSpace(h.Identity.Manufacturer + " " + h.Identity.Model + " " + h.Identity.Firmware)
		}
		if h.Label != nil {
			lbl = h.Label.Status
			if h.Label.LabelID != "" {
				lbl += fmt.Sprintf(" (tier %d, support until %s)", h.Label.Tier, h.Label.SupportEnd)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.Host, breaks, dash(strings.Join(h.Failed, ", ")), dash(strings.Join(h.Services, ", ")), device, lbl)
	}
	return tw.Flush()
}

// writeProbeText prints, per host, the services found and every check's
// result; perHost[i] holds the evidence of reports[i].
func writeProbeText(w io.Writer, reports []probe.HostReport, perHost [][]evidence.Item) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fails := 0
	for i, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\tERROR\t%s\n", r.Host, r.Error)
			continue
		}
		fmt.Fprintf(tw, "%s (%s): %d of %d ports answer\n", r.Host, r.Addr, len(r.Services), len(r.Probed))
		for _, s := range r.Services {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Port, strings.ToUpper(s.Protocol), s.Banner)
		}
		for _, it := range perHost[i] {
			if it.Check == "service-open" {
				continue
			}
			if it.Result == evidence.Fail {
				fails++
			}
			detail := it.Detail
			if it.Username != "" {
				detail += fmt.Sprintf(" [user %s, password %s]", it.Username, it.PasswordHint)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ToUpper(it.Result), it.Check, it.Target, detail)
		}
	}
	fmt.Fprintf(tw, "%d host(s), %d failed check(s)\n", len(reports), fails)
	return tw.Flush()
}
