package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/trust"
)

const trustUsage = `trust show --registry URL [--out FILE]
trust add --registry URL --pubkey PREFIX.pub --holder NAME --role lab|scheme_owner|manufacturer|tool_operator
          [--checks ID,...] [--schemes ID,...] [--valid-from DATE] --valid-until DATE
trust revoke --registry URL KEY-ID --reason TEXT

The registry's trust store says who may attest which checks and issue labels for which schemes
(docs/formats.md, "Trust store"). show writes it in the file format --trust reads; add and revoke
change it (scheme owners and admins; the token comes from $IOTLABEL_TOKEN). Every change is an
event in the registry's transparency log; a revoked key stays revoked. Anywhere --trust takes a
file, it also takes the registry's URL: --trust https://registry.example/v1/trust.yaml.`

func runTrust(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", trustUsage)
		if len(args) == 0 {
			return badInput("trust needs a subcommand: show, add or revoke")
		}
		return nil
	}
	sub := args[0]
	if sub != "show" && sub != "add" && sub != "revoke" {
		return badInput("unknown trust subcommand %q (want show, add or revoke)", sub)
	}
	fs := e.newFlags("trust "+sub, trustUsage)
	reg := fs.String("registry", "", "registry base `URL`")
	out := fs.String("out", "", "write to `FILE` instead of standard output (show)")
	pubPath := fs.String("pubkey", "", "the key's public key `FILE` (add)")
	holder := fs.String("holder", "", "the `ORGANISATION` holding the key (add)")
	role := fs.String("role", "", "the key's `ROLE` (add)")
	checks := fs.String("checks", "", "check `IDS` it may attest, comma-separated; * for all (add)")
	schemes := fs.String("schemes", "", "scheme `IDS` it may issue labels for, comma-separated; * for all (add)")
	from := fs.String("valid-from", "", "first day of the accreditation, `YYYY-MM-DD` (add; default today)")
	until := fs.String("valid-until", "", "last day of the accreditation, `YYYY-MM-DD` (add)")
	reason := fs.String("reason", "", "why the key is revoked (revoke)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if *reg == "" {
		return badInput("trust %s needs --registry URL", sub)
	}
	c := httpapi.NewClient(*reg)
	token := os.Getenv("IOTLABEL_TOKEN")
	switch sub {
	case "show":
		b, err := c.TrustYAML(ctx)
		if err != nil {
			return badInput("%v", err)
		}
		return e.writeOutput(*out, func(w io.Writer) error { _, err := w.Write(b); return err })
	case "add":
		if *pubPath == "" || *holder == "" || *role == "" || *until == "" || len(pos) != 0 {
			return badInput("trust add needs --pubkey, --holder, --role and --valid-until")
		}
		pem, err := readLimited(*pubPath, 64<<10)
		if err != nil {
			return err
		}
		if _, err := label.ParsePublicKey(pem); err != nil {
			return badInput("%s: %v", *pubPath, err)
		}
		en := &trust.Entry{Key: string(pem), Holder: *holder, Role: *role, Checks: splitList(*checks), Schemes: splitList(*schemes),
			ValidFrom: *from, ValidUntil: *until}
		if en.ValidFrom == "" {
			en.ValidFrom = e.now().UTC().Format(time.DateOnly)
		}
		if err := en.Validate(); err != nil {
			return badInput("%v", err)
		}
		got, err := c.Accredit(ctx, token, en)
		if err != nil {
			return badInput("%v", err)
		}
		fmt.Fprintf(e.stdout, "accredited key %s of %s (%s) from %s to %s\n", got.KeyID, got.Holder, got.Role, got.ValidFrom, got.ValidUntil)
		return nil
	}
	if len(pos) != 1 || *reason == "" {
		return badInput("trust revoke needs KEY-ID and --reason")
	}
	got, err := c.RevokeAccreditation(ctx, token, pos[0], *reason)
	if err != nil {
		return badInput("%v", err)
	}
	fmt.Fprintf(e.stdout, "revoked key %s of %s from %s: %s\n", got.KeyID, got.Holder, got.Revoked, got.RevokedReason)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
