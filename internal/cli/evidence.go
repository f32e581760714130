package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/trust"
)

const evidenceUsage = `evidence sign FILE --key PREFIX.key --out FILE [--manufacturer NAME] [--product MODEL] [--firmware VERSION] [--image FILE]
evidence verify FILE --trust FILE|DIR [--format text|json]

sign wraps evidence JSONL (from probe, sbom scan or a lab's own tools) in an in-toto attestation signed
with the key (a DSSE envelope; docs/formats.md, "Evidence attestations"). Its subject is the product at
its firmware version; with --image, the subject's digest is that firmware image's SHA-256.
verify checks the signature against a trust store and says, item by item, whether the signer is
accredited for the item's check. assess and label issue read signed files the same way (--trust).`

func runEvidence(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", evidenceUsage)
		if len(args) == 0 {
			return badInput("evidence needs a subcommand: sign or verify")
		}
		return nil
	}
	switch args[0] {
	case "sign":
		return evidenceSign(ctx, e, args[1:])
	case "verify":
		return evidenceVerify(ctx, e, args[1:])
	}
	return badInput("unknown evidence subcommand %q (want sign or verify)", args[0])
}

func evidenceSign(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("evidence sign", evidenceUsage)
	keyPath := fs.String("key", "", "Ed25519 private key `FILE` of the signer")
	out := fs.String("out", "", "write the signed attestation to `FILE` (- for standard output)")
	manufacturer := fs.String("manufacturer", "", "manufacturer `NAME` of the subject")
	model := fs.String("product", "", "product `MODEL` (default: the items' subject)")
	firmware := fs.String("firmware", "", "firmware `VERSION` (default: the items' subject)")
	image := fs.String("image", "", "firmware image `FILE` the evidence was taken from; its SHA-256 becomes the subject digest")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *keyPath == "" || *out == "" {
		return badInput("evidence sign needs FILE, --key and --out")
	}
	f, err := e.loadEvidenceFile(ctx, pos[0], nil)
	if err != nil {
		return err
	}
	env, subject, keyID, err := signItems(ctx, f.Items, *keyPath, *manufacturer, *model, *firmware, *image)
	if err != nil {
		return err
	}
	if err := e.writeOutput(*out, func(w io.Writer) error { _, err := w.Write(append(env, '\n')); return err }); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(e.stdout, "signed %d evidence item(s) about %s with key %s; wrote %s\n", len(f.Items), subject.Name, keyID, *out)
	}
	return nil
}

// signItems signs evidence items with the key at keyPath as an attestation
// about the subject the flags and the items name; it returns the envelope,
// the subject and the signing key's ID.
func signItems(ctx context.Context, items []evidence.Item, keyPath, manufacturer, model, firmware, image string) ([]byte, attest.Subject, string, error) {
	priv, err := readPrivateKey(keyPath)
	if err != nil {
		return nil, attest.Subject{}, "", err
	}
	subject, err := evidenceSubject(items, manufacturer, model, firmware, image)
	if err != nil {
		return nil, attest.Subject{}, "", err
	}
	env, err := attest.SignEvidence(ctx, items, []attest.Subject{subject}, priv)
	if err != nil {
		return nil, attest.Subject{}, "", badInput("sign evidence: %v", err)
	}
	return env, subject, label.KeyID(priv.Public().(label.PublicKey)), nil
}

// evidenceSubject names what signed evidence is about: the flags, else the
// one product and firmware the items name.
func evidenceSubject(items []evidence.Item, manufacturer, model, firmware, image string) (attest.Subject, error) {
	for _, it := range items {
		if model == "" {
			model = it.Subject.Product
		}
		if firmware == "" {
			firmware = it.Subject.Firmware
		}
	}
	if model == "" {
		return attest.Subject{}, badInput("the evidence names no product; pass --product MODEL")
	}
	for _, it := range items {
		if it.Subject.Product != "" && it.Subject.Product != model {
			return attest.Subject{}, badInput("item %s is about product %q, not %q; sign each product's evidence separately", it.Ref(), it.Subject.Product, model)
		}
	}
	digest := ""
	if image != "" {
		f, err := os.Open(image)
		if err != nil {
			return attest.Subject{}, badInput("--image: %v", err)
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return attest.Subject{}, badInput("--image: %v", err)
		}
		digest = hex.EncodeToString(h.Sum(nil))
	}
	return attest.ProductSubject(manufacturer, model, firmware, digest), nil
}

