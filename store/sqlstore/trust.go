package sqlstore

import (
	"context"
	"time"
)

// PutTrustEntry implements store.Store.
func (d *DB) PutTrustEntry(ctx context.Context, keyID string, entry []byte, ev Event) (Event, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return ev, err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, d.q(`INSERT INTO trust_entries(key_id, entry, updated) VALUES (?,?,?)
		ON CONFLICT (key_id) DO UPDATE SET entry = excluded.entry, updated = excluded.updated`), keyID, string(entry), ts(time.Now()))
	if err != nil {
		return ev, err
	}
	if ev, err = d.appendEvent(ctx, tx, ev); err != nil {
		return ev, err
	}
	return ev, tx.Commit()
}

// TrustEntries implements store.Store.
func (d *DB) TrustEntries(ctx context.Context) ([][]byte, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT entry FROM trust_entries ORDER BY key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, []byte(e))
	}
	return out, rows.Err()
}
