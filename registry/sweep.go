package registry

import (
	"context"
	"time"

	"github.com/iotlabel/iotlabel/vuln"
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

// sweepLogged sweeps and logs what happened, with the age of the
// vulnerability data the rescans used, warning when it is stale.
func (s *Service) sweepLogged(ctx context.Context) {
	evs, err := s.Sweep(ctx)
	if err != nil && ctx.Err() == nil {
		s.logger.ErrorContext(ctx, "sweep failed", "err", err)
		return
	}
	ages, stale, err := s.DataAge(ctx)
	if err != nil {
		s.logger.ErrorContext(ctx, "reading the vulnerability data's age failed", "err", err)
	}
	s.logger.InfoContext(ctx, "sweep done", "changed", len(evs), "data_age_days", ages)
	for _, w := range stale {
		s.logger.WarnContext(ctx, "stale vulnerability data: "+w)
	}
}

// dated is a vulnerability source that can say how old its data is
// (store/vulndb, vuln.Memory).
type dated interface {
	Status(ctx context.Context) ([]vuln.SourceStatus, error)
}

// DataAge says how old, in days, each source of the vulnerability data the
// sweeps rescan against is, and warns of those past vuln.DefaultMaxAge; with
// no source, or one that cannot tell, both are empty.
func (s *Service) DataAge(ctx context.Context) (map[string]int, []string, error) {
	ages := map[string]int{}
	d, ok := s.vulns.(dated)
	if !ok {
		return ages, nil, nil
	}
	st, err := d.Status(ctx)
	if err != nil {
		return ages, nil, err
	}
	now := s.now()
	for _, x := range st {
		if !x.Newest.IsZero() {
			ages[x.Source] = int(now.Sub(x.Newest).Hours() / 24)
		}
	}
	return ages, vuln.Stale(st, now, vuln.DefaultMaxAge), nil
}
