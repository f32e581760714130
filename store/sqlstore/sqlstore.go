// Package sqlstore implements store.Store over database/sql for both SQLite
// and PostgreSQL: the queries are written once, with "?" placeholders that the
// dialect rebinds. Migrations in portable SQL live here (migrations/); each
// engine brings those that need its own types (the first, which creates the
// core tables). The store/sqlite and store/postgres packages open the
// database and pass theirs in.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/store"
)

var _ store.Store = (*DB)(nil)

// Dialect says how an engine differs: its placeholders and how it reports a
// unique-key violation.
type Dialect struct {
	// Numbered placeholders ($1, $2…) instead of "?".
	Numbered bool
	// IsConflict reports whether err is a unique-key violation.
	IsConflict func(error) bool
	// EventLock, when set, is run in a transaction before it appends an
	// event: a lock held until commit, so that events get their sequence
	// numbers in commit order (PostgreSQL's pg_advisory_xact_lock). SQLite
	// needs none: its write transactions begin IMMEDIATE and run one at a time.
	EventLock string
	// ForUpdate is appended to a SELECT that reads a row the transaction
	// will write under (" FOR UPDATE" on PostgreSQL; SQLite's IMMEDIATE
	// transactions already hold the write lock).
	ForUpdate string
}

// DB is a registry store on a database/sql connection.
type DB struct {
	sql        *sql.DB
	dialect    Dialect
	migrations fs.FS
	// beforeCommit, when set (tests only), runs after a write transaction's
	// event is appended and before it commits.
	beforeCommit func()
	// byID is the hot lookup, prepared once: parsing the SQL on every call
	// cost more than running it.
	byID *sql.Stmt
}

const timeFormat = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

//go:embed migrations/*.sql
var portable embed.FS

// New migrates db with the engine's migrations in fsys and the portable ones
// (numbered *.sql files, applied once each, in version order) and returns
// the store.
func New(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS) (*DB, error) {
	s := &DB{sql: db, dialect: d, migrations: fsys}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	var err error
	if s.byID, err = db.PrepareContext(ctx, s.q(`SELECT `+labelCols+` FROM labels WHERE id = ?`)); err != nil {
		return nil, err
	}
	return s, nil
}

// q rebinds "?" placeholders for the dialect.
func (d *DB) q(query string) string {
	if !d.dialect.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied TEXT NOT NULL)`); err != nil {
		return err
	}
	type migration struct {
		version string
		fsys    fs.FS
		name    string
	}
	var all []migration
	for _, src := range []struct {
		fsys fs.FS
		dir  string
	}{{d.migrations, "."}, {portable, "migrations"}} {
		names, err := fs.Glob(src.fsys, path.Join(src.dir, "*.sql"))
		if err != nil {
			return err
		}
		for _, n := range names {
			all = append(all, migration{strings.TrimSuffix(path.Base(n), ".sql"), src.fsys, n})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	for i, m := range all {
		if i > 0 && strings.SplitN(m.version, "_", 2)[0] == strings.SplitN(all[i-1].version, "_", 2)[0] {
			return fmt.Errorf("migrations %s and %s share a number", all[i-1].version, m.version)
		}
		version := m.version
		var v string
		err := d.sql.QueryRowContext(ctx, d.q(`SELECT version FROM schema_migrations WHERE version = ?`), version).Scan(&v)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		body, err := fs.ReadFile(m.fsys, m.name)
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
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO schema_migrations(version, applied) VALUES (?, ?)`), version, ts(time.Now())); err != nil {
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
func (d *DB) Close() error {
	d.byID.Close()
	return d.sql.Close()
}

// appendEvent appends ev as the next event. Sequence numbers are gapless and
// in commit order: the next number is taken under a lock held until the
// transaction ends (Dialect.EventLock, or SQLite's single writer), so a
// reader of "events since N" never sees N+2 while N+1 is still to commit.
func (d *DB) appendEvent(ctx context.Context, tx *sql.Tx, ev Event) (Event, error) {
	if d.dialect.EventLock != "" {
		if _, err := tx.ExecContext(ctx, d.dialect.EventLock); err != nil {
			return ev, fmt.Errorf("event lock: %w", err)
		}
	}
	err := tx.QueryRowContext(ctx, d.q(`INSERT INTO events(seq, time, label_id, kind, status, reason, actor)
		SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM events RETURNING seq`),
		ts(ev.Time), ev.LabelID, ev.Kind, ev.Status, ev.Reason, ev.Actor).Scan(&ev.Seq)
	if err == nil && d.beforeCommit != nil {
		d.beforeCommit()
	}
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
	_, err = tx.ExecContext(ctx, d.q(`INSERT INTO labels(id, manufacturer, model, firmware, tier, markets, support_end, issued, expires, key_id,
		status, status_reason, updated, envelope, compact) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		l.ID, l.Manufacturer, l.Model, string(fw), l.Tier, string(mk), l.SupportEnd, ts(l.Issued), ts(l.Expires), l.KeyID,
		l.Status, l.StatusReason, ts(l.Updated), l.Envelope, l.Compact)
	if err != nil {
		if d.dialect.IsConflict(err) {
			return ev, fmt.Errorf("label %s: %w", l.ID, store.ErrConflict)
		}
		return ev, err
	}
	for _, f := range l.Firmware {
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO label_firmware(label_id, firmware) VALUES (?,?) ON CONFLICT DO NOTHING`), l.ID, f); err != nil {
			return ev, err
		}
	}
	if ev, err = d.appendEvent(ctx, tx, ev); err != nil {
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
	l, err := scanLabel(d.byID.QueryRowContext(ctx, id))
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
	for _, st := range q.ExcludeStatuses {
		add("status <> ?", st)
	}
	order := "issued DESC, id"
	switch {
	case q.BySupportEnd:
		if q.AfterSupportEnd != "" || q.AfterID != "" {
			where = append(where, "(support_end > ? OR (support_end = ? AND id > ?))")
			args = append(args, q.AfterSupportEnd, q.AfterSupportEnd, q.AfterID)
		}
		order = "support_end, id"
	case q.ByID:
		add("id > ?", q.AfterID)
		order = "id"
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT `+labelCols+` FROM labels WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order+` LIMIT ?`), append(args, limit)...)
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

// SetSBOM implements store.Store.
func (d *DB) SetSBOM(ctx context.Context, labelID string, components []byte, at time.Time) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT 1 FROM labels WHERE id = ?`), labelID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("label %s: %w", labelID, store.ErrNotFound)
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO label_sboms (label_id, components, updated) VALUES (?, ?, ?)
		ON CONFLICT (label_id) DO UPDATE SET components = excluded.components, updated = excluded.updated`),
		labelID, string(components), ts(at)); err != nil {
		return err
	}
	return tx.Commit()
}

