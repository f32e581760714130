package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/vuln"
)

// Candidates returns the advisories filed under the target's OSV packages and
// CPE vendor:product pairs.
func (d *DB) Candidates(ctx context.Context, t vuln.Target) ([]vuln.Advisory, error) {
	type key struct{ id, source string }
	var keys []key
	seen := map[key]bool{}
	collect := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.id, &k.source); err != nil {
				return err
			}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		return rows.Err()
	}
	for _, p := range t.Packages {
		if err := collect(d.sql.QueryContext(ctx, `SELECT id, source FROM pkg_index WHERE ecosystem=? AND name=?`, p.Ecosystem, strings.ToLower(p.Name))); err != nil {
			return nil, err
		}
	}
	for _, p := range t.Products {
		if err := collect(d.sql.QueryContext(ctx, `SELECT id, source FROM cpe_index WHERE vendor=? AND product=?`, p.Vendor, p.Product)); err != nil {
			return nil, err
		}
	}
	out := make([]vuln.Advisory, 0, len(keys))
	for _, k := range keys {
		a, err := d.advisory(ctx, k.id, k.source)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

const maxCache = 20000

func (d *DB) advisory(ctx context.Context, id, source string) (vuln.Advisory, error) {
	ck := source + "/" + id
	d.mu.Lock()
	a, ok := d.cache[ck]
	d.mu.Unlock()
	if ok {
		return a, nil
	}
	var doc []byte
	if err := d.sql.QueryRowContext(ctx, `SELECT doc FROM advisories WHERE id=? AND source=?`, id, source).Scan(&doc); err != nil {
		return a, fmt.Errorf("read advisory %s: %w", id, err)
	}
	if err := json.Unmarshal(doc, &a); err != nil {
		return a, fmt.Errorf("decode advisory %s: %w", id, err)
	}
	d.mu.Lock()
	if len(d.cache) >= maxCache {
		d.cache = map[string]vuln.Advisory{}
	}
	d.cache[ck] = a
	d.mu.Unlock()
	return a, nil
}

// KEV returns the catalog entry of a CVE.
func (d *DB) KEV(ctx context.Context, cve string) (vuln.KEVEntry, bool, error) {
	var doc []byte
	var k vuln.KEVEntry
	err := d.sql.QueryRowContext(ctx, `SELECT doc FROM kev WHERE cve=?`, cve).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, err
	}
	return k, true, json.Unmarshal(doc, &k)
}

// VEX returns the statements about any of ids.
func (d *DB) VEX(ctx context.Context, ids []string) ([]vuln.VEXStatement, error) {
	var out []vuln.VEXStatement
	for _, id := range ids {
		rows, err := d.sql.QueryContext(ctx, `SELECT doc FROM vex WHERE vuln=?`, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var doc []byte
			var s vuln.VEXStatement
			if err := rows.Scan(&doc); err != nil {
				rows.Close()
				return nil, err
			}
			if err := json.Unmarshal(doc, &s); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Ecosystems counts advisories per OSV ecosystem.
func (d *DB) Ecosystems(ctx context.Context) (map[string]int, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT ecosystem, COUNT(DISTINCT id) FROM pkg_index GROUP BY ecosystem`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var e string
		var n int
		if err := rows.Scan(&e, &n); err != nil {
			return nil, err
		}
		out[e] = n
	}
	return out, rows.Err()
}

// SourceStatus summarises one source in the database.
type SourceStatus struct {
	Source   string    `json:"source"`
	Records  int       `json:"records"`
	Newest   time.Time `json:"newest_modified,omitzero"`
	Imported time.Time `json:"last_imported,omitzero"`
	Catalog  string    `json:"catalog_version,omitempty"`
}

// Status reports record counts per source, the newest modification time and
// the last import.
func (d *DB) Status(ctx context.Context) ([]SourceStatus, error) {
	var out []SourceStatus
	rows, err := d.sql.QueryContext(ctx, `SELECT source, COUNT(*), MAX(modified), MAX(imported) FROM advisories GROUP BY source ORDER BY source`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s SourceStatus
		var newest, imported string
		if err := rows.Scan(&s.Source, &s.Records, &newest, &imported); err != nil {
			rows.Close()
			return nil, err
		}
		s.Newest, _ = time.Parse("2006-01-02T15:04:05.000000000Z", newest)
		s.Imported, _ = time.Parse("2006-01-02T15:04:05.000000000Z", imported)
		out = append(out, s)
	}
	rows.Close()
	for _, q := range []struct{ source, sql string }{
		{vuln.SourceKEV, `SELECT COUNT(*), COALESCE(MAX(catalog), ''), COALESCE(MAX(imported), '') FROM kev`},
		{vuln.SourceCSAF, `SELECT COUNT(*), '', COALESCE(MAX(imported), '') FROM vex`},
	} {
		var s SourceStatus
		var imported string
		if err := d.sql.QueryRowContext(ctx, q.sql).Scan(&s.Records, &s.Catalog, &imported); err != nil {
			return nil, err
		}
		if s.Records > 0 {
			s.Source = q.source
			s.Imported, _ = time.Parse("2006-01-02T15:04:05.000000000Z", imported)
			out = append(out, s)
		}
	}
	return out, nil
}
