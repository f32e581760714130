package probe

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// mdnsQuery asks a host's mDNS responder one question by unicast (a
// "legacy unicast" query, RFC 6762 section 6.7, which responders answer
// directly to the asking port).
func (s *Scanner) mdnsQuery(ctx context.Context, hostport, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = false
	b, err := q.Pack()
	if err != nil {
		return nil, err
	}
	ans, err := s.udpExchange(ctx, hostport, b)
	if err != nil {
		return nil, err
	}
	m := new(dns.Msg)
	if err := m.Unpack(ans); err != nil {
		return nil, err
	}
	if m.Id != q.Id || !m.Response {
		return nil, fmt.Errorf("not an answer to the query")
	}
	return m, nil
}

// identifyMDNS lists the DNS-SD service types a device announces and, for
// up to five of them, its instances and their TXT records (where devices
// put model and firmware, e.g. md=, model=, fv=).
func (s *Scanner) identifyMDNS(ctx context.Context, addr netip.Addr, p Port) (Service, bool) {
	hostport := netip.AddrPortFrom(addr, p.Number).String()
	m, err := s.mdnsQuery(ctx, hostport, "_services._dns-sd._udp.local.", dns.TypePTR)
	if err != nil {
		return Service{}, false
	}
	var types []string
	for _, rr := range m.Answer {
		if ptr, ok := rr.(*dns.PTR); ok && !slices.Contains(types, ptr.Ptr) {
			types = append(types, ptr.Ptr)
		}
	}
	data := map[string]any{"mdns_services": types}
	txt := map[string][]string{}
	for _, t := range types[:min(len(types), 5)] {
		m, err := s.mdnsQuery(ctx, hostport, t, dns.TypePTR)
		if err != nil {
			continue
		}
		for _, rr := range append(m.Answer, m.Extra...) {
			if r, ok := rr.(*dns.TXT); ok {
				txt[strings.TrimSuffix(r.Hdr.Name, ".")] = r.Txt
			}
		}
	}
	if len(txt) > 0 {
		data["mdns_txt"] = txt
	}
	banner := "mDNS"
	if len(types) > 0 {
		banner += ": " + strings.Join(types, ", ")
	}
	return Service{Port: p, Address: hostport, Protocol: "mdns", Banner: banner, Data: data}, true
}
