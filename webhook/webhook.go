// Package webhook delivers the registry's label events to subscribers'
// HTTP endpoints: signed as Standard Webhooks (HMAC-SHA256 over
// "id.timestamp.body" with the subscription's secret), in event order, at
// least once, retried with exponential backoff while a receiver is down, and
// every try recorded in the subscription's delivery log.
//
// The sender refuses to connect to loopback, private, link-local and other
// non-public addresses unless told otherwise (the check runs on the address
// actually dialled, after DNS), so a subscription cannot make the registry
// probe its own network.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sign returns the Standard Webhooks signature header value for a message:
// "v1," and the base64 HMAC-SHA256 of "id.timestamp.body" keyed with the
// secret ("whsec_" and base64 of the key).
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret is not whsec_ and base64: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// ErrBlockedAddress is returned when a webhook URL resolves to an address
// the sender may not connect to.
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// Sender posts messages. Its zero value is not usable; use NewSender.
type Sender struct {
	client *http.Client
}

// NewSender returns a sender whose requests time out after timeout. With
// allowPrivate it may connect to loopback and private addresses (a test, or
// receivers on the operator's own network).
func NewSender(timeout time.Duration, allowPrivate bool) *Sender {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
			}
			if a := ap.Addr().Unmap(); !public(a) {
				return fmt.Errorf("%w: %s is not a public address", ErrBlockedAddress, a)
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: true}
	return &Sender{client: &http.Client{Transport: tr, Timeout: timeout,
		// A redirect is not an acknowledgement: the receiver must answer itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// public reports whether a is a globally routable unicast address.
func public(a netip.Addr) bool {
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(a) && !netip.MustParsePrefix("fc00::/7").Contains(a)
}

// Result is the outcome of one post.
type Result struct {
	StatusCode int
	Err        error
	Duration   time.Duration
}

// OK reports whether the receiver acknowledged the message (any 2xx).
func (r Result) OK() bool { return r.Err == nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// Send posts one message to url with the Standard Webhooks headers.
func (s *Sender) Send(ctx context.Context, url, secret, id string, at time.Time, body []byte) Result {
	start := time.Now()
	sig, err := Sign(secret, id, at, body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "iotlabel-registry-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return Result{Err: err, Duration: time.Since(start)}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // read a little, so the connection can be reused
	resp.Body.Close()
	return Result{StatusCode: resp.StatusCode, Duration: time.Since(start)}
}
