package store

import (
	"context"
	"errors"
	"time"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrStale is wrapped by a *StaleError: a compare-and-set lost a race.
	ErrStale = errors.New("changed by another writer")
)

// StaleError says that a status change was not made because the label is no
// longer in the status the caller decided from.
type StaleError struct {
	ID, Expected, Current string
}

func (e *StaleError) Error() string {
	return "label " + e.ID + " is " + e.Current + ", not " + e.Expected + ": " + ErrStale.Error()
}

// Unwrap lets errors.Is(err, ErrStale) match.
func (e *StaleError) Unwrap() error { return ErrStale }

// Label is a published label and its current status.
type Label struct {
	ID           string    `json:"id"`
	Manufacturer string    `json:"manufacturer"`
	Model        string    `json:"model"`
	Firmware     []string  `json:"firmware_versions"`
	Tier         int       `json:"tier"`
	Markets      []string  `json:"markets"`
	SupportEnd   string    `json:"support_end_date"`
	Issued       time.Time `json:"issued"`
	Expires      time.Time `json:"expires"`
	KeyID        string    `json:"key_id"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	Updated      time.Time `json:"updated"`
	// Envelope is the signed label (DSSE JSON); Compact its QR form.
	Envelope []byte `json:"-"`
	Compact  string `json:"-"`
}

// Event is one entry of the registry's append-only log. Seq increases
// strictly, so mirrors can sync with "events since N".
type Event struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	LabelID string    `json:"label_id"`
	Kind    string    `json:"kind"` // issued, status, trust (LabelID is then "trust:<key ID>")
	Status  string    `json:"status"`
	Reason  string    `json:"reason,omitempty"`
	Actor   string    `json:"actor,omitempty"`
}

// LabelQuery selects labels; empty fields match everything.
type LabelQuery struct {
	Manufacturer string
	Model        string
	Firmware     string
	Status       string
	// ExpiresBefore selects labels whose support ends before this date (YYYY-MM-DD).
	SupportEndsBefore string
	// ByID sorts by label ID instead of newest first, and AfterID then
	// skips IDs up to and including it: together they page through all labels.
	ByID    bool
	AfterID string
	// BySupportEnd sorts by support end date (soonest first), then ID, over
	// all matching labels; AfterSupportEnd and AfterID then continue after
	// that (date, ID) position, so pages never skip or repeat a label.
	BySupportEnd    bool
	AfterSupportEnd string
	// ExcludeStatuses leaves out labels in these statuses.
	ExcludeStatuses []string
	Limit           int
}

// Token is an API token; only the SHA-256 of its secret is stored.
type Token struct {
	ID      string    `json:"id"`
	Hash    []byte    `json:"-"`
	Role    string    `json:"role"`
	Org     string    `json:"org"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// Store is the registry's storage. Writes that change a label append their
// event in the same transaction, so the log and the labels never disagree.
type Store interface {
	// CreateLabel stores a new label and its "issued" event; ErrConflict if the ID exists.
	CreateLabel(ctx context.Context, l Label, ev Event) (Event, error)
	// Label returns a label, or ErrNotFound.
	Label(ctx context.Context, id string) (Label, error)
	// Labels returns the labels matching q, newest first.
	Labels(ctx context.Context, q LabelQuery) ([]Label, error)
	// SetStatus changes a label's status from `from` to status and appends
	// ev, in one transaction, only if the label's status is still `from`
	// (compare and set); otherwise a *StaleError with the current status, or
	// ErrNotFound if the label is absent.
	SetStatus(ctx context.Context, id, from, status, reason string, ev Event) (Event, error)
	// LabelEvents returns a label's events in order and, for each, the
	// number of events before it in the whole log: its index in the
	// transparency log, which holds every event in order.
	LabelEvents(ctx context.Context, labelID string) ([]Event, []int64, error)
	// Events returns up to limit events with Seq > since, in order.
	Events(ctx context.Context, since int64, limit int) ([]Event, error)
	// SetSBOM stores (or replaces) the component list of a label's product,
	// as opaque JSON; ErrNotFound if the label is absent.
	SetSBOM(ctx context.Context, labelID string, components []byte, at time.Time) error
	// SBOM returns what SetSBOM stored for a label, or ErrNotFound.
	SBOM(ctx context.Context, labelID string) ([]byte, error)
	// CreateOrg stores an organisation; ErrConflict if the ID exists.
	CreateOrg(ctx context.Context, o Org) error
	// Org returns an organisation, or ErrNotFound.
	Org(ctx context.Context, id string) (Org, error)
	// Orgs lists the organisations by ID.
	Orgs(ctx context.Context) ([]Org, error)
	// CreateProduct stores a product; ErrConflict if the ID exists,
	// ErrNotFound if its organisation does not.
	CreateProduct(ctx context.Context, p Product) error
	// Product returns a product, or ErrNotFound.
	Product(ctx context.Context, id string) (Product, error)
	// Products lists the products of an organisation ("" for all) by ID.
	Products(ctx context.Context, orgID string) ([]Product, error)
	// AddDeclaration stores the next version of a product's declaration and
	// returns it with its version number; ErrNotFound if the product is absent.
	AddDeclaration(ctx context.Context, d Declaration) (Declaration, error)
	// Declarations lists a product's declaration versions, oldest first,
	// without their documents.
	Declarations(ctx context.Context, productID string) ([]Declaration, error)
	// DeclarationVersion returns one version with its documents (version 0:
	// the newest), or ErrNotFound.
	DeclarationVersion(ctx context.Context, productID string, version int) (Declaration, error)
	// PutTrustEntry stores (or replaces) the trust-store entry of a key, as
	// opaque JSON, and appends ev in the same transaction.
	PutTrustEntry(ctx context.Context, keyID string, entry []byte, ev Event) (Event, error)
	// TrustEntries returns every stored trust-store entry, by key ID.
	TrustEntries(ctx context.Context) ([][]byte, error)
	// CreateToken stores a token; ErrConflict if the ID exists.
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with this secret hash, or ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// RevokeToken marks a token revoked at the given time; ErrNotFound if absent.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// LastSeq returns the sequence number of the newest event, or 0.
	LastSeq(ctx context.Context) (int64, error)
	// CreateSubscription stores a webhook subscription; ErrConflict if the ID exists.
	CreateSubscription(ctx context.Context, s Subscription) error
	// Subscription returns a subscription, or ErrNotFound.
	Subscription(ctx context.Context, id string) (Subscription, error)
	// Subscriptions lists the subscriptions of an organisation ("" for all) by ID.
	Subscriptions(ctx context.Context, org string) ([]Subscription, error)
	// DeleteSubscription removes a subscription and its delivery log;
	// ErrNotFound if absent.
	DeleteSubscription(ctx context.Context, id string) error
	// AdvanceSubscription moves a subscription's cursor from `from` to `to`
	// and clears its failures, recording d (if not nil) in the delivery log,
	// in one transaction, only if the cursor is still `from` (compare and
	// set: two dispatchers never deliver past each other); ErrStale otherwise.
	AdvanceSubscription(ctx context.Context, id string, from, to int64, d *Delivery) error
	// FailSubscription records a failed delivery d of the event after
	// cursor `at`, counts the attempt and schedules the next for `next`,
	// only if the cursor is still `at`; ErrStale otherwise.
	FailSubscription(ctx context.Context, id string, at int64, next time.Time, d Delivery) error
	// Deliveries returns a subscription's delivery log, newest first.
	Deliveries(ctx context.Context, id string, limit int) ([]Delivery, error)
	// Close releases the store.
	Close() error
}
