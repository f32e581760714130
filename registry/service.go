package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
	"github.com/iotlabel/iotlabel/vuln"
)

// Roles of API tokens.
const (
	RoleAdmin        = "admin"
	RoleSchemeOwner  = "scheme_owner"
	RoleLab          = "lab"
	RoleManufacturer = "manufacturer"
	// RoleRetailer may only subscribe to status changes (reads are public).
	RoleRetailer = "retailer"
)

// Roles lists the valid roles.
var Roles = []string{RoleAdmin, RoleSchemeOwner, RoleLab, RoleManufacturer, RoleRetailer}

// Errors the API maps to statuses.
var (
	ErrUnauthorized = errors.New("missing, unknown or revoked token")
	ErrForbidden    = errors.New("not allowed for this role")
	ErrUntrusted    = errors.New("label is not signed by a trusted issuer key")
	ErrInvalid      = errors.New("invalid request")
	ErrTransition   = errors.New("status change not allowed")
)

// maxReason bounds the reason given for a status or trust change.
const maxReason = 1000

// Actor is who makes a request.
type Actor struct {
	TokenID string
	Role    string
	Org     string
}

// Config is what a Service is built from.
type Config struct {
	// Store is where labels, events and the rest live (required).
	Store store.Store
	// Keys are the trusted issuer keys, by key ID; they may issue labels for
	// any scheme.
	Keys map[string]label.PublicKey
	// Trust, when set, is the trust store the registry starts with: which
	// keys may attest which checks and issue labels for which schemes. Scheme
	// owners add and revoke entries through Accredit and
	// RevokeAccreditation; TrustStore is the result.
	Trust *trust.Store
	// Window is how long before the end of support a label is flagged at risk.
	Window time.Duration
	// Now is the clock (default time.Now); Log the logger (default: none).
	Now func() time.Time
	Log *slog.Logger
	// Vulns, when set, is the vulnerability database that products' SBOMs
	// are re-matched against on every sweep; Dict identifies components.
	Vulns vuln.Source
	Dict  *vuln.Dictionary
	// Catalog, when set, lets the registry recompute assessments (its
	// engine is compiled once here).
	Catalog *catalog.Catalog
	// Engines are earlier catalog versions the registry keeps, so that labels
	// issued under them can still be recomputed before they are published.
	Engines []*assess.Engine
	// WebhookHTTP lets subscriptions use plain http:// URLs (https only
	// otherwise). Where webhooks may connect is the sender's business
	// (package webhook).
	WebhookHTTP bool
}

// Service is the registry: publish, look up and change the status of labels,
// keep the event log, answer retailers' checks and feed webhooks. Build it
// with New; it is safe for concurrent use.
type Service struct {
	store        store.Store
	keys         map[string]label.PublicKey
	initialTrust *trust.Store
	window       time.Duration
	now          func() time.Time
	logger       *slog.Logger
	vulns        vuln.Source
	dict         *vuln.Dictionary
	catalog      *catalog.Catalog
	engine       *assess.Engine
	engines      []*assess.Engine
	webhookHTTP  bool

	mu      sync.Mutex
	changed chan struct{} // closed (and replaced) when this process appends an event
}

