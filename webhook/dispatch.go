package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

// Source is what the dispatcher needs from the registry (a
// *registry.Service).
type Source interface {
	LastSeq(ctx context.Context) (int64, error)
	Due(ctx context.Context, now time.Time) ([]store.Subscription, error)
	Pending(ctx context.Context, sub store.Subscription, limit int) ([]registry.Message, int64, error)
	Delivered(ctx context.Context, sub string, from, to int64, d *store.Delivery) error
	Failed(ctx context.Context, sub string, at int64, next time.Time, d store.Delivery) error
}

// Options tune a Dispatcher; zero fields take the defaults.
type Options struct {
	// Every is how often to look for new events (default 250 ms).
	Every time.Duration
	// MinBackoff and MaxBackoff bound the wait before retrying a failed
	// delivery: MinBackoff doubled per failure, at most MaxBackoff (defaults
	// 1 s and 10 min). Delivery never gives up: events wait in order.
	MinBackoff, MaxBackoff time.Duration
	// Batch is how many messages one subscription gets per turn (default 100).
	Batch int
	// Workers bounds the subscriptions served at once (default 16), and so
	// the outgoing connections.
	Workers int
	Log     *slog.Logger
	Now     func() time.Time
	// Wake, when set, returns a channel closed when an event is appended
	// (registry.Service.Changed), so deliveries start without waiting for
	// the next poll.
	Wake func() <-chan struct{}
}

// Dispatcher delivers pending messages for every subscription. Each
// subscription is served by one goroutine at a time, in event order, and at
// most Options.Workers subscriptions at once; a slow or dead receiver delays
// only its own subscription (and holds one worker for at most the timeout).
type Dispatcher struct {
	src  Source
	send *Sender
	opt  Options

	mu       sync.Mutex
	inflight map[string]bool
	wg       sync.WaitGroup
	slots    chan struct{} // one per worker
}

// NewDispatcher returns a dispatcher that reads from src and posts with send.
func NewDispatcher(src Source, send *Sender, opt Options) *Dispatcher {
	if opt.Every <= 0 {
		opt.Every = 250 * time.Millisecond
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(10*time.Minute, opt.MinBackoff)
	}
	if opt.Batch <= 0 {
		opt.Batch = 100
	}
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Dispatcher{src: src, send: send, opt: opt, inflight: map[string]bool{}, slots: make(chan struct{}, opt.Workers)}
}

// Backoff is the wait after the n-th consecutive failure (n ≥ 1).
func (d *Dispatcher) Backoff(n int) time.Duration {
	b := d.opt.MinBackoff
	for i := 1; i < n && b < d.opt.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.opt.MaxBackoff)
}

// Run delivers until ctx ends, then waits for deliveries under way.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	t := time.NewTicker(d.opt.Every)
	defer t.Stop()
	for {
		var wake <-chan struct{}
		if d.opt.Wake != nil {
			wake = d.opt.Wake() // taken before the round, so no append is missed
		}
		if err := d.Round(ctx); err != nil && ctx.Err() == nil {
			d.opt.Log.ErrorContext(ctx, "webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// Round starts a delivery turn for every subscription that has something to
// deliver and is not being served already; it does not wait for them.
func (d *Dispatcher) Round(ctx context.Context) error {
	last, err := d.src.LastSeq(ctx)
	if err != nil {
		return err
	}
	subs, err := d.src.Due(ctx, d.opt.Now())
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if sub.Cursor >= last && sub.Attempts == 0 {
			continue // nothing new
		}
		d.mu.Lock()
		busy := d.inflight[sub.ID]
		d.inflight[sub.ID] = true
		d.mu.Unlock()
		if busy {
			continue
		}
		d.wg.Go(func() {
			defer func() { d.mu.Lock(); delete(d.inflight, sub.ID); d.mu.Unlock() }()
			select {
			case d.slots <- struct{}{}:
				defer func() { <-d.slots }()
			case <-ctx.Done():
				return
			}
			if err := d.serve(ctx, sub); err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrStale) {
				d.opt.Log.ErrorContext(ctx, "webhook delivery", "subscription", sub.ID, "err", err)
			}
		})
	}
	return nil
}

// serve delivers sub's pending messages in order until none is left or one
// fails, which schedules a retry.
func (d *Dispatcher) serve(ctx context.Context, sub store.Subscription) error {
	for {
		before := sub.Cursor
		msgs, seen, err := d.src.Pending(ctx, sub, d.opt.Batch)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			at := d.opt.Now()
			r := d.send.Send(ctx, sub.URL, sub.Secret, m.ID, at, m.Body)
			dl := store.Delivery{Subscription: sub.ID, Seq: m.Seq, Attempt: sub.Attempts + 1, Time: at, StatusCode: r.StatusCode, Duration: r.Duration}
			if r.Err != nil {
				dl.Error = r.Err.Error()
			}
			if !r.OK() {
				if ctx.Err() != nil {
					return ctx.Err() // shutting down: not the receiver's failure
				}
				return d.src.Failed(ctx, sub.ID, sub.Cursor, at.Add(d.Backoff(sub.Attempts+1)), dl)
			}
			if err := d.src.Delivered(ctx, sub.ID, sub.Cursor, m.Seq, &dl); err != nil {
				return err
			}
			sub.Cursor, sub.Attempts = m.Seq, 0
		}
		if seen > sub.Cursor {
			if err := d.src.Delivered(ctx, sub.ID, sub.Cursor, seen, nil); err != nil {
				return err
			}
			sub.Cursor = seen
		}
		if len(msgs) == 0 && seen == before {
			return nil // caught up
		}
	}
}
