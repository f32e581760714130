package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
)

// catalogShow prints one scheme, outcome, tier or requirement.
func catalogShow(e *env, c *catalog.Catalog, format, id string) error {
	switch {
	case c.Scheme(id) != nil:
		s := c.Scheme(id)
		if format == "json" {
			return writeJSONTo(e.stdout, s)
		}
		p := &linePrinter{e: e}
		p.kv("Scheme", s.ID+" — "+s.Title)
		p.kv("Version", s.Version)
		p.kv("Publisher", s.Publisher)
		p.kv("Kind / status", s.Kind+" / "+s.Status)
		p.kv("Jurisdiction", s.Jurisdiction)
		p.kv("Effective", s.Effective.String())
		p.kv("Label validity", plural(s.LabelValidityYears, "year"))
		p.kv("Excludes", strings.Join(s.ExcludedCategories, ", "))
		p.kv("Covers only", strings.Join(s.Categories, ", "))
		p.kv("Exclusions", s.ExclusionNotes)
		p.kv("Scope", s.Scope)
		p.kv("Notes", s.Notes)
		p.kv("UNVERIFIED", s.Unverified)
		for _, l := range s.Levels {
			p.kv("Level "+l.ID, l.Title)
		}
		fmt.Fprintf(e.stdout, "\n%d requirements (run `iotlabel catalog list --scheme %s`)\n", len(s.Requirements), s.ID)
		return nil
	case c.Outcome(id) != nil:
		return showOutcome(e, c, format, c.Outcome(id))
	case c.Recognition(id) != nil:
		return showRecognition(e, format, c.Recognition(id))
	case c.Market(id) != nil:
		return showMarket(e, c, format, c.Market(id))
	case strings.HasPrefix(id, "tier-"):
		n, err := strconv.Atoi(strings.TrimPrefix(id, "tier-"))
		if err != nil || n < 1 || n > len(c.Tiers) {
			return badInput("no tier %q (tiers are tier-1 … tier-%d)", id, len(c.Tiers))
		}
		t := c.Tiers[n-1]
		if format == "json" {
			return writeJSONTo(e.stdout, t)
		}
		fmt.Fprintf(e.stdout, "Tier %d — %s\n%s\nIn this form since %s; to be reviewed by %s (see iotlabel catalog impact).\n\nNeeds (on top of tier %d):\n", t.Level, t.Name, t.Summary, t.Effective, t.ReviewBy, t.Level-1)
		for _, s := range t.Schemes {
			fmt.Fprintf(e.stdout, "  scheme %s met\n", s)
		}
		for _, o := range t.Outcomes {
			fmt.Fprintf(e.stdout, "  outcome %s with at least %s evidence%s\n", o.ID, o.Evidence, checksSuffix(o.Checks))
		}
		return nil
	}
	ref := id
	if !strings.Contains(id, ":") {
		ref = "etsi-en-303-645:" + id
	}
	r := c.Requirement(ref)
	if r == nil {
		var all []string
		for _, s := range c.Schemes {
			all = append(all, s.ID)
		}
		for _, o := range c.Outcomes {
			all = append(all, o.ID)
		}
		for _, r := range c.Recognitions {
			all = append(all, r.ID)
		}
		for _, m := range c.Markets {
			all = append(all, m.ID)
		}
		for _, x := range c.Requirements() {
			all = append(all, x.Ref())
		}
		return badInput("nothing called %q in catalog %s%s", id, c.Version, hintOf(id, all))
	}
	if format == "json" {
		return writeJSONTo(e.stdout, struct {
			Scheme string `json:"scheme"`
			*catalog.Requirement
		}{r.Scheme.ID, r})
	}
	p := &linePrinter{e: e}
	p.kv("Requirement", r.Ref())
	p.kv("Title", r.Title)
	p.kv("Strength", string(r.Strength))
	p.kv("Condition", conditionText(c, r))
	p.kv("Phase", string(r.Phase))
	p.kv("Level", r.Level)
	p.kv("Outcomes", strings.Join(r.Outcomes, ", "))
	p.kv("Includes", strings.Join(r.Includes, ", "))
	p.kv("Includes all mandatory of", r.IncludesMandatoryOf)
	p.kv("Needs evidence", string(r.Evidence))
	p.kv("Deemed met by", strings.Join(r.DeemedBy, ", "))
	p.kv("Effective", r.Effective.String())
	p.kv("Notes", r.Notes)
	p.kv("UNVERIFIED", r.Unverified)
	return nil
}

