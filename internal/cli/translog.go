package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/translog"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
)

const logUsage = `log keygen --origin NAME --out PREFIX
log verify DIR|URL --key PREFIX.vkey [--previous CHECKPOINT] [--save CHECKPOINT] [--label ID] [--format text|json]

The registry appends every event (label issued, status changed) to a tile-based transparency log with signed
checkpoints (serve --log DIR --log-key PREFIX.skey; the log is also served under /log/). keygen writes a
checkpoint signing key (PREFIX.skey, mode 0600) and its verifier key (PREFIX.vkey) for the log named NAME,
e.g. registry.example/log. verify checks a copy of the log (a directory, or the /log/ URL of a registry): the
checkpoint's signature, that the entries hash to its root, that each entry is a registry event in order,
with --previous that the log extends a checkpoint saved earlier (--save keeps this one for next time), and
with --label inclusion proofs for that label's events. Exit 1 when any check fails.`

func runLog(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", logUsage)
		if len(args) == 0 {
			return badInput("log needs a subcommand: keygen or verify")
		}
		return nil
	}
	switch args[0] {
	case "keygen":
		return logKeygen(e, args[1:])
	case "verify":
		return logVerify(ctx, e, args[1:])
	}
	return badInput("unknown log subcommand %q (want keygen or verify)", args[0])
}

func logKeygen(e *env, args []string) error {
	fs := e.newFlags("log keygen", logUsage)
	origin := fs.String("origin", "", "the log's `NAME`, e.g. registry.example/log")
	out := fs.String("out", "", "write PREFIX.skey and PREFIX.vkey")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *origin == "" || *out == "" || strings.ContainsAny(*origin, " +\n") {
		return badInput("log keygen needs --origin NAME (no spaces or '+') and --out PREFIX")
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, *origin)
	if err != nil {
		return err
	}
	if err := writeNew(*out+".skey", []byte(skey+"\n"), 0o600); err != nil {
		return err
	}
	if err := writeNew(*out+".vkey", []byte(vkey+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s.skey (keep it secret) and %s.vkey for log %s\n", *out, *out, *origin)
	return nil
}

// readNoteKey reads a note signer or verifier key file.
func readNoteKey(path string) (string, error) {
	b, err := readLimited(path, 4<<10)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func logVerify(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("log verify", logUsage)
	keyPath := fs.String("key", "", "the log's verifier key `FILE` (PREFIX.vkey)")
	prevPath := fs.String("previous", "", "a checkpoint `FILE` saved earlier; the log must extend it")
	save := fs.String("save", "", "save the verified checkpoint to `FILE`")
	labelID := fs.String("label", "", "prove inclusion of this label's events")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *keyPath == "" {
		return badInput("log verify needs one DIR or URL and --key PREFIX.vkey")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	vkey, err := readNoteKey(*keyPath)
	if err != nil {
		return err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return badInput("%s: not a log verifier key: %v", *keyPath, err)
	}
	var opt translog.Options
	opt.LabelID = *labelID
	if *prevPath != "" {
		if opt.Previous, err = readLimited(*prevPath, 64<<10); err != nil {
			return err
		}
	}
	var f translog.Fetcher
	if src := pos[0]; strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		u, err := url.Parse(strings.TrimRight(src, "/") + "/")
		if err != nil {
			return badInput("%s: %v", src, err)
		}
		hf, err := client.NewHTTPFetcher(u, &http.Client{Timeout: 30 * time.Second})
		if err != nil {
			return badInput("%s: %v", src, err)
		}
		f = hf
	} else {
		if _, err := os.Stat(src); err != nil {
			return badInput("%v", err)
		}
		f = client.FileFetcher{Root: src}
	}
	rep, err := translog.Verify(ctx, f, v, opt)
	if err != nil {
		fmt.Fprintf(e.stderr, "log verification FAILED: %v\n", err)
		return errFailed
	}
	if *save != "" {
		if err := e.writeOutput(*save, func(w io.Writer) error { _, err := w.Write(rep.Checkpoint); return err }); err != nil {
			return err
		}
	}
	if *format == "json" {
		return writeJSONTo(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "log %s: %d entries, root %s\n", rep.Origin, rep.Size, rep.Root)
	fmt.Fprintln(e.stdout, "checkpoint signature valid; every entry is a registry event, in order, and they hash to the signed root")
	if opt.Previous != nil {
		fmt.Fprintln(e.stdout, "consistent with the previous checkpoint: nothing before it was rewritten or dropped")
	}
	for _, in := range rep.Inclusions {
		fmt.Fprintf(e.stdout, "included: entry %d, event %d (%s %s, %s), proof of %d hashes verified\n",
			in.Index, in.Event.Seq, in.Event.Kind, in.Event.Status, in.Event.Time.Format(time.RFC3339), in.Proof)
	}
	return nil
}
