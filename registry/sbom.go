package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/store"
)

// AttachSBOM stores the component list of a labelled product, replacing any
// earlier one, and rechecks the label against it at once. Labs, scheme
// owners and admins may attach an SBOM to any label; a manufacturer only to
// its own. It returns the label as it stands afterwards.
func (s *Service) AttachSBOM(ctx context.Context, a Actor, id string, comps []sbom.Component) (store.Label, error) {
	l, err := s.store.Label(ctx, id)
	if err != nil {
		return l, err
	}
	switch a.Role {
	case RoleAdmin, RoleSchemeOwner, RoleLab:
	case RoleManufacturer:
		if normName(a.Org) != normName(l.Manufacturer) {
			return l, fmt.Errorf("%w: a manufacturer may only describe its own products (%s is %s's)", ErrForbidden, l.Model, l.Manufacturer)
		}
	default:
		return l, ErrForbidden
	}
	if len(comps) == 0 {
		return l, fmt.Errorf("%w: the SBOM lists no components", ErrInvalid)
	}
	data, err := json.Marshal(comps)
	if err != nil {
		return l, err
	}
	if err := s.store.SetSBOM(ctx, id, data, s.now()); err != nil {
		return l, err
	}
	s.log().InfoContext(ctx, "sbom attached", "label", id, "components", len(comps), "actor", a.TokenID)
	if l.Status == Active || l.Status == AtRisk {
		if _, _, err := s.recheck(ctx, l); err != nil {
			return l, err
		}
	}
	return s.store.Label(ctx, id)
}

// storedSBOM returns a label's stored components; nil when it has none.
func (s *Service) storedSBOM(ctx context.Context, id string) ([]sbom.Component, error) {
	data, err := s.store.SBOM(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var comps []sbom.Component
	if err := json.Unmarshal(data, &comps); err != nil {
		return nil, fmt.Errorf("stored SBOM of %s: %w", id, err)
	}
	return comps, nil
}
