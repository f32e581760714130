package report

import (
	"io"
	"strings"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

// Markdown writes the full assessment, every requirement included, as Markdown.
func Markdown(w io.Writer, c *catalog.Catalog, a *assess.Assessment) error {
	p := &printer{w: w}
	pr := a.Product
	p.f("# Security assessment: %s (%s)\n\n", pr.Name, pr.Model)
	p.f("| | |\n|---|---|\n")
	p.f("| Manufacturer | %s |\n| Firmware | %s |\n| Category | %s |\n", md(pr.Manufacturer), md(strings.Join(pr.FirmwareVersions, ", ")), pr.Category)
	p.f("| App and cloud | %s |\n", orDash(md(strings.Join(pr.Ecosystem, "; "))))
	p.f("| Tier | **%d — %s** |\n| Security updates until | %s%s |\n", a.Tier, a.TierName, a.Support.EndDate, supportSuffix(a.Support))
	p.f("| Catalog | %s |\n| As of | %s |\n| Digest | `%s` |\n\n", a.CatalogVersion, a.AsOf, a.Digest)
	p.f("## Markets\n\n| Market | Targeted | May be sold | Why |\n|---|---|---|---|\n")
	for _, m := range a.Markets {
		// md escapes the text; the line break between reasons and upcoming
		// rules is markup of ours and stays a real <br>.
		why := md(strings.Join(m.Reasons, "; "))
		if len(m.Upcoming) > 0 {
			why += "<br>Upcoming: " + md(strings.Join(m.Upcoming, "; "))
		}
		p.f("| %s | %s | %s | %s |\n", m.ID, yesNo(m.Targeted), yesNo(m.Allowed), why)
	}
	if len(a.Gaps) > 0 {
		p.f("\n## Gaps to tier %d\n\n", a.Gaps[0].Tier)
		for _, g := range a.Gaps {
			p.f("- **%s** — fix: %s\n", md(g.Problem), md(g.Remediation))
		}
	}
	if len(a.Findings) > 0 {
		p.f("\n## Findings\n\n")
		for _, f := range a.Findings {
			p.f("- *%s*: %s\n", f.Kind, md(f.Message))
		}
	}
	p.f("\n## Outcomes\n\n| Outcome | Verdict | Evidence | Reason |\n|---|---|---|---|\n")
	for _, o := range a.Outcomes {
		p.f("| %s | %s | %s | %s |\n", md(c.Outcome(o.ID).Title), o.Verdict, orDash(string(o.Strength)), md(o.Reason))
	}
	p.f("\n## Schemes\n")
	for _, s := range a.Schemes {
		def := c.Scheme(s.ID)
		p.f("\n### %s — %s\n\n%s%s\n\n", def.Short, schemeState(s), md(s.Reason), unverifiedMark(s.Unverified))
		if def.Unverified != "" {
			p.f("> Unverified: %s\n\n", md(def.Unverified))
		}
		p.f("| Requirement | Verdict | Reason |\n|---|---|---|\n")
		for _, r := range s.Requirements {
			p.f("| %s%s | %s | %s |\n", r.ID, unverifiedMark(r.Unverified), r.Verdict, md(r.Reason+refs(r.Evidence)))
		}
	}
	if len(a.Recognitions) > 0 {
		p.f("\n## Recognitions\n\nEarned only from labels the product holds; eligible and declared ones count for no market.\n\n")
		for _, r := range a.Recognitions {
			p.f("- **%s**: %s → %s (%s, %s)%s%s\n", recognitionStatus(r.Status), r.Holds, r.Earns, r.Agreement, md(r.Basis), noteSuffix(r.Note), unverifiedMark(r.Unverified))
		}
	}
	if len(a.Evidence) > 0 {
		p.f("\n## Evidence considered\n\n| Ref | Kind | Source | Check | Result | Target |\n|---|---|---|---|---|---|\n")
		for _, e := range a.Evidence {
			p.f("| %s | %s | %s | %s | %s | %s |\n", e.Ref, e.Kind, md(e.Source), e.Check, e.Result, orDash(e.Target))
		}
	}
	p.f("\n\\* rests in part on catalog facts our sources could not confirm.\n")
	return p.err
}

func refs(ev []string) string {
	if len(ev) == 0 {
		return ""
	}
	return " [" + strings.Join(ev, ", ") + "]"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// md escapes text for a Markdown table cell.
func md(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "*", "\\*", "_", "\\_", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
