package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
)

// testSubscriptionRace: many dispatchers move one subscription's cursor
// from the same position at once; exactly one wins, the others get
// ErrStale, and a failure recorded against a stale cursor changes nothing.
func testSubscriptionRace(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	sub := store.Subscription{ID: "sub_1", Org: "Shop", TokenID: "tok", URL: "https://hooks.example/x", Secret: "whsec_x", Created: now, Market: "GB", Cursor: 3}
	if err := s.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSubscription(ctx, sub); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second create: %v", err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			d := store.Delivery{Subscription: sub.ID, Seq: int64(4 + i), Attempt: 1, Time: now, StatusCode: 204}
			errs[i] = s.AdvanceSubscription(ctx, sub.ID, 3, int64(4+i), &d)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrStale):
			t.Errorf("loser: %v", err)
		}
	}
	got, err := s.Subscription(ctx, sub.ID)
	if won != 1 || err != nil || got.Cursor < 4 {
		t.Fatalf("%d winners, cursor %d, %v", won, got.Cursor, err)
	}
	if err := s.FailSubscription(ctx, sub.ID, 3, now.Add(time.Minute), store.Delivery{Subscription: sub.ID, Seq: 4, Attempt: 1, Time: now, Error: "refused"}); !errors.Is(err, store.ErrStale) {
		t.Errorf("failure against a stale cursor: %v", err)
	}
	if err := s.FailSubscription(ctx, sub.ID, got.Cursor, now.Add(time.Minute), store.Delivery{Subscription: sub.ID, Seq: got.Cursor + 1, Attempt: 1, Time: now, StatusCode: 503}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Subscription(ctx, sub.ID)
	if after.Attempts != 1 || after.LastError != "HTTP 503" || !after.NextAttempt.Equal(now.Add(time.Minute)) {
		t.Errorf("after a failure: %+v", after)
	}
	ds, err := s.Deliveries(ctx, sub.ID, 10)
	if err != nil || len(ds) != 2 || ds[0].StatusCode != 503 || ds[1].StatusCode != 204 {
		t.Errorf("delivery log: %+v %v", ds, err)
	}
	if list, _ := s.Subscriptions(ctx, "Other"); len(list) != 0 {
		t.Errorf("another organisation's list: %+v", list)
	}
	if err := s.DeleteSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscription(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if ds, _ := s.Deliveries(ctx, sub.ID, 10); len(ds) != 0 {
		t.Errorf("delivery log kept after delete: %+v", ds)
	}
}
