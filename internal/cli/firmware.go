package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/firmware"
	"github.com/iotlabel/iotlabel/probe"
	"github.com/iotlabel/iotlabel/report"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/vuln"
)

const firmwareUsage = `firmware scan IMAGE... [--db FILE] [--format text|json|cyclonedx|evidence|sarif] [--sbom FILE] [--reveal]
               [--wordlist FILE] [--extract DIR] [--product MODEL] [--firmware VERSION] [--sign-key KEY [--manufacturer NAME]] [--out FILE]
               [--max-kev-age 7d] [--max-age 30d]

scan opens each firmware image and everything inside it (uImage, gzip, xz, LZMA, bzip2, zstd, SquashFS 4.0,
CPIO, tar; at any offset), then reports what it ships: components and their versions (matched against the
vulnerability database), accounts with empty or default passwords, private keys, services started at boot,
and the hardening of every ELF file; with --sbom, which components the declared SBOM leaves out or
gives another version. Nothing is written outside a private temporary directory unless
--extract names one. --format evidence writes JSONL for iotlabel assess --evidence; signed with --sign-key
(the image's SHA-256 as the subject digest) it adds the lab check binary-analysis, which counts when the trust
store accredits the key for it; cyclonedx writes the components as a CycloneDX SBOM.
Exit 1 when a check fails (a default password, a private key, an insecure boot service).`

