package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

// maxGaps is how many gaps the summary shows before pointing to the rest.
const maxGaps = 5

// Text writes a human-readable report: the summary (tier, markets, top gaps)
// first, then findings, outcomes, schemes and recognitions.
func Text(w io.Writer, c *catalog.Catalog, a *assess.Assessment) error {
	p := &printer{w: w}
	pr := a.Product
	p.f("%s %s (model %s, firmware %s) by %s\n", pr.Name, orDash(pr.HardwareVersion), pr.Model, strings.Join(pr.FirmwareVersions, ", "), pr.Manufacturer)
	if len(pr.Ecosystem) > 0 {
		p.f("app and cloud: %s\n", strings.Join(pr.Ecosystem, "\n               "))
	} else {
		p.f("app and cloud: not declared\n")
	}
	p.f("catalog %s, as of %s, digest %s\n\n", a.CatalogVersion, a.AsOf, a.Digest)
	p.f("TIER %d — %s\n", a.Tier, tierLine(c, a))
	p.f("Security updates until %s%s\n", a.Support.EndDate, supportSuffix(a.Support))
	p.f("\nMARKETS (as of %s)\n", a.AsOf)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var okOthers, refusedOthers []string
	for _, m := range a.Markets {
		if !m.Targeted {
			if m.Allowed {
				okOthers = append(okOthers, m.ID)
			} else {
				refusedOthers = append(refusedOthers, m.ID)
			}
			continue
		}
		mark := "may be sold"
		if !m.Allowed {
			mark = "MAY NOT BE SOLD"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.ID, mark, strings.Join(m.Reasons, "; "))
		for _, u := range m.Upcoming {
			fmt.Fprintf(tw, "  \t\tupcoming: %s\n", u)
		}
	}
	tw.Flush()
	if len(okOthers)+len(refusedOthers) > 0 {
		var parts []string
		if len(okOthers) > 0 {
			parts = append(parts, "may be sold in "+strings.Join(okOthers, ", "))
		}
		if len(refusedOthers) > 0 {
			parts = append(parts, "may not be sold in "+strings.Join(refusedOthers, ", "))
		}
		p.f("  not targeted: %s (reasons: --format markdown or json)\n", strings.Join(parts, "; "))
	}
	if len(a.Gaps) > 0 {
		p.f("\nTOP GAPS TO TIER %d (%d in all)\n", a.Gaps[0].Tier, len(a.Gaps))
		for i, g := range a.Gaps {
			if i == maxGaps {
				p.f("  … %d more: see --format markdown or json\n", len(a.Gaps)-maxGaps)
				break
			}
			p.f("  %d. %s\n     fix: %s\n", i+1, g.Problem, g.Remediation)
		}
	}
	if len(a.Findings) > 0 {
		p.f("\nFINDINGS\n")
		for _, f := range a.Findings {
			p.f("  [%s] %s\n", f.Kind, f.Message)
		}
	}
	p.f("\nOUTCOMES\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range a.Outcomes {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", o.Verdict, orDash(string(o.Strength)), o.ID, o.Reason)
	}
	tw.Flush()
	p.f("\nSCHEMES\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range a.Schemes {
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", schemeState(s), c.Scheme(s.ID).Short, s.Reason, unverifiedMark(s.Unverified))
	}
	tw.Flush()
	if len(a.Recognitions) > 0 {
		p.f("\nRECOGNITIONS (earned only from labels held; eligible ones count for no market)\n")
		for _, r := range a.Recognitions {
			p.f("  %s: %s → %s (%s, %s)%s%s\n", recognitionStatus(r.Status), r.Holds, r.Earns, r.Agreement, r.Basis, noteSuffix(r.Note), unverifiedMark(r.Unverified))
		}
	}
	p.f("\n* rests in part on catalog facts our sources could not confirm; see `iotlabel catalog show SCHEME`.\n")
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func tierLine(c *catalog.Catalog, a *assess.Assessment) string {
	if a.Tier == 0 {
		return "fails the Tier 1 baseline (" + c.Tiers[0].Summary + ")"
	}
	return c.Tiers[a.Tier-1].Name + ": " + c.Tiers[a.Tier-1].Summary
}

func supportSuffix(s assess.Support) string {
	if s.Ended {
		return " — SUPPORT HAS ENDED"
	}
	return fmt.Sprintf(" (%d days left)", s.DaysRemaining)
}

func schemeState(s assess.SchemeResult) string {
	switch {
	case !s.Applicable:
		return "n/a"
	case s.Level != "":
		return "level " + s.Level
	case s.Met:
		return "met"
	}
	return "not met"
}

func unverifiedMark(u bool) string {
	if u {
		return " *"
	}
	return ""
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " — " + n
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// recognitionStatus names a recognition's status for people.
func recognitionStatus(s string) string {
	switch s {
	case assess.RecognitionEarned:
		return "EARNED"
	case assess.RecognitionEligible:
		return "eligible"
	}
	return "declared, not verified"
}
