package httpapi

import (
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
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return fmt.Errorf("registry %s: %w", c.Base, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < maxRetries {
			// The registry asked us to slow down: wait as long as it says.
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(min(max(wait, 1), 30)) * time.Second):
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			var e apiError
			if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
				return &StatusError{Code: resp.StatusCode, Msg: fmt.Sprintf("registry %s: %s (%s)", u, e.Error.Message, e.Error.Code)}
			}
			return &StatusError{Code: resp.StatusCode, Msg: fmt.Sprintf("registry %s: HTTP %d", u, resp.StatusCode)}
		}
		return json.Unmarshal(body, v)
	}
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

// SupportEndingWithin lists labels whose support ends within days.
func (c *Client) SupportEndingWithin(ctx context.Context, days int) ([]store.Label, error) {
	var out struct {
		Labels []store.Label `json:"labels"`
	}
	err := c.get(ctx, "/v1/labels", url.Values{"support_ends_within_days": {strconv.Itoa(days)}, "limit": {"1000"}}, &out)
	return out.Labels, err
}

// Check asks whether model may be sold in market (at tier or higher).
func (c *Client) Check(ctx context.Context, model, market string, tier int) (registry.CheckResult, error) {
	var r registry.CheckResult
	err := c.get(ctx, "/v1/check", url.Values{"model": {model}, "market": {market}, "tier": {strconv.Itoa(tier)}}, &r)
	return r, err
}
