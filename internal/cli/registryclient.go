package cli

import (
	"cmp"
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

const checkUsage = `check --registry URL --market ID [--tier N] [--at DATE] PRODUCTS.csv [--format text|json]

Checks a list of products (a retailer's catalogue, a buyer's shortlist) against the registry: may each be
sold in the market, at the tier a procurement rule asks for? The CSV needs a header with the columns
"manufacturer" and "model", and may have "firmware": with it, the answer is about that firmware version
(a version no label covers is "not_covered"). Each answer is allowed, allowed_with_warning, not_allowed,
not_covered or no_mandatory_rule, with the reasons. Exit 1 when any product may not be sold.`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("check", checkUsage)
	reg := fs.String("registry", "", "registry base `URL`")
	market := fs.String("market", "", "market `ID`, e.g. GB")
	tier := fs.Int("tier", 0, "minimum tier `N` a procurement rule asks for (0: only what the market's law requires)")
	format := fs.String("format", "text", "output format: text or json")
	at := fs.String("at", "", "ask as of the end of this `date` (YYYY-MM-DD), from the labels' status history")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *reg == "" || *market == "" || len(pos) != 1 {
		return badInput("check needs --registry URL, --market ID and one PRODUCTS.csv")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	products, err := readProducts(pos[0])
	if err != nil {
		return err
	}
	c := httpapi.NewClient(*reg)
	var results []registry.CheckResult
	refused := 0
	for _, p := range products {
		p.Market, p.MinTier, p.At = *market, *tier, *at
		r, err := c.Check(ctx, p)
		if err != nil {
			return badInput("%v", err)
		}
		r.Labels = nil
		if !r.Allowed {
			refused++
		}
		results = append(results, r)
	}
	if *format == "json" {
		if err := writeJSONTo(e.stdout, results); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MANUFACTURER\tMODEL\tFIRMWARE\tMARKET\tANSWER\tWHY")
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Manufacturer, r.Model, cmp.Or(r.Firmware, "any"), r.Market, strings.ToUpper(r.Answer), strings.Join(r.Reasons, "; "))
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "%d of %d product(s) may not be sold in %s%s\n", refused, len(results), *market, tierSuffix(*tier))
	}
	if refused > 0 {
		return errFailed
	}
	return nil
}

func tierSuffix(tier int) string {
	if tier == 0 {
		return ""
	}
	return fmt.Sprintf(" at tier %d or above", tier)
}

// readProducts reads the products of a CSV with a header naming the
// columns manufacturer, model and (optionally) firmware.
func readProducts(path string) ([]registry.CheckQuery, error) {
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
	if len(rows) < 2 {
		return nil, badInput("%s lists no products (a header line, then one product a line)", path)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	mi, okM := col["manufacturer"]
	oi, okO := col["model"]
	if !okM || !okO {
		return nil, badInput("%s: the header must name the columns manufacturer and model (and may name firmware); it is %q", path, rows[0])
	}
	fi, hasFW := col["firmware"]
	cell := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []registry.CheckQuery
	for n, row := range rows[1:] {
		q := registry.CheckQuery{Manufacturer: cell(row, mi), Model: cell(row, oi)}
		if hasFW {
			q.Firmware = cell(row, fi)
		}
		if q.Manufacturer == "" || q.Model == "" {
			return nil, badInput("%s:%d: manufacturer and model are both needed", path, n+2)
		}
		out = append(out, q)
	}
	return out, nil
}
