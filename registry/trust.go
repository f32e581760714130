package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/trust"
)

// TrustStore returns the registry's trust store: the entries of the file it
// started with (Config Trust), replaced by those scheme owners added or
// revoked through the API, which are stored and logged.
func (s *Service) TrustStore(ctx context.Context) (*trust.Store, error) {
	var entries []*trust.Entry
	if s.initialTrust != nil {
		entries = append(entries, s.initialTrust.Entries...)
	}
	docs, err := s.store.TrustEntries(ctx)
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		var e trust.Entry
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("stored trust entry: %w", err)
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("stored trust entry %s: %w", e.KeyID, err)
		}
		entries = append(entries, &e)
	}
	if len(entries) == 0 && s.initialTrust == nil {
		return nil, nil
	}
	return trust.New(entries...), nil
}

// mayAccredit says whether a may change the trust store: scheme owners and
// admins only.
func mayAccredit(a Actor) error {
	switch a.Role {
	case RoleAdmin, RoleSchemeOwner:
		return nil
	case "":
		return ErrUnauthorized
	}
	return fmt.Errorf("%w: only scheme owners and admins accredit keys", ErrForbidden)
}

// Accredit adds (or replaces) a key's trust-store entry. The entry is
// validated as a trust-store file's would be; a key whose accreditation was
// revoked cannot be accredited again. The change is an event, and so goes
// into the transparency log.
func (s *Service) Accredit(ctx context.Context, a Actor, e *trust.Entry) (*trust.Entry, error) {
	if err := mayAccredit(a); err != nil {
		return nil, err
	}
	e.Revoked, e.RevokedReason = "", ""
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return nil, err
	}
	if old := ts.Entry(e.KeyID); old != nil && old.IsRevoked() {
		return nil, fmt.Errorf("%w: key %s was revoked on %s; a revoked key stays revoked", store.ErrConflict, e.KeyID, old.Revoked)
	}
	reason := fmt.Sprintf("%s (%s) accredited for checks [%s], labels for schemes [%s], %s to %s", e.Holder, e.Role,
		strings.Join(e.Checks, ", "), strings.Join(e.Schemes, ", "), e.ValidFrom, e.ValidUntil)
	return e, s.putTrust(ctx, a, e, "accredited", reason)
}

// RevokeAccreditation revokes a key's entry from today on.
func (s *Service) RevokeAccreditation(ctx context.Context, a Actor, keyID, reason string) (*trust.Entry, error) {
	if err := mayAccredit(a); err != nil {
		return nil, err
	}
	if reason = strings.TrimSpace(reason); reason == "" || len(reason) > maxReason {
		return nil, fmt.Errorf("%w: a reason (1 to %d characters) is required", ErrInvalid, maxReason)
	}
	ts, err := s.TrustStore(ctx)
	if err != nil {
		return nil, err
	}
	e := ts.Entry(keyID)
	if e == nil {
		return nil, fmt.Errorf("trust entry %s: %w", keyID, store.ErrNotFound)
	}
	if e.IsRevoked() {
		return nil, fmt.Errorf("%w: key %s was already revoked on %s", ErrTransition, keyID, e.Revoked)
	}
	c := *e
	c.Revoke(s.now(), reason)
	return &c, s.putTrust(ctx, a, &c, "revoked", reason)
}

func (s *Service) putTrust(ctx context.Context, a Actor, e *trust.Entry, status, reason string) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.store.PutTrustEntry(ctx, e.KeyID, doc, store.Event{Time: s.now(), LabelID: "trust:" + e.KeyID, Kind: "trust",
		Status: status, Reason: reason, Actor: a.Org})
	if err == nil {
		s.appended()
		s.log().InfoContext(ctx, "trust store changed", "key", e.KeyID, "holder", e.Holder, "status", status, "actor", a.TokenID)
	}
	return err
}
