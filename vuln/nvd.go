package vuln

import (
	"fmt"
	"strings"
)

// nvdCVE is the subset of an NVD CVE API 2.0 record iotlabel uses.
type nvdCVE struct {
	ID           string `json:"id"`
	Published    string `json:"published"`
	LastModified string `json:"lastModified"`
	VulnStatus   string `json:"vulnStatus"`
	Descriptions []struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Metrics map[string][]struct {
		Type     string `json:"type"`
		CVSSData struct {
			BaseScore    float64 `json:"baseScore"`
			BaseSeverity string  `json:"baseSeverity"`
			VectorString string  `json:"vectorString"`
		} `json:"cvssData"`
		BaseSeverity string `json:"baseSeverity"` // CVSS v2 keeps it here
	} `json:"metrics"`
	Configurations []struct {
		Nodes []struct {
			Operator string `json:"operator"`
			Negate   bool   `json:"negate"`
			CPEMatch []struct {
				Vulnerable            bool   `json:"vulnerable"`
				Criteria              string `json:"criteria"`
				VersionStartIncluding string `json:"versionStartIncluding"`
				VersionStartExcluding string `json:"versionStartExcluding"`
				VersionEndIncluding   string `json:"versionEndIncluding"`
				VersionEndExcluding   string `json:"versionEndExcluding"`
			} `json:"cpeMatch"`
		} `json:"nodes"`
	} `json:"configurations"`
}

// advisory turns an NVD record into an advisory. Every vulnerable cpeMatch
// becomes an affected vendor:product with its bounds; platform conditions
// ("running on") are not modelled, so a match means "this component at this
// version is listed as vulnerable".
func (r *nvdCVE) advisory() (Advisory, error) {
	if !strings.HasPrefix(r.ID, "CVE-") {
		return Advisory{}, fmt.Errorf("NVD record id %q is not a CVE ID", r.ID)
	}
	mod, err := parseTime(r.LastModified)
	if err != nil {
		return Advisory{}, fmt.Errorf("%s: lastModified: %w", r.ID, err)
	}
	a := Advisory{ID: r.ID, Source: SourceNVD, Modified: mod, Severity: Severity{Level: "unknown"}}
	a.Published, _ = parseTime(r.Published)
	if r.VulnStatus == "Rejected" {
		a.Withdrawn = mod
	}
	for _, d := range r.Descriptions {
		if d.Lang == "en" {
			a.Summary = d.Value
			break
		}
	}
	for _, key := range []string{"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"} {
		ms := r.Metrics[key]
		if len(ms) == 0 {
			continue
		}
		m := ms[0]
		for _, x := range ms {
			if x.Type == "Primary" {
				m = x
				break
			}
		}
		sev := m.CVSSData.BaseSeverity
		if sev == "" {
			sev = m.BaseSeverity
		}
		a.Severity = Severity{Score: m.CVSSData.BaseScore, Level: levelName(sev), Vector: m.CVSSData.VectorString}
		break
	}
	byProduct := map[string]int{}
	for _, cfg := range r.Configurations {
		for _, n := range cfg.Nodes {
			if n.Negate {
				continue
			}
			for _, m := range n.CPEMatch {
				if !m.Vulnerable {
					continue
				}
				c, err := ParseCPE(m.Criteria)
				if err != nil {
					return Advisory{}, fmt.Errorf("%s: %w", r.ID, err)
				}
				b := Bounds{StartIncluding: m.VersionStartIncluding, StartExcluding: m.VersionStartExcluding,
					EndIncluding: m.VersionEndIncluding, EndExcluding: m.VersionEndExcluding}
				if b == (Bounds{}) {
					if c.Version == "*" || c.Version == "" {
						b = Bounds{StartIncluding: "0"} // every version
					} else if c.Version == "-" {
						continue // "not applicable": no version to match
					} else {
						b.Exact = c.Version
					}
				}
				key := c.Vendor + ":" + c.Product
				i, ok := byProduct[key]
				if !ok {
					i = len(a.Affected)
					byProduct[key] = i
					a.Affected = append(a.Affected, Affected{Vendor: c.Vendor, Product: c.Product})
				}
				a.Affected[i].Bounds = append(a.Affected[i].Bounds, b)
			}
		}
	}
	return a, nil
}

// CPE is the part of a CPE 2.3 formatted string iotlabel matches on.
type CPE struct {
	Part, Vendor, Product, Version, Update string
}

// ParseCPE parses a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:version:…"),
// honouring backslash escapes.
func ParseCPE(s string) (CPE, error) {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ':':
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	fields = append(fields, cur.String())
	if len(fields) >= 4 && fields[0] == "cpe" && strings.HasPrefix(fields[1], "/") { // CPE 2.2 URI: cpe:/a:vendor:product:version
		fields = append([]string{"cpe", "2.3", strings.TrimPrefix(fields[1], "/")}, fields[2:]...)
		for len(fields) < 6 {
			fields = append(fields, "*")
		}
	}
	if len(fields) < 6 || fields[0] != "cpe" || fields[1] != "2.3" {
		return CPE{}, fmt.Errorf("%q is not a CPE (2.3 formatted string or 2.2 URI)", s)
	}
	c := CPE{Part: fields[2], Vendor: strings.ToLower(fields[3]), Product: strings.ToLower(fields[4]), Version: fields[5]}
	if len(fields) > 6 {
		c.Update = fields[6]
	}
	return c, nil
}
