// Package sqlite implements store.Store on a SQLite file with the pure-Go
// modernc driver: no server, no cgo. Schema changes are numbered SQL files in
// migrations/, applied in order inside transactions and recorded in
// schema_migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ store.Store = (*DB)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Config configures a store.
type Config struct {
	// Path is the database file; ":memory:" is not supported (use a temp file).
	Path string
}

// DB is a registry store in one SQLite file.
type DB struct {
	sql *sql.DB
}

const timeFormat = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// Open opens (creating and migrating if needed) the store at cfg.Path. WAL mode
// and synchronous=FULL make every acknowledged write survive a crash.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite store: no path")
	}
	db, err := sql.Open("sqlite", "file:"+cfg.Path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, err
	}
	d := &DB{sql: db}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store %s: %w", cfg.Path, err)
	}
	return d, nil
}

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(n, "migrations/"), ".sql")
		var v string
		err := d.sql.QueryRowContext(ctx, `SELECT version FROM schema_migrations WHERE version = ?`, version).Scan(&v)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		body, err := migrations.ReadFile(n)
		if err != nil {
			return err
		}
		tx, err := d.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied) VALUES (?, ?)`, version, ts(time.Now())); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

func appendEvent(ctx context.Context, tx *sql.Tx, ev Event) (Event, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO events(time, label_id, kind, status, reason, actor) VALUES (?,?,?,?,?,?)`,
		ts(ev.Time), ev.LabelID, ev.Kind, ev.Status, ev.Reason, ev.Actor)
	if err != nil {
		return ev, err
	}
	ev.Seq, err = res.LastInsertId()
	return ev, err
}

// Event is store.Event, named here for brevity.
type Event = store.Event

// CreateLabel implements store.Store.
func (d *DB) CreateLabel(ctx context.Context, l store.Label, ev Event) (Event, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return ev, err
	}
	defer tx.Rollback()
	fw, _ := json.Marshal(l.Firmware)
	mk, _ := json.Marshal(l.Markets)
	_, err = tx.ExecContext(ctx, `INSERT INTO labels(id, manufacturer, model, firmware, tier, markets, support_end, issued, expires, key_id,
		status, status_reason, updated, envelope, compact) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		l.ID, l.Manufacturer, l.Model, string(fw), l.Tier, string(mk), l.SupportEnd, ts(l.Issued), ts(l.Expires), l.KeyID,
		l.Status, l.StatusReason, ts(l.Updated), l.Envelope, l.Compact)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY") {
			return ev, fmt.Errorf("label %s: %w", l.ID, store.ErrConflict)
		}
		return ev, err
	}
	for _, f := range l.Firmware {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO label_firmware(label_id, firmware) VALUES (?,?)`, l.ID, f); err != nil {
			return ev, err
		}
	}
	if ev, err = appendEvent(ctx, tx, ev); err != nil {
		return ev, err
	}
	return ev, tx.Commit()
}

const labelCols = `id, manufacturer, model, firmware, tier, markets, support_end, issued, expires, key_id, status, status_reason, updated, envelope, compact`

func scanLabel(row interface{ Scan(...any) error }) (store.Label, error) {
	var l store.Label
	var fw, mk, issued, expires, updated string
	err := row.Scan(&l.ID, &l.Manufacturer, &l.Model, &fw, &l.Tier, &mk, &l.SupportEnd, &issued, &expires, &l.KeyID,
		&l.Status, &l.StatusReason, &updated, &l.Envelope, &l.Compact)
	if err != nil {
		return l, err
	}
	json.Unmarshal([]byte(fw), &l.Firmware)
	json.Unmarshal([]byte(mk), &l.Markets)
	l.Issued, l.Expires, l.Updated = parseTS(issued), parseTS(expires), parseTS(updated)
	return l, nil
}

// Label implements store.Store.
func (d *DB) Label(ctx context.Context, id string) (store.Label, error) {
	l, err := scanLabel(d.sql.QueryRowContext(ctx, `SELECT `+labelCols+` FROM labels WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("label %s: %w", id, store.ErrNotFound)
	}
	return l, err
}

// Labels implements store.Store.
func (d *DB) Labels(ctx context.Context, q store.LabelQuery) ([]store.Label, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if q.Manufacturer != "" {
		add("manufacturer = ?", q.Manufacturer)
	}
	if q.Model != "" {
		add("model = ?", q.Model)
	}
	if q.Status != "" {
		add("status = ?", q.Status)
	}
	if q.Firmware != "" {
		add("id IN (SELECT label_id FROM label_firmware WHERE firmware = ?)", q.Firmware)
	}
	if q.SupportEndsBefore != "" {
		add("support_end < ?", q.SupportEndsBefore)
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT `+labelCols+` FROM labels WHERE `+strings.Join(where, " AND ")+
		` ORDER BY issued DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Label{}
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetStatus implements store.Store.
func (d *DB) SetStatus(ctx context.Context, id, status, reason string, ev Event) (Event, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return ev, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE labels SET status = ?, status_reason = ?, updated = ? WHERE id = ?`, status, reason, ts(ev.Time), id)
	if err != nil {
		return ev, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ev, fmt.Errorf("label %s: %w", id, store.ErrNotFound)
	}
	if ev, err = appendEvent(ctx, tx, ev); err != nil {
		return ev, err
	}
	return ev, tx.Commit()
}

// Events implements store.Store.
func (d *DB) Events(ctx context.Context, since int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT seq, time, label_id, kind, status, reason, actor FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, since, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var t string
		if err := rows.Scan(&e.Seq, &t, &e.LabelID, &e.Kind, &e.Status, &e.Reason, &e.Actor); err != nil {
			return nil, err
		}
		e.Time = parseTS(t)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CreateToken implements store.Store.
func (d *DB) CreateToken(ctx context.Context, t store.Token) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO tokens(id, hash, role, org, name, created) VALUES (?,?,?,?,?,?)`,
		t.ID, t.Hash, t.Role, t.Org, t.Name, ts(t.Created))
	if err != nil && (strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY")) {
		return fmt.Errorf("token %s: %w", t.ID, store.ErrConflict)
	}
	return err
}

// TokenByHash implements store.Store.
func (d *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	var t store.Token
	var created, revoked string
	err := d.sql.QueryRowContext(ctx, `SELECT id, hash, role, org, name, created, revoked FROM tokens WHERE hash = ?`, hash).
		Scan(&t.ID, &t.Hash, &t.Role, &t.Org, &t.Name, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	t.Created = parseTS(created)
	if revoked != "" {
		t.Revoked = parseTS(revoked)
	}
	return t, err
}

// RevokeToken implements store.Store.
func (d *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := d.sql.ExecContext(ctx, `UPDATE tokens SET revoked = ? WHERE id = ?`, ts(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	return nil
}