// SBOM implements store.Store.
func (d *DB) SBOM(ctx context.Context, labelID string) ([]byte, error) {
	var c string
	err := d.sql.QueryRowContext(ctx, d.q(`SELECT components FROM label_sboms WHERE label_id = ?`), labelID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("SBOM of label %s: %w", labelID, store.ErrNotFound)
	}
	return []byte(c), err
}

// SetStatus implements store.Store.
func (d *DB) SetStatus(ctx context.Context, id, from, status, reason string, ev Event) (Event, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return ev, err
	}
	defer tx.Rollback()
	// Compare and set: the change applies only if the label is still in the
	// status the caller decided from.
	res, err := tx.ExecContext(ctx, d.q(`UPDATE labels SET status = ?, status_reason = ?, updated = ? WHERE id = ? AND status = ?`),
		status, reason, ts(ev.Time), id, from)
	if err != nil {
		return ev, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var now string
		err := tx.QueryRowContext(ctx, d.q(`SELECT status FROM labels WHERE id = ?`), id).Scan(&now)
		if errors.Is(err, sql.ErrNoRows) {
			return ev, fmt.Errorf("label %s: %w", id, store.ErrNotFound)
		} else if err != nil {
			return ev, err
		}
		return ev, &store.StaleError{ID: id, Expected: from, Current: now}
	}
	if ev, err = d.appendEvent(ctx, tx, ev); err != nil {
		return ev, err
	}
	return ev, tx.Commit()
}

// Events implements store.Store.
func (d *DB) Events(ctx context.Context, since int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT seq, time, label_id, kind, status, reason, actor FROM events WHERE seq > ? ORDER BY seq LIMIT ?`), since, limit)
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

// LabelEvents implements store.Store.
func (d *DB) LabelEvents(ctx context.Context, labelID string) ([]Event, []int64, error) {
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT seq, time, label_id, kind, status, reason, actor,
		(SELECT COUNT(*) FROM events b WHERE b.seq < e.seq) FROM events e WHERE label_id = ? ORDER BY seq`), labelID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Event
	var pos []int64
	for rows.Next() {
		var e Event
		var t string
		var p int64
		if err := rows.Scan(&e.Seq, &t, &e.LabelID, &e.Kind, &e.Status, &e.Reason, &e.Actor, &p); err != nil {
			return nil, nil, err
		}
		e.Time = parseTS(t)
		out, pos = append(out, e), append(pos, p)
	}
	return out, pos, rows.Err()
}

// CreateToken implements store.Store.
func (d *DB) CreateToken(ctx context.Context, t store.Token) error {
	_, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO tokens(id, hash, role, org, name, created) VALUES (?,?,?,?,?,?)`),
		t.ID, t.Hash, t.Role, t.Org, t.Name, ts(t.Created))
	if err != nil && d.dialect.IsConflict(err) {
		return fmt.Errorf("token %s: %w", t.ID, store.ErrConflict)
	}
	return err
}

// TokenByHash implements store.Store.
func (d *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	var t store.Token
	var created, revoked string
	err := d.sql.QueryRowContext(ctx, d.q(`SELECT id, hash, role, org, name, created, revoked FROM tokens WHERE hash = ?`), hash).
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
	res, err := d.sql.ExecContext(ctx, d.q(`UPDATE tokens SET revoked = ? WHERE id = ?`), ts(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	return nil
}
