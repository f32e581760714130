package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
)

const keysUsage = `keys generate PREFIX

Writes PREFIX.key (Ed25519 private key, PKCS#8 PEM, mode 0600) and PREFIX.pub (public key, PEM), and
prints the key ID. Existing files are never overwritten.`

func runKeys(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", keysUsage)
		if len(args) == 0 {
			return badInput("keys needs a subcommand: generate")
		}
		return nil
	}
	if args[0] != "generate" {
		return badInput("unknown keys subcommand %q (want generate)", args[0])
	}
	fs := e.newFlags("keys generate", keysUsage)
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return badInput("keys generate needs one PREFIX")
	}
	pub, priv, err := label.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	privPEM, err := label.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	pubPEM, err := label.MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{pos[0] + ".key", privPEM, 0o600}, {pos[0] + ".pub", pubPEM, 0o644}} {
		if err := writeNew(f.path, f.data, f.mode); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "key ID %s\nwrote %s.key (keep it secret) and %s.pub\n", label.KeyID(pub), pos[0], pos[0])
	return nil
}

const labelUsage = `label issue --declaration FILE [--evidence FILE]... [--trust FILE|DIR] [--as-of DATE] --key PREFIX.key --out DIR
            [--issuer NAME] [--registry-url URL] [--valid-until DATE] [--catalog DIR]
label verify FILE | --qr TEXT  --pubkey PREFIX.pub | --trust FILE|DIR|URL  [--registry URL] [--format text|json]
label publish DIR --registry URL       (token from $IOTLABEL_TOKEN)

issue assesses the declaration with the evidence itself (signed evidence verified against --trust) and
signs only what it computed: it never signs an assessment handed to it. It writes DIR/label.json (in-toto
statement in a DSSE envelope, naming the digests of its inputs), DIR/label.qr.txt (compact offline-verifiable
form), DIR/label.svg and DIR/label.png. It refuses products below Tier 1 and labels that outlive the support
period.
verify checks the signature and the validity dates: exit 0 valid, 1 invalid or not active, 2 bad input;
with --registry also the label's live status there. publish sends DIR/label.json and DIR/label.qr.txt to a
registry, which publishes only what it recomputes from the product's stored declaration.`

func runLabel(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", labelUsage)
		if len(args) == 0 {
			return badInput("label needs a subcommand: issue or verify")
		}
		return nil
	}
	switch args[0] {
	case "issue":
		return labelIssue(ctx, e, args[1:])
	case "verify":
		return labelVerify(ctx, e, args[1:])
	case "publish":
		return labelPublish(ctx, e, args[1:])
	}
	return badInput("unknown label subcommand %q (want issue, verify or publish)", args[0])
}

func labelIssue(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("label issue", labelUsage)
	declPath := fs.String("declaration", "", "the product's declaration `FILE`")
	var ev evidenceFlags
	ev.register(fs)
	asOf := fs.String("as-of", "", "assess as on this `date` (default: today, UTC)")
	keyPath := fs.String("key", "", "Ed25519 private key `FILE` (from iotlabel keys generate)")
	outDir := fs.String("out", "", "output `DIR` (created; existing label files are not overwritten)")
	issuer := fs.String("issuer", "", "issuer `NAME` written into the label (default: the key ID)")
	registry := fs.String("registry-url", "", "registry base `URL`; the QR code opens URL/l/LABEL-ID")
	validUntil := fs.String("valid-until", "", "last day of validity, `YYYY-MM-DD` (default: support end, at most 3 years)")
	catDir := fs.String("catalog", "", "catalog `DIR` to assess with (default: built-in)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return badInput("label issue computes the assessment itself and signs nothing it did not compute: " +
			"pass --declaration FILE (and --evidence FILE...) instead of an assessment file")
	}
	if *declPath == "" || *keyPath == "" || *outDir == "" {
		return badInput("label issue needs --declaration, --key and --out")
	}
	if *registry != "" && !strings.HasPrefix(*registry, "https://") && !strings.HasPrefix(*registry, "http://") {
		return badInput("--registry-url %q must start with https://", *registry)
	}
	var until catalog.Date
	if *validUntil != "" {
		if until, err = catalog.ParseDate(*validUntil); err != nil {
			return badInput("--valid-until: %v", err)
		}
	}
	date, err := parseAsOf(*asOf, e)
	if err != nil {
		return err
	}
	cat, err := loadCatalog(*catDir)
	if err != nil {
		return err
	}
	priv, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	res, err := e.assessFile(ctx, cat, *declPath, &ev, date)
	if err != nil {
		return err
	}
	keyID := label.KeyID(priv.Public().(label.PublicKey))
	name := *issuer
	if name == "" {
		name = "key " + keyID
	}
	opt := label.Options{Issuer: name, KeyID: keyID, RegistryURL: *registry, Now: e.now(), ValidUntil: until,
		Inputs: label.Inputs{Declaration: res.DeclarationDigest, Evidence: []string{}}, Images: imageDigests(res)}
	for _, f := range res.Evidence {
		opt.Inputs.Evidence = append(opt.Inputs.Evidence, f.Digest)
	}
	st, err := label.NewStatement(res.Assessment, opt)
	if err != nil {
		if errors.Is(err, label.ErrNoTier) || errors.Is(err, label.ErrSupportEnd) {
			return &exitError{exitFailed, err}
		}
		return badInput("%s: %v", *declPath, err)
	}
	return writeLabel(ctx, e, cat, st, priv, *outDir)
}

