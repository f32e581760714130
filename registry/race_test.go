package registry_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/registry"
)

// TestRevocationRaces: 30 suspended labels each get a revoke and a
// reinstate at the same moment, while sweeps run. Whoever wins, a revoke that
// answered success is final: no label ends active after a "revoked" event,
// and every loser is told so (ErrTransition) rather than silently overruled.
// Both may win only as reinstate-then-revoke.
func TestRevocationRaces(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testRevocationRaces(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { testRevocationRaces(t, newPGFixture(t)) })
}

func testRevocationRaces(t *testing.T, f *fixture) {
	ctx := context.Background()
	const n = 30
	ids := make([]string, n)
	start := *f.now
	for i := range ids {
		*f.now = start.Add(time.Duration(i) * time.Second)
		env, compact, _ := f.signed(t, "router-tier2", f.priv)
		l, err := f.svc.Publish(ctx, admin, env, compact)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ChangeStatus(ctx, owner, l.ID, "suspend", "investigation"); err != nil {
			t.Fatal(err)
		}
		ids[i] = l.ID
	}
	type result struct{ revoked, reinstated error }
	results := make([]result, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, results[i].revoked = f.svc.ChangeStatus(ctx, owner, id, "revoke", "key compromised")
		}()
		go func() {
			defer wg.Done()
			_, results[i].reinstated = f.svc.ChangeStatus(ctx, admin, id, "reinstate", "cleared")
		}()
		go func() {
			defer wg.Done()
			if _, err := f.svc.Sweep(ctx); err != nil {
				t.Errorf("sweep: %v", err)
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		r := results[i]
		for _, err := range []error{r.revoked, r.reinstated} {
			if err != nil && !errors.Is(err, registry.ErrTransition) {
				t.Errorf("%s: %v (a lost race must be ErrTransition, never another error)", id, err)
			}
		}
		l, _ := f.svc.Store().Label(ctx, id)
		evs, _, _ := f.svc.Store().LabelEvents(ctx, id)
		if r.revoked == nil && l.Status != registry.Revoked {
			t.Errorf("%s: the revoke answered success, yet the label is %s", id, l.Status)
		}
		for j, ev := range evs {
			if ev.Status == registry.Revoked && j != len(evs)-1 {
				t.Errorf("%s: events after the revocation: %+v", id, evs[j:])
			}
		}
		// Both may succeed only in the order reinstate, then revoke.
		if r.revoked != nil && r.reinstated != nil {
			t.Errorf("%s: neither the revoke (%v) nor the reinstate (%v) took effect", id, r.revoked, r.reinstated)
		}
	}
}

// TestCheckAsOf: "was firmware 4.2.1 certified on that day?" is answered from
// each label's status history, not from its status today.
func TestCheckAsOf(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	start := *f.now
	env, compact, _ := f.signed(t, "router-tier2", f.priv)
	l, err := f.svc.Publish(ctx, admin, env, compact)
	if err != nil {
		t.Fatal(err)
	}
	*f.now = start.AddDate(0, 0, 10)
	f.svc.ChangeStatus(ctx, owner, l.ID, "suspend", "investigation")
	*f.now = start.AddDate(0, 0, 20)
	f.svc.ChangeStatus(ctx, owner, l.ID, "revoke", "backdoor")
	day := func(n int) string { return start.AddDate(0, 0, n).Format(time.DateOnly) }
	for _, tc := range []struct {
		at   string
		want string
	}{{day(-1), registry.CheckNotCovered}, {day(5), registry.CheckAllowed}, {day(15), registry.CheckNotAllowed}, {day(25), registry.CheckNotAllowed}, {"", registry.CheckNotAllowed}} {
		r, err := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Northgate Networks GmbH", Model: "NG-AX3000", Firmware: "4.2.1", Market: "EU", At: tc.at})
		if err != nil || r.Answer != tc.want {
			t.Errorf("at %q: %s %v (%v), want %s", tc.at, r.Answer, r.Reasons, err, tc.want)
		}
	}
}
