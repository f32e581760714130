package registry

import (
	"context"

	"github.com/iotlabel/iotlabel/store"
)

// The registry's public reads. The HTTP layer reads through these, never the
// store itself, so that one place decides what the registry shows.

// Label returns a label with its current status, or store.ErrNotFound.
func (s *Service) Label(ctx context.Context, id string) (store.Label, error) {
	return s.store.Label(ctx, id)
}

// Labels returns the labels matching q.
func (s *Service) Labels(ctx context.Context, q store.LabelQuery) ([]store.Label, error) {
	return s.store.Labels(ctx, q)
}

// Events returns up to limit events after since, in order.
func (s *Service) Events(ctx context.Context, since int64, limit int) ([]store.Event, error) {
	return s.store.Events(ctx, since, limit)
}

// LabelEvents returns a label's events and their positions in the log.
func (s *Service) LabelEvents(ctx context.Context, id string) ([]store.Event, []int64, error) {
	return s.store.LabelEvents(ctx, id)
}

// Orgs lists the organisations.
func (s *Service) Orgs(ctx context.Context) ([]store.Org, error) { return s.store.Orgs(ctx) }

// Products lists an organisation's products ("" for all).
func (s *Service) Products(ctx context.Context, orgID string) ([]store.Product, error) {
	return s.store.Products(ctx, orgID)
}

// Product returns a product, or store.ErrNotFound.
func (s *Service) Product(ctx context.Context, id string) (store.Product, error) {
	return s.store.Product(ctx, id)
}

// Declarations lists a product's declaration versions, without documents.
func (s *Service) Declarations(ctx context.Context, productID string) ([]store.Declaration, error) {
	return s.store.Declarations(ctx, productID)
}

// DeclarationVersion returns one declaration version with its documents.
func (s *Service) DeclarationVersion(ctx context.Context, productID string, version int) (store.Declaration, error) {
	return s.store.DeclarationVersion(ctx, productID, version)
}
