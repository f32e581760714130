package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
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
	res, err := s.assessWith(ctx, s.engine, ts, decl, nil, ev, asOf)
	if err != nil {
		return nil, err
	}
	return res.Assessment, nil
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
// verifying signed evidence against ts (a lab's evidence counts only when a
// lab the registry's store accredits signed it).
func (s *Service) assessWith(ctx context.Context, eng *assess.Engine, ts *trust.Store, decl, parsed, ev []byte, asOf catalog.Date) (*assess.Result, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: this registry does not assess", ErrInvalid)
	}
	in := assess.Inputs{Declaration: assess.File{Name: "declaration", Data: decl}, Trust: ts, AsOf: asOf, Now: s.now()}
	if d, ok := declaration.FromStored("declaration", parsed); ok {
		in.Parsed = d
	}
	if len(bytes.TrimSpace(ev)) > 0 {
		in.Evidence = []assess.File{{Name: "evidence", Data: ev}}
	}
	res, err := eng.AssessFiles(ctx, in)
	if ie := (*assess.InputError)(nil); errors.As(err, &ie) {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, ie)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}
