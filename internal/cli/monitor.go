package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

const monitorUsage = `monitor DIR --pubkey PREFIX.pub [--db FILE] [--within 180d] [--format text|json] [--max-kev-age 7d] [--max-age 30d]

Rechecks every label under DIR against today's vulnerability database: each directory holding a label.json
(and, next to it, the product's SBOM: *.cdx.json, *.cdx.xml, *.spdx.json, *.spdx or manifest.csv) is
verified, its SBOM rescanned, and the label reported active, at_risk (support ends within --within, or a
component has a known exploited vulnerability — or a critical one, for Tier 3 and up), expired or invalid.
Exit 1 when any label is not active.`

func runMonitor(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("monitor", monitorUsage)
	var pubs repeated
	fs.Var(&pubs, "pubkey", "issuer public key `FILE` (repeatable)")
	dbPath := fs.String("db", "", "vulnerability database `FILE`")
	maxAge := ageFlags(fs)
	within := fs.String("within", "180d", "flag labels whose support ends within this "+periodHelp)
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || len(pubs) == 0 {
		return badInput("monitor needs one DIR and at least one --pubkey")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	window, err := parsePeriod(*within, e.now())
	if err != nil {
		return err
	}
	var keys []label.PublicKey
	for _, p := range pubs {
		k, err := readPublicKey(p)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	db, dict, err := openMatcher(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := e.freshness(ctx, db, maxAge); err != nil { // warns when the data is stale
		return err
	}
	checks, err := monitorDir(ctx, e, pos[0], keys, db, dict, window)
	if err != nil {
		return err
	}
	if *format == "json" {
		err = writeJSONTo(e.stdout, checks)
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LABEL\tMODEL\tTIER\tSTATUS\tWHY")
		for _, c := range checks {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", c.LabelID, c.Model, c.Tier, strings.ToUpper(c.Status), strings.Join(c.Reasons, "; "))
		}
		err = tw.Flush()
	}
	if err != nil {
		return err
	}
	for _, c := range checks {
		if c.Status != registry.Active {
			return errFailed
		}
	}
	return nil
}

// periodHelp describes the --within flags.
const periodHelp = "a `period`: days, weeks, months or years, e.g. 180d, 26w, 6m, 1y"

// parsePeriod reads a --within period — a whole number followed by d (days),
// w (weeks), m (calendar months) or y (years) — as the time from now to the
// same date that many units later.
func parsePeriod(s string, now time.Time) (time.Duration, error) {
	bad := badInput("--within %q is not a period such as 180d, 26w, 6m or 1y (d days, w weeks, m months, y years)", s)
	if len(s) < 2 {
		return 0, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 100*366 || strconv.Itoa(n) != s[:len(s)-1] {
		return 0, bad
	}
	var until time.Time
	switch s[len(s)-1] {
	case 'd':
		until = now.AddDate(0, 0, n)
	case 'w':
		until = now.AddDate(0, 0, 7*n)
	case 'm':
		until = now.AddDate(0, n, 0)
	case 'y':
		until = now.AddDate(n, 0, 0)
	default:
		return 0, bad
	}
	return until.Sub(now), nil
}

func monitorDir(ctx context.Context, e *env, dir string, keys []label.PublicKey, db vuln.Source, dict *vuln.Dictionary, window time.Duration) ([]registry.Check, error) {
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	var checks []registry.Check
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "label.json" {
			return nil
		}
		data, err := readLimited(p, 1<<20)
		if err != nil {
			return err
		}
		var st *label.Statement
		for _, k := range keys {
			if st, err = label.VerifyEnvelope(ctx, data, k); err == nil {
				break
			}
		}
		if st == nil {
			checks = append(checks, registry.Check{LabelID: p, Status: "invalid", Reasons: []string{"signature does not verify with any given key: " + err.Error()}})
			return nil
		}
		var comps []sbom.Component
		sb := findSBOM(filepath.Dir(p))
		if sb != "" {
			doc, err := sbom.ReadFile(sb)
			if err != nil {
				return badInput("%v", err)
			}
			comps = doc.Components
		}
		c, err := registry.RecheckSBOM(ctx, &st.Predicate, comps, db, dict, cat.AtRisk, e.now(), window)
		if err != nil {
			return err
		}
		if sb == "" {
			c.Reasons = append(c.Reasons, "no SBOM next to the label; vulnerabilities not rechecked")
		}
		checks = append(checks, c)
		return nil
	})
	sort.SliceStable(checks, func(i, j int) bool { return checks[i].LabelID < checks[j].LabelID })
	return checks, err
}

// findSBOM returns the SBOM file in dir, by the names SBOM tools write.
func findSBOM(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		for _, suffix := range []string{".cdx.json", ".cdx.xml", ".spdx.json", ".spdx", "bom.json", "bom.xml", "manifest.csv"} {
			if strings.HasSuffix(n, suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
	}
	return ""
}
