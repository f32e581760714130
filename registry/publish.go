package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
)

// ErrMismatch is wrapped when a label claims what the registry's own
// recomputation does not give.
var ErrMismatch = errors.New("the label does not match the registry's recomputation")

// verifyClaims checks, before a label is published, everything the label
// claims against what the registry holds itself:
//
//   - the label's issuer key may issue labels for the schemes it claims: by
//     its trust-store entry, or as a key the registry was given on its own;
//   - the product is registered, by that exact manufacturer name and model;
//   - the label's assessment digest equals the registry's recomputation of one
//     of the product's stored declaration versions, with the catalog version
//     and as-of date the label names.
//
// It returns the matching declaration version.
func (s *Service) verifyClaims(ctx context.Context, ts *trust.Store, p *label.Predicate, now time.Time) (store.Declaration, error) {
	// A key with a trust-store entry issues only what the entry allows (and
	// nothing once revoked); a key given to the registry on its own (Keys)
	// may issue labels for any scheme.
	if _, plain := s.keys[p.Issuer.KeyID]; ts.Entry(p.Issuer.KeyID) != nil || !plain {
		schemes := make([]string, len(p.Schemes))
		for i, sc := range p.Schemes {
			schemes[i] = sc.ID
		}
		if _, err := ts.Issuer(p.Issuer.KeyID, schemes, now); err != nil {
			return store.Declaration{}, fmt.Errorf("%w: %v", ErrUntrusted, err)
		}
	}
	if s.engine == nil || s.catalog == nil {
		return store.Declaration{}, fmt.Errorf("%w: this registry cannot recompute assessments, so it publishes no label", ErrInvalid)
	}
	eng := s.engineFor(p.CatalogVersion)
	if eng == nil {
		var kept []string
		for _, e := range append([]*assess.Engine{s.engine}, s.engines...) {
			kept = append(kept, e.Catalog().Version)
		}
		return store.Declaration{}, fmt.Errorf("%w: the label was assessed with catalog %s; this registry recomputes with catalog %s only; reissue the label (or start the registry with --keep-catalog)",
			ErrMismatch, p.CatalogVersion, strings.Join(kept, ", "))
	}
	prod, versions, err := s.declarationsOf(ctx, p.Manufacturer, p.Model)
	if err != nil {
		return store.Declaration{}, err
	}
	newest := ""
	for _, v := range slices.Backward(versions) {
		d, err := s.store.DeclarationVersion(ctx, prod.ID, v.Version)
		if err != nil {
			return store.Declaration{}, err
		}
		res, err := s.assessWith(ctx, eng, ts, d.Declaration, nil, d.Evidence, p.AssessedAsOf) // publishing parses the bytes themselves
		if err != nil {
			continue // a version the current catalog no longer reads cannot match
		}
		if a := res.Assessment; a.Digest == p.AssessmentDigest {
			return d, nil
		} else if newest == "" {
			newest = fmt.Sprintf("declaration version %d gives tier %d (digest %s)", v.Version, a.Tier, a.Digest)
		}
	}
	return store.Declaration{}, fmt.Errorf("%w: the label claims tier %d with assessment digest %s as of %s; recomputed as of that date, %s, and no stored version gives the label's digest",
		ErrMismatch, p.Tier, p.AssessmentDigest, p.AssessedAsOf, newest)
}

// declarationsOf finds a registered product and its stored declaration
// versions, oldest first; a product without one is ErrMismatch.
func (s *Service) declarationsOf(ctx context.Context, manufacturer, model string) (store.Product, []store.Declaration, error) {
	prod, err := s.productOf(ctx, manufacturer, model)
	if err != nil {
		return prod, nil, err
	}
	versions, err := s.store.Declarations(ctx, prod.ID)
	if err != nil {
		return prod, nil, err
	}
	if len(versions) == 0 {
		return prod, nil, fmt.Errorf("%w: product %s has no stored declaration; submit it (POST /v1/products/%s/declarations) before publishing", ErrMismatch, prod.ID, prod.ID)
	}
	return prod, versions, nil
}

// productOf finds the registered product of exactly this manufacturer name
// and model (product IDs derive from both, so this is one lookup).
func (s *Service) productOf(ctx context.Context, manufacturer, model string) (store.Product, error) {
	p, err := s.store.Product(ctx, productID(slug(manufacturer), model))
	if err == nil && p.Manufacturer == normName(manufacturer) && p.Model == normName(model) {
		return p, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Product{}, err
	}
	return store.Product{}, fmt.Errorf("%w: no product %q of %q is registered; register it and submit its declaration before publishing", ErrMismatch, model, manufacturer)
}
