package vulndb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/vuln"
)

// Candidates returns the index hits for the target's OSV packages and CPE
// vendor:product pairs, with each hit's match data but not the full advisory.
func (d *DB) Candidates(ctx context.Context, t vuln.Target) ([]vuln.Candidate, error) {
	if err := d.prepare(ctx); err != nil {
		return nil, err
	}
	var out []vuln.Candidate
	collect := func(rows *sql.Rows, err error, base vuln.Affected) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c vuln.Candidate
			var m string
			if err := rows.Scan(&c.ID, &c.Source, &m); err != nil {
				return err
			}
			c.Affected = base
			if err := vuln.DecodeMatch(m, &c.Affected); err != nil {
				return fmt.Errorf("advisory %s: %w", c.ID, err)
			}
			out = append(out, c)
		}
		return rows.Err()
	}
	for _, p := range t.Packages {
		rows, err := d.byPkg.QueryContext(ctx, p.Ecosystem, strings.ToLower(p.Name))
		if err := collect(rows, err, vuln.Affected{Ecosystem: p.Ecosystem, Package: p.Name}); err != nil {
			return nil, err
		}
	}
	for _, p := range t.Products {
		rows, err := d.byCPE.QueryContext(ctx, p.Vendor, p.Product)
		if err := collect(rows, err, vuln.Affected{Vendor: p.Vendor, Product: p.Product}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Advisory returns one full advisory.
func (d *DB) Advisory(ctx context.Context, id, source string) (vuln.Advisory, error) {
	var doc []byte
	if err := d.sql.QueryRowContext(ctx, `SELECT doc FROM advisories WHERE id = ? AND source = ?`, id, source).Scan(&doc); err != nil {
		return vuln.Advisory{}, fmt.Errorf("read advisory %s: %w", id, err)
	}
	return d.decode(id, source, doc)
}

// prepare prepares the candidate queries once.
func (d *DB) prepare(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byPkg != nil {
		return nil
	}
	var err error
	if d.byPkg, err = d.sql.PrepareContext(ctx, `SELECT id, source, match FROM pkg_index WHERE ecosystem = ? AND name = ?`); err != nil {
		return err
	}
	d.byCPE, err = d.sql.PrepareContext(ctx, `SELECT id, source, match FROM cpe_index WHERE vendor = ? AND product = ?`)
	return err
}

const maxCache = 20000

// decode decodes an advisory document, through a bounded cache.
func (d *DB) decode(id, source string, doc []byte) (vuln.Advisory, error) {
	ck := source + "/" + id
	d.mu.Lock()
	a, ok := d.cache[ck]
	d.mu.Unlock()
	if ok {
		return a, nil
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

// loadSmall loads the KEV catalog and the VEX statements into memory once:
// both are small, and a scan asks about them for every finding.
// Forget drops what the DB keeps in memory (decoded advisories, the KEV
// catalog, VEX statements), so that the next queries see what another
// process imported since. A long-running reader calls it when Status changes.
func (d *DB) Forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cache, d.kev, d.euvd, d.vex = map[string]vuln.Advisory{}, nil, nil, nil
}

func (d *DB) loadSmall(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.kev != nil {
		return nil
	}
	kev, err := d.entries(ctx, `SELECT doc FROM kev`)
	if err != nil {
		return err
	}
	euvd, err := d.entries(ctx, `SELECT doc FROM euvd`)
	if err != nil {
		return err
	}
	vex := map[string][]vuln.VEXStatement{}
	rows, err := d.sql.QueryContext(ctx, `SELECT doc FROM vex`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		var s vuln.VEXStatement
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		if err := json.Unmarshal(doc, &s); err != nil {
			return err
		}
		vex[s.Vulnerability] = append(vex[s.Vulnerability], s)
	}
	d.kev, d.euvd, d.vex = kev, euvd, vex
	return rows.Err()
}

// entries reads exploitation entries, by CVE.
func (d *DB) entries(ctx context.Context, query string) (map[string]vuln.KEVEntry, error) {
	out := map[string]vuln.KEVEntry{}
	rows, err := d.sql.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		var k vuln.KEVEntry
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &k); err != nil {
			return nil, err
		}
		out[k.CVE] = k
	}
	return out, rows.Err()
}

// KEV returns the exploitation entry of a CVE: the CISA KEV catalog's, else
// EUVD's.
func (d *DB) KEV(ctx context.Context, cve string) (vuln.KEVEntry, bool, error) {
	if err := d.loadSmall(ctx); err != nil {
		return vuln.KEVEntry{}, false, err
	}
	return vuln.Exploited(d.kev, d.euvd, cve)
}

// VEX returns the statements about any of ids.
func (d *DB) VEX(ctx context.Context, ids []string) ([]vuln.VEXStatement, error) {
	if err := d.loadSmall(ctx); err != nil {
		return nil, err
	}
	var out []vuln.VEXStatement
	for _, id := range ids {
		out = append(out, d.vex[id]...)
	}
	return out, nil
}

// HasEcosystem reports whether any advisory covers an OSV ecosystem; it reads
// one index entry.
func (d *DB) HasEcosystem(ctx context.Context, eco string) (bool, error) {
	var one int
	err := d.sql.QueryRowContext(ctx, `SELECT 1 FROM pkg_index WHERE ecosystem = ? LIMIT 1`, eco).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Status reports record counts per source, the newest modification time and
// the last import.
func (d *DB) Status(ctx context.Context) ([]vuln.SourceStatus, error) {
	var out []vuln.SourceStatus
	rows, err := d.sql.QueryContext(ctx, `SELECT source, COUNT(*), MAX(modified), MAX(imported) FROM advisories GROUP BY source ORDER BY source`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s vuln.SourceStatus
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
		{vuln.SourceKEV, `SELECT COUNT(*), COALESCE(MAX(catalog), ''), COALESCE(MAX(imported), ''), '' FROM kev`},
		{vuln.SourceCSAF, `SELECT COUNT(*), '', COALESCE(MAX(imported), ''), '' FROM vex`},
		{vuln.SourceEUVD, `SELECT COUNT(*), '', COALESCE(MAX(imported), ''), COALESCE(MAX(updated), '') FROM euvd`},
	} {
		var s vuln.SourceStatus
		var imported, updated, seen string
		if err := d.sql.QueryRowContext(ctx, q.sql).Scan(&s.Records, &s.Catalog, &imported, &updated); err != nil {
			return nil, err
		}
		// A source's records that left nothing else behind still date its data.
		err := d.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, "newest:"+q.source).Scan(&seen)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if s.Records == 0 && seen == "" {
			continue
		}
		s.Source = q.source
		s.Imported, _ = time.Parse("2006-01-02T15:04:05.000000000Z", imported)
		s.Newest, _ = time.Parse("2006-01-02T15:04:05.000000000Z", max(updated, seen))
		if q.source == vuln.SourceKEV {
			s.Newest = vuln.CatalogDate(s.Catalog) // the catalog's version is its release date
		}
		if i := slices.IndexFunc(out, func(x vuln.SourceStatus) bool { return x.Source == s.Source }); i >= 0 {
			out[i].Records += s.Records // CSAF advisories and CSAF VEX statements are one source
			out[i].Imported = maxTime(out[i].Imported, s.Imported)
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b vuln.SourceStatus) int { return strings.Compare(a.Source, b.Source) })
	return out, nil
}

// Stamp summarises the database's contents (counts and import times per
// source): another process's import shows as a different stamp.
func (d *DB) Stamp(ctx context.Context) (string, error) {
	st, err := d.Status(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(st), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
