package vuln

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SourceEUVD is ENISA's European Union Vulnerability Database.
const SourceEUVD = "euvd"

// euvdRecord is the subset of an EUVD API record iotlabel reads.
type euvdRecord struct {
	ID             string `json:"id"`
	Description    string `json:"description"`
	DatePublished  string `json:"datePublished"`
	DateUpdated    string `json:"dateUpdated"`
	Aliases        string `json:"aliases"` // one per line
	ExploitedSince string `json:"exploitedSince"`
	Exploited      *bool  `json:"exploited"`
	Products       []struct {
		Product struct {
			Name string `json:"name"`
		} `json:"product"`
	} `json:"enisaIdProduct"`
	Vendors []struct {
		Vendor struct {
			Name string `json:"name"`
		} `json:"vendor"`
	} `json:"enisaIdVendor"`
}

// isEUVD tells an EUVD record by its identifier.
func isEUVD(id json.RawMessage) bool {
	return strings.HasPrefix(strings.Trim(string(id), `"`), "EUVD-")
}

// euvdBatch maps EUVD records the way the KEV catalog is mapped: each record
// marked exploited (exploitedSince set, or exploited true) becomes an
// exploitation entry for each of its CVE aliases. Records not exploited add
// nothing a scan can use — EUVD names products in free text, which cannot be
// matched reliably — and are counted only in the data's date.
func euvdBatch(records []euvdRecord) (Batch, error) {
	b := Batch{Kind: SourceEUVD}
	for i, r := range records {
		if !strings.HasPrefix(r.ID, "EUVD-") {
			return Batch{}, fmt.Errorf("EUVD record %d: id %q does not start with EUVD-", i+1, r.ID)
		}
		updated, err := euvdTime(r.DateUpdated)
		if err != nil {
			return Batch{}, fmt.Errorf("%s: dateUpdated: %v", r.ID, err)
		}
		if updated.After(b.Newest) {
			b.Newest = updated
		}
		since, err := euvdTime(r.ExploitedSince)
		if err != nil {
			return Batch{}, fmt.Errorf("%s: exploitedSince: %v", r.ID, err)
		}
		if since.IsZero() && (r.Exploited == nil || !*r.Exploited) {
			continue
		}
		k := KEVEntry{Source: SourceEUVD, Name: firstLine(r.Description), CatalogVersion: r.ID, Updated: updated}
		if !since.IsZero() {
			k.DateAdded = since.Format("2006-01-02")
		}
		if len(r.Vendors) > 0 {
			k.Vendor = r.Vendors[0].Vendor.Name
		}
		if len(r.Products) > 0 {
			k.Product = r.Products[0].Product.Name
		}
		for _, a := range strings.Fields(r.Aliases) {
			if strings.HasPrefix(a, "CVE-") {
				k.CVE = a
				b.KEV = append(b.KEV, k)
			}
		}
	}
	return b, nil
}

// euvdTime reads the EUVD API's dates ("Jul 7, 2025, 6:22:44 PM") and the
// ISO forms.
func euvdTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"Jan 2, 2006, 3:04:05 PM", "Jan 2, 2006, 3:04:05\u202fPM"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return parseTime(s)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
