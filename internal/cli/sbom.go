package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/report"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

const sbomUsage = `sbom scan SBOM [--db FILE | --osv PATH…] [--format text|json|sarif|evidence|cyclonedx-vex] [--product MODEL] [--firmware VERSION]
                [--fail-on kev|critical|any] [--out FILE] [--sign-key KEY [--manufacturer NAME]] [--max-kev-age 7d] [--max-age 30d]
sbom from-buildroot MANIFEST.csv [--name NAME] [--version VERSION] [--out FILE]

scan reads a CycloneDX (1.2-1.6, JSON or XML) or SPDX (2.2/2.3, JSON or tag-value) SBOM, or a Buildroot
manifest, and matches its components against the vulnerability database (see iotlabel vulndb), or,
with --osv, straight against advisory files (an OSV zip such as all.zip, a directory, NVD, KEV or CSAF
files; repeat --osv for each) without a database: the one-shot mode for a CI job.
Components without a package URL or CPE are identified through the built-in dictionary of embedded
components. --format evidence writes JSONL for iotlabel assess --evidence.
from-buildroot turns Buildroot's legal-info manifest.csv into a CycloneDX 1.6 SBOM.`

func runSBOM(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", sbomUsage)
		if len(args) == 0 {
			return badInput("sbom needs a subcommand: scan or from-buildroot")
		}
		return nil
	}
	switch args[0] {
	case "scan":
		return sbomScan(ctx, e, args[1:])
	case "from-buildroot":
		return sbomFromBuildroot(e, args[1:])
	}
	return badInput("unknown sbom subcommand %q (want scan or from-buildroot)", args[0])
}

func sbomScan(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("sbom scan", sbomUsage)
	dbPath := fs.String("db", "", "vulnerability database `FILE` (default: under the user cache directory)")
	maxSBOM := fs.Int64("max-sbom-size", sbom.MaxWhole>>20, "largest SBOM in `MiB` read whole: every format but CycloneDX JSON, which is read as a stream at any size")
	var direct repeated
	fs.Var(&direct, "osv", "match against the advisories under `PATH` (zip, directory or file; repeatable) instead of a database")
	format := fs.String("format", "text", "output format: text, json, sarif, evidence or cyclonedx-vex")
	product := fs.String("product", "", "product `MODEL` to name in evidence")
	firmware := fs.String("firmware", "", "firmware `VERSION` to name in evidence")
	failOn := fs.String("fail-on", "", "exit 1 when there is a finding of this kind: kev, critical or any")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	var sign signFlags
	sign.register(fs)
	maxAge := ageFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if sign.key != "" && *format != "evidence" {
		return badInput("--sign-key signs evidence: add --format evidence")
	}
	if len(pos) != 1 {
		return badInput("sbom scan needs exactly one SBOM file")
	}
	if *dbPath != "" && len(direct) > 0 {
		return badInput("--db and --osv are two ways to give the vulnerability data: give one")
	}
	if err := checkFormat(*format, "text", "json", "sarif", "evidence", "cyclonedx-vex"); err != nil {
		return err
	}
	if *failOn != "" && *failOn != "kev" && *failOn != "critical" && *failOn != "any" {
		return badInput("--fail-on %q is not kev, critical or any", *failOn)
	}
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		return err
	}
	// The SBOM is read as it is scanned (twice with --osv: first for what to
	// load), so that a large one costs no more memory than its findings.
	each := func(fn func(sbom.Component) error) (*sbom.Document, error) {
		i := 0
		var failed error
		doc, err := sbom.Each(pos[0], *maxSBOM<<20, func(c sbom.Component) error {
			i++
			if c.Ref == "" {
				c.Ref = fmt.Sprintf("%s%d", sbom.LocalRefPrefix, i)
			}
			failed = fn(c)
			return failed
		})
		if err != nil && (failed == nil || !errors.Is(err, failed)) {
			return nil, badInput("%v", err)
		}
		return doc, err
	}
	var src advisorySource
	if len(direct) > 0 {
		// Collect garbage sooner, and harder near 256 MiB: a one-shot scan
		// in a CI job is judged by its peak memory more than by the few
		// percent of time this costs. (Soft: a larger live set still runs.)
		defer debug.SetGCPercent(debug.SetGCPercent(50))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
		want := vuln.NewWant(nil)
		if _, err := each(func(c sbom.Component) error { want.Add(dict.Identify(c.Name, c.Version, c.PURL, c.CPE)); return nil }); err != nil {
			return err
		}
		if src, err = e.loadAdvisories(ctx, direct, want); err != nil {
			return err
		}
	} else {
		db, err := openVulnDB(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		src = db
	}
	sc := vuln.NewScanner(ctx, src, dict)
	var kept []sbom.Component // the VEX lists every component
	doc, err := each(func(c sbom.Component) error {
		if *format == "cyclonedx-vex" {
			kept = append(kept, c)
		}
		return sc.Add(c)
	})
	if err != nil {
		return err
	}
	doc.Components = kept
	rep := sc.Report()
	fresh, err := e.freshness(ctx, src, maxAge)
	if err != nil {
		return err
	}
	kevCatalog, ages, stale := fresh.KEVCatalog, fresh.DataAge, fresh.Stale
	err = e.writeOutput(*out, func(w io.Writer) error {
		switch *format {
		case "json":
			return writeJSONTo(w, struct {
				SBOM *sbom.Document `json:"sbom"`
				*vuln.Report
				DataAge map[string]int `json:"data_age_days"`
				Stale   []string       `json:"stale_data,omitempty"`
			}{&sbom.Document{Format: doc.Format, Encoding: doc.Encoding, SpecVersion: doc.SpecVersion, Subject: doc.Subject, Components: []sbom.Component{}}, rep, ages, stale})
		case "sarif":
			return report.SARIF(w, Version, pos[0], rep)
		case "cyclonedx-vex":
			return report.CycloneDXVEX(w, doc, rep)
		case "evidence":
			return sign.writeEvidence(ctx, w, rep.Evidence(vuln.EvidenceInput{
				Source: evidence.Source{Tool: "iotlabel sbom scan", Version: Version}, Time: e.now(),
				Subject: evidence.Subject{Product: *product, Firmware: *firmware},
				SBOM:    strings.TrimSpace(doc.Format + " " + doc.SpecVersion + " " + doc.Encoding), KEVCatalog: kevCatalog, DataAge: ages}), *product, *firmware)
		}
		return report.ScanText(w, doc, rep)
	})
	if err != nil {
		return err
	}
	all, exploited, critical := rep.Counts()
	if (*failOn == "kev" && exploited > 0) || (*failOn == "critical" && (critical > 0 || exploited > 0)) || (*failOn == "any" && all > 0) {
		fmt.Fprintf(e.stderr, "iotlabel: %d findings (%d known exploited, %d critical)\n", all, exploited, critical)
		return errFailed
	}
	return nil
}

