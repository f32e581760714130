package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/report"
)

const catalogUsage = `catalog SUBCOMMAND [flags] [--catalog DIR] [--format text|json]

  schemes                         list the schemes with status, jurisdiction and dates
  list [--scheme ID] [--phase P]  list requirements (JSON: scheme, id, title, strength, condition, phase, outcomes)
  show ID                         show a scheme, an outcome, a tier (tier-2), or a requirement (5.1-1, eu-cra:I(2)(a))
  coverage [--format svg|html]    lifecycle gap analysis: requirements per phase for every scheme, thin phases marked
  compare A B…                    outcome by outcome, which of the schemes ask for it, how strongly and with what proof
  crosswalk --from A --to B       map every requirement of scheme A to the requirements of scheme B
  diff A B                        what changed between two catalog directories ("builtin" = the embedded catalog)
  export --format oscal [--scheme ID] [--out FILE]   the catalog as an OSCAL catalog (--out also for coverage svg/html)
  export --format yaml --out DIR  a copy of the catalog files to review and change, then load with --catalog DIR
  impact DIR --db REGISTRY        what the catalog in DIR would do to every label the registry holds (text, json, svg)`

func runCatalog(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", catalogUsage)
		if len(args) == 0 {
			return badInput("catalog needs a subcommand")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	if sub == "impact" {
		return catalogImpact(ctx, e, rest)
	}
	fs := e.newFlags("catalog "+sub, catalogUsage)
	format := fs.String("format", "text", "output format: text or json (export: oscal or yaml)")
	catDir := fs.String("catalog", "", "use the catalog in `DIR` instead of the built-in one")
	scheme := fs.String("scheme", "", "only this scheme `ID`")
	phase := fs.String("phase", "", "only requirements in this lifecycle `phase`")
	from := fs.String("from", "", "crosswalk source scheme `ID`")
	to := fs.String("to", "", "crosswalk target scheme `ID`")
	out := fs.String("out", "", "export to `PATH`")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if sub == "export" {
		if *format == "text" {
			*format = "oscal"
		}
		if err := checkFormat(*format, "oscal", "yaml"); err != nil {
			return err
		}
	} else if sub == "coverage" {
		if err := checkFormat(*format, "text", "json", "svg", "html"); err != nil {
			return err
		}
	} else if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	if sub == "diff" {
		return catalogDiff(e, pos, *format)
	}
	c, err := loadCatalog(*catDir)
	if err != nil {
		return err
	}
	if *scheme != "" && c.Scheme(*scheme) == nil {
		return badInput("unknown scheme %q%s", *scheme, hintOf(*scheme, schemeIDs(c)))
	}
	switch sub {
	case "schemes":
		return catalogSchemes(e, c, *format)
	case "list":
		return catalogList(e, c, *format, *scheme, catalog.Phase(*phase))
	case "show":
		if len(pos) != 1 {
			return badInput("catalog show needs one ID")
		}
		return catalogShow(e, c, *format, pos[0])
	case "coverage":
		return catalogCoverage(e, c, *format, *out)
	case "compare":
		return catalogCompare(e, c, *format, pos)
	case "crosswalk":
		return catalogCrosswalk(e, c, *format, *from, *to)
	case "export":
		return catalogExport(e, c, *format, *scheme, *out)
	}
	return badInput("unknown catalog subcommand %q; see `iotlabel catalog --help`", sub)
}

func schemeIDs(c *catalog.Catalog) []string {
	var ids []string
	for _, s := range c.Schemes {
		ids = append(ids, s.ID)
	}
	return ids
}

func hintOf(s string, known []string) string {
	if c := catalog.Closest(s, known); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

func catalogSchemes(e *env, c *catalog.Catalog, format string) error {
	if format == "json" {
		type row struct {
			ID           string   `json:"id"`
			Title        string   `json:"title"`
			Version      string   `json:"version"`
			Kind         string   `json:"kind"`
			Status       string   `json:"status"`
			Jurisdiction string   `json:"jurisdiction"`
			Effective    string   `json:"effective,omitempty"`
			Levels       []string `json:"levels,omitempty"`
			Requirements int      `json:"requirements"`
			Unverified   string   `json:"unverified,omitempty"`
		}
		var rows []row
		for _, s := range c.Schemes {
			var lv []string
			for _, l := range s.Levels {
				lv = append(lv, l.ID)
			}
			rows = append(rows, row{s.ID, s.Title, s.Version, s.Kind, s.Status, s.Jurisdiction, s.Effective.String(), lv, len(s.Requirements), s.Unverified})
		}
		return writeJSONTo(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tWHERE\tFROM\tREQS\tNAME")
	for _, s := range c.Schemes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s%s\n", s.ID, s.Status, s.Jurisdiction, dash(s.Effective.String()), len(s.Requirements), s.Short, star(s.Unverified))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\ncatalog %s; * = some facts unverified (see `iotlabel catalog show ID`)\n", c.Version)
	return nil
}

type listRow struct {
	Scheme     string           `json:"scheme"`
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	Strength   catalog.Strength `json:"strength"`
	Condition  []string         `json:"condition"`
	Phase      catalog.Phase    `json:"phase"`
	Outcomes   []string         `json:"outcomes"`
	Level      string           `json:"level,omitempty"`
	Unverified bool             `json:"unverified,omitempty"`
}

func catalogList(e *env, c *catalog.Catalog, format, scheme string, phase catalog.Phase) error {
	if phase != "" && !validPhase(phase) {
		return badInput("--phase %q is not one of %v", phase, catalog.Phases)
	}
	rows := []listRow{}
	for _, r := range c.Requirements() {
		if (scheme != "" && r.Scheme.ID != scheme) || (phase != "" && r.Phase != phase) {
			continue
		}
		cond := r.Condition
		if cond == nil {
			cond = []string{}
		}
		outs := r.Outcomes
		if outs == nil {
			outs = []string{}
		}
		rows = append(rows, listRow{r.Scheme.ID, r.ID, r.Title, r.Strength, cond, r.Phase, outs, r.Level, r.Unverified != ""})
	}
	if format == "json" {
		return writeJSONTo(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEME\tID\tSTRENGTH\tPHASE\tTITLE")
	for _, r := range rows {
		st := string(r.Strength)
		if len(r.Condition) > 0 {
			st += " if " + strings.Join(r.Condition, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\n", r.Scheme, r.ID, st, r.Phase, r.Title, star2(r.Unverified))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d requirements\n", len(rows))
	return nil
}

func validPhase(p catalog.Phase) bool {
	for _, x := range catalog.Phases {
		if x == p {
			return true
		}
	}
	return false
}

func catalogCoverage(e *env, c *catalog.Catalog, format, out string) error {
	cov := c.Coverage()
	switch format {
	case "json":
		return writeJSONTo(e.stdout, cov)
	case "svg":
		return e.writeOutput(out, func(w io.Writer) error { return report.CoverageSVG(w, c, cov) })
	case "html":
		return e.writeOutput(out, func(w io.Writer) error { return report.CoverageHTML(w, c, cov) })
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "scheme\t")
	for _, p := range catalog.Phases {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintln(tw, "total\t")
	for _, s := range cov.Schemes {
		fmt.Fprintf(tw, "%s\t", s.Scheme)
		for _, p := range s.Phases {
			fmt.Fprintf(tw, "%s\t", cell(p))
		}
		fmt.Fprintf(tw, "%d\t\n", s.Total)
	}
	fmt.Fprint(tw, "ALL\t")
	for _, p := range cov.Totals {
		fmt.Fprintf(tw, "%s\t", cell(p))
	}
	fmt.Fprintln(tw, "\t")
	tw.Flush()
	fmt.Fprintln(e.stdout, "\ncells: mandatory/recommended by primary phase; ! = no mandatory requirement in that phase although the scheme has some elsewhere")
	var thin []string
	for _, p := range cov.ThinPhases {
		thin = append(thin, string(p))
	}
	fmt.Fprintf(e.stdout, "thinly covered across all schemes (under half an even share of mandatory requirements): %s\n", dash(strings.Join(thin, ", ")))
	return nil
}

func cell(p catalog.PhaseCount) string {
	s := fmt.Sprintf("%d/%d", p.Mandatory, p.Recommended)
	if p.Thin {
		s += "!"
	}
	return s
}

func catalogCrosswalk(e *env, c *catalog.Catalog, format, from, to string) error {
	if from == "" || to == "" {
		return badInput("crosswalk needs --from SCHEME and --to SCHEME")
	}
	links, err := c.Crosswalk(from, to)
	if err != nil {
		return asBadInput(err)
	}
	if format == "json" {
		return writeJSONTo(e.stdout, links)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\tVIA OUTCOMES\n", strings.ToUpper(from), strings.ToUpper(to))
	gaps := 0
	for _, l := range links {
		tgt := strings.Join(l.To, ", ")
		if tgt == "" {
			tgt, gaps = "— (no equivalent)", gaps+1
		} else if l.Partial {
			tgt += " (partial)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.From, tgt, strings.Join(l.Via, ", "))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %d requirements of %s have no equivalent in %s\n", gaps, len(links), from, to)
	return nil
}

func catalogDiff(e *env, pos []string, format string) error {
	if len(pos) != 2 {
		return badInput(`catalog diff needs two catalog directories (use "builtin" for the embedded catalog)`)
	}
	var cs [2]*catalog.Catalog
	for i, p := range pos {
		dir := p
		if p == "builtin" {
			dir = ""
		}
		c, err := loadCatalog(dir)
		if err != nil {
			return err
		}
		cs[i] = c
	}
	changes := catalog.Diff(cs[0], cs[1])
	if format == "json" {
		if changes == nil {
			changes = []catalog.Change{}
		}
		return writeJSONTo(e.stdout, changes)
	}
	for _, ch := range changes {
		fmt.Fprintln(e.stdout, ch.String())
	}
	fmt.Fprintf(e.stdout, "%d change(s) from %s (%s) to %s (%s)\n", len(changes), pos[0], cs[0].Version, pos[1], cs[1].Version)
	return nil
}

func catalogExport(e *env, c *catalog.Catalog, format, scheme, out string) error {
	if format == "yaml" {
		if out == "" {
			return badInput("export --format yaml needs --out DIR")
		}
		if err := catalog.WriteDir(out, catalog.Data()); err != nil {
			return asBadInput(err)
		}
		fmt.Fprintf(e.stderr, "wrote the built-in catalog %s to %s; edit it and use --catalog %s\n", c.Version, out, out)
		return nil
	}
	published := catalogRelease(c.Version)
	return e.writeOutput(out, func(w io.Writer) error { return report.OSCALCatalog(w, c, scheme, published) })
}

// catalogRelease turns a "YYYY.MM" catalog version into the first day of that
// month, the catalog's release date.
func catalogRelease(version string) time.Time {
	t, err := time.Parse("2006.01", version)
	if err != nil {
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func star(s string) string {
	if s != "" {
		return " *"
	}
	return ""
}

func star2(b bool) string {
	if b {
		return " *"
	}
	return ""
}

func catalogCompare(e *env, c *catalog.Catalog, format string, schemes []string) error {
	if len(schemes) < 2 {
		return badInput("catalog compare needs at least two scheme IDs, e.g. catalog compare uk-psti eu-cra sg-cls")
	}
	for _, s := range schemes {
		if c.Scheme(s) == nil {
			return badInput("unknown scheme %q%s", s, hintOf(s, schemeIDs(c)))
		}
	}
	rows := c.Compare(schemes)
	if format == "json" {
		return writeJSONTo(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "OUTCOME\t%s\n", strings.Join(schemes, "\t"))
	for _, r := range rows {
		fmt.Fprint(tw, r.Outcome)
		for _, d := range r.Schemes {
			cell := "-"
			if d.Strength != "" {
				cell = fmt.Sprintf("%s, %s (%d)", d.Strength, d.Evidence, len(d.Requirements))
			}
			fmt.Fprintf(tw, "\t%s", cell)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\ncells: the strongest requirement strength, the strongest evidence it names (declared < tool < lab), and how many requirements; - = not asked")
	return nil
}
