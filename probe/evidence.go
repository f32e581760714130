package probe

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
)

// Evidence turns one host's report into evidence items: service-open for
// every service found (informational), and exposed-telnet, failed by each
// telnet service or passed when none of the probed ports answered as one.
// A host that could not be probed gives one exposed-telnet error.
func Evidence(r HostReport, product string, at time.Time, version string) []evidence.Item {
	src := evidence.Source{Tool: "iotlabel probe", Version: version}
	item := func(check, result, target, proto, detail string) evidence.Item {
		return evidence.Item{Kind: catalog.Tool, Source: src, Time: at.UTC(),
			Subject: evidence.Subject{Product: product, Target: target}, Check: check, Result: result,
			Target: target, Protocol: proto, Detail: detail}
	}
	if r.Error != "" {
		return []evidence.Item{item("exposed-telnet", evidence.Error, r.Host, "", "could not probe "+r.Host+": "+r.Error)}
	}
	var out []evidence.Item
	telnet := 0
	for _, s := range r.Services {
		detail := fmt.Sprintf("port %s answers as %s", s.Port, s.Protocol)
		if s.Banner != "" {
			detail += ": " + s.Banner
		}
		it := item("service-open", evidence.Info, s.Address, s.Protocol, detail)
		if s.Banner != "" {
			it.Data = map[string]any{"banner": s.Banner}
		}
		out = append(out, it)
		if s.Protocol == "telnet" {
			telnet++
			out = append(out, item("exposed-telnet", evidence.Fail, s.Address, "telnet",
				fmt.Sprintf("a telnet service answers on port %s: it sends credentials and commands in clear text", s.Port)))
		}
	}
	if telnet == 0 {
		ports := make([]string, len(r.Probed))
		for i, p := range r.Probed {
			ports[i] = p.String()
		}
		out = append(out, item("exposed-telnet", evidence.Pass, r.Addr, "",
			fmt.Sprintf("no telnet service answered on the %d TCP ports probed (%s)", len(r.Probed), strings.Join(ports, ", "))))
	}
	return out
}
