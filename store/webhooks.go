package store

import "time"

// Subscription is a webhook: the registry sends each label event that
// matches its filters to URL, in event order, signed with Secret, and
// remembers in Cursor the last event it has dealt with.
type Subscription struct {
	ID      string    `json:"id"`
	Org     string    `json:"org"`
	TokenID string    `json:"token_id"`
	URL     string    `json:"url"`
	Secret  string    `json:"-"`
	Created time.Time `json:"created"`
	// Filters; "" matches every label.
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	Market       string `json:"market,omitempty"`
	// Cursor is the sequence number of the last event delivered or
	// skipped as not matching; delivery resumes after it.
	Cursor int64 `json:"cursor"`
	// Attempts counts failed tries of the event after Cursor; NextAttempt
	// is when to try again, and LastError why the last try failed.
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// TokenRevoked means the token that made the subscription has been
	// revoked: nothing is sent any more (read-only, from the tokens).
	TokenRevoked bool `json:"token_revoked,omitempty"`
}

// Delivery is one try to deliver one event to a subscription.
type Delivery struct {
	Subscription string        `json:"subscription"`
	Seq          int64         `json:"seq"`
	Attempt      int           `json:"attempt"`
	Time         time.Time     `json:"time"`
	StatusCode   int           `json:"status_code,omitempty"`
	Error        string        `json:"error,omitempty"`
	Duration     time.Duration `json:"duration_ns"`
}

// OK reports whether the receiver acknowledged the delivery (any 2xx).
func (d Delivery) OK() bool { return d.Error == "" && d.StatusCode >= 200 && d.StatusCode < 300 }
