package cli

import (
	"cmp"
	"context"
	"fmt"

	"github.com/iotlabel/iotlabel/registry"
)

const tokensUsage = `tokens create [--db FILE|URL] --role admin|scheme_owner|lab|manufacturer --org ORG [--name NAME]
tokens revoke [--db FILE|URL] TOKEN-ID

create prints a new API token once; only its hash is stored. revoke stops a token at once.`

func runTokens(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", tokensUsage)
		if len(args) == 0 {
			return badInput("tokens needs a subcommand: create or revoke")
		}
		return nil
	}
	sub := args[0]
	if sub != "create" && sub != "revoke" {
		return badInput("unknown tokens subcommand %q (want create or revoke)", sub)
	}
	fs := e.newFlags("tokens "+sub, tokensUsage)
	dbPath := fs.String("db", "", registryDBHelp)
	role := fs.String("role", "", "token `ROLE`")
	org := fs.String("org", "", "`ORG`anisation the token acts for")
	name := fs.String("name", "", "a `NAME` to recognise the token by")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	db, err := openRegistryDB(ctx, cmp.Or(registryDB(*dbPath), "iotlabel.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := registry.New(registry.Config{Store: db, Now: e.now})
	if err != nil {
		return err
	}
	if sub == "revoke" {
		if len(pos) != 1 {
			return badInput("tokens revoke needs one TOKEN-ID")
		}
		if err := db.RevokeToken(ctx, pos[0], e.now()); err != nil {
			return badInput("%v", err)
		}
		fmt.Fprintf(e.stdout, "revoked %s\n", pos[0])
		return nil
	}
	if *role == "" || *org == "" {
		return badInput("tokens create needs --role and --org")
	}
	secret, t, err := svc.CreateToken(ctx, *role, *org, *name)
	if err != nil {
		return badInput("%v", err)
	}
	fmt.Fprintf(e.stdout, "%s\n", secret)
	fmt.Fprintf(e.stderr, "token %s (%s for %s); the secret above is shown once\n", t.ID, t.Role, t.Org)
	return nil
}
