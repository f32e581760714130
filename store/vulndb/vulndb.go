package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/vuln"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ vuln.Source = (*DB)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
  id TEXT NOT NULL, source TEXT NOT NULL, modified TEXT NOT NULL, doc BLOB NOT NULL,
  origin TEXT NOT NULL, imported TEXT NOT NULL, PRIMARY KEY (id, source));
CREATE TABLE IF NOT EXISTS pkg_index (ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
  entry INTEGER NOT NULL, match TEXT NOT NULL, PRIMARY KEY (ecosystem, name, id, source, entry)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cpe_index (vendor TEXT NOT NULL, product TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
  entry INTEGER NOT NULL, match TEXT NOT NULL, PRIMARY KEY (vendor, product, id, source, entry)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kev (cve TEXT PRIMARY KEY, doc BLOB NOT NULL, catalog TEXT NOT NULL, origin TEXT NOT NULL, imported TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS euvd (cve TEXT PRIMARY KEY, doc BLOB NOT NULL, updated TEXT NOT NULL, origin TEXT NOT NULL, imported TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vex (vuln TEXT NOT NULL, product TEXT NOT NULL, document TEXT NOT NULL, doc BLOB NOT NULL,
  origin TEXT NOT NULL, imported TEXT NOT NULL, PRIMARY KEY (vuln, product, document));
`

// schemaVersion is stored in meta; a database of another version is refused.
const schemaVersion = "2"

// DB is an open vulnerability database.
type DB struct {
	sql *sql.DB
	// Now is the clock used for provenance timestamps.
	Now func() time.Time

	mu           sync.Mutex
	cache        map[string]vuln.Advisory // decoded advisories, by source+"/"+id
	byPkg, byCPE *sql.Stmt
	kev, euvd    map[string]vuln.KEVEntry       // loaded on first use
	vex          map[string][]vuln.VEXStatement // by vulnerability ID
}

// DefaultPath is the database file used when none is given: under the user's
// cache directory.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (give --db FILE): %w", err)
	}
	return filepath.Join(dir, "iotlabel", "vulndb.sqlite"), nil
}

// Open opens (creating if needed) the database at path.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open vulnerability database: %w", err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open vulnerability database %s: %w", path, err)
	}
	d := &DB{sql: db, Now: time.Now, cache: map[string]vuln.Advisory{}}
	if err := d.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open vulnerability database %s: %w", path, err)
	}
	return d, nil
}

func (d *DB) init(ctx context.Context) error {
	if _, err := d.sql.ExecContext(ctx, schema); err != nil {
		return err
	}
	var v string
	err := d.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='schema'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = d.sql.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('schema', ?)`, schemaVersion)
		return err
	case err != nil:
		return err
	case v != schemaVersion:
		return fmt.Errorf("database schema version %s, this iotlabel reads version %s; import into a new file", v, schemaVersion)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	for _, st := range []*sql.Stmt{d.byPkg, d.byCPE} {
		if st != nil {
			st.Close()
		}
	}
	return d.sql.Close()
}

// timeKey formats a time so that string order is time order.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// Stats counts what an import changed.
type Stats struct {
	Added, Updated, Unchanged int
	KEV, EUVD, VEX            int
}

// Import stores batches in one transaction; see [Importer].
func (d *DB) Import(ctx context.Context, origin string, batches []vuln.Batch) (Stats, error) {
	im, err := d.BeginImport(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer im.Rollback()
	for _, b := range batches {
		if err := im.Add(ctx, origin, b); err != nil {
			return im.Stats, err
		}
	}
	return im.Stats, im.Commit()
}

// Importer adds batches inside one transaction, so that an import that fails
// half-way leaves the database as it was.
type Importer struct {
	d     *DB
	tx    *sql.Tx
	now   string
	Stats Stats
}

// BeginImport starts an import.
func (d *DB) BeginImport(ctx context.Context) (*Importer, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Importer{d: d, tx: tx, now: timeKey(d.Now())}, nil
}

// Add stores one batch: advisories are inserted, replaced when the incoming
// record is newer, or left alone; KEV entries and VEX statements are replaced.
// origin records where the data came from.
func (im *Importer) Add(ctx context.Context, origin string, b vuln.Batch) error {
	tx, now := im.tx, im.now
	for i := range b.Advisories {
		if err := upsert(ctx, tx, &b.Advisories[i], origin, now, &im.Stats); err != nil {
			return err
		}
	}
	if !b.Newest.IsZero() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=MAX(value, excluded.value)`,
			"newest:"+b.Kind, timeKey(b.Newest)); err != nil {
			return err
		}
	}
	for _, k := range b.KEV {
		doc, _ := json.Marshal(k)
		if k.Source == vuln.SourceEUVD {
			if _, err := tx.ExecContext(ctx, `INSERT INTO euvd(cve, doc, updated, origin, imported) VALUES (?,?,?,?,?)
				ON CONFLICT(cve) DO UPDATE SET doc=excluded.doc, updated=excluded.updated, origin=excluded.origin, imported=excluded.imported
				WHERE excluded.updated >= euvd.updated`, k.CVE, doc, timeKey(k.Updated), origin, now); err != nil {
				return fmt.Errorf("store EUVD %s: %w", k.CVE, err)
			}
			im.Stats.EUVD++
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kev(cve, doc, catalog, origin, imported) VALUES (?,?,?,?,?)
			ON CONFLICT(cve) DO UPDATE SET doc=excluded.doc, catalog=excluded.catalog, origin=excluded.origin, imported=excluded.imported`,
			k.CVE, doc, k.CatalogVersion, origin, now); err != nil {
			return fmt.Errorf("store KEV %s: %w", k.CVE, err)
		}
		im.Stats.KEV++
	}
	for _, v := range b.VEX {
		doc, _ := json.Marshal(v)
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO vex(vuln, product, document, doc, origin, imported) VALUES (?,?,?,?,?,?)`,
			v.Vulnerability, v.Product, v.Document, doc, origin, now); err != nil {
			return fmt.Errorf("store VEX %s: %w", v.Vulnerability, err)
		}
		im.Stats.VEX++
	}
	return nil
}

// Commit makes the import visible.
func (im *Importer) Commit() error {
	if err := im.tx.Commit(); err != nil {
		return err
	}
	im.d.Forget()
	return nil
}

// Rollback abandons the import; after Commit it does nothing.
func (im *Importer) Rollback() { _ = im.tx.Rollback() }

func upsert(ctx context.Context, tx *sql.Tx, a *vuln.Advisory, origin, now string, st *Stats) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return err
	}
	var old string
	err = tx.QueryRowContext(ctx, `SELECT modified FROM advisories WHERE id=? AND source=?`, a.ID, a.Source).Scan(&old)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	mod := timeKey(a.Modified)
	if exists && mod <= old {
		st.Unchanged++
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO advisories(id, source, modified, doc, origin, imported) VALUES (?,?,?,?,?,?)`,
		a.ID, a.Source, mod, doc, origin, now); err != nil {
		return fmt.Errorf("store %s: %w", a.ID, err)
	}
	if exists {
		st.Updated++
		for _, t := range []string{"pkg_index", "cpe_index"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE id=? AND source=?`, a.ID, a.Source); err != nil {
				return err
			}
		}
	} else {
		st.Added++
	}
	for i, af := range a.Affected {
		m := vuln.EncodeMatch(af)
		if af.Package != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pkg_index(ecosystem, name, id, source, entry, match) VALUES (?,?,?,?,?,?)`,
				af.Ecosystem, strings.ToLower(af.Package), a.ID, a.Source, i, m); err != nil {
				return err
			}
		}
		if af.Vendor != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cpe_index(vendor, product, id, source, entry, match) VALUES (?,?,?,?,?,?)`,
				af.Vendor, af.Product, a.ID, a.Source, i, m); err != nil {
				return err
			}
		}
	}
	return nil
}
