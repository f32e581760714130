package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

// Label statuses.
const (
	Active    = "active"
	AtRisk    = "at_risk"
	Suspended = "suspended"
	Revoked   = "revoked"
	Expired   = "expired"
	// Pending is a label whose validity starts in the future; sweeps make it
	// active on its first day.
	Pending = "pending"
)

// Statuses are every status a label can have.
var Statuses = []string{Active, AtRisk, Pending, Suspended, Revoked, Expired}

// Check is the result of rechecking one label.
type Check struct {
	LabelID string   `json:"label_id"`
	Model   string   `json:"model"`
	Tier    int      `json:"tier"`
	Status  string   `json:"status"`
	Reasons []string `json:"reasons"`
	// Findings are the vulnerabilities behind an at-risk status.
	Findings []vuln.Finding `json:"findings,omitempty"`
}

// RecheckSBOM is Recheck with a fresh scan of the product's components
// against src (matched by dict); with no components or no source, the dates
// alone decide. It is what a registry's sweep decides for a stored label and
// what `iotlabel monitor` decides for labels kept in a directory.
func RecheckSBOM(ctx context.Context, p *label.Predicate, comps []sbom.Component, src vuln.Source, dict *vuln.Dictionary, rules []catalog.RiskRule, now time.Time, window time.Duration) (Check, error) {
	var scan *vuln.Report
	if comps != nil && src != nil && dict != nil {
		var err error
		if scan, err = vuln.Scan(ctx, src, dict, comps); err != nil {
			return Check{}, err
		}
	}
	return Recheck(p, scan, rules, now, window), nil
}

// Recheck decides a label's status at now from its predicate and, when one is
// given, a fresh scan of the product's SBOM, judged by the catalog's at-risk
// rules. window is how long before the end of support a label is flagged at
// risk.
func Recheck(p *label.Predicate, scan *vuln.Report, rules []catalog.RiskRule, now time.Time, window time.Duration) Check {
	c := Check{LabelID: p.LabelID, Model: p.Model, Tier: p.Tier, Status: Active, Reasons: []string{}}
	supportEnd := p.SupportEnd.Time().Add(24*time.Hour - time.Second)
	switch {
	case now.Before(p.Issued):
		c.Status = Pending
		c.Reasons = append(c.Reasons, "valid from "+p.Issued.Format(time.RFC3339))
		return c
	case now.After(p.Expires) || now.After(supportEnd):
		c.Status = Expired
		c.Reasons = append(c.Reasons, fmt.Sprintf("expired %s (support ends %s)", p.Expires.Format("2006-01-02"), p.SupportEnd))
		return c
	case supportEnd.Sub(now) <= window:
		c.Status = AtRisk
		c.Reasons = append(c.Reasons, fmt.Sprintf("security support ends %s, in %d days", p.SupportEnd, int(supportEnd.Sub(now).Hours()/24)))
	}
	if scan == nil {
		return c
	}
	var exploited, critical []string
	applies := func(kind string) bool {
		for _, r := range rules {
			if r.Finding == kind && p.Tier >= r.FromTier {
				return true
			}
		}
		return false
	}
	for _, f := range scan.Findings {
		switch {
		case f.KnownExploited && applies("known_exploited"):
			exploited = append(exploited, f.Vulnerability+" in "+f.Component+" "+f.Version)
			c.Findings = append(c.Findings, f)
		case f.Severity.Level == "critical" && applies("critical"):
			critical = append(critical, f.Vulnerability+" in "+f.Component+" "+f.Version)
			c.Findings = append(c.Findings, f)
		}
	}
	if len(exploited) > 0 {
		c.Status = AtRisk
		c.Reasons = append(c.Reasons, "known exploited vulnerability: "+strings.Join(exploited, ", "))
	}
	if len(critical) > 0 {
		c.Status = AtRisk
		c.Reasons = append(c.Reasons, fmt.Sprintf("tier %d requires no critical vulnerability: %s", p.Tier, strings.Join(critical, ", ")))
	}
	if c.Status == Active {
		c.Reasons = append(c.Reasons, fmt.Sprintf("valid until %s; no known exploited vulnerability in the SBOM", p.Expires.Format("2006-01-02")))
	}
	return c
}
