package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/impact"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/report"
	"github.com/iotlabel/iotlabel/store"
)

const impactUsage = `catalog impact NEW-CATALOG-DIR [--db REGISTRY] [--as-of DATE] [--format text|json|svg] [--out FILE]

Recomputes every label the registry holds (all but revoked ones) from its product's newest stored declaration
and evidence, under the built-in catalog and under the proposed one in NEW-CATALOG-DIR (edit a copy made with
catalog export --format yaml), both as of --as-of (default today), and reports what would change: labels whose
tier, schemes or markets move, grouped by cause — the tier outcomes and requirements whose verdicts moved. It
writes nothing. --format svg draws the groups as a bar chart.`

func catalogImpact(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("catalog impact", impactUsage)
	dbSpec := fs.String("db", "", registryDBHelp)
	asOf := fs.String("as-of", "", "assess as of `DATE` (YYYY-MM-DD; default today)")
	format := fs.String("format", "text", "output format: text, json or svg")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return badInput("catalog impact needs the proposed catalog's directory")
	}
	if err := checkFormat(*format, "text", "json", "svg"); err != nil {
		return err
	}
	date, err := parseAsOf(*asOf, e)
	if err != nil {
		return err
	}
	current, err := loadCatalog("")
	if err != nil {
		return err
	}
	next, err := loadCatalog(pos[0])
	if err != nil {
		return err
	}
	proposed, err := assess.New(next)
	if err != nil {
		return badInput("%s: %v", pos[0], err)
	}
	spec := registryDB(*dbSpec)
	if spec == "" {
		spec = "iotlabel.db"
	}
	db, err := openRegistryDB(ctx, spec)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := registry.New(registry.Config{Store: db, Catalog: current, Now: e.now})
	if err != nil {
		return err
	}
	progress := e.progress()
	var sum impact.Summariser
	n := 0
	err = svc.Impact(ctx, proposed, date, func(l store.Label, before, after *assess.Assessment, err error) error {
		if n++; n%1000 == 0 {
			progress("compared %d labels…", n)
		}
		if err != nil {
			sum.Fail(l.ID, err)
			return nil
		}
		sum.Add(impact.Compare(l.ID, before, after))
		return nil
	})
	progress("")
	if err != nil {
		return err
	}
	s := sum.Summary()
	title := fmt.Sprintf("Catalog %s -> %s: what would change (as of %s)", current.Version, next.Version, date)
	return e.writeOutput(*out, func(w io.Writer) error {
		switch *format {
		case "json":
			return writeJSONTo(w, struct {
				From   string         `json:"from_catalog"`
				To     string         `json:"to_catalog"`
				AsOf   string         `json:"as_of"`
				Impact impact.Summary `json:"impact"`
			}{current.Version, next.Version, date.String(), s})
		case "svg":
			return report.ImpactSVG(w, s, title)
		}
		return impactText(w, title, s)
	})
}

func impactText(w io.Writer, title string, s impact.Summary) error {
	fmt.Fprintf(w, "%s\n%d labels: %d unchanged, %d could not be compared\n", title, s.Labels, s.Unchanged, s.Failed)
	if len(s.Groups) == 0 {
		fmt.Fprintln(w, "no label would change")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nLABELS\tCHANGE\tBECAUSE")
		for _, g := range s.Groups {
			because := strings.Join(g.Causes[:min(len(g.Causes), 3)], "; ")
			if len(g.Causes) > 3 {
				because += fmt.Sprintf("; and %d more", len(g.Causes)-3)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", g.Count, g.Move, because)
		}
		tw.Flush()
	}
	for _, r := range s.Reasons {
		fmt.Fprintf(w, "not compared: %s\n", r)
	}
	return nil
}
