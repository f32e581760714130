package report

import (
	"io"
	"strings"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

// ICSRow is one row of the EN 303 645 Annex B implementation conformance
// statement: the provision, its status in the standard, whether the product
// supports it and the detail.
type ICSRow struct {
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Support   string `json:"support"`
	Detail    string `json:"detail"`
	Source    string `json:"source"`
}

// ICS builds the Table B.1 rows for a product. Support is Y, N or N/A as
// declared; where the declaration has no answer it comes from the assessment
// verdict (source "assessed"), and "?" means neither settles it.
func ICS(c *catalog.Catalog, d *declaration.Declaration, a *assess.Assessment) []ICSRow {
	s := c.Scheme("etsi-en-303-645")
	res := a.Scheme(s.ID)
	var rows []ICSRow
	for j, r := range s.Requirements {
		row := ICSRow{Reference: r.ID, Status: icsStatus(r)}
		if ans, ok := answerFor(d, r); ok {
			row.Support, row.Detail, row.Source = map[string]string{"yes": "Y", "no": "N", "n/a": "N/A"}[ans.Support], ans.Detail, "declared"
		} else {
			v := res.Requirements[j]
			row.Support = map[assess.Verdict]string{assess.Pass: "Y", assess.Fail: "N", assess.NotApplicable: "N/A", assess.Unknown: "?"}[v.Verdict]
			row.Detail, row.Source = v.Reason, "assessed"
		}
		rows = append(rows, row)
	}
	return rows
}

func answerFor(d *declaration.Declaration, r *catalog.Requirement) (declaration.Answer, bool) {
	if a, ok := d.Answers[r.ID]; ok {
		return a, true
	}
	a, ok := d.Answers[r.Ref()]
	return a, ok
}

// icsStatus renders the Table B.1 status, e.g. "M C (1)" or "R".
func icsStatus(r *catalog.Requirement) string {
	s := "M"
	if r.Strength == catalog.Recommended {
		s = "R"
	}
	if len(r.Condition) > 0 {
		s += " C (" + strings.Join(r.Condition, ", ") + ")"
	}
	return s
}

// ICSMarkdown writes the ICS as a Markdown table with a header naming the product.
func ICSMarkdown(w io.Writer, c *catalog.Catalog, d *declaration.Declaration, a *assess.Assessment) error {
	p := &printer{w: w}
	p.f("# Implementation conformance statement — ETSI EN 303 645 V2.1.1, Annex B\n\n")
	p.f("Product: %s, model %s, firmware %s. Manufacturer: %s.\n", md(d.Product.Name), md(d.Product.Model), md(strings.Join(d.Product.FirmwareVersions, ", ")), md(d.Manufacturer.Name))
	p.f("Prepared with iotlabel from catalog %s on %s. Support: Y = supported, N = not supported, N/A = not applicable (conditional provisions only), ? = not settled.\n\n", c.Version, a.AsOf)
	p.f("Conditions: ")
	for i, cd := range c.Scheme("etsi-en-303-645").Conditions {
		if i > 0 {
			p.f("; ")
		}
		p.f("(%s) %s", cd.ID, factTitle(c, cd.Fact))
	}
	p.f(".\n\n| Reference | Status | Support | Detail |\n|---|---|---|---|\n")
	for _, r := range ICS(c, d, a) {
		detail := r.Detail
		if r.Source == "assessed" && detail != "" {
			detail = "(assessed) " + detail
		}
		p.f("| %s | %s | %s | %s |\n", r.Reference, r.Status, r.Support, md(detail))
	}
	return p.err
}

func factTitle(c *catalog.Catalog, id string) string {
	for _, f := range c.Facts {
		if f.ID == id {
			return f.Title
		}
	}
	return id
}

// PSTI writes a draft UK PSTI statement of compliance (Schedule 4 contents as
// we understand them) from the declaration and the assessment. The draft says
// plainly when a requirement is not met, because such a statement must not be issued.
func PSTI(w io.Writer, c *catalog.Catalog, d *declaration.Declaration, a *assess.Assessment) error {
	p := &printer{w: w}
	res := a.Scheme("uk-psti")
	s := c.Scheme("uk-psti")
	p.f("# DRAFT — Statement of compliance\n\n")
	p.f("Product Security and Telecommunications Infrastructure Act 2022, Part 1, and the Product Security and Telecommunications Infrastructure (Security Requirements for Relevant Connectable Products) Regulations 2023 (SI 2023/1007).\n\n")
	if !res.Met {
		p.f("> **This statement must not be issued yet.** %s\n\n", md(res.Reason))
	}
	p.f("1. Product type and batch: %s, model %s, hardware %s, firmware %s.\n", md(d.Product.Name), md(d.Product.Model), md(orDash(d.Product.HardwareVersion)), md(strings.Join(d.Product.FirmwareVersions, ", ")))
	p.f("2. Manufacturer: %s, %s.\n", md(d.Manufacturer.Name), md(orDash(d.Manufacturer.Address)))
	p.f("3. This statement is prepared by or on behalf of the manufacturer.\n")
	p.f("4. In the opinion of the manufacturer, the manufacturer has complied with the applicable security requirements:\n\n")
	for j, r := range s.Requirements {
		if r.ID == "SoC" {
			continue
		}
		v := res.Requirements[j]
		route := ""
		if len(r.DeemedBy) > 0 && v.Verdict == assess.Pass {
			route = " (deemed compliance route: EN 303 645 " + strings.TrimPrefix(strings.Join(r.DeemedBy, ", "), "etsi-en-303-645:") + ")"
		}
		p.f("   - Schedule 1 paragraph %s — %s: **%s**%s. %s\n", strings.TrimPrefix(r.ID, "Sch1-"), md(r.Title), v.Verdict, route, md(v.Reason))
	}
	p.f("\n5. Defined support period: security updates will be provided at least until **%s**, as published at %s.\n", d.Support.EndDate, md(orDash(d.Support.PublishedAt)))
	p.f("6. Signed for and on behalf of the manufacturer: name ______________________, function ______________________, signature ______________________.\n")
	p.f("7. Place and date of issue: ______________________.\n\n")
	p.f("Prepared with iotlabel, catalog %s, assessment %s, as of %s. Unverified: %s\n", c.Version, a.Digest, a.AsOf, md(s.Unverified))
	return p.err
}
