package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/iotlabel/iotlabel/store"
)

// CreateOrg implements store.Store.
func (d *DB) CreateOrg(ctx context.Context, o store.Org) error {
	_, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO orgs(id, name, kind, created) VALUES (?,?,?,?)`), o.ID, o.Name, o.Kind, ts(o.Created))
	if err != nil && d.dialect.IsConflict(err) {
		return fmt.Errorf("organisation %s: %w", o.ID, store.ErrConflict)
	}
	return err
}

// Org implements store.Store.
func (d *DB) Org(ctx context.Context, id string) (store.Org, error) {
	o := store.Org{ID: id}
	var created string
	err := d.sql.QueryRowContext(ctx, d.q(`SELECT name, kind, created FROM orgs WHERE id = ?`), id).Scan(&o.Name, &o.Kind, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("organisation %s: %w", id, store.ErrNotFound)
	}
	o.Created = parseTS(created)
	return o, err
}

// Orgs implements store.Store.
func (d *DB) Orgs(ctx context.Context) ([]store.Org, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, name, kind, created FROM orgs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Org{}
	for rows.Next() {
		var o store.Org
		var created string
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &created); err != nil {
			return nil, err
		}
		o.Created = parseTS(created)
		out = append(out, o)
	}
	return out, rows.Err()
}

// CreateProduct implements store.Store.
func (d *DB) CreateProduct(ctx context.Context, p store.Product) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT 1 FROM orgs WHERE id = ?`), p.OrgID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("organisation %s: %w", p.OrgID, store.ErrNotFound)
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO products(id, org_id, manufacturer, model, name, created) VALUES (?,?,?,?,?,?)`),
		p.ID, p.OrgID, p.Manufacturer, p.Model, p.Name, ts(p.Created)); err != nil {
		if d.dialect.IsConflict(err) {
			return fmt.Errorf("product %s: %w", p.ID, store.ErrConflict)
		}
		return err
	}
	return tx.Commit()
}

const productCols = `id, org_id, manufacturer, model, name, created`

func scanProduct(r interface{ Scan(...any) error }) (store.Product, error) {
	var p store.Product
	var created string
	err := r.Scan(&p.ID, &p.OrgID, &p.Manufacturer, &p.Model, &p.Name, &created)
	p.Created = parseTS(created)
	return p, err
}

// Product implements store.Store.
func (d *DB) Product(ctx context.Context, id string) (store.Product, error) {
	p, err := scanProduct(d.sql.QueryRowContext(ctx, d.q(`SELECT `+productCols+` FROM products WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("product %s: %w", id, store.ErrNotFound)
	}
	return p, err
}

// Products implements store.Store.
func (d *DB) Products(ctx context.Context, orgID string) ([]store.Product, error) {
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT `+productCols+` FROM products WHERE ? = '' OR org_id = ? ORDER BY id LIMIT 1000`), orgID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Product{}
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddDeclaration implements store.Store. The version is one more than the
// highest so far, decided inside the transaction; a concurrent writer that
// picked the same number fails with ErrConflict and may retry.
func (d *DB) AddDeclaration(ctx context.Context, v store.Declaration) (store.Declaration, error) {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return v, err
	}
	defer tx.Rollback()
	var one int
	// Locking the product row serializes its versions: the next number is
	// read and used by one writer at a time.
	if err := tx.QueryRowContext(ctx, d.q(`SELECT 1 FROM products WHERE id = ?`+d.dialect.ForUpdate), v.ProductID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("product %s: %w", v.ProductID, store.ErrNotFound)
	} else if err != nil {
		return v, err
	}
	if err := tx.QueryRowContext(ctx, d.q(`SELECT COALESCE(MAX(version), 0) + 1 FROM declarations WHERE product_id = ?`), v.ProductID).Scan(&v.Version); err != nil {
		return v, err
	}
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO declarations(product_id, version, digest, tier, submitted_by, created, declaration, evidence, assessment, parsed)
		VALUES (?,?,?,?,?,?,?,?,?,?)`), v.ProductID, v.Version, v.Digest, v.Tier, v.By, ts(v.Created),
		string(v.Declaration), string(v.Evidence), string(v.Assessment), string(v.Parsed)); err != nil {
		if d.dialect.IsConflict(err) {
			return v, fmt.Errorf("declaration %s v%d: %w", v.ProductID, v.Version, store.ErrConflict)
		}
		return v, err
	}
	return v, tx.Commit()
}

// Declarations implements store.Store.
func (d *DB) Declarations(ctx context.Context, productID string) ([]store.Declaration, error) {
	rows, err := d.sql.QueryContext(ctx, d.q(`SELECT product_id, version, digest, tier, submitted_by, created FROM declarations
		WHERE product_id = ? ORDER BY version`), productID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Declaration{}
	for rows.Next() {
		var v store.Declaration
		var created string
		if err := rows.Scan(&v.ProductID, &v.Version, &v.Digest, &v.Tier, &v.By, &created); err != nil {
			return nil, err
		}
		v.Created = parseTS(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeclarationVersion implements store.Store.
func (d *DB) DeclarationVersion(ctx context.Context, productID string, version int) (store.Declaration, error) {
	v := store.Declaration{ProductID: productID, Version: version}
	var created, decl, ev, a, parsed string
	err := d.sql.QueryRowContext(ctx, d.q(`SELECT version, digest, tier, submitted_by, created, declaration, evidence, assessment, parsed FROM declarations
		WHERE product_id = ? AND (version = ? OR ? = 0) ORDER BY version DESC LIMIT 1`), productID, version, version).Scan(&v.Version, &v.Digest, &v.Tier, &v.By, &created, &decl, &ev, &a, &parsed)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("declaration %s v%d: %w", productID, version, store.ErrNotFound)
	}
	v.Created, v.Declaration, v.Evidence, v.Assessment = parseTS(created), []byte(decl), []byte(ev), []byte(a)
	if parsed != "" {
		v.Parsed = []byte(parsed)
	}
	return v, err
}
