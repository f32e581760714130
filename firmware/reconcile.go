package firmware

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

// Reconciliation compares what the image ships with what its SBOM declares
// (CLS level 3's binary analysis reconciled with the SBOM).
type Reconciliation struct {
	SBOM string `json:"sbom"`
	// Matched are components found and declared at the same version.
	Matched []string `json:"matched"`
	// Undeclared are found in the image but not in the SBOM.
	Undeclared []string `json:"undeclared"`
	// Mismatched are in both at different versions.
	Mismatched []string `json:"mismatched"`
	// Missing are declared components the rules know but did not find
	// (perhaps in a layer that could not be unpacked).
	Missing []string `json:"missing"`
	// Unknown counts declared components the rules cannot look for.
	Unknown int `json:"unknown"`
}

// Reconcile matches the found components with the declared ones: by the CPE
// product, else by the component's name or an alias in the rules.
func (rs *Rules) Reconcile(name string, found []Component, declared []sbom.Component) *Reconciliation {
	r := &Reconciliation{SBOM: name, Matched: []string{}, Undeclared: []string{}, Mismatched: []string{}, Missing: []string{}}
	ruleOf := func(c sbom.Component) string {
		product := ""
		if c.CPE != "" {
			if p, err := vuln.ParseCPE(c.CPE); err == nil {
				product = p.Product
			}
		}
		n := strings.ToLower(c.Name)
		if purlName := purlName(c.PURL); purlName != "" {
			n = purlName
		}
		for _, rl := range rs.rules {
			_, p, _ := strings.Cut(rl.CPE, ":")
			if product != "" && p == product || n == rl.Name || slices.Contains(rl.Aliases, n) {
				return rl.Name
			}
		}
		return ""
	}
	declaredBy := map[string][]string{} // rule → declared versions
	for _, c := range declared {
		if rl := ruleOf(c); rl != "" {
			declaredBy[rl] = append(declaredBy[rl], c.Version)
		} else {
			r.Unknown++
		}
	}
	foundBy := map[string][]string{}
	for _, c := range found {
		if !slices.Contains(foundBy[c.Name], c.Version) {
			foundBy[c.Name] = append(foundBy[c.Name], c.Version)
		}
	}
	for _, rl := range rs.rules {
		d, f := declaredBy[rl.Name], foundBy[rl.Name]
		switch {
		case len(f) == 0 && len(d) > 0:
			r.Missing = append(r.Missing, rl.Name+" "+strings.Join(d, ", "))
		case len(f) > 0 && len(d) == 0:
			r.Undeclared = append(r.Undeclared, rl.Name+" "+strings.Join(f, ", "))
		case len(f) > 0:
			for _, v := range f {
				if v == "" || slices.ContainsFunc(d, func(dv string) bool { return sameVersion(dv, v) }) {
					r.Matched = append(r.Matched, strings.TrimSpace(rl.Name+" "+v))
				} else {
					r.Mismatched = append(r.Mismatched, fmt.Sprintf("%s: the image has %s, the SBOM says %s", rl.Name, v, strings.Join(d, ", ")))
				}
			}
		}
	}
	return r
}

// purlName is the name part of a package URL, lower-cased.
func purlName(p string) string {
	rest, ok := strings.CutPrefix(p, "pkg:")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "@")
	rest, _, _ = strings.Cut(rest, "?")
	return strings.ToLower(rest[strings.LastIndex(rest, "/")+1:])
}

// sameVersion compares a declared and a found version: equal, ignoring a
// leading v and a Debian epoch, or the one a prefix of the other up to a non-digit (a
// distribution's "1.2.13.dfsg-1" declares the upstream 1.2.13).
func sameVersion(declared, found string) bool {
	norm := func(v string) string {
		v = strings.ToLower(v)
		if epoch, rest, ok := strings.Cut(v, ":"); ok && epoch != "" && strings.Trim(epoch, "0123456789") == "" {
			v = rest // a Debian epoch, "1:1.2.13"
		}
		return strings.TrimPrefix(v, "v")
	}
	d, f := norm(declared), norm(found)
	if d == f {
		return true
	}
	short, long := d, f
	if len(short) > len(long) {
		short, long = long, short
	}
	return short != "" && strings.HasPrefix(long, short) && !(long[len(short)] >= '0' && long[len(short)] <= '9')
}
