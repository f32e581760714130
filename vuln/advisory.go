package vuln

import (
	"strings"
	"time"
)

// Sources of advisories.
const (
	SourceOSV  = "osv"
	SourceNVD  = "nvd"
	SourceKEV  = "kev"
	SourceCSAF = "csaf"
)

// Advisory is one vulnerability record, normalised from any source.
type Advisory struct {
	ID        string     `json:"id"`
	Source    string     `json:"source"`
	Aliases   []string   `json:"aliases,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Severity  Severity   `json:"severity"`
	Published time.Time  `json:"published,omitzero"`
	Modified  time.Time  `json:"modified"`
	Withdrawn time.Time  `json:"withdrawn,omitzero"`
	Affected  []Affected `json:"affected"`
}

// Severity is a CVSS-style rating; Level is critical, high, medium, low, none
// or unknown.
type Severity struct {
	Score  float64 `json:"score,omitempty"`
	Level  string  `json:"level"`
	Vector string  `json:"vector,omitempty"`
}

// Affected names what an advisory affects: an OSV package (ecosystem and
// name, optionally a purl) or a CPE vendor:product, with the affected versions
// as explicit lists, OSV ranges or NVD-style bounds.
type Affected struct {
	Ecosystem string   `json:"ecosystem,omitempty"`
	Package   string   `json:"package,omitempty"`
	PURL      string   `json:"purl,omitempty"`
	Vendor    string   `json:"vendor,omitempty"`
	Product   string   `json:"product,omitempty"`
	Versions  []string `json:"versions,omitempty"`
	Ranges    []Range  `json:"ranges,omitempty"`
	Bounds    []Bounds `json:"bounds,omitempty"`
}

// Range is an OSV range: a type (SEMVER, ECOSYSTEM, GIT) and its events in order.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Bounds is an NVD cpeMatch version range; empty fields are open. Exact names
// one affected version (a CPE with a concrete version and no range).
type Bounds struct {
	Exact          string `json:"exact,omitempty"`
	StartIncluding string `json:"start_including,omitempty"`
	StartExcluding string `json:"start_excluding,omitempty"`
	EndIncluding   string `json:"end_including,omitempty"`
	EndExcluding   string `json:"end_excluding,omitempty"`
}

// CVEs returns the CVE IDs among the advisory's ID and aliases.
func (a *Advisory) CVEs() []string {
	var out []string
	for _, id := range append([]string{a.ID}, a.Aliases...) {
		if strings.HasPrefix(id, "CVE-") && !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// KEVEntry is one entry of the CISA Known Exploited Vulnerabilities catalog.
type KEVEntry struct {
	CVE            string `json:"cve"`
	Vendor         string `json:"vendor"`
	Product        string `json:"product"`
	Name           string `json:"name"`
	DateAdded      string `json:"date_added"`
	DueDate        string `json:"due_date,omitempty"`
	Ransomware     string `json:"ransomware,omitempty"`
	CatalogVersion string `json:"catalog_version,omitempty"`
	// Source is "" for the CISA KEV catalog and "euvd" for an EUVD record
	// marked exploited (CatalogVersion then holds the EUVD ID and Updated
	// the record's last update).
	Source  string    `json:"source,omitempty"`
	Updated time.Time `json:"updated,omitzero"`
}

// VEXStatement says a product is not affected by a vulnerability, and why.
type VEXStatement struct {
	Vulnerability string `json:"vulnerability"`
	// Product identifies the product as a purl, a CPE or "name@version".
	Product       string `json:"product"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
	Document      string `json:"document"`
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Says names where the exploitation is recorded, for people: "KEV
// 2024-01-02" or "EUVD-2025-123, exploited since 2025-03-04".
func (k *KEVEntry) Says() string {
	if k.Source != SourceEUVD {
		return "KEV " + k.DateAdded
	}
	if k.DateAdded == "" {
		return k.CatalogVersion + ", marked exploited"
	}
	return k.CatalogVersion + ", exploited since " + k.DateAdded
}
