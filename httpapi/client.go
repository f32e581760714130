package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
)

// Client reads a registry over its JSON API.
type Client struct {
	// Base is the registry's base URL, e.g. https://registry.example.
	Base string
	HTTP *http.Client
}

// NewClient returns a client with sane timeouts.
func NewClient(base string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// maxRetries is how often get waits out a 429 before giving up.
const maxRetries = 5

func (c *Client) get(ctx context.Context, path string, q url.Values, v any) error {
	body, err := c.call(ctx, http.MethodGet, path, q, "", nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

// call makes one request (with a bearer token and a JSON body when given)
// and returns the body of a 200 or 201 answer; it waits out 429s as the
// registry's Retry-After asks, and any other status is a *StatusError.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, token string, in []byte) ([]byte, error) {
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if in != nil {
			rd = bytes.NewReader(in)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", c.Base, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < maxRetries {
			// The registry asked us to slow down: wait as long as it says.
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(min(max(wait, 1), 30)) * time.Second):
			}
			continue
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			var e apiError
			if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
				return nil, &StatusError{Code: resp.StatusCode, Msg: fmt.Sprintf("registry %s: %s (%s)", u, e.Error.Message, e.Error.Code)}
			}
			return nil, &StatusError{Code: resp.StatusCode, Msg: fmt.Sprintf("registry %s: HTTP %d", u, resp.StatusCode)}
		}
		return body, nil
	}
}

// Publish sends a signed label (and its compact form) to the registry,
// which verifies and recomputes it before it stores it.
func (c *Client) Publish(ctx context.Context, token string, envelope []byte, compact string) (store.Label, error) {
	in, err := json.Marshal(map[string]any{"envelope": json.RawMessage(envelope), "compact": compact})
	if err != nil {
		return store.Label{}, fmt.Errorf("label.json is not JSON: %w", err)
	}
	body, err := c.call(ctx, http.MethodPost, "/v1/labels", nil, token, in)
	if err != nil {
		return store.Label{}, err
	}
	var l store.Label
	return l, json.Unmarshal(body, &l)
}

// TrustYAML returns the registry's trust store in the file format.
func (c *Client) TrustYAML(ctx context.Context) ([]byte, error) {
	return c.call(ctx, http.MethodGet, "/v1/trust.yaml", nil, "", nil)
}

// Accredit adds a key's trust-store entry (scheme owners and admins).
func (c *Client) Accredit(ctx context.Context, token string, e *trust.Entry) (*trust.Entry, error) {
	in, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	body, err := c.call(ctx, http.MethodPost, "/v1/trust", nil, token, in)
	if err != nil {
		return nil, err
	}
	var out trust.Entry
	return &out, json.Unmarshal(body, &out)
}

// RevokeAccreditation revokes a key's trust-store entry, with a reason.
func (c *Client) RevokeAccreditation(ctx context.Context, token, keyID, reason string) (*trust.Entry, error) {
	in, _ := json.Marshal(map[string]string{"reason": reason})
	body, err := c.call(ctx, http.MethodPost, "/v1/trust/"+url.PathEscape(keyID)+"/revoke", nil, token, in)
	if err != nil {
		return nil, err
	}
	var out trust.Entry
	return &out, json.Unmarshal(body, &out)
}

// StatusError is a registry's answer other than 200 OK.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Label returns the registry's record of a label, with its current status;
// an error wrapping store.ErrNotFound when the registry does not know it.
func (c *Client) Label(ctx context.Context, id string) (store.Label, error) {
	var l store.Label
	err := c.get(ctx, "/v1/labels/"+url.PathEscape(id), nil, &l)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return l, fmt.Errorf("%w: the registry %s does not know label %s", store.ErrNotFound, c.Base, id)
	}
	return l, err
}

// SupportEndingWithin lists every label whose support ends within days,
// soonest first, revoked ones left out, following the registry's pages to
// the end.
func (c *Client) SupportEndingWithin(ctx context.Context, days int) ([]store.Label, error) {
	var all []store.Label
	q := url.Values{"support_ends_within_days": {strconv.Itoa(days)}, "limit": {"1000"}}
	for {
		var page struct {
			Labels []store.Label `json:"labels"`
			Next   string        `json:"next"`
		}
		if err := c.get(ctx, "/v1/labels", q, &page); err != nil {
			return all, err
		}
		all = append(all, page.Labels...)
		if page.Next == "" || len(page.Labels) == 0 {
			return all, nil
		}
		q.Set("after", page.Next)
	}
}

// ProductLabels lists the labels of a manufacturer's model (at a firmware
// version, when given), revoked ones included, newest first: what a network
// operator asks about a device found on the network.
func (c *Client) ProductLabels(ctx context.Context, manufacturer, model, firmware string) ([]store.Label, error) {
	q := url.Values{"manufacturer": {manufacturer}, "model": {model}, "include_revoked": {"true"}, "limit": {"100"}}
	if firmware != "" {
		q.Set("firmware", firmware)
	}
	var page struct {
		Labels []store.Label `json:"labels"`
	}
	err := c.get(ctx, "/v1/labels", q, &page)
	return page.Labels, err
}

// Check asks whether a manufacturer's model (at a firmware version, when
// given) may be sold in a market, at a tier when one is asked for.
func (c *Client) Check(ctx context.Context, q registry.CheckQuery) (registry.CheckResult, error) {
	var r registry.CheckResult
	v := url.Values{"manufacturer": {q.Manufacturer}, "model": {q.Model}, "market": {q.Market}, "tier": {strconv.Itoa(q.MinTier)}}
	if q.Firmware != "" {
		v.Set("firmware", q.Firmware)
	}
	if q.At != "" {
		v.Set("at", q.At)
	}
	err := c.get(ctx, "/v1/check", v, &r)
	return r, err
}