func showRecognition(e *env, format string, r *catalog.Recognition) error {
	if format == "json" {
		return writeJSONTo(e.stdout, r)
	}
	p := &linePrinter{e: e}
	p.kv("Recognition", r.ID+" — "+r.Title)
	if !r.Signed.IsZero() {
		p.kv("Signed", r.Signed.String())
	}
	p.kv("Effective", r.Effective.String())
	p.kv("Excludes", strings.Join(r.ScopeExcludes, ", "))
	p.kv("Notes", r.Notes)
	p.kv("UNVERIFIED", r.Unverified)
	fmt.Fprintf(e.stdout, "\nGrants:\n")
	for _, g := range r.Grants {
		note := ""
		if g.Note != "" {
			note = " — " + g.Note
		}
		from := ""
		if !g.Effective.IsZero() {
			from = " from " + g.Effective.String()
			if g.Source != "" {
				from += " (" + g.Source + ")"
			}
		}
		fmt.Fprintf(e.stdout, "  holding %s counts as %s%s%s\n", g.Holder, g.Earns, from, note)
	}
	return nil
}

func showMarket(e *env, c *catalog.Catalog, format string, m *catalog.Market) error {
	if format == "json" {
		return writeJSONTo(e.stdout, m)
	}
	p := &linePrinter{e: e}
	p.kv("Market", m.ID+" — "+m.Name)
	p.kv("Includes", strings.Join(m.Includes, ", "))
	p.kv("Notes", m.Notes)
	fmt.Fprintf(e.stdout, "\nMandatory rules:\n")
	rules := c.MarketRules(m.ID)
	if len(rules) == 0 {
		fmt.Fprintf(e.stdout, "  none: no scheme is mandatory here\n")
	}
	for _, r := range rules {
		line := "  " + (catalog.SchemeLevel{Scheme: r.Scheme, Level: r.Level}).String()
		if !r.From.IsZero() {
			line += " from " + r.From.String()
		}
		if len(r.Categories) > 0 {
			line += " for " + strings.Join(r.Categories, ", ")
		}
		if r.Note != "" {
			line += " — " + r.Note
		}
		fmt.Fprintln(e.stdout, line)
	}
	return nil
}

func showOutcome(e *env, c *catalog.Catalog, format string, o *catalog.Outcome) error {
	mapped := c.MappedRequirements(o.ID)
	var checks []string
	for _, k := range c.Checks {
		if k.Outcome == o.ID {
			checks = append(checks, k.ID+" ("+string(k.Kind)+")")
		}
	}
	if format == "json" {
		var refs []string
		for _, r := range mapped {
			refs = append(refs, r.Ref())
		}
		return writeJSONTo(e.stdout, struct {
			*catalog.Outcome
			Requirements []string `json:"requirements"`
			Checks       []string `json:"checks"`
		}{o, refs, checks})
	}
	p := &linePrinter{e: e}
	p.kv("Outcome", o.ID+" — "+o.Title)
	p.kv("Phase", string(o.Phase))
	p.kv("For consumers", o.Consumer)
	p.kv("Remediation", o.Remediation)
	p.kv("Verified by", strings.Join(o.Verify, ", "))
	p.kv("Checks", strings.Join(checks, ", "))
	fmt.Fprintf(e.stdout, "\nRequirements mapped to it (%d):\n", len(mapped))
	for _, r := range mapped {
		fmt.Fprintf(e.stdout, "  %-36s %-11s %s\n", r.Ref(), r.Strength, r.Title)
	}
	return nil
}

func conditionText(c *catalog.Catalog, r *catalog.Requirement) string {
	var parts []string
	for i, f := range r.Facts {
		parts = append(parts, fmt.Sprintf("(%s) %s", r.Condition[i], factTitleOf(c, f)))
	}
	return strings.Join(parts, " and ")
}

func factTitleOf(c *catalog.Catalog, id string) string {
	for _, f := range c.Facts {
		if f.ID == id {
			return f.Title
		}
	}
	return id
}

func checksSuffix(checks []string) string {
	if len(checks) == 0 {
		return ""
	}
	return " and passing checks " + strings.Join(checks, ", ")
}

func plural(n int, unit string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

type linePrinter struct{ e *env }

func (p *linePrinter) kv(k, v string) {
	if v != "" {
		fmt.Fprintf(p.e.stdout, "%-26s %s\n", k+":", v)
	}
}
