package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/iotlabel/iotlabel/store"
)

// keepDeliveries bounds each subscription's delivery log.
const keepDeliveries = 1000

const subCols = `id, org, token_id, url, secret, created, manufacturer, model, market, cursor_seq, attempts, next_attempt, last_error`

// subSelect reads subscriptions with whether the token that made each has
// been revoked since.
const subSelect = `SELECT s.id, s.org, s.token_id, s.url, s.secret, s.created, s.manufacturer, s.model, s.market, s.cursor_seq,
	s.attempts, s.next_attempt, s.last_error, COALESCE(t.revoked, '') FROM subscriptions s LEFT JOIN tokens t ON t.id = s.token_id`

func scanSub(row interface{ Scan(...any) error }) (store.Subscription, error) {
	var s store.Subscription
	var created, next, revoked string
	err := row.Scan(&s.ID, &s.Org, &s.TokenID, &s.URL, &s.Secret, &created, &s.Manufacturer, &s.Model, &s.Market,
		&s.Cursor, &s.Attempts, &next, &s.LastError, &revoked)
	s.TokenRevoked = revoked != ""
	s.Created = parseTS(created)
	if next != "" {
		s.NextAttempt = parseTS(next)
	}
	return s, err
}

// LastSeq implements store.Store.
func (d *DB) LastSeq(ctx context.Context) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&n)
	return n, err
}

// CreateSubscription implements store.Store.
func (d *DB) CreateSubscription(ctx context.Context, s store.Subscription) error {
	_, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO subscriptions(`+subCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		s.ID, s.Org, s.TokenID, s.URL, s.Secret, ts(s.Created), s.Manufacturer, s.Model, s.Market, s.Cursor, 0, "", "")
	if err != nil && d.dialect.IsConflict(err) {
		return fmt.Errorf("subscription %s: %w", s.ID, store.ErrConflict)
	}
	return err
}

// Subscription implements store.Store.
func (d *DB) Subscription(ctx context.Context, id string) (store.Subscription, error) {
	s, err := scanSub(d.sql.QueryRowContext(ctx, d.q(subSelect+` WHERE s.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	}
	return s, err
}

// Subscriptions implements store.Store.
func (d *DB) Subscriptions(ctx context.Context, org string) ([]store.Subscription, error) {
	rows, err := d.sql.QueryContext(ctx, d.q(subSelect+` WHERE ? = '' OR s.org = ? ORDER BY s.id`), org, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Subscription{}
	for rows.Next() {
		s, err := scanSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSubscription implements store.Store.
func (d *DB) DeleteSubscription(ctx context.Context, id string) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, d.q(`DELETE FROM subscriptions WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, d.q(`DELETE FROM deliveries WHERE subscription_id = ?`), id); err != nil {
		return err
	}
	return tx.Commit()
}

// AdvanceSubscription implements store.Store.
func (d *DB) AdvanceSubscription(ctx context.Context, id string, from, to int64, dl *store.Delivery) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, d.q(`UPDATE subscriptions SET cursor_seq = ?, attempts = 0, next_attempt = '', last_error = ''
		WHERE id = ? AND cursor_seq = ?`), to, id, from)
	if err != nil {
		return err
	}
	if err := d.subChanged(ctx, tx, res, id); err != nil {
		return err
	}
	if dl != nil {
		if err := d.recordDelivery(ctx, tx, *dl); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// FailSubscription implements store.Store.
func (d *DB) FailSubscription(ctx context.Context, id string, at int64, next time.Time, dl store.Delivery) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, d.q(`UPDATE subscriptions SET attempts = attempts + 1, next_attempt = ?, last_error = ?
		WHERE id = ? AND cursor_seq = ?`), ts(next), cmp.Or(dl.Error, statusText(dl.StatusCode)), id, at)
	if err != nil {
		return err
	}
	if err := d.subChanged(ctx, tx, res, id); err != nil {
		return err
	}
	if err := d.recordDelivery(ctx, tx, dl); err != nil {
		return err
	}
	return tx.Commit()
}

func statusText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprintf("HTTP %d", code)
}

// subChanged turns a conditional update that matched no row into
// ErrNotFound or ErrStale.
func (d *DB) subChanged(ctx context.Context, tx *sql.Tx, res sql.Result, id string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var cur int64
	err := tx.QueryRowContext(ctx, d.q(`SELECT cursor_seq FROM subscriptions WHERE id = ?`), id).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	} else if err != nil {
		return err
	}
	return fmt.Errorf("subscription %s is at event %d: %w", id, cur, store.ErrStale)
}

func (d *DB) recordDelivery(ctx context.Context, tx *sql.Tx, dl store.Delivery) error {
	_, err := tx.ExecContext(ctx, d.q(`INSERT INTO deliveries(subscription_id, seq, attempt, time, status_code, error, duration_ns)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT (subscription_id, seq, attempt) DO NOTHING`),
		dl.Subscription, dl.Seq, dl.Attempt, ts(dl.Time), dl.StatusCode, dl.Error, int64(dl.Duration))
	if err != nil {
		return err
	}
	// Keep the newest rows only; the cursor, not the log, is the record.
	_, err = tx.ExecContext(ctx, d.q(`DELETE FROM deliveries WHERE subscription_id = ? AND seq < ?`), dl.Subscription, dl.Seq-keepDeliveries)
	return err
}

// Deliveries implements store.Store.
func (d *DB) Deliveries(ctx context.Context, id string, limit int) ([]store.Delivery, error) {
	if limit <= 0 || limit > keepDeliveries {
		limit = keepDeliveries
	}
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT subscription_id, seq, attempt, time, status_code, error, duration_ns
		FROM deliveries WHERE subscription_id = ? ORDER BY seq DESC, attempt DESC LIMIT ?`), id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Delivery{}
	for rows.Next() {
		var dl store.Delivery
		var t string
		var dur int64
		if err := rows.Scan(&dl.Subscription, &dl.Seq, &dl.Attempt, &t, &dl.StatusCode, &dl.Error, &dur); err != nil {
			return nil, err
		}
		dl.Time, dl.Duration = parseTS(t), time.Duration(dur)
		out = append(out, dl)
	}
	return out, rows.Err()
}