// New builds a Service from cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("registry: Config.Store is required")
	}
	s := &Service{store: cfg.Store, keys: maps.Clone(cfg.Keys), initialTrust: cfg.Trust, window: cfg.Window,
		now: cfg.Now, logger: cfg.Log, vulns: cfg.Vulns, dict: cfg.Dict, catalog: cfg.Catalog,
		engines: slices.Clone(cfg.Engines), webhookHTTP: cfg.WebhookHTTP, changed: make(chan struct{})}
	if s.keys == nil {
		s.keys = map[string]label.PublicKey{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Catalog != nil {
		var err error
		if s.engine, err = assess.New(cfg.Catalog); err != nil {
			return nil, fmt.Errorf("registry: catalog %s: %w", cfg.Catalog.Version, err)
		}
	}
	return s, nil
}

// Store returns the service's store, for the processes around it (the
// transparency-log follower, migrations); requests go through the methods.
func (s *Service) Store() store.Store { return s.store }

// Publish verifies a signed label (DSSE envelope, and the compact form if
// given) against the trusted keys and stores it with its initial status.
func (s *Service) Publish(ctx context.Context, a Actor, envelope []byte, compact string) (store.Label, error) {
	var st *label.Statement
	var key label.PublicKey
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return store.Label{}, err
	}
	for _, k := range s.issuerKeys(ts) {
		if v, err := label.VerifyEnvelope(ctx, envelope, k); err == nil {
			st, key = v, k
			break
		}
	}
	if st == nil {
		return store.Label{}, ErrUntrusted
	}
	p := st.Predicate
	switch a.Role {
	case RoleAdmin, RoleSchemeOwner, RoleLab:
	case RoleManufacturer:
		if normName(a.Org) != normName(p.Manufacturer) {
			return store.Label{}, fmt.Errorf("%w: a manufacturer may only publish its own products (%s is %s's)", ErrForbidden, p.Model, p.Manufacturer)
		}
	default:
		return store.Label{}, ErrForbidden
	}
	if _, err := s.verifyClaims(ctx, ts, &p, s.now()); err != nil {
		return store.Label{}, err
	}
	if compact != "" {
		cp, err := label.VerifyCompact(compact, key)
		if err != nil || cp.LabelID != p.LabelID {
			return store.Label{}, fmt.Errorf("%w: the compact form does not verify or names another label", ErrInvalid)
		}
	}
	now := s.now()
	check := Recheck(&p, nil, nil, now, s.window)
	l := store.Label{ID: p.LabelID, Manufacturer: p.Manufacturer, Model: p.Model, Firmware: p.FirmwareVersions, Tier: p.Tier,
		Markets: p.Markets, SupportEnd: p.SupportEnd.String(), Issued: p.Issued, Expires: p.Expires, KeyID: p.Issuer.KeyID,
		Status: check.Status, StatusReason: strings.Join(check.Reasons, "; "), Updated: now, Envelope: envelope, Compact: compact}
	if _, err := s.store.CreateLabel(ctx, l, store.Event{Time: now, LabelID: l.ID, Kind: "issued", Status: l.Status, Reason: "published", Actor: a.Org}); err != nil {
		return store.Label{}, err
	}
	s.appended()
	s.log().InfoContext(ctx, "label published", "label", l.ID, "model", l.Model, "tier", l.Tier, "status", l.Status, "actor", a.TokenID)
	return l, nil
}

// riskRules are the catalog's at-risk rules (none without a catalog).
func (s *Service) riskRules() []catalog.RiskRule {
	if s.catalog == nil {
		return nil
	}
	return s.catalog.AtRisk
}

// issuerKeys are the keys labels may be signed with: Keys, and the trust
// store's keys that may issue labels for some scheme.
func (s *Service) issuerKeys(ts *trust.Store) []label.PublicKey {
	keys := make([]label.PublicKey, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k)
	}
	if ts != nil {
		for _, e := range ts.Entries {
			if len(e.Schemes) > 0 {
				keys = append(keys, e.PublicKey())
			}
		}
	}
	return keys
}

// Actions that change a label's status.
var actions = map[string]string{"revoke": Revoked, "suspend": Suspended, "reinstate": Active}