// imageDigests maps each declared firmware version to the image SHA-256
// that verified, signed evidence names for it.
func imageDigests(res *assess.Result) map[string]string {
	m := map[string]string{}
	for _, f := range res.Evidence {
		for _, s := range f.Subjects {
			for _, fw := range res.Declaration.Product.FirmwareVersions {
				named := attest.ProductSubject(res.Declaration.Manufacturer.Name, res.Declaration.Product.Model, fw, "")
				if s.Name == named.Name && s.Digest["sha256"] != named.Digest["sha256"] {
					m[fw] = s.Digest["sha256"]
				}
			}
		}
	}
	return m
}

func writeLabel(ctx context.Context, e *env, cat *catalog.Catalog, st *label.Statement, priv label.PrivateKey, dir string) error {
	env, compact, err := label.Seal(ctx, st, priv)
	if err != nil {
		return err
	}
	var names []label.SchemeName
	for _, s := range cat.Schemes {
		names = append(names, label.SchemeName{ID: s.ID, Short: s.Short, Kind: s.Kind})
	}
	layout, err := label.NewLayout(&st.Predicate, compact, names)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return badInput("%v", err)
	}
	files := []struct {
		name   string
		render func(io.Writer) error
	}{
		{"label.json", func(w io.Writer) error { _, err := w.Write(append(env, '\n')); return err }},
		{"label.qr.txt", func(w io.Writer) error { _, err := io.WriteString(w, compact+"\n"); return err }},
		{"label.svg", layout.SVG},
		{"label.png", func(w io.Writer) error { return layout.PNG(w, 3) }},
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			return badInput("%s already holds %s; choose a new --out directory", dir, f.name)
		}
	}
	for _, f := range files {
		if err := e.writeOutput(filepath.Join(dir, f.name), f.render); err != nil {
			return err
		}
	}
	p := st.Predicate
	fmt.Fprintf(e.stdout, "label %s: tier %d, %s %s, valid %s to %s, signed by key %s\nwrote %s/label.json, label.qr.txt, label.svg, label.png\n",
		p.LabelID, p.Tier, p.Manufacturer, p.Model, p.Issued.Format("2006-01-02"), p.Expires.Format("2006-01-02"), p.Issuer.KeyID, dir)
	return nil
}

