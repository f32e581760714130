package vuln

import (
	"cmp"
	"fmt"
	"strings"

	packageurl "github.com/package-url/packageurl-go"
)

// advisories turns the known-affected products of a CSAF document into
// advisories, one per vulnerability: a product identified by a versioned
// purl or CPE, or by a CPE or purl without version under a product_version
// branch, affects that version; one under a product_version_range branch
// written in vers (vers:generic/>=1.0|<1.2) affects that range. Products
// identified only by name cannot be matched and are left out.
func (d *csafDoc) advisories() ([]Advisory, error) {
	products := d.products()
	mod, err := parseTime(d.Document.Tracking.CurrentReleaseDate)
	if err != nil {
		return nil, fmt.Errorf("%s: current_release_date: %w", d.Document.Tracking.ID, err)
	}
	var out []Advisory
	for i, v := range d.Vulnerabilities {
		if len(v.ProductStatus.KnownAffected) == 0 {
			continue
		}
		a := Advisory{ID: v.CVE, Source: SourceCSAF, Summary: v.Title, Modified: mod, Severity: Severity{Level: "unknown"}}
		if a.ID == "" {
			a.ID = fmt.Sprintf("%s#%d", d.Document.Tracking.ID, i+1)
		} else if d.Document.Tracking.ID != "" {
			a.Aliases = []string{d.Document.Tracking.ID}
		}
		for _, n := range v.Notes {
			if a.Summary == "" && (n.Category == "summary" || n.Category == "description") {
				a.Summary, _, _ = strings.Cut(strings.TrimSpace(n.Text), "\n")
			}
		}
		if a.Summary == "" {
			a.Summary = d.Document.Title
		}
		for _, s := range v.Scores {
			if s.CVSSv3.VectorString != "" {
				a.Severity = SeverityFromVector(s.CVSSv3.VectorString)
				break
			}
		}
		for _, id := range v.ProductStatus.KnownAffected {
			it, ok := products[id]
			if !ok {
				return nil, fmt.Errorf("%s: %s names product %q, which the product tree does not define", d.Document.Tracking.ID, a.ID, id)
			}
			if af, ok := it.affected(); ok {
				a.Affected = append(a.Affected, af)
			}
		}
		if len(a.Affected) > 0 {
			out = append(out, a)
		}
	}
	return out, nil
}

// affected is what a product of the tree affects, if it can be matched.
func (it csafItem) affected() (Affected, bool) {
	h := it.product.Helper
	var af Affected
	version := it.version
	switch {
	case h.PURL != "":
		p, err := packageurl.FromString(h.PURL)
		if err != nil {
			return af, false
		}
		eco, ok := purlEcosystems[p.Type]
		if !ok {
			return af, false
		}
		af.Ecosystem, af.Package, af.PURL = eco, p.Name, h.PURL
		if p.Namespace != "" {
			af.Package = p.Namespace + "/" + p.Name
			if p.Type == "maven" {
				af.Package = p.Namespace + ":" + p.Name
			}
		}
		if p.Version != "" {
			version = p.Version
		}
	case h.CPE != "":
		c, err := ParseCPE(h.CPE)
		if err != nil {
			return af, false
		}
		af.Vendor, af.Product = c.Vendor, c.Product
		if c.Version != "" && c.Version != "*" && c.Version != "-" {
			version = c.Version
		}
	default:
		return af, false
	}
	switch {
	case version != "" && af.Package != "":
		af.Versions = []string{version}
	case version != "":
		af.Bounds = []Bounds{{Exact: version}}
	case it.vers != "":
		b, ok := versBounds(it.vers)
		if !ok {
			return af, false
		}
		if af.Package == "" {
			af.Bounds = b
			break
		}
		for _, x := range b { // a package is matched by OSV ranges: introduced, fixed, last_affected
			switch {
			case x.Exact != "":
				af.Versions = append(af.Versions, x.Exact)
				continue
			case x.StartExcluding != "":
				return af, false // "after a version" has no OSV event
			}
			r := Range{Type: "ECOSYSTEM", Events: []Event{{Introduced: cmp.Or(x.StartIncluding, "0")}}}
			switch {
			case x.EndExcluding != "":
				r.Events = append(r.Events, Event{Fixed: x.EndExcluding})
			case x.EndIncluding != "":
				r.Events = append(r.Events, Event{LastAffected: x.EndIncluding})
			}
			af.Ranges = append(af.Ranges, r)
		}
	default:
		return af, false
	}
	return af, true
}

// versBounds reads a vers range (vers:TYPE/>=1.0|<1.2|=2.0) as bounds; any
// other notation is not understood.
func versBounds(s string) ([]Bounds, bool) {
	rest, ok := strings.CutPrefix(s, "vers:")
	if !ok {
		return nil, false
	}
	_, cons, ok := strings.Cut(rest, "/")
	if !ok || cons == "" {
		return nil, false
	}
	var out []Bounds
	var cur Bounds
	open := false
	for _, c := range strings.Split(cons, "|") {
		c = strings.TrimSpace(c)
		switch {
		case strings.HasPrefix(c, ">="):
			cur, open = Bounds{StartIncluding: c[2:]}, true
		case strings.HasPrefix(c, ">"):
			cur, open = Bounds{StartExcluding: c[1:]}, true
		case strings.HasPrefix(c, "<="):
			cur.EndIncluding = c[2:]
			out, cur, open = append(out, cur), Bounds{}, false
		case strings.HasPrefix(c, "<"):
			cur.EndExcluding = c[1:]
			out, cur, open = append(out, cur), Bounds{}, false
		case c == "*":
			out = append(out, Bounds{})
		default:
			out = append(out, Bounds{Exact: strings.TrimPrefix(c, "=")})
		}
	}
	if open {
		out = append(out, cur)
	}
	return out, len(out) > 0
}
