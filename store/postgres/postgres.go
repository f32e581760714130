// Package postgres opens the registry store on PostgreSQL (or a
// PostgreSQL-compatible distributed SQL engine) through pgx's database/sql
// driver. It is held to the same conformance suite as store/sqlite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/iotlabel/iotlabel/store/sqlstore"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config configures a store.
type Config struct {
	// DSN is a PostgreSQL connection string, e.g. postgres://user@host/db.
	DSN string
	// MaxConns bounds the connections one process opens (default 16);
	// replicas times MaxConns must stay below the server's max_connections.
	MaxConns int
}

// DB is a registry store in PostgreSQL.
type DB = sqlstore.DB

// eventLock serializes event appends until commit (key: "iotlabel events").
const eventLock = `SELECT pg_advisory_xact_lock(7306105648217935987)`

// Open connects, migrates and returns the store.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db, err := sql.Open("pgx", cfg.DSN)
	if err != nil {
		return nil, err
	}
	// Keep the connections open: database/sql keeps only two idle by
	// default, so under load most requests paid for a new PostgreSQL
	// backend, and three replicas' lookups waited up to a second.
	conns := cfg.MaxConns
	if conns <= 0 {
		conns = 16
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	var s *DB
	err = migrating(ctx, cfg.DSN, func() (err error) {
		s, err = sqlstore.New(ctx, db, sqlstore.Dialect{Numbered: true, IsConflict: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
		}, EventLock: eventLock, ForUpdate: " FOR UPDATE"}, sub)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return s, nil
}
