package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/iotlabel/iotlabel/report"
)

const reportUsage = `report ics|psti DECLARATION [--evidence FILE]... [--as-of DATE] [--format markdown|json] [--out FILE] [--catalog DIR]

  ics   the ETSI EN 303 645 Annex B implementation conformance statement (Table B.1) for the product
  psti  a draft UK PSTI statement of compliance; it says plainly when it must not be issued yet`

func runReport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", reportUsage)
		if len(args) == 0 {
			return badInput("report needs a kind: ics or psti")
		}
		return nil
	}
	kind := args[0]
	if kind != "ics" && kind != "psti" {
		return badInput("unknown report %q (want ics or psti)", kind)
	}
	fs := e.newFlags("report "+kind, reportUsage)
	var ev evidenceFlags
	ev.register(fs)
	asOf := fs.String("as-of", "", "as on this `date` (default: today, UTC)")
	format := fs.String("format", "markdown", "output format: markdown or json (ics only)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	catDir := fs.String("catalog", "", "load the catalog from `DIR`")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return badInput("report %s needs exactly one declaration file", kind)
	}
	allowed := []string{"markdown", "json"}
	if kind == "psti" {
		allowed = allowed[:1]
	}
	if err := checkFormat(*format, allowed...); err != nil {
		return err
	}
	date, err := parseAsOf(*asOf, e)
	if err != nil {
		return err
	}
	cat, err := loadCatalog(*catDir)
	if err != nil {
		return err
	}
	res, err := e.assessFile(ctx, cat, pos[0], &ev, date)
	if err != nil {
		return err
	}
	a, d := res.Assessment, res.Declaration
	return e.writeOutput(*out, func(w io.Writer) error {
		switch {
		case kind == "psti":
			return report.PSTI(w, cat, d, a)
		case *format == "json":
			return writeJSONTo(w, report.ICS(cat, d, a))
		}
		return report.ICSMarkdown(w, cat, d, a)
	})
}
