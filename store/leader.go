package store

import (
	"context"
	"log/slog"
)

// Leader elects one process among those that share a store, for the work
// that must run once (the transparency-log follower, sweeps, webhooks).
type Leader interface {
	// Lead blocks until this process leads or ctx ends. lost is closed if
	// leadership is lost before release is called; release gives it up.
	Lead(ctx context.Context) (lost <-chan struct{}, release func(), err error)
}

// Solo is the Leader of a store that only one process uses (SQLite): it
// always leads at once and never loses.
type Solo struct{}

// Lead implements Leader.
func (Solo) Lead(context.Context) (<-chan struct{}, func(), error) {
	return make(chan struct{}), func() {}, nil
}

// WhileLeading runs work whenever this process leads, until ctx ends: when
// leadership is lost, work's context is cancelled and work is waited for
// before leadership is sought again, so no two processes run it at once
// (except across the moment a leader's connection breaks, which the work's
// compare-and-set writes make safe).
func WhileLeading(ctx context.Context, l Leader, log *slog.Logger, work func(context.Context)) {
	for {
		lost, release, err := l.Lead(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.ErrorContext(ctx, "leader election", "err", err)
			}
			return
		}
		log.InfoContext(ctx, "leading background work")
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); work(wctx) }()
		select {
		case <-lost:
			log.WarnContext(ctx, "lost leadership; background work stops")
		case <-ctx.Done():
		case <-done:
		}
		cancel()
		<-done
		release()
		if ctx.Err() != nil {
			return
		}
	}
}
