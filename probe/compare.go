package probe

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/iotlabel/iotlabel/evidence"
)

// Compare looks at two units of one model, probed with the same
// credentials: a credential that logs in to the same kind of service on both
// is a universal-password failure (EN 303 645 provision 5.1-1). When both
// were checked and no credential works on both, it passes.
func Compare(a, b HostReport) []Finding {
	if a.Error != "" || b.Error != "" {
		return []Finding{{Check: "universal-password", Result: evidence.Error, Address: a.Host,
			Detail: "both units must be probed: " + strings.TrimSpace(a.Error+" "+b.Error)}}
	}
	type key struct {
		proto string
		port  uint16
		cred  Credential
	}
	worked := map[key]Finding{}
	checked := map[string]bool{}
	for _, f := range b.Findings {
		if f.Check == "default-credentials" {
			checked[f.Protocol] = true
			if f.Result == evidence.Fail {
				worked[key{f.Protocol, addressPort(f.Address), Credential{f.Username, f.Password}}] = f
			}
		}
	}
	var out []Finding
	both := false
	for _, f := range a.Findings {
		if f.Check != "default-credentials" || !checked[f.Protocol] {
			continue
		}
		both = true
		if f.Result != evidence.Fail {
			continue
		}
		if other, ok := worked[key{f.Protocol, addressPort(f.Address), Credential{f.Username, f.Password}}]; ok {
			out = append(out, Finding{Check: "universal-password", Result: evidence.Fail, Address: f.Address, Protocol: f.Protocol,
				Username: f.Username, Password: f.Password, Data: map[string]any{"other_unit": other.Address},
				Detail: fmt.Sprintf("the same %s login (user %q) works on both units, %s and %s: the password is not unique per device",
					f.Protocol, f.Username, f.Address, other.Address)})
		}
	}
	switch {
	case len(out) > 0:
		return out
	case !both:
		return []Finding{{Check: "universal-password", Result: evidence.Error, Address: a.Addr,
			Detail: "no service asking for a login was checked on both units"}}
	}
	return []Finding{{Check: "universal-password", Result: evidence.Pass, Address: a.Addr,
		Detail: fmt.Sprintf("no credential tried logs in to both %s and %s", a.Addr, b.Addr)}}
}

// addressPort is the port of an ip:port address (0 when it has none).
func addressPort(address string) uint16 {
	ap, _ := netip.ParseAddrPort(address)
	return ap.Port()
}
