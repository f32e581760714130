package registry_test

import (
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/vuln"
)

func TestRecheck(t *testing.T) {
	c0, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	rules := c0.AtRisk
	p := &label.Predicate{LabelID: "IL-X", Model: "M", Tier: 3, SupportEnd: catalog.MustDate("2027-06-30"),
		Expires: time.Date(2027, 6, 30, 23, 59, 59, 0, time.UTC)}
	day := 24 * time.Hour
	at := func(s string) time.Time { return catalog.MustDate(s).Time().Add(12 * time.Hour) }
	crit := &vuln.Report{Findings: []vuln.Finding{{Vulnerability: "CVE-1", Component: "c", Version: "1", Severity: vuln.Severity{Level: "critical"}}}}
	kev := &vuln.Report{Findings: []vuln.Finding{{Vulnerability: "CVE-2", Component: "c", Version: "1", KnownExploited: true, Severity: vuln.Severity{Level: "medium"}}}}
	for _, tc := range []struct {
		name   string
		now    string
		scan   *vuln.Report
		want   string
		reason string
	}{
		{"clean", "2026-11-22", &vuln.Report{}, registry.Active, "no known exploited"},
		{"support ending", "2027-03-01", nil, registry.AtRisk, "in 121 days"},
		{"known exploited", "2026-11-22", kev, registry.AtRisk, "CVE-2 in c 1"},
		{"critical at tier 3", "2026-11-22", crit, registry.AtRisk, "tier 3 requires no critical"},
		{"expired", "2027-07-01", kev, registry.Expired, "expired 2027-06-30"},
	} {
		c := registry.Recheck(p, tc.scan, rules, at(tc.now), 180*day)
		if c.Status != tc.want || !strings.Contains(strings.Join(c.Reasons, "; "), tc.reason) {
			t.Errorf("%s: %s %v, want %s with %q", tc.name, c.Status, c.Reasons, tc.want, tc.reason)
		}
	}
	// Below Tier 3 a critical finding alone does not put the label at risk.
	p.Tier = 2
	if c := registry.Recheck(p, crit, rules, at("2026-11-22"), 180*day); c.Status != registry.Active {
		t.Errorf("tier 2 with a critical finding: %s", c.Status)
	}
	// The policy is the catalog's: a rule set that flags criticals from tier 2 does.
	if c := registry.Recheck(p, crit, []catalog.RiskRule{{Finding: "critical", FromTier: 2}}, at("2026-11-22"), 180*day); c.Status != registry.AtRisk {
		t.Errorf("tier 2 under a stricter policy: %s", c.Status)
	}
}
