package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/report"
	"github.com/iotlabel/iotlabel/store"
	"golang.org/x/text/unicode/norm"
)

// Kinds of organisation, matching the token roles that act for them.
var orgKinds = map[string]bool{RoleManufacturer: true, RoleLab: true, RoleSchemeOwner: true}

// normName is how names (organisations, models, token owners) are kept and
// compared: Unicode NFKC, trimmed, and then compared exactly — never case
// folded, so "ſtarlight" does not act for "Starlight".
func normName(s string) string { return strings.TrimSpace(norm.NFKC.String(s)) }

// productID is a product's ID under its organisation: the organisation's ID,
// "--" (which no slug contains) and the model's slug, so that one maker's
// model name can never take another maker's product ID.
func productID(orgID, model string) string { return orgID + "--" + slug(model) }

// slug makes an ID from a name: lower-case letters and digits (any script)
// joined by '-', after NFKC, so that look-alike forms of one name (full-width
// letters, "ſ" for "s", ligatures) get one ID and collide.
func slug(parts ...string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(norm.NFKC.String(strings.Join(parts, " "))) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// CreateOrg registers an organisation. Admins only.
func (s *Service) CreateOrg(ctx context.Context, a Actor, name, kind string) (store.Org, error) {
	if a.Role != RoleAdmin {
		return store.Org{}, fmt.Errorf("%w: only admins register organisations", ErrForbidden)
	}
	name = normName(name)
	if name == "" || len(name) > 200 || !orgKinds[kind] || slug(name) == "" {
		return store.Org{}, fmt.Errorf("%w: an organisation needs a name (1 to 200 characters) and a kind: manufacturer, lab or scheme_owner", ErrInvalid)
	}
	o := store.Org{ID: slug(name), Name: name, Kind: kind, Created: s.now()}
	return o, s.store.CreateOrg(ctx, o)
}

// mayActFor reports whether a may change the records of organisation org:
// labs, scheme owners and admins for anyone, a manufacturer for itself.
func mayActFor(a Actor, org store.Org) error {
	switch a.Role {
	case RoleAdmin, RoleSchemeOwner, RoleLab:
		return nil
	case RoleManufacturer:
		if normName(a.Org) == org.Name {
			return nil
		}
		return fmt.Errorf("%w: a manufacturer may only manage its own products (this is %s's)", ErrForbidden, org.Name)
	}
	return ErrUnauthorized
}

// CreateProduct registers a product model of a manufacturer.
func (s *Service) CreateProduct(ctx context.Context, a Actor, orgID, model, name string) (store.Product, error) {
	o, err := s.store.Org(ctx, orgID)
	if err != nil {
		return store.Product{}, err
	}
	if err := mayActFor(a, o); err != nil {
		return store.Product{}, err
	}
	model, name = normName(model), normName(name)
	if o.Kind != RoleManufacturer || model == "" || len(model) > 200 || len(name) > 200 {
		return store.Product{}, fmt.Errorf("%w: a product needs a manufacturer organisation and a model (1 to 200 characters)", ErrInvalid)
	}
	p := store.Product{ID: productID(o.ID, model), OrgID: o.ID, Manufacturer: o.Name, Model: model, Name: name, Created: s.now()}
	return p, s.store.CreateProduct(ctx, p)
}

// SubmitDeclaration stores a new version of a product's declaration and
// evidence with the assessment the registry computes from them. The
// declaration must name the product's manufacturer and model.
func (s *Service) SubmitDeclaration(ctx context.Context, a Actor, productID string, decl, ev []byte) (store.Declaration, error) {
	p, err := s.store.Product(ctx, productID)
	if err != nil {
		return store.Declaration{}, err
	}
	o, err := s.store.Org(ctx, p.OrgID)
	if err != nil {
		return store.Declaration{}, err
	}
	if err := mayActFor(a, o); err != nil {
		return store.Declaration{}, err
	}
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return store.Declaration{}, err
	}
	in, err := s.assessWith(ctx, s.engine, ts, decl, nil, ev, catalog.Date{})
	if err != nil {
		return store.Declaration{}, err
	}
	res := in.Assessment
	if normName(res.Product.Manufacturer) != p.Manufacturer || normName(res.Product.Model) != p.Model {
		return store.Declaration{}, fmt.Errorf("%w: the declaration is for %s %s, this product is %s %s", ErrInvalid,
			res.Product.Manufacturer, res.Product.Model, p.Manufacturer, p.Model)
	}
	var buf bytes.Buffer
	if err := report.JSON(&buf, res); err != nil {
		return store.Declaration{}, err
	}
	v := store.Declaration{ProductID: p.ID, Digest: res.Digest, Tier: res.Tier, By: a.Org, Created: s.now(),
		Declaration: decl, Evidence: ev, Assessment: buf.Bytes(), Parsed: in.Declaration.Stored()}
	for range 3 { // a concurrent submission may take the same version number
		out, err := s.store.AddDeclaration(ctx, v)
		if !errors.Is(err, store.ErrConflict) {
			return out, err
		}
	}
	return store.Declaration{}, fmt.Errorf("declaration of %s: %w", p.ID, store.ErrConflict)
}
