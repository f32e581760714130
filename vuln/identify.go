package vuln

import (
	"strings"

	packageurl "github.com/package-url/packageurl-go"
)

// PackageKey names an OSV package: its ecosystem and name.
type PackageKey struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// ProductKey names a CPE vendor and product.
type ProductKey struct {
	Vendor  string `json:"vendor"`
	Product string `json:"product"`
}

// Target is a component as the matcher sees it: its version and every key it
// can be found under, with how it was identified.
type Target struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Upstream is the version to compare with upstream (CPE) ranges.
	Upstream string       `json:"upstream"`
	Packages []PackageKey `json:"packages,omitempty"`
	Products []ProductKey `json:"products,omitempty"`
	// Via says how the keys were found: purl, cpe, dictionary, or "" (not identified).
	Via string `json:"via"`
	// Distro is set for distribution packages (apk, deb, rpm): they are matched
	// only against their distribution's advisories, because distributions
	// backport fixes without changing the upstream version.
	Distro     string `json:"distro,omitempty"`
	Unverified bool   `json:"unverified,omitempty"`
}

// purlEcosystems maps purl types to OSV ecosystems for language packages.
var purlEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "maven": "Maven", "cargo": "crates.io", "gem": "RubyGems",
	"nuget": "NuGet", "composer": "Packagist", "hex": "Hex", "pub": "Pub", "cran": "CRAN", "hackage": "Hackage",
	"swift": "SwiftURL", "conan": "ConanCenter",
}

// Identify works out how a component can be matched: from its purl, its CPE,
// or, failing both (or for generic purls), the dictionary.
func (d *Dictionary) Identify(name, version, purl, cpe string) Target {
	t := Target{Name: name, Version: version, Upstream: version}
	if purl != "" {
		if p, err := packageurl.FromString(purl); err == nil {
			if t.Version == "" {
				t.Version, t.Upstream = p.Version, p.Version
			}
			if t.Name == "" {
				t.Name = p.Name
			}
			switch p.Type {
			case "apk", "deb", "rpm":
				t.Upstream = Upstream(t.Version, p.Type)
				if eco := distroEcosystem(p); eco != "" {
					t.Distro = eco
					t.Packages = append(t.Packages, PackageKey{eco, p.Name})
					t.Via = "purl"
				}
				return t
			case "generic":
				// Generic purls (pkg:generic/dnsmasq) carry no ecosystem: use the dictionary.
			default:
				if eco, ok := purlEcosystems[p.Type]; ok {
					n := p.Name
					switch {
					case p.Type == "maven" && p.Namespace != "":
						n = p.Namespace + ":" + p.Name
					case p.Namespace != "":
						n = p.Namespace + "/" + p.Name
					}
					t.Packages = append(t.Packages, PackageKey{eco, n})
					t.Via = "purl"
					return t
				}
			}
		}
	}
	if cpe != "" {
		if c, err := ParseCPE(cpe); err == nil {
			t.Products = append(t.Products, ProductKey{c.Vendor, c.Product})
			if t.Version == "" && c.Version != "*" && c.Version != "-" {
				t.Version, t.Upstream = c.Version, c.Version
			}
			t.Via = "cpe"
		}
	}
	if e := d.Lookup(t.Name); e != nil {
		for _, c := range e.CPE {
			v, p, _ := strings.Cut(c, ":")
			if k := (ProductKey{v, p}); !containsProduct(t.Products, k) {
				t.Products = append(t.Products, k)
			}
		}
		for _, o := range e.OSV {
			eco, pkg, _ := strings.Cut(o, "/")
			t.Packages = append(t.Packages, PackageKey{eco, pkg})
		}
		if t.Via == "" {
			t.Via = "dictionary"
			t.Unverified = e.Unverified
		}
	}
	return t
}

// distroEcosystem returns the OSV ecosystem of a distribution package, such as
// "Alpine:v3.17" from pkg:apk/alpine/zlib?distro=alpine-3.17.2, or "".
func distroEcosystem(p packageurl.PackageURL) string {
	distro := p.Qualifiers.Map()["distro"]
	switch {
	case p.Type == "apk" && strings.EqualFold(p.Namespace, "alpine"):
		v := strings.TrimPrefix(strings.ToLower(distro), "alpine-")
		parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine"
	case p.Type == "deb" && strings.EqualFold(p.Namespace, "debian"):
		v := strings.TrimPrefix(strings.ToLower(distro), "debian-")
		if major, _, _ := strings.Cut(v, "."); major != "" && major[0] >= '0' && major[0] <= '9' {
			return "Debian:" + major
		}
		return "Debian"
	case p.Type == "deb" && strings.EqualFold(p.Namespace, "ubuntu"):
		return "Ubuntu"
	}
	return ""
}

func containsProduct(list []ProductKey, k ProductKey) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}
