package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/report"
	"github.com/iotlabel/iotlabel/trust"
)

const assessUsage = `assess DECLARATION [--evidence FILE]... [--trust FILE|DIR] [--as-of YYYY-MM-DD] [--format text|json|markdown|html|oscal]
       [--require-tier N] [--market ID]... [--out FILE] [--catalog DIR]

Assesses one product declaration, with optional evidence (JSONL from probes and SBOM scans, or signed
attestations from labs), against every scheme, tier and market of the catalog. Lab evidence counts as lab
evidence only when signed by a key that the --trust store accredits for its check; anything else counts as
a declaration, and the report says so. Text output starts with the summary.
Exit code 1 when the product misses --require-tier or may not be sold in a --market.`

func runAssess(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("assess", assessUsage)
	var markets repeated
	var ev evidenceFlags
	ev.register(fs)
	fs.Var(&markets, "market", "fail (exit 1) unless the product may be sold in market `ID` (repeatable)")
	asOf := fs.String("as-of", "", "assess as on this `date` (default: today, UTC)")
	format := fs.String("format", "text", "output format: text, json, markdown, html or oscal")
	requireTier := fs.Int("require-tier", 0, "fail (exit 1) unless the product reaches tier `N`")
	out := fs.String("out", "", "write the report to `FILE` instead of standard output")
	catDir := fs.String("catalog", "", "load the catalog from `DIR` instead of the built-in one")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return badInput("assess needs exactly one declaration file (got %d); see `iotlabel assess --help`", len(pos))
	}
	if err := checkFormat(*format, "text", "json", "markdown", "html", "oscal"); err != nil {
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
	for _, m := range markets {
		if cat.Market(m) == nil {
			return badInput("--market %q is not a market of catalog %s", m, cat.Version)
		}
	}
	if *requireTier < 0 || *requireTier > len(cat.Tiers) {
		return badInput("--require-tier %d is out of range 0..%d", *requireTier, len(cat.Tiers))
	}
	res, err := e.assessFile(ctx, cat, pos[0], &ev, date)
	if err != nil {
		return err
	}
	a := res.Assessment
	if err := e.writeOutput(*out, func(w io.Writer) error { return render(w, *format, cat, a) }); err != nil {
		return err
	}
	return verdictExit(e, a, *requireTier, markets)
}

func render(w io.Writer, format string, cat *catalog.Catalog, a *assess.Assessment) error {
	switch format {
	case "json":
		return report.JSON(w, a)
	case "markdown":
		return report.Markdown(w, cat, a)
	case "html":
		return report.HTML(w, cat, a)
	case "oscal":
		return report.OSCAL(w, cat, a)
	}
	return report.Text(w, cat, a)
}

func parseAsOf(s string, e *env) (catalog.Date, error) {
	if s == "" {
		return catalog.DateOf(e.now()), nil
	}
	d, err := catalog.ParseDate(s)
	if err != nil {
		return catalog.Date{}, badInput("--as-of: %v", err)
	}
	return d, nil
}

// assessFile reads, validates and assesses a declaration with evidence files.
// evidenceFlags are the --evidence and --trust flags of every command that
// assesses: assess, report and label issue.
type evidenceFlags struct {
	files, labels   repeated
	trust, registry string
	ts              *trust.Store // loaded once, on first use
}

func (f *evidenceFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.files, "evidence", "evidence `FILE`: JSONL, or a signed attestation (iotlabel evidence sign); repeatable")
	fs.StringVar(&f.trust, "trust", "", "trust store `FILE` or DIR that signed evidence and held labels are verified against")
	fs.Var(&f.labels, "label", "a label the product holds (`FILE` label.json), verified against --trust; only held labels earn recognitions")
	fs.StringVar(&f.registry, "label-registry", "", "also require each --label to be active in the registry at `URL`")
}

// trustStore loads --trust once (it may be a registry's URL) and shares it
// between the evidence and the held labels.
func (f *evidenceFlags) trustStore(ctx context.Context) (*trust.Store, error) {
	if f.trust == "" || f.ts != nil {
		return f.ts, nil
	}
	ts, err := loadTrust(ctx, f.trust)
	f.ts = ts
	return ts, err
}

