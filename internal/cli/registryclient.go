package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

const sunsetsUsage = `sunsets --registry URL [--within 180d|26w|6m|1y] [--format text|json]

Lists the registry's labels whose security support ends within the period (and those already ended).`

func runSunsets(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("sunsets", sunsetsUsage)
	reg := fs.String("registry", "", "registry base `URL`")
	within := fs.String("within", "180d", "support ending within this "+periodHelp)
	format := fs.String("format", "text", "output format: text or json")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *reg == "" {
		return badInput("sunsets needs --registry URL")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	window, err := parsePeriod(*within, e.now())
	if err != nil {
		return err
	}
	ls, err := httpapi.NewClient(*reg).SupportEndingWithin(ctx, int(window.Hours()/24))
	if err != nil {
		return err
	}
	if *format == "json" {
		if ls == nil {
			ls = []store.Label{}
		}
		return writeJSONTo(e.stdout, ls)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUPPORT ENDS\tSTATUS\tMANUFACTURER\tMODEL\tLABEL")
	for _, l := range ls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.SupportEnd, l.Status, l.Manufacturer, l.Model, l.ID)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d label(s) with support ending within %s\n", len(ls), *within)
	return nil
}

const checkUsage = `check --registry URL --market ID [--tier N] [--format text|json] MODELS.csv

Checks a list of models (a retailer's catalogue, a buyer's shortlist) against the registry: may each be
sold in the market, at the tier a procurement rule asks for? The CSV's column "model" is used (or its
first column). Exit 1 when any model fails.`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("check", checkUsage)
	reg := fs.String("registry", "", "registry base `URL`")
	market := fs.String("market", "", "market `ID`, e.g. GB")
	tier := fs.Int("tier", 1, "minimum tier `N` (procurement rules ask for 2 or more)")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *reg == "" || *market == "" || len(pos) != 1 {
		return badInput("check needs --registry URL, --market ID and one MODELS.csv")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	models, err := readModels(pos[0])
	if err != nil {
		return err
	}
	c := httpapi.NewClient(*reg)
	var results []registry.CheckResult
	failed := 0
	for _, m := range models {
		r, err := c.Check(ctx, m, *market, *tier)
		if err != nil {
			return err
		}
		r.Labels = nil
		if !r.Allowed {
			failed++
		}
		results = append(results, r)
	}
	if *format == "json" {
		if err := writeJSONTo(e.stdout, results); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MODEL\tMARKET\tOK\tWHY")
		for _, r := range results {
			ok := "yes"
			if !r.Allowed {
				ok = "NO"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Model, r.Market, ok, strings.Join(r.Reasons, "; "))
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "%d of %d model(s) may not be sold in %s at tier %d or above\n", failed, len(results), *market, *tier)
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

// readModels reads model names from a CSV: the "model" column, or the first.
func readModels(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, badInput("%v", err)
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 16<<20))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, badInput("%s: %v", path, err)
	}
	col := 0
	if len(rows) > 0 {
		for i, h := range rows[0] {
			if strings.EqualFold(strings.TrimSpace(h), "model") {
				col = i
				rows = rows[1:]
				break
			}
		}
	}
	var out []string
	for i, row := range rows {
		if col >= len(row) || strings.TrimSpace(row[col]) == "" {
			return nil, badInput("%s: row %d has no model", path, i+1)
		}
		out = append(out, strings.TrimSpace(row[col]))
	}
	if len(out) == 0 {
		return nil, badInput("%s lists no models", path)
	}
	return out, nil
}
