package vuln

import (
	"fmt"
	"time"
)

// SourceStatus summarises one source in the database.
type SourceStatus struct {
	Source   string    `json:"source"`
	Records  int       `json:"records"`
	Newest   time.Time `json:"newest_modified,omitzero"`
	Imported time.Time `json:"last_imported,omitzero"`
	Catalog  string    `json:"catalog_version,omitempty"`
}

// MaxAge says how old each source's newest data may be before findings
// that rest on it are flagged as stale.
type MaxAge struct {
	KEV, Other time.Duration
}

// DefaultMaxAge is 7 days for the KEV catalog, which changes weekly or
// faster, and 30 days for the other sources.
var DefaultMaxAge = MaxAge{KEV: 7 * 24 * time.Hour, Other: 30 * 24 * time.Hour}

// Stale lists a warning for each source whose newest data is older than
// its limit at now (or whose age is unknown).
func Stale(st []SourceStatus, now time.Time, limit MaxAge) []string {
	var out []string
	for _, s := range st {
		max := limit.Other
		if s.Source == SourceKEV || s.Source == SourceEUVD { // exploitation news: weekly or faster
			max = limit.KEV
		}
		switch {
		case s.Newest.IsZero():
			if s.Source != SourceCSAF {
				out = append(out, s.Source+": the age of its data is unknown")
			}
		case now.Sub(s.Newest) > max:
			out = append(out, fmt.Sprintf("%s data is %d days old (newest %s; warn after %d days): findings that rest on it may be out of date — get a fresh copy",
				s.Source, int(now.Sub(s.Newest).Hours()/24), s.Newest.Format("2006-01-02"), int(max.Hours()/24)))
		}
	}
	return out
}

// CatalogDate reads a KEV catalog version, which is its release date; it is
// zero when the version is not a date.
func CatalogDate(version string) time.Time {
	for _, layout := range []string{"2006.01.02", "2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, version); err == nil {
			return t
		}
	}
	return time.Time{}
}
