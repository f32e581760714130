package registry

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/store"
)

// Impact recomputes every label that is not revoked — from its product's
// newest stored declaration and the evidence stored with it — under the
// registry's catalog and under proposed, both as of asOf, and hands each
// pair to fn (err says why a label could not be assessed). The work runs on
// every CPU; fn is called from one goroutine at a time. It writes nothing.
func (s *Service) Impact(ctx context.Context, proposed *assess.Engine, asOf catalog.Date, fn func(l store.Label, before, after *assess.Assessment, err error) error) error {
	if s.engine == nil || proposed == nil {
		return errors.New("impact needs the registry's catalog and a proposed one")
	}
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return err
	}
	type result struct {
		l             store.Label
		before, after *assess.Assessment
		err           error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs, results := make(chan store.Label, 64), make(chan result, 64)
	var wg sync.WaitGroup
	// Twice the CPUs: a worker waiting on a store read leaves its CPU to another.
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for l := range jobs {
				r := result{l: l}
				var d store.Declaration
				var res *assess.Result
				if d, r.err = s.newestDeclaration(ctx, l); r.err == nil {
					if res, r.err = s.assessWith(ctx, s.engine, ts, d.Declaration, d.Parsed, d.Evidence, asOf); r.err == nil {
						r.before = res.Assessment
						r.after, r.err = proposed.Again(res, asOf) // the files are read once
					}
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	var listErr error
	go func() {
		defer func() { close(jobs); wg.Wait(); close(results) }()
		for after := ""; ; {
			ls, err := s.store.Labels(ctx, store.LabelQuery{ByID: true, AfterID: after, Limit: 1000})
			if err != nil || len(ls) == 0 {
				listErr = err
				return
			}
			after = ls[len(ls)-1].ID
			for _, l := range ls {
				if l.Status == Revoked {
					continue
				}
				select {
				case jobs <- l:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	for r := range results {
		if err := fn(r.l, r.before, r.after, r.err); err != nil {
			return err
		}
	}
	if listErr != nil {
		return listErr
	}
	return ctx.Err()
}

// newestDeclaration is the newest stored declaration version of a label's
// product.
func (s *Service) newestDeclaration(ctx context.Context, l store.Label) (store.Declaration, error) {
	prod, err := s.productOf(ctx, l.Manufacturer, l.Model)
	if err != nil {
		return store.Declaration{}, err
	}
	d, err := s.store.DeclarationVersion(ctx, prod.ID, 0) // one query for the newest
	if errors.Is(err, store.ErrNotFound) {
		return d, fmt.Errorf("%w: product %s has no stored declaration", ErrMismatch, prod.ID)
	}
	return d, err
}
