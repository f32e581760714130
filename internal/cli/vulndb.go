package cli

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/iotlabel/iotlabel/store/vulndb"
	"github.com/iotlabel/iotlabel/vuln"
)

const vulndbUsage = `vulndb import [--db FILE] PATH... | vulndb status [--db FILE] [--format text|json]

import reads OSV records (JSON or YAML; files, directories or zip archives such as OSV ecosystem
dumps), NVD CVE API 2.0 records or response pages, the CISA KEV catalog (JSON) and CSAF 2.0 VEX
documents, detecting each by content. Records are upserted by ID and modification time; an import
that meets a bad file stores nothing and names the file. Everything works offline.
The default database is under your user cache directory.`

func runVulndb(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", vulndbUsage)
		if len(args) == 0 {
			return badInput("vulndb needs a subcommand: import or status")
		}
		return nil
	}
	sub := args[0]
	if sub != "import" && sub != "status" {
		return badInput("unknown vulndb subcommand %q (want import or status)", sub)
	}
	fs := e.newFlags("vulndb "+sub, vulndbUsage)
	dbPath := fs.String("db", "", "vulnerability database `FILE` (default: under the user cache directory)")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	db, err := openVulnDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "status" {
		return vulndbStatus(ctx, e, db, *format)
	}
	if len(pos) == 0 {
		return badInput("vulndb import needs at least one PATH")
	}
	return vulndbImport(ctx, e, db, pos, *format)
}

func openVulnDB(ctx context.Context, path string) (*vulndb.DB, error) {
	if path == "" {
		p, err := vulndb.DefaultPath()
		if err != nil {
			return nil, badInput("%v", err)
		}
		path = p
	}
	db, err := vulndb.Open(ctx, path)
	if err != nil {
		return nil, badInput("%v", err)
	}
	return db, nil
}

// openMatcher opens the vulnerability database and the component
// dictionary, everything needed to match components.
func openMatcher(ctx context.Context, path string) (*vulndb.DB, *vuln.Dictionary, error) {
	db, err := openVulnDB(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	dict, err := vuln.DefaultDictionary()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, dict, nil
}

func vulndbImport(ctx context.Context, e *env, db *vulndb.DB, paths []string, format string) error {
	im, err := db.BeginImport(ctx)
	if err != nil {
		return err
	}
	defer im.Rollback()
	progress := e.progress()
	files, records := 0, 0
	start := e.now()
	for _, p := range paths {
		err := vuln.Walk(ctx, p, nil, func(name string, b vuln.Batch) error {
			files++
			records += len(b.Advisories) + len(b.KEV) + len(b.VEX)
			if files%500 == 0 {
				progress("imported %d records from %d files…", records, files)
			}
			return im.Add(ctx, name, b)
		})
		if err != nil {
			progress("")
			return badInput("import stopped, nothing was stored: %v", err)
		}
	}
	if err := im.Commit(); err != nil {
		return fmt.Errorf("commit import: %w", err)
	}
	progress("")
	st := im.Stats
	if format == "json" {
		return writeJSONTo(e.stdout, map[string]any{"files": files, "added": st.Added, "updated": st.Updated,
			"unchanged": st.Unchanged, "kev": st.KEV, "euvd_exploited": st.EUVD, "vex": st.VEX, "seconds": e.now().Sub(start).Seconds()})
	}
	euvd := ""
	if st.EUVD > 0 {
		euvd = fmt.Sprintf("; %d EUVD exploited entries", st.EUVD)
	}
	fmt.Fprintf(e.stdout, "%d files: %d advisories added, %d updated, %d unchanged; %d KEV entries%s; %d VEX statements (%s)\n",
		files, st.Added, st.Updated, st.Unchanged, st.KEV, euvd, st.VEX, e.now().Sub(start).Round(time.Millisecond))
	return nil
}

func vulndbStatus(ctx context.Context, e *env, db *vulndb.DB, format string) error {
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	if format == "json" {
		if st == nil {
			st = []vuln.SourceStatus{}
		}
		return writeJSONTo(e.stdout, st)
	}
	if len(st) == 0 {
		fmt.Fprintln(e.stdout, "the database is empty; run `iotlabel vulndb import PATH…`")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tRECORDS\tNEWEST DATA\tAGE\tLAST IMPORT")
	now := e.now()
	for _, s := range st {
		newest, age := "-", "-"
		if !s.Newest.IsZero() {
			newest = s.Newest.Format("2006-01-02")
			age = fmt.Sprintf("%d days", int(now.Sub(s.Newest).Hours()/24))
		}
		if s.Catalog != "" {
			newest = "catalog " + s.Catalog // its release date, so AGE is the catalog's age
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Source, s.Records, newest, age, s.Imported.Format(time.RFC3339))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, w := range vuln.Stale(st, now, vuln.DefaultMaxAge) {
		fmt.Fprintf(e.stdout, "STALE: %s\n", w)
	}
	return nil
}

// progress returns a function that rewrites one status line on stderr when
// stderr is a terminal, and does nothing otherwise; "" clears the line.
func (e *env) progress() func(format string, args ...any) {
	f, ok := e.stderr.(*os.File)
	if !ok {
		return func(string, ...any) {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) {
		if format == "" {
			fmt.Fprint(f, "\r\033[K")
			return
		}
		fmt.Fprintf(f, "\r\033[K"+format, args...)
	}
}
