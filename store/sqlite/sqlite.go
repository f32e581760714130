// Package sqlite opens the registry store on a SQLite file with the pure-Go
// modernc driver: no server, no cgo. WAL mode with synchronous=FULL makes
// every acknowledged write survive a crash. Transactions begin IMMEDIATE, so a
// writer waits for the write lock (busy timeout) before it reads, instead of
// failing with SQLITE_BUSY when a read lock cannot be upgraded.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"

	"github.com/iotlabel/iotlabel/store/sqlstore"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config configures a store.
type Config struct {
	// Path is the database file.
	Path string
}

// DB is a registry store in one SQLite file.
type DB = sqlstore.DB

// Open opens (creating and migrating if needed) the store at cfg.Path.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite store: no path")
	}
	db, err := sql.Open("sqlite", "file:"+cfg.Path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// Keep connections open: database/sql keeps only two idle by default,
	// and reopening a SQLite connection (file open, pragmas, schema read)
	// costs far more than a lookup. Readers run in parallel under WAL.
	conns := max(4, 2*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	sub, _ := fs.Sub(migrations, "migrations")
	s, err := sqlstore.New(ctx, db, sqlstore.Dialect{IsConflict: func(err error) bool {
		return strings.Contains(err.Error(), "UNIQUE constraint") || strings.Contains(err.Error(), "PRIMARY KEY")
	}}, sub)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", cfg.Path, err)
	}
	return s, nil
}
