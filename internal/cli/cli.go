package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
)

// Version is the iotlabel version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
	exitInternal = 3
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return &exitError{exitBadInput, fmt.Errorf(format, args...)}
}

func asBadInput(err error) error { return &exitError{exitBadInput, err} }

// failed reports that the product does not meet what was asked; the message has
// already been written as part of the normal output.
var errFailed = &exitError{exitFailed, errors.New("")}

// failed is exit code 1 with a message (a check that did not pass).
func failed(format string, args ...any) error {
	return &exitError{exitFailed, fmt.Errorf(format, args...)}
}

type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"assess", "assess a product declaration (with evidence) against every scheme, tier and market", runAssess},
		{"declaration", "write a declaration template or validate declarations", runDeclaration},
		{"catalog", "explore the catalog: schemes, requirements, coverage, crosswalks, diffs, OSCAL export", runCatalog},
		{"report", "write the EN 303 645 ICS or a UK PSTI statement of compliance draft", runReport},
		{"keys", "generate an Ed25519 key pair for signing labels", runKeys},
		{"evidence", "sign evidence as an in-toto attestation; verify signed evidence against a trust store", runEvidence},
		{"trust", "show the registry's trust store; accredit or revoke a lab's or issuer's key", runTrust},
		{"label", "issue a signed label (JSON, QR text, SVG, PNG) from an assessment; verify labels offline", runLabel},
		{"sbom", "scan an SBOM for known and known-exploited vulnerabilities; Buildroot manifest to CycloneDX", runSBOM},
		{"firmware", "open a firmware image: components, vulnerabilities, default passwords, keys, boot services", runFirmware},
		{"serve", "run the registry: JSON API, consumer pages for label QR codes, status sweeps", runServe},
		{"tokens", "create or revoke registry API tokens", runTokens},
		{"check", "check a list of models against a registry: may each be sold in a market, at a tier?", runCheck},
		{"sunsets", "list a registry's labels whose security support ends soon", runSunsets},
		{"log", "make a transparency-log key; verify a copy of the registry's transparency log", runLog},
		{"probe", "probe devices on the network: which services answer, exposed telnet; evidence for assess", runProbe},
		{"monitor", "recheck a directory of labels and SBOMs: expired, support ending, new known exploited vulnerabilities", runMonitor},
		{"vulndb", "import OSV, NVD, CISA KEV and CSAF VEX data into the local vulnerability database; status", runVulndb},
		{"version", "print the version and the catalog version", runVersion},
	}
}

// Main runs the iotlabel command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, now: time.Now}
	return e.main(ctx, args)
}

func (e *env) main(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return e.main(ctx, []string{args[1], "--help"})
		}
		e.usage(e.stdout)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return e.exit(c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "iotlabel: unknown command %q\n", args[0])
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if s := catalog.Closest(args[0], names); s != "" {
		fmt.Fprintf(e.stderr, "did you mean %q?\n", s)
	}
	fmt.Fprintln(e.stderr, "run `iotlabel help` for the list of commands")
	return exitBadInput
}

func (e *env) exit(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if msg := xe.err.Error(); msg != "" {
			fmt.Fprintln(e.stderr, "iotlabel: "+strings.ReplaceAll(msg, "\n", "\n  "))
		}
		return xe.code
	}
	fmt.Fprintln(e.stderr, "iotlabel: "+err.Error())
	return exitInternal
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, "iotlabel %s — requirements → evidence → verdicts for consumer IoT security\n\nUsage: iotlabel COMMAND [ARGS]\n\nCommands:\n", Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun `iotlabel COMMAND --help` for a command's flags.\nExit codes: 0 ok, 1 the product fails what was asked, 2 bad input, 3 internal error.\n")
}

// newFlags makes a FlagSet whose --help prints usage text to stdout.
func (e *env) newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n\n", usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parse parses flags and positional arguments in any order, so that
// `assess FILE --format json` works as well as `assess --format json FILE`.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, asBadInput(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// loadCatalog returns the embedded catalog, or the one in dir.
func loadCatalog(dir string) (*catalog.Catalog, error) {
	if dir == "" {
		c, err := catalog.Default()
		if err != nil {
			return nil, fmt.Errorf("embedded catalog: %w", err)
		}
		return c, nil
	}
	c, err := catalog.LoadDir(dir)
	if err != nil {
		return nil, asBadInput(err)
	}
	return c, nil
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return badInput("--format %q is not one of %s", format, strings.Join(allowed, ", "))
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.newFlags("version [--format text|json]", "version [--format text|json]")
	format := fs.String("format", "text", "output format: text or json")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	c, err := catalog.Default()
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSONTo(e.stdout, map[string]string{"version": Version, "catalog_version": c.Version})
	}
	fmt.Fprintf(e.stdout, "iotlabel %s (catalog %s)\n", Version, c.Version)
	return nil
}