func labelVerify(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("label verify", labelUsage)
	pubPath := fs.String("pubkey", "", "issuer's public key `FILE`")
	qrText := fs.String("qr", "", "verify this compact `TEXT` (what the QR code holds) instead of a file")
	format := fs.String("format", "text", "output format: text or json")
	regURL := fs.String("registry", "", "also ask the registry at `URL` for the label's live status")
	trustPath := fs.String("trust", "", "instead of --pubkey: a trust store `FILE`, DIR or URL; the issuer must be entitled to every scheme the label claims")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	if (*pubPath == "") == (*trustPath == "") || (len(pos) == 1) == (*qrText != "") || len(pos) > 1 {
		return badInput("label verify needs --pubkey or --trust, and either one FILE or --qr TEXT")
	}
	data := []byte(*qrText)
	if len(pos) == 1 {
		if data, err = readLimited(pos[0], 1<<20); err != nil {
			return err
		}
	}
	var r label.Result
	if *trustPath != "" {
		ts, err := loadTrust(ctx, *trustPath)
		if err != nil {
			return err
		}
		r = checkWithTrust(ctx, data, ts, e.now())
	} else {
		pub, err := readPublicKey(*pubPath)
		if err != nil {
			return err
		}
		r = label.Check(ctx, data, pub, e.now())
	}
	var netErr error
	if r.Valid && *regURL != "" {
		netErr = liveStatus(ctx, *regURL, &r)
	}
	if *format == "json" {
		if err := writeJSONTo(e.stdout, r); err != nil {
			return err
		}
	} else if r.Predicate != nil {
		p := r.Predicate
		fmt.Fprintf(e.stdout, "%s: %s (%s form)\nlabel %s: %s %s, tier %d, security updates until %s\n", strings.ToUpper(r.Status), r.Reason, r.Form,
			p.LabelID, p.Manufacturer, p.Model, p.Tier, p.SupportEnd)
	} else {
		fmt.Fprintf(e.stdout, "INVALID: %s\n", r.Reason)
	}
	if netErr != nil {
		return &exitError{exitBadInput, fmt.Errorf("the label verifies offline, but its live status is unknown: %w", netErr)}
	}
	if !r.Valid {
		return errFailed
	}
	return nil
}

func labelPublish(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("label publish", labelUsage)
	reg := fs.String("registry", "", "registry base `URL`")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *reg == "" {
		return badInput("label publish needs DIR (from label issue) and --registry URL")
	}
	env, err := readLimited(filepath.Join(pos[0], "label.json"), 1<<20)
	if err != nil {
		return err
	}
	compact, err := readLimited(filepath.Join(pos[0], "label.qr.txt"), 64<<10)
	if err != nil {
		return err
	}
	l, err := httpapi.NewClient(*reg).Publish(ctx, os.Getenv("IOTLABEL_TOKEN"), bytes.TrimSpace(env), strings.TrimSpace(string(compact)))
	if err != nil {
		return failed("%v", err)
	}
	fmt.Fprintf(e.stdout, "published label %s: tier %d, %s\n", l.ID, l.Tier, strings.ToUpper(l.Status))
	return nil
}

// checkWithTrust verifies a label with the trust store's keys and, when the
// signature verifies, requires the issuer's entry to let it issue labels for
// every scheme the label claims on the day it was issued.
func checkWithTrust(ctx context.Context, data []byte, ts *trust.Store, now time.Time) label.Result {
	r := label.Result{Reason: "no key of the trust store signed this label"}
	for _, e := range ts.Entries {
		if r = label.Check(ctx, data, e.PublicKey(), now); r.Predicate != nil {
			break
		}
	}
	if r.Predicate == nil {
		return label.Result{Form: r.Form, Reason: "no key of the trust store signed this label"}
	}
	var schemes []string
	for _, s := range r.Predicate.Schemes {
		schemes = append(schemes, s.ID)
	}
	if _, err := ts.Issuer(r.Predicate.Issuer.KeyID, schemes, r.Predicate.Issued); err != nil {
		r.Valid, r.Status, r.Reason = false, "untrusted_issuer", err.Error()
	}
	return r
}

// liveStatus asks the registry for the label's status and folds it into r:
// a label the registry does not know, or holds as anything but active, is
// not valid. A registry that cannot be asked returns an error and leaves r
// with status "unknown", never "active".
func liveStatus(ctx context.Context, base string, r *label.Result) error {
	id := r.Predicate.LabelID
	l, err := httpapi.NewClient(base).Label(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.Valid, r.Status, r.Reason = false, "unknown_to_registry", "the registry "+base+" holds no label "+id
		return nil
	case err != nil:
		r.Valid, r.Status, r.Reason = false, "unknown", "the registry could not be asked: "+err.Error()
		return err
	case l.Status != "active":
		r.Valid, r.Status = false, l.Status
		r.Reason = "the registry says " + l.Status
		if l.StatusReason != "" {
			r.Reason += ": " + l.StatusReason
		}
		return nil
	}
	r.Reason += "; the registry " + base + " says active"
	return nil
}

// readPublicKey reads an issuer public key file (PEM).
func readPublicKey(path string) (label.PublicKey, error) {
	b, err := readLimited(path, 64<<10)
	if err != nil {
		return nil, err
	}
	k, err := label.ParsePublicKey(b)
	if err != nil {
		return nil, badInput("%s: %v", path, err)
	}
	return k, nil
}
