package vuln

import (
	"fmt"
	"strings"
	"time"
)

// osvRecord is the subset of the OSV schema iotlabel uses; the same struct
// reads OSV's JSON and YAML forms.
type osvRecord struct {
	ID        string   `json:"id" yaml:"id"`
	Modified  string   `json:"modified" yaml:"modified"`
	Published string   `json:"published" yaml:"published"`
	Withdrawn string   `json:"withdrawn" yaml:"withdrawn"`
	Aliases   []string `json:"aliases" yaml:"aliases"`
	Summary   string   `json:"summary" yaml:"summary"`
	Details   string   `json:"details" yaml:"details"`
	Severity  []struct {
		Type  string `json:"type" yaml:"type"`
		Score string `json:"score" yaml:"score"`
	} `json:"severity" yaml:"severity"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem" yaml:"ecosystem"`
			Name      string `json:"name" yaml:"name"`
			PURL      string `json:"purl" yaml:"purl"`
		} `json:"package" yaml:"package"`
		Ranges []struct {
			Type   string  `json:"type" yaml:"type"`
			Events []Event `json:"events" yaml:"events"`
		} `json:"ranges" yaml:"ranges"`
		Versions []string `json:"versions" yaml:"versions"`
	} `json:"affected" yaml:"affected"`
	DatabaseSpecific map[string]any `json:"database_specific" yaml:"database_specific"`
}

func (r *osvRecord) advisory() (Advisory, error) {
	if r.ID == "" {
		return Advisory{}, fmt.Errorf("OSV record has no id")
	}
	mod, err := parseTime(r.Modified)
	if err != nil {
		return Advisory{}, fmt.Errorf("%s: modified: %w", r.ID, err)
	}
	a := Advisory{ID: r.ID, Source: SourceOSV, Aliases: r.Aliases, Summary: r.Summary, Modified: mod}
	if a.Summary == "" {
		a.Summary, _, _ = strings.Cut(strings.TrimSpace(r.Details), "\n")
	}
	a.Published, _ = parseTime(r.Published)
	a.Withdrawn, _ = parseTime(r.Withdrawn)
	for _, s := range r.Severity {
		if strings.HasPrefix(s.Type, "CVSS_V3") || strings.HasPrefix(s.Type, "CVSS_V4") {
			a.Severity = SeverityFromVector(s.Score)
			break
		}
	}
	if a.Severity.Level == "" {
		if s, ok := r.DatabaseSpecific["severity"].(string); ok {
			a.Severity.Level = levelName(s)
		} else {
			a.Severity.Level = "unknown"
		}
	}
	for _, af := range r.Affected {
		x := Affected{Ecosystem: af.Package.Ecosystem, Package: af.Package.Name, PURL: af.Package.PURL, Versions: af.Versions}
		for _, rg := range af.Ranges {
			x.Ranges = append(x.Ranges, Range{Type: rg.Type, Events: rg.Events})
		}
		a.Affected = append(a.Affected, x)
	}
	return a, nil
}

// parseTime reads RFC 3339 times with or without fractional seconds and zone
// (NVD writes 2024-11-21T03:35:17.110 without a zone: UTC).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
}

func levelName(s string) string {
	switch strings.ToLower(s) {
	case "critical":
		return "critical"
	case "high", "important":
		return "high"
	case "medium", "moderate":
		return "medium"
	case "low":
		return "low"
	case "none":
		return "none"
	}
	return "unknown"
}
