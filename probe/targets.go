package probe

import (
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
)

// MaxTargets is the most addresses a probe touches unless the user allows
// more: a /16 of IPv4. MaxLarge is the most it touches at all (a /8).
const (
	MaxTargets = 1 << 16
	MaxLarge   = 1 << 24
)

// Target is one host to probe, by address or by name, with the ports the
// user named for it (nil: the port list of the run).
type Target struct {
	Addr  netip.Addr
	Name  string // a hostname, resolved when probed
	Ports []Port
}

// Host is the target's address or name.
func (t Target) Host() string {
	if t.Name != "" {
		return t.Name
	}
	return t.Addr.String()
}

// ParseTargets reads target specifications: an address (192.0.2.7, 2001:db8::7),
// a CIDR block (192.0.2.0/28), a range (192.0.2.10-20 or 192.0.2.10-192.0.2.20),
// host:port ([2001:db8::7]:2323), or a hostname. Only what is named is ever
// touched; more than MaxTargets addresses are refused unless allowLarge.
func ParseTargets(specs []string, allowLarge bool) ([]Target, error) {
	var out []Target
	total := new(big.Int)
	limit := int64(MaxTargets)
	if allowLarge {
		limit = MaxLarge
	}
	for _, spec := range specs {
		ts, n, err := parseTarget(strings.TrimSpace(spec), limit)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", spec, err)
		}
		total.Add(total, n)
		switch {
		case !allowLarge && total.Cmp(big.NewInt(MaxTargets)) > 0:
			return nil, fmt.Errorf("target %q: the targets add up to %s addresses, more than %d (a /16); narrow them or pass --allow-large", spec, total, MaxTargets)
		case total.Cmp(big.NewInt(MaxLarge)) > 0:
			return nil, fmt.Errorf("target %q: the targets add up to %s addresses, more than %d (a /8) even with --allow-large", spec, total, MaxLarge)
		}
		if ts != nil {
			out = append(out, ts...)
		}
	}
	return out, nil
}

// parseTarget expands one specification. Blocks of more than limit
// addresses are counted but not expanded, so a typo such as /8 costs nothing.
func parseTarget(s string, limit int64) ([]Target, *big.Int, error) {
	one := big.NewInt(1)
	switch {
	case s == "":
		return nil, nil, fmt.Errorf("empty target")
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, nil, fmt.Errorf("not a CIDR block such as 192.0.2.0/24: %v", err)
		}
		p = p.Masked()
		bits := p.Addr().BitLen() - p.Bits()
		n := new(big.Int).Lsh(one, uint(bits))
		if n.Cmp(big.NewInt(limit)) > 0 {
			return nil, n, nil // refused by the caller's size check
		}
		var out []Target
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			out = append(out, Target{Addr: a})
		}
		return out, n, nil
	case isRange(s):
		return parseRange(s, limit)
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return []Target{{Addr: a}}, one, nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return []Target{{Addr: ap.Addr(), Ports: []Port{{Number: ap.Port(), Proto: "tcp"}}}}, one, nil
	}
	host, port := s, ""
	if i := strings.LastIndexByte(s, ':'); i > 0 && !strings.Contains(s[:i], ":") {
		host, port = s[:i], s[i+1:]
	}
	if !validHostname(host) {
		return nil, nil, fmt.Errorf("not an address, CIDR block, range, host:port or hostname")
	}
	t := Target{Name: host}
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return nil, nil, fmt.Errorf("port %q is not 1-65535", port)
		}
		t.Ports = []Port{{Number: uint16(n), Proto: "tcp"}}
	}
	return []Target{t}, one, nil
}

// isRange tells a range (an address, '-', an end) from a hostname with a dash.
func isRange(s string) bool {
	lo, _, ok := strings.Cut(s, "-")
	_, err := netip.ParseAddr(lo)
	return ok && err == nil
}

// parseRange reads 192.0.2.10-20 (last octet) or a full first-last range.
func parseRange(s string, limit int64) ([]Target, *big.Int, error) {
	lo, hi, _ := strings.Cut(s, "-")
	first, err := netip.ParseAddr(lo)
	if err != nil {
		return nil, nil, fmt.Errorf("range start: %v", err)
	}
	last, err := netip.ParseAddr(hi)
	if err != nil {
		n, nerr := strconv.ParseUint(hi, 10, 8)
		if nerr != nil || !first.Is4() {
			return nil, nil, fmt.Errorf("range end %q is neither an address nor a last IPv4 octet", hi)
		}
		b := first.As4()
		b[3] = byte(n)
		last = netip.AddrFrom4(b)
	}
	if first.BitLen() != last.BitLen() || last.Less(first) {
		return nil, nil, fmt.Errorf("range end %s is before its start %s or of another family", last, first)
	}
	n := new(big.Int).Sub(new(big.Int).SetBytes(last.AsSlice()), new(big.Int).SetBytes(first.AsSlice()))
	n.Add(n, big.NewInt(1))
	if n.Cmp(big.NewInt(limit)) > 0 {
		return nil, n, nil
	}
	var out []Target
	for a := first; ; a = a.Next() {
		out = append(out, Target{Addr: a})
		if a == last {
			break
		}
	}
	return out, n, nil
}

func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