func evidenceVerify(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("evidence verify", evidenceUsage)
	trustPath := fs.String("trust", "", "trust store `FILE` or DIR")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *trustPath == "" {
		return badInput("evidence verify needs FILE and --trust")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	ts, err := loadTrust(ctx, *trustPath)
	if err != nil {
		return err
	}
	data, err := readLimited(pos[0], attest.MaxEnvelope)
	if err != nil {
		return err
	}
	o, err := attest.OpenEvidence(ctx, data, ts, e.now())
	if err != nil {
		if *format == "json" {
			writeJSONTo(e.stdout, map[string]any{"valid": false, "reason": err.Error()})
		}
		return failed("%s: %v", pos[0], err)
	}
	type itemOut struct {
		Ref, Check, Kind, Result string
		Accredited               bool
		Reason                   string `json:",omitempty"`
	}
	var rows []itemOut
	allOK := true
	for i := range o.Statement.Predicate.Items {
		it := &o.Statement.Predicate.Items[i]
		rows = append(rows, itemOut{it.Ref(), it.Check, string(it.Kind), it.Result, it.Attestation.Accredited, it.Attestation.Reason})
		allOK = allOK && it.Attestation.Accredited
	}
	if *format == "json" {
		if err := writeJSONTo(e.stdout, map[string]any{"valid": true, "signer": o.Signer.Holder, "role": o.Signer.Role,
			"key_id": o.KeyID, "digest": o.Digest, "subject": o.Statement.Subject, "items": rows}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "signature by %s (%s, key %s) verifies\n", o.Signer.Holder, o.Signer.Role, o.KeyID)
		for _, s := range o.Statement.Subject {
			fmt.Fprintf(e.stdout, "subject %s sha256:%s\n", s.Name, s.Digest["sha256"])
		}
		for _, r := range rows {
			mark := "accredited"
			if !r.Accredited {
				mark = "NOT ACCREDITED: " + r.Reason
			}
			fmt.Fprintf(e.stdout, "  %s %s %s %s — %s\n", r.Ref, r.Kind, r.Check, r.Result, mark)
		}
	}
	if !allOK {
		return failed("some items are not attested by an accredited key")
	}
	return nil
}

// signFlags are the --sign-key and --manufacturer flags of the commands that
// write evidence (probe, sbom scan): with a key, they write a signed
// attestation instead of JSONL.
type signFlags struct {
	key, manufacturer string
}

func (f *signFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "sign-key", "", "sign the evidence with this Ed25519 key `FILE` (an in-toto attestation instead of JSONL)")
	fs.StringVar(&f.manufacturer, "manufacturer", "", "manufacturer `NAME` in the signed attestation's subject")
}

// writeEvidence writes items as JSONL, or signed when --sign-key was given.
func (f *signFlags) writeEvidence(ctx context.Context, w io.Writer, items []evidence.Item, model, firmware string) error {
	if f.key == "" {
		return evidence.Write(w, items)
	}
	env, _, _, err := signItems(ctx, items, f.key, f.manufacturer, model, firmware, "")
	if err != nil {
		return err
	}
	_, err = w.Write(append(env, '\n'))
	return err
}

// loadTrust reads a trust store given by --trust: a file, a directory, or
// a registry's URL (its /v1/trust.yaml).
func loadTrust(ctx context.Context, path string) (*trust.Store, error) {
	if strings.HasPrefix(path, "https://") || strings.HasPrefix(path, "http://") {
		base := strings.TrimSuffix(strings.TrimSuffix(path, "/v1/trust.yaml"), "/")
		b, err := httpapi.NewClient(base).TrustYAML(ctx)
		if err != nil {
			return nil, badInput("--trust %s: %v", path, err)
		}
		ts, err := trust.Parse(path, b)
		if err != nil {
			return nil, badInput("%v", err)
		}
		return ts, nil
	}
	ts, err := trust.Load(path)
	if err != nil {
		return nil, badInput("%v", err)
	}
	return ts, nil
}

// loadEvidenceFile reads one --evidence file: JSONL, a signed attestation,
// or both as lines. Signed parts are verified against ts; one that no trusted
// key signed is still read, but its items carry no attestation (so they count
// only as what the catalog's evidence rules allow unsigned items), and a
// warning says why.
func (e *env) loadEvidenceFile(ctx context.Context, path string, ts *trust.Store) (*attest.Evidence, error) {
	data, err := readLimited(path, attest.MaxEnvelope)
	if err != nil {
		return nil, err
	}
	ev, err := attest.ReadEvidence(ctx, path, data, ts, e.now())
	if err != nil {
		return nil, asBadInput(err)
	}
	for _, why := range ev.Unverified {
		fmt.Fprintf(e.stderr, "iotlabel: warning: %s; its items are read as unsigned (pass --trust)\n", why)
	}
	return ev, nil
}

// readPrivateKey reads an Ed25519 private key file.
func readPrivateKey(path string) (label.PrivateKey, error) {
	b, err := readLimited(path, 64<<10)
	if err != nil {
		return nil, err
	}
	priv, err := label.ParsePrivateKey(b)
	if err != nil {
		return nil, badInput("%s: %v", path, err)
	}
	return priv, nil
}
