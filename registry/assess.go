package registry

import (
	"bytes"
	"context"
	"fmt"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/trust"
)

// Assess recomputes an assessment from a manufacturer's declaration and the
// evidence gathered for it (JSONL, with signed attestations as lines), with the registry's own catalog: the registry
// never takes a client's verdicts on trust. Any authenticated caller may ask;
// problems in the inputs come back as ErrInvalid with file, line and field.
func (s *Service) Assess(ctx context.Context, a Actor, decl, ev []byte, asOf catalog.Date) (*assess.Assessment, error) {
	if a.Role == "" {
		return nil, ErrUnauthorized
	}
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return nil, err
	}
	return s.assessWith(ctx, s.engine, ts, decl, ev, asOf)
}

// engineFor returns the engine of the catalog version a label names: the
// current one, or an earlier one the registry keeps (Config Engines), so
// labels issued under it can still be recomputed.
func (s *Service) engineFor(version string) *assess.Engine {
	if s.engine != nil && s.catalog != nil && s.catalog.Version == version {
		return s.engine
	}
	for _, e := range s.engines {
		if e.Catalog().Version == version {
			return e
		}
	}
	return nil
}

// assessWith assesses a declaration and its evidence with one engine,
// verifying signed evidence against ts.
func (s *Service) assessWith(ctx context.Context, eng *assess.Engine, ts *trust.Store, decl, ev []byte, asOf catalog.Date) (*assess.Assessment, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: this registry does not assess", ErrInvalid)
	}
	d, err := declaration.Parse("declaration", decl)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := d.Check(eng.Catalog()); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var items []evidence.Item
	if len(bytes.TrimSpace(ev)) > 0 {
		// JSONL items and signed attestations alike; attestations are
		// verified against the registry's trust store, so lab evidence counts
		// only when a lab it accredits signed it.
		read, err := attest.ReadEvidence(ctx, "evidence", ev, ts, s.now())
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		items = read.Items
	}
	if asOf.IsZero() {
		asOf = catalog.DateOf(s.now())
	}
	return eng.Assess(d, items, asOf), ctx.Err()
}
