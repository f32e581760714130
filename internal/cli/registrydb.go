package cli

import (
	"context"
	"os"
	"strings"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/store/sqlstore"
)

// registryDBHelp describes the --db flag of the registry commands.
const registryDBHelp = "registry database: a SQLite `FILE` or a postgres:// URL (default $IOTLABEL_DB, else iotlabel.db; serve --demo: a new temporary file)"

// registryDB resolves the --db flag: the flag, else $IOTLABEL_DB (so a
// PostgreSQL password need not appear on the command line), else "" (the
// caller's own default). The flag's default is "" so that --help never
// prints the environment's value.
func registryDB(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv("IOTLABEL_DB")
}

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// registryLeader elects the one serve process, among those sharing the
// database spec, that runs the background work: by an advisory lock on
// PostgreSQL; a SQLite file has one process, which always leads.
func registryLeader(spec string) store.Leader {
	if isPostgres(spec) {
		return postgres.Leader{DSN: spec}
	}
	return store.Solo{}
}

// openRegistryDB opens the registry store named by spec: PostgreSQL for a
// postgres:// or postgresql:// URL, SQLite otherwise.
func openRegistryDB(ctx context.Context, spec string) (*sqlstore.DB, error) {
	if isPostgres(spec) {
		db, err := postgres.Open(ctx, postgres.Config{DSN: spec})
		if err != nil {
			return nil, badInput("%v (check the URL in --db or $IOTLABEL_DB and that the server is running)", err)
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, sqlite.Config{Path: spec})
	if err != nil {
		return nil, badInput("%v", err)
	}
	return db, nil
}