// ChangeStatus revokes, suspends or reinstates a label. Only scheme owners and
// admins may; a reason is required; revocation is final.
func (s *Service) ChangeStatus(ctx context.Context, a Actor, id, action, reason string) (store.Label, error) {
	to, ok := actions[action]
	if !ok {
		return store.Label{}, fmt.Errorf("%w: action %q is not revoke, suspend or reinstate", ErrInvalid, action)
	}
	if a.Role != RoleAdmin && a.Role != RoleSchemeOwner {
		return store.Label{}, fmt.Errorf("%w: only scheme owners and admins change a label's status", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReason {
		return store.Label{}, fmt.Errorf("%w: a reason of 1 to %d characters is required", ErrInvalid, maxReason)
	}
	l, err := s.store.Label(ctx, id)
	if err != nil {
		return l, err
	}
	switch {
	case l.Status == Revoked:
		return l, fmt.Errorf("%w: %s is revoked, which is final", ErrTransition, id)
	case action == "reinstate" && l.Status != Suspended:
		return l, fmt.Errorf("%w: only a suspended label can be reinstated (%s is %s)", ErrTransition, id, l.Status)
	case action == "suspend" && l.Status == Suspended:
		return l, fmt.Errorf("%w: %s is already suspended", ErrTransition, id)
	}
	if action == "reinstate" {
		p, err := predicate(l)
		if err != nil {
			return l, err
		}
		to = Recheck(p, nil, nil, s.now(), s.window).Status // back to what the dates say
	}
	now := s.now()
	if _, err := s.store.SetStatus(ctx, id, l.Status, to, reason, store.Event{Time: now, LabelID: id, Kind: "status", Status: to, Reason: reason, Actor: a.Org}); err != nil {
		if errors.Is(err, store.ErrStale) {
			// Another writer changed the label since it was read: the caller
			// decided on a status that is no longer true.
			return l, fmt.Errorf("%w: %v; nothing was changed", ErrTransition, err)
		}
		return l, err
	}
	s.appended()
	s.log().InfoContext(ctx, "label status changed", "label", id, "status", to, "actor", a.TokenID)
	return s.store.Label(ctx, id)
}

func predicate(l store.Label) (*label.Predicate, error) {
	st, err := label.DecodeStatement(l.Envelope)
	if err != nil {
		return nil, fmt.Errorf("stored label %s: %w", l.ID, err)
	}
	return &st.Predicate, nil
}

// Sweep rechecks every active or at-risk label: labels whose dates say so
// move to at_risk or expired, and, with a vulnerability database, a label
// whose product's SBOM now has a known exploited vulnerability (or a critical
// one, at Tier 3 and up) moves to at_risk, or back when that is gone. Each
// change is an event; Sweep returns them. Revoked and suspended labels are
// left alone.
func (s *Service) Sweep(ctx context.Context) ([]store.Event, error) {
	var out []store.Event
	for after := ""; ; {
		ls, err := s.store.Labels(ctx, store.LabelQuery{ByID: true, AfterID: after, Limit: 1000})
		if err != nil || len(ls) == 0 {
			return out, err
		}
		after = ls[len(ls)-1].ID
		for _, l := range ls {
			if l.Status != Active && l.Status != AtRisk && l.Status != Pending {
				continue
			}
			ev, changed, err := s.recheck(ctx, l)
			if err != nil {
				return out, err
			}
			if changed {
				out = append(out, ev)
			}
		}
	}
}

// recheck applies Recheck to one stored label, with a rescan of its SBOM
// when there is one and a database to scan against, and records a change of
// status (or of the reasons for being at risk).
func (s *Service) recheck(ctx context.Context, l store.Label) (store.Event, bool, error) {
	p, err := predicate(l)
	if err != nil {
		return store.Event{}, false, err
	}
	var comps []sbom.Component
	if s.vulns != nil && s.dict != nil {
		if comps, err = s.storedSBOM(ctx, l.ID); err != nil {
			return store.Event{}, false, err
		}
	}
	c, err := RecheckSBOM(ctx, p, comps, s.vulns, s.dict, s.riskRules(), s.now(), s.window)
	if err != nil {
		return store.Event{}, false, err
	}
	reason := strings.Join(c.Reasons, "; ")
	if c.Status == l.Status && (c.Status != AtRisk || reason == l.StatusReason) {
		return store.Event{}, false, nil
	}
	ev, err := s.store.SetStatus(ctx, l.ID, l.Status, c.Status, reason,
		store.Event{Time: s.now(), LabelID: l.ID, Kind: "status", Status: c.Status, Reason: reason, Actor: "registry"})
	if err == nil {
		s.appended()
	}
	if errors.Is(err, store.ErrStale) {
		// A person (or another sweep) changed the label meanwhile: theirs
		// stands — a revocation is final for background writers too.
		return store.Event{}, false, nil
	}
	return ev, err == nil, err
}

// CreateToken mints a token and returns its secret, which is shown once; only
// its SHA-256 is stored.
func (s *Service) CreateToken(ctx context.Context, role, org, name string) (string, store.Token, error) {
	if !slices.Contains(Roles, role) {
		return "", store.Token{}, fmt.Errorf("%w: role %q is not one of %v", ErrInvalid, role, Roles)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", store.Token{}, err
	}
	secret := "ilt_" + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(secret))
	t := store.Token{ID: "tok_" + hex.EncodeToString(sum[:6]), Hash: sum[:], Role: role, Org: normName(org), Name: name, Created: s.now()}
	return secret, t, s.store.CreateToken(ctx, t)
}

// Authenticate maps a token secret to its actor. A revoked token fails at once.
func (s *Service) Authenticate(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, "ilt_") {
		return Actor{}, ErrUnauthorized
	}
	sum := sha256.Sum256([]byte(secret))
	t, err := s.store.TokenByHash(ctx, sum[:])
	if err != nil || subtle.ConstantTimeCompare(t.Hash, sum[:]) != 1 || !t.Revoked.IsZero() {
		return Actor{}, ErrUnauthorized
	}
	return Actor{TokenID: t.ID, Role: t.Role, Org: t.Org}, nil
}

func (s *Service) log() *slog.Logger { return s.logger }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Changed returns a channel that is closed when this service next appends an
// event, so that followers in the same process (webhooks) need not wait for
// their next poll. Writers in other processes are seen by polling only.
func (s *Service) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// appended wakes everyone waiting on Changed.
func (s *Service) appended() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}
