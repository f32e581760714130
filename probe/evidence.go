package probe

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
)

// Meta is what evidence items say about their origin.
type Meta struct {
	Product string
	At      time.Time
	Version string
	// Reveal puts working passwords in the evidence; otherwise only a
	// masked hint is written.
	Reveal bool
}

// TranscriptDigest is the SHA-256 of a transcript, as evidence cites it.
func TranscriptDigest(t []byte) string {
	sum := sha256.Sum256(t)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Evidence turns one host's report into evidence items: service-open for
// every service found (informational); exposed-telnet, failed by each
// telnet service or passed when none of the probed ports answered as one;
// upnp-exposed and coap-open passes when UDP ports were probed and none
// answered that protocol; and every finding of the checks. A host that could not be probed gives
// one exposed-telnet error.
func Evidence(r HostReport, m Meta) []evidence.Item {
	src := evidence.Source{Tool: "iotlabel probe", Version: m.Version}
	// The subject is the product the run was told about, else the one the
	// device names itself (UPnP, mDNS), with its firmware when it says.
	subject := evidence.Subject{Product: m.Product}
	if id, ok := Identify(r); ok && m.Product == "" {
		subject = evidence.Subject{Product: id.Model, Firmware: id.Firmware}
	}
	// Each item carries the moment it was seen: a service when it was
	// identified, what the host as a whole lacks when its last check ended,
	// a finding when its check ran (the run's time when none is known).
	at := func(t time.Time) time.Time {
		if t.IsZero() {
			t = m.At
		}
		return t.UTC()
	}
	item := func(when time.Time, check, result, target, proto, detail string) evidence.Item {
		sub := subject
		sub.Target = target
		return evidence.Item{Kind: catalog.Tool, Source: src, Time: at(when),
			Subject: sub, Check: check, Result: result,
			Target: target, Protocol: proto, Detail: detail}
	}
	if r.Error != "" {
		return []evidence.Item{item(r.Done, "exposed-telnet", evidence.Error, r.Host, "", "could not probe "+r.Host+": "+r.Error)}
	}
	var out []evidence.Item
	telnet := 0
	digests := map[string]string{}
	for _, s := range r.Services {
		detail := fmt.Sprintf("port %s answers as %s", s.Port, s.Protocol)
		if s.Protocol == "silent" {
			detail = fmt.Sprintf("port %s accepts connections but answers none of the probe's questions (TLS, HTTP, MQTT, RTSP): a tarpit, or a protocol the probe does not speak; nothing there was checked", s.Port)
		}
		if s.Banner != "" {
			detail += ": " + s.Banner
		}
		it := item(s.Time, "service-open", evidence.Info, s.Address, s.Protocol, detail)
		if s.Banner != "" || s.Data != nil {
			it.Data = map[string]any{"banner": s.Banner}
			for k, v := range s.Data {
				it.Data[k] = v
			}
		}
		if s.Transcript != nil {
			digests[s.Address] = TranscriptDigest(s.Transcript)
			it.TranscriptDigest = digests[s.Address]
		}
		out = append(out, it)
		if s.Protocol == "telnet" {
			telnet++
			out = append(out, item(s.Time, "exposed-telnet", evidence.Fail, s.Address, "telnet",
				fmt.Sprintf("a telnet service answers on port %s: it sends credentials and commands in clear text", s.Port)))
		}
	}
	var ports, udp []string
	for _, p := range r.Probed {
		if p.Proto == "tcp" {
			ports = append(ports, p.String())
		} else {
			udp = append(udp, p.String())
		}
	}
	// Absence is a pass only on a host that answered something: from a host
	// where nothing answered at all, silence proves nothing (it may be off,
	// elsewhere or behind a filter), so those checks are errors.
	absent, silent := evidence.Pass, ""
	if len(r.Services) == 0 {
		absent, silent = evidence.Error, "; no service answered on any probed port, so the host may be down or filtered and this proves nothing"
	}
	// UDP ports that stay silent are named, and the detail says what silence
	// is worth.
	for _, c := range []struct{ check, proto, what string }{{"upnp-exposed", "ssdp", "SSDP M-SEARCH"}, {"coap-open", "coap", "CoAP GET /.well-known/core"}} {
		if len(udp) > 0 && !slices.ContainsFunc(r.Services, func(s Service) bool { return s.Protocol == c.proto }) {
			out = append(out, item(r.Done, c.check, absent, r.Addr, "",
				fmt.Sprintf("nothing answered %s on the %d UDP ports probed (%s); a firewall that drops UDP looks the same%s", c.what, len(udp), strings.Join(udp, ", "), silent)))
		}
	}
	if telnet == 0 && len(ports) > 0 {
		out = append(out, item(r.Done, "exposed-telnet", absent, r.Addr, "",
			fmt.Sprintf("no telnet service answered on the %d TCP ports probed (%s)%s", len(ports), strings.Join(ports, ", "), silent)))
	}
	for _, f := range r.Findings {
		it := item(f.Time, f.Check, f.Result, f.Address, f.Protocol, f.Detail)
		it.Data, it.Username, it.TranscriptDigest = f.Data, f.Username, digests[f.Address]
		if f.Username != "" || f.Password != "" { // an SNMP community is a password with no user
			if m.Reveal {
				it.PasswordHint = f.Password
			} else {
				it.PasswordHint = MaskPassword(f.Password)
			}
		}
		out = append(out, it)
	}
	return out
}