// held verifies every --label: signed by a key the trust store lets issue
// labels for the schemes it claims, about this product, valid on asOf.
func (f *evidenceFlags) held(ctx context.Context, d *declaration.Declaration, asOf catalog.Date) ([]assess.Held, error) {
	if len(f.labels) == 0 {
		return nil, nil
	}
	ts, err := f.trustStore(ctx)
	if err != nil {
		return nil, err
	}
	if ts == nil {
		return nil, badInput("--label needs --trust: a held label counts only when a trusted issuer signed it")
	}
	var held []assess.Held
	for _, path := range f.labels {
		data, err := readLimited(path, 1<<20)
		if err != nil {
			return nil, err
		}
		var st *label.Statement
		for _, e := range ts.Entries {
			if st, err = label.VerifyEnvelope(ctx, data, e.PublicKey()); err == nil {
				break
			}
		}
		if st == nil {
			return nil, failed("--label %s: no key of the trust store signed it", path)
		}
		p := st.Predicate
		var schemes []string
		for _, s := range p.Schemes {
			schemes = append(schemes, s.ID)
		}
		switch _, err := ts.Issuer(p.Issuer.KeyID, schemes, asOf.Time()); {
		case err != nil:
			return nil, failed("--label %s: %v", path, err)
		case p.Manufacturer != d.Manufacturer.Name || p.Model != d.Product.Model:
			return nil, failed("--label %s is for %s %s, not %s %s", path, p.Manufacturer, p.Model, d.Manufacturer.Name, d.Product.Model)
		case asOf.Time().Before(p.Issued.Truncate(24*time.Hour)) || asOf.Time().After(p.Expires):
			return nil, failed("--label %s is not valid on %s (valid %s to %s)", path, asOf, p.Issued.Format(time.DateOnly), p.Expires.Format(time.DateOnly))
		}
		if f.registry != "" {
			r := label.Result{Valid: true, Predicate: &p}
			if err := liveStatus(ctx, f.registry, &r); err != nil {
				return nil, badInput("--label %s: %v", path, err)
			}
			if !r.Valid {
				return nil, failed("--label %s: %s", path, r.Reason)
			}
		}
		for _, s := range p.Schemes {
			held = append(held, assess.Held{Scheme: s.ID, Level: s.Level, LabelID: p.LabelID})
		}
	}
	return held, nil
}

// assessFile assesses the declaration at path with the evidence files of ev,
// by the registry's own path (assess.AssessFiles).
func (e *env) assessFile(ctx context.Context, cat *catalog.Catalog, path string, ev *evidenceFlags, asOf catalog.Date) (*assess.Result, error) {
	b, err := readLimited(path, declaration.MaxSize)
	if err != nil {
		return nil, err
	}
	in := assess.Inputs{Declaration: assess.File{Name: path, Data: b}, AsOf: asOf, Now: e.now(),
		Held: func(d *declaration.Declaration) ([]assess.Held, error) { return ev.held(ctx, d, asOf) }}
	if in.Trust, err = ev.trustStore(ctx); err != nil {
		return nil, err
	}
	for _, p := range ev.files {
		data, err := readLimited(p, attest.MaxEnvelope)
		if err != nil {
			return nil, err
		}
		in.Evidence = append(in.Evidence, assess.File{Name: p, Data: data})
	}
	eng, err := assess.New(cat)
	if err != nil {
		return nil, badInput("catalog %s cannot be used for assessment: %v", cat.Version, err)
	}
	res, err := eng.AssessFiles(ctx, in)
	if ie := (*assess.InputError)(nil); errors.As(err, &ie) {
		return nil, asBadInput(ie)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range res.Evidence {
		for _, why := range f.Unverified {
			fmt.Fprintf(e.stderr, "iotlabel: warning: %s; its items are read as unsigned (pass --trust)\n", why)
		}
	}
	return res, nil
}

func readDeclaration(cat *catalog.Catalog, path string) (*declaration.Declaration, error) {
	b, err := readLimited(path, declaration.MaxSize)
	if err != nil {
		return nil, err
	}
	return parseDeclaration(cat, path, b)
}

func parseDeclaration(cat *catalog.Catalog, path string, b []byte) (*declaration.Declaration, error) {
	d, err := declaration.Parse(path, b)
	if err != nil {
		return nil, asBadInput(err)
	}
	if err := d.Check(cat); err != nil {
		return nil, asBadInput(err)
	}
	return d, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, badInput("%v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, badInput("read %s: %v", path, err)
	}
	if int64(len(b)) > limit {
		return nil, badInput("%s is larger than %s, the limit for this kind of input (split it, or trim it)", path, sizeName(limit))
	}
	return b, nil
}

// sizeName writes a byte limit the way people say it: 16 MiB, 64 KiB.
func sizeName(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func verdictExit(e *env, a *assess.Assessment, requireTier int, markets []string) error {
	failed := false
	if a.Tier < requireTier {
		fmt.Fprintf(e.stderr, "iotlabel: %s reaches tier %d, below the required tier %d\n", a.Product.Model, a.Tier, requireTier)
		failed = true
	}
	for _, m := range markets {
		if mr := a.Market(m); !mr.Allowed {
			fmt.Fprintf(e.stderr, "iotlabel: %s may not be sold in %s on %s\n", a.Product.Model, m, a.AsOf)
			failed = true
		}
	}
	if failed {
		return errFailed
	}
	return nil
}
