package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/store"
)

// maxSubscriptionsPerOrg bounds what one organisation may ask the registry
// to call.
const maxSubscriptionsPerOrg = 50

// SubscribeRequest asks for the label events matching its filters to be
// sent to URL.
type SubscribeRequest struct {
	URL string `json:"url"`
	// Filters; empty matches every label. A manufacturer's token is always
	// limited to its own organisation's labels.
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	Market       string `json:"market,omitempty"`
	// Since, when set, replays the events after that sequence number;
	// otherwise delivery starts with the next event.
	Since *int64 `json:"since,omitempty"`
}

// Subscribe stores a webhook subscription and returns it with its signing
// secret, which is shown only here. Manufacturers, retailers, labs, scheme
// owners and admins may subscribe.
func (s *Service) Subscribe(ctx context.Context, a Actor, r SubscribeRequest) (store.Subscription, string, error) {
	if !slices.Contains(Roles, a.Role) {
		return store.Subscription{}, "", ErrForbidden
	}
	if err := s.checkHookURL(r.URL); err != nil {
		return store.Subscription{}, "", err
	}
	r.Manufacturer, r.Model = normName(r.Manufacturer), normName(r.Model)
	if a.Role == RoleManufacturer {
		if r.Manufacturer != "" && r.Manufacturer != normName(a.Org) {
			return store.Subscription{}, "", fmt.Errorf("%w: a manufacturer may subscribe only to its own labels (%s)", ErrForbidden, a.Org)
		}
		r.Manufacturer = normName(a.Org)
	}
	if r.Market != "" {
		if err := s.knownMarket(r.Market); err != nil {
			return store.Subscription{}, "", err
		}
	}
	if len(r.Manufacturer) > 200 || len(r.Model) > 200 {
		return store.Subscription{}, "", fmt.Errorf("%w: manufacturer and model are at most 200 bytes", ErrInvalid)
	}
	mine, err := s.store.Subscriptions(ctx, a.Org)
	if err != nil {
		return store.Subscription{}, "", err
	}
	if len(mine) >= maxSubscriptionsPerOrg {
		return store.Subscription{}, "", fmt.Errorf("%w: %s already has %d subscriptions, the most allowed; delete one first", ErrInvalid, a.Org, len(mine))
	}
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return store.Subscription{}, "", err
	}
	cursor := last
	if r.Since != nil {
		if *r.Since < 0 || *r.Since > last {
			return store.Subscription{}, "", fmt.Errorf("%w: since must be between 0 and the last event, %d", ErrInvalid, last)
		}
		cursor = *r.Since
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return store.Subscription{}, "", err
	}
	// The Standard Webhooks secret format: "whsec_" and base64 of the key.
	secret := "whsec_" + base64.StdEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256(raw[:])
	sub := store.Subscription{ID: "sub_" + hex.EncodeToString(sum[:8]), Org: a.Org, TokenID: a.TokenID, URL: r.URL, Secret: secret,
		Created: s.now(), Manufacturer: r.Manufacturer, Model: r.Model, Market: r.Market, Cursor: cursor}
	if err := s.store.CreateSubscription(ctx, sub); err != nil {
		return store.Subscription{}, "", err
	}
	s.log().InfoContext(ctx, "webhook subscribed", "subscription", sub.ID, "org", a.Org, "actor", a.TokenID)
	return sub, secret, nil
}

// checkHookURL accepts an absolute https URL (http too when configured)
// without credentials in it.
func (s *Service) checkHookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "" || len(raw) > 2000:
		return fmt.Errorf("%w: url is required, at most 2000 bytes", ErrInvalid)
	case err != nil || u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%w: url %q is not an absolute URL", ErrInvalid, raw)
	case u.User != nil:
		return fmt.Errorf("%w: url must not carry credentials; verify deliveries by their signature instead", ErrInvalid)
	case u.Fragment != "":
		return fmt.Errorf("%w: url must not have a #fragment", ErrInvalid)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && s.webhookHTTP:
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%w: url must be https (this registry does not send webhooks over plain http)", ErrInvalid)
	}
	return fmt.Errorf("%w: url scheme %q is not https", ErrInvalid, u.Scheme)
}

// Subscriptions lists the caller's organisation's subscriptions (every
// subscription for an admin).
func (s *Service) Subscriptions(ctx context.Context, a Actor) ([]store.Subscription, error) {
	if !slices.Contains(Roles, a.Role) {
		return nil, ErrForbidden
	}
	if a.Role == RoleAdmin {
		return s.store.Subscriptions(ctx, "")
	}
	return s.store.Subscriptions(ctx, a.Org)
}