// advisorySource is the vulnerability data a scan reads: a database, or
// advisory files loaded for the one scan.
type advisorySource interface {
	vuln.Source
	Status(ctx context.Context) ([]vuln.SourceStatus, error)
}

// loadAdvisories reads advisory files straight into memory, keeping what can
// match the wanted components.
func (e *env) loadAdvisories(ctx context.Context, paths []string, want *vuln.Want) (*vuln.Memory, error) {
	progress := e.progress()
	progress("reading advisories from %s…", strings.Join(paths, ", "))
	m, err := vuln.Load(ctx, paths, want)
	progress("")
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, badInput("--osv: %v", err)
	}
	return m, nil
}

// freshness is how old the vulnerability data behind a scan is.
type freshness struct {
	KEVCatalog string         `json:"-"`
	DataAge    map[string]int `json:"data_age_days"`
	Stale      []string       `json:"stale_data,omitempty"`
}

// freshness reads the database's sources, warns on standard error about
// each one older than the limits (--max-kev-age, --max-age), and returns
// their ages in days for the output.
func (e *env) freshness(ctx context.Context, src advisorySource, maxAge func(time.Time) (vuln.MaxAge, error)) (freshness, error) {
	status, err := src.Status(ctx)
	if err != nil {
		return freshness{}, err
	}
	limit, err := maxAge(e.now())
	if err != nil {
		return freshness{}, err
	}
	f := freshness{DataAge: map[string]int{}, Stale: vuln.Stale(status, e.now(), limit)}
	for _, w := range f.Stale {
		fmt.Fprintf(e.stderr, "iotlabel: warning: %s\n", w)
	}
	for _, s := range status {
		if s.Source == vuln.SourceKEV {
			f.KEVCatalog = s.Catalog
		}
		if !s.Newest.IsZero() {
			f.DataAge[s.Source] = int(e.now().Sub(s.Newest).Hours() / 24)
		}
	}
	return f, nil
}

// ageFlags registers --max-kev-age and --max-age and returns their reader,
// which measures the periods from now.
func ageFlags(fs *flag.FlagSet) func(now time.Time) (vuln.MaxAge, error) {
	kev := fs.String("max-kev-age", "7d", "warn when the KEV catalog is older than this `period`")
	other := fs.String("max-age", "30d", "warn when other vulnerability data is older than this `period`")
	return func(now time.Time) (vuln.MaxAge, error) {
		k, err := parsePeriod(*kev, now)
		if err != nil {
			return vuln.MaxAge{}, badInput("--max-kev-age: %v", err)
		}
		o, err := parsePeriod(*other, now)
		if err != nil {
			return vuln.MaxAge{}, badInput("--max-age: %v", err)
		}
		return vuln.MaxAge{KEV: k, Other: o}, nil
	}
}

func sbomFromBuildroot(e *env, args []string) error {
	fs := e.newFlags("sbom from-buildroot", sbomUsage)
	name := fs.String("name", "firmware", "`NAME` of the product the SBOM describes")
	version := fs.String("version", "", "firmware `VERSION`")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return badInput("sbom from-buildroot needs exactly one manifest.csv")
	}
	doc, err := sbom.ReadFile(pos[0])
	if err != nil {
		return badInput("%v", err)
	}
	if doc.Format != "buildroot" {
		return badInput("%s is a %s document, not a Buildroot manifest", pos[0], doc.Format)
	}
	if err := addBuildrootCPEs(filepath.Dir(pos[0]), doc.Components); err != nil {
		return badInput("%v", err)
	}
	return e.writeOutput(*out, func(w io.Writer) error { return sbom.WriteCycloneDX(w, *name, *version, doc.Components) })
}

// addBuildrootCPEs gives every component a CPE: Buildroot's own (the
// cpe_data*.json beside the manifest), with the manifest's version, else the
// component dictionary's vendor and product.
func addBuildrootCPEs(dir string, comps []sbom.Component) error {
	cpes, err := sbom.BuildrootCPEs(dir)
	if err != nil {
		return err
	}
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		return err
	}
	for i := range comps {
		c := &comps[i]
		if c.CPE != "" {
			continue
		}
		if cpe, ok := cpes[c.Name]; ok {
			c.CPE = sbom.WithVersion(cpe, c.Version)
		} else if en := dict.Lookup(c.Name); en != nil && len(en.CPE) > 0 {
			vendor, product, _ := strings.Cut(en.CPE[0], ":")
			c.CPE = sbom.WithVersion("cpe:2.3:a:"+vendor+":"+product+":*:*:*:*:*:*:*:*", c.Version)
		}
	}
	return nil
}