func runFirmware(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", firmwareUsage)
		if len(args) == 0 {
			return badInput("firmware needs a subcommand: scan")
		}
		return nil
	}
	if args[0] != "scan" {
		return badInput("unknown firmware subcommand %q (want scan)", args[0])
	}
	fs := e.newFlags("firmware scan", firmwareUsage)
	dbPath := fs.String("db", "", "vulnerability database `FILE` (default: under the user cache directory)")
	format := fs.String("format", "text", "output format: text, json, cyclonedx, evidence or sarif")
	reveal := fs.Bool("reveal", false, "show cracked passwords instead of masking them")
	wordlist := fs.String("wordlist", "", "more passwords to try, one per line (`FILE`)")
	extract := fs.String("extract", "", "keep the unpacked files in `DIR` (new or empty)")
	declared := fs.String("sbom", "", "the product's declared SBOM `FILE`, to reconcile with what the image ships")
	product := fs.String("product", "", "product `MODEL` to name in evidence")
	fwVersion := fs.String("firmware", "", "firmware `VERSION` to name in evidence")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	var sign signFlags
	sign.register(fs)
	maxAge := ageFlags(fs)
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return badInput("firmware scan needs at least one IMAGE")
	}
	if err := checkFormat(*format, "text", "json", "cyclonedx", "evidence", "sarif"); err != nil {
		return err
	}
	if sign.key != "" && (*format != "evidence" || len(pos) != 1) {
		return badInput("--sign-key signs the evidence of one image: add --format evidence and give one IMAGE")
	}
	if *extract != "" && len(pos) != 1 {
		return badInput("--extract keeps the files of one image; give one IMAGE")
	}
	rules, err := firmware.DefaultRules()
	if err != nil {
		return err
	}
	var doc *sbom.Document
	if *declared != "" {
		if doc, err = sbom.ReadFile(*declared); err != nil {
			return badInput("--sbom: %v", err)
		}
	}
	cracking, err := crackingFor(*wordlist, *reveal)
	if err != nil {
		return err
	}
	db, dict, err := openMatcher(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	fresh, err := e.freshness(ctx, db, maxAge)
	if err != nil {
		return err
	}
	kev := fresh.KEVCatalog
	progress := e.progress()
	var reps []*firmware.Report
	for _, img := range pos {
		tr, err := firmware.Unpack(ctx, img, firmware.Options{ExtractDir: *extract, Progress: func(done, total int64) {
			progress("%s: scanned %d of %d MiB", img, done>>20, total>>20)
		}})
		progress("")
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return badInput("%s: %v", img, err)
		}
		rep, err := firmware.Analyse(ctx, tr, firmware.Analysis{Rules: rules, Cracking: cracking, Vulns: db, Dict: dict, KEVCatalog: kev, DataAge: fresh.DataAge, Declared: doc, DeclaredName: *declared, Lab: sign.key != "",
			Source: evidence.Source{Tool: "iotlabel firmware scan", Version: Version}, Time: e.now(),
			Subject: evidence.Subject{Product: *product, Firmware: *fwVersion}})
		tr.Close()
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	err = e.writeOutput(*out, func(w io.Writer) error {
		switch *format {
		case "json":
			// Each report says how old the vulnerability data behind it is.
			type withAge struct {
				*firmware.Report
				freshness
			}
			if len(reps) == 1 {
				return writeJSONTo(w, withAge{reps[0], fresh})
			}
			out := make([]withAge, len(reps))
			for i, r := range reps {
				out[i] = withAge{r, fresh}
			}
			return writeJSONTo(w, out)
		case "sarif":
			if len(reps) != 1 {
				return badInput("--format sarif writes one image's results; give one IMAGE")
			}
			return report.SARIF(w, Version, reps[0].Image.Path, &vuln.Report{Findings: reps[0].Vulnerabilities}, reps[0].Findings...)
		case "cyclonedx":
			var comps []sbom.Component
			for _, r := range reps {
				comps = append(comps, r.SBOMComponents()...)
			}
			return sbom.WriteCycloneDX(w, *product, *fwVersion, comps)
		case "evidence":
			var items []evidence.Item
			for _, r := range reps {
				items = append(items, r.Findings...)
			}
			if sign.key == "" {
				return evidence.Write(w, items)
			}
			env, _, _, err := signItems(ctx, items, sign.key, sign.manufacturer, *product, *fwVersion, pos[0])
			if err != nil {
				return err
			}
			_, err = w.Write(append(env, '\n'))
			return err
		}
		for _, r := range reps {
			if err := firmwareText(w, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range reps {
		for _, it := range r.Findings {
			if it.Result == evidence.Fail {
				return errFailed
			}
		}
	}
	return nil
}

// crackingFor builds the candidate passwords: the built-in default list,
// then the word list.
func crackingFor(wordlist string, reveal bool) (firmware.Cracking, error) {
	c := firmware.Cracking{Pairs: map[string][]string{}, Reveal: reveal, Mask: probe.MaskPassword}
	seen := map[string]bool{}
	for _, cr := range probe.DefaultCredentials() {
		c.Pairs[cr.Username] = append(c.Pairs[cr.Username], cr.Password)
		if !seen[cr.Password] {
			seen[cr.Password] = true
			c.Candidates = append(c.Candidates, cr.Password)
		}
	}
	if wordlist != "" {
		b, err := readLimited(wordlist, 64<<20)
		if err != nil {
			return c, err
		}
		for _, w := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
			if w != "" && !seen[w] {
				seen[w] = true
				c.Candidates = append(c.Candidates, w)
			}
		}
	}
	return c, nil
}

// firmwareText writes one report for people: the summary first.
func firmwareText(w io.Writer, r *firmware.Report) error {
	fmt.Fprintf(w, "%s (%d bytes, sha256 %s)\n", r.Image.Path, r.Image.Size, r.Image.SHA256)
	var formats []string
	for _, l := range r.Layers {
		formats = append(formats, l.Format)
	}
	fmt.Fprintf(w, "  %d layers (%s), %d files, %d components, %d binaries\n", len(r.Layers), strings.Join(formats, ", "), r.Files, len(r.Components), r.Hardening.Binaries)
	for _, it := range r.Findings {
		fmt.Fprintf(w, "  %-5s %-30s %s\n", strings.ToUpper(it.Result), it.Check, it.Detail)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(r.Components) > 0 {
		fmt.Fprintln(tw, "\nCOMPONENT\tVERSION\tPATH\tEVIDENCE")
		for _, c := range r.Components {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, orDash(c.Version), c.Path, c.Evidence)
		}
	}
	if len(r.Vulnerabilities) > 0 {
		fmt.Fprintln(tw, "\nVULNERABILITY\tCOMPONENT\tSEVERITY\tKNOWN EXPLOITED\tFIXED IN")
		for _, v := range r.Vulnerabilities {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%v\t%s\n", v.Vulnerability, v.Component, v.Version, orDash(v.Severity.Level), v.KnownExploited, orDash(v.FixedIn))
		}
	}
	if len(r.Credentials) > 0 {
		fmt.Fprintln(tw, "\nACCOUNT\tSOURCE\tHASH\tFINDING")
		for _, c := range r.Credentials {
			what := "not cracked (" + fmt.Sprint(c.Tried) + " tried)"
			switch {
			case c.Empty:
				what = "NO PASSWORD"
			case c.Cracked:
				what = "DEFAULT PASSWORD " + c.Password
			case c.Note != "":
				what = c.Note
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.User, c.Source, c.HashType, what)
		}
	}
	if len(r.Keys) > 0 {
		fmt.Fprintln(tw, "\nKEY\tTYPE\tPRIVATE\tDETAIL")
		for _, k := range r.Keys {
			detail := ""
			if k.Encrypted {
				detail = "encrypted"
			}
			if k.Subject != "" {
				detail = fmt.Sprintf("%s, until %s, self-signed %v", k.Subject, k.NotAfter.Format("2006-01-02"), k.SelfSigned)
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", k.Path, k.Type, k.Private, detail)
		}
	}
	if len(r.Services) > 0 {
		fmt.Fprintln(tw, "\nBOOT SERVICE\tWHERE\tINSECURE\tDETAIL")
		for _, s := range r.Services {
			fmt.Fprintf(tw, "%s\t%s:%d\t%v\t%s\n", s.Name, s.Path, s.Line, s.Insecure, s.Detail)
		}
	}
	if rc := r.Reconciliation; rc != nil {
		fmt.Fprintf(tw, "\nSBOM %s: %d matched, %d undeclared, %d at another version, %d declared but not found, %d not checkable\n",
			rc.SBOM, len(rc.Matched), len(rc.Undeclared), len(rc.Mismatched), len(rc.Missing), rc.Unknown)
		for _, x := range rc.Undeclared {
			fmt.Fprintf(tw, "  not declared: %s\n", x)
		}
		for _, x := range rc.Mismatched {
			fmt.Fprintf(tw, "  version: %s\n", x)
		}
		for _, x := range rc.Missing {
			fmt.Fprintf(tw, "  not found: %s\n", x)
		}
	}
	h := r.Hardening
	if h.Binaries > 0 {
		fmt.Fprintf(tw, "\nHardening of %d ELF files: NX %d, PIE %d, full RELRO %d, stack canary %d, FORTIFY %d, stripped %d\n",
			h.Binaries, h.NX, h.PIE, h.FullRELRO, h.Canary, h.Fortify, h.Stripped)
	}
	for _, l := range r.Layers {
		if l.Error != "" {
			fmt.Fprintf(tw, "\nlayer %d (%s at offset %d): %s\n", l.ID, l.Format, l.Offset, l.Error)
		}
	}
	for _, wmsg := range r.Warnings {
		fmt.Fprintf(tw, "warning: %s\n", wmsg)
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