// subscription returns a subscription the caller may see: its own
// organisation's, or any for an admin (others' are "not found").
func (s *Service) subscription(ctx context.Context, a Actor, id string) (store.Subscription, error) {
	sub, err := s.store.Subscription(ctx, id)
	if err != nil {
		return sub, err
	}
	if a.Role != RoleAdmin && sub.Org != a.Org {
		return store.Subscription{}, fmt.Errorf("subscription %s: %w", id, store.ErrNotFound)
	}
	return sub, nil
}

// Unsubscribe deletes a subscription and its delivery log.
func (s *Service) Unsubscribe(ctx context.Context, a Actor, id string) error {
	if _, err := s.subscription(ctx, a, id); err != nil {
		return err
	}
	return s.store.DeleteSubscription(ctx, id)
}

// SubscriptionDeliveries returns a subscription and its delivery log,
// newest first.
func (s *Service) SubscriptionDeliveries(ctx context.Context, a Actor, id string, limit int) (store.Subscription, []store.Delivery, error) {
	sub, err := s.subscription(ctx, a, id)
	if err != nil {
		return sub, nil, err
	}
	ds, err := s.store.Deliveries(ctx, id, limit)
	return sub, ds, err
}

// Message is one webhook delivery: the event with sequence number Seq for
// one subscription. ID stays the same on every retry, so a receiver can drop
// repeats (delivery is at least once).
type Message struct {
	ID   string
	Seq  int64
	Body []byte
}

// messageBody is what a receiver gets: the event and the label it is
// about, with the fields GET /v1/labels/{id} shows but not the signed forms;
// the label is as it is now, so its status may be newer than the event's.
type messageBody struct {
	Type  string      `json:"type"` // label.issued or label.status
	Seq   int64       `json:"seq"`
	Time  time.Time   `json:"time"`
	Event store.Event `json:"event"`
	Label store.Label `json:"label"`
}

// Due returns the subscriptions whose next delivery may be tried at now.
// A subscription made with a token revoked since gets nothing: revoking a
// token withdraws what it asked for.
func (s *Service) Due(ctx context.Context, now time.Time) ([]store.Subscription, error) {
	all, err := s.store.Subscriptions(ctx, "")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sub store.Subscription) bool { return sub.TokenRevoked || sub.NextAttempt.After(now) }), nil
}

// Pending returns, in event order, up to limit messages for the events after
// sub's cursor that match its filters, and the sequence number up to which
// the events read were looked at (the cursor may move there once the
// messages are delivered; it moves past non-matching events without any).
func (s *Service) Pending(ctx context.Context, sub store.Subscription, limit int) ([]Message, int64, error) {
	evs, err := s.store.Events(ctx, sub.Cursor, 500)
	if err != nil {
		return nil, sub.Cursor, err
	}
	var msgs []Message
	seen := sub.Cursor
	labels := map[string]store.Label{}
	for _, ev := range evs {
		if len(msgs) == limit {
			break
		}
		seen = ev.Seq
		if ev.Kind != "issued" && ev.Kind != "status" {
			continue // trust-store events are not about a label
		}
		l, ok := labels[ev.LabelID]
		if !ok {
			if l, err = s.store.Label(ctx, ev.LabelID); errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return msgs, sub.Cursor, err
			}
			labels[ev.LabelID] = l
		}
		if !matches(sub, l) {
			continue
		}
		body, err := json.Marshal(messageBody{Type: "label." + ev.Kind, Seq: ev.Seq, Time: ev.Time, Event: ev, Label: l})
		if err != nil {
			return msgs, sub.Cursor, err
		}
		msgs = append(msgs, Message{ID: sub.ID + "." + strconv.FormatInt(ev.Seq, 10), Seq: ev.Seq, Body: body})
	}
	return msgs, seen, nil
}

func matches(sub store.Subscription, l store.Label) bool {
	return (sub.Manufacturer == "" || normName(l.Manufacturer) == sub.Manufacturer) &&
		(sub.Model == "" || normName(l.Model) == sub.Model) &&
		(sub.Market == "" || slices.Contains(l.Markets, sub.Market))
}

// Delivered moves sub's cursor from `from` to `to` after delivery d (nil
// when the events in between matched nothing); store.ErrStale if another
// dispatcher moved it first.
func (s *Service) Delivered(ctx context.Context, sub string, from, to int64, d *store.Delivery) error {
	return s.store.AdvanceSubscription(ctx, sub, from, to, d)
}

// Failed records failed delivery d of the event after cursor `at` and when
// to try again.
func (s *Service) Failed(ctx context.Context, sub string, at int64, next time.Time, d store.Delivery) error {
	if len(d.Error) > maxReason {
		d.Error = strings.ToValidUTF8(d.Error[:maxReason], "")
	}
	return s.store.FailSubscription(ctx, sub, at, next, d)
}

// LastSeq returns the sequence number of the newest event.
func (s *Service) LastSeq(ctx context.Context) (int64, error) { return s.store.LastSeq(ctx) }
