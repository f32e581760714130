package registry

import (
	"context"
	"time"
)

// changing is a vulnerability source that other processes may write to
// (store/vulndb): Stamp summarises its contents, and Forget drops what was
// cached from it.
type changing interface {
	Stamp(ctx context.Context) (string, error)
	Forget()
}

// SweepEvery sweeps hourly until ctx ends and, when the vulnerability source
// can tell that it changed, also as soon as a poll every poll (at most an
// hour) sees a change — an import by `vulndb import` in another process, say.
// Failures are logged and retried at the next tick. With first, it sweeps
// at once too. In a group of replicas only the leader runs it
// (store.WhileLeading), and sweeps first as it takes over.
func (s *Service) SweepEvery(ctx context.Context, poll time.Duration, first bool) {
	w, _ := s.vulns.(changing)
	if w == nil || poll <= 0 || poll > time.Hour {
		poll = time.Hour
	}
	stamp := func() string {
		if w == nil {
			return ""
		}
		st, err := w.Stamp(ctx)
		if err != nil {
			return "error: " + err.Error()
		}
		return st
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	last, lastStamp := time.Now(), stamp()
	if first {
		s.sweepLogged(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := stamp()
		if st == lastStamp && time.Since(last) < time.Hour {
			continue
		}
		if w != nil && st != lastStamp {
			w.Forget() // another process imported: drop cached advisories and catalogs
		}
		last, lastStamp = time.Now(), st
		s.sweepLogged(ctx)
	}
}

// sweepLogged sweeps and logs what happened.
func (s *Service) sweepLogged(ctx context.Context) {
	if evs, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
		s.logger.ErrorContext(ctx, "sweep failed", "err", err)
	} else if len(evs) > 0 {
		s.logger.InfoContext(ctx, "sweep changed labels", "count", len(evs))
	}
}
