package attest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/trust"
)

// Types of evidence attestations.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	// EvidencePredicateType is the predicate type of signed evidence.
	EvidencePredicateType = "https://github.com/iotlabel/iotlabel/evidence/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
)

// Subject is an in-toto subject: what the evidence is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// EvidenceStatement is an in-toto Statement v1 carrying evidence items.
type EvidenceStatement struct {
	Type          string            `json:"_type"`
	Subject       []Subject         `json:"subject"`
	PredicateType string            `json:"predicateType"`
	Predicate     EvidencePredicate `json:"predicate"`
}

// EvidencePredicate holds the attested items.
type EvidencePredicate struct {
	Items []evidence.Item `json:"items"`
}

// ProductSubject names a product at a firmware version. Its digest is the
// firmware image's SHA-256 (hex) when known; otherwise the SHA-256 of the
// name itself, which binds the identity but no file.
func ProductSubject(manufacturer, model, firmware, imageSHA256 string) Subject {
	name := "iotlabel:product/" + manufacturer + "/" + model
	if firmware != "" {
		name += "@" + firmware
	}
	d := imageSHA256
	if d == "" {
		sum := sha256.Sum256([]byte(name))
		d = hex.EncodeToString(sum[:])
	}
	return Subject{Name: name, Digest: map[string]string{"sha256": d}}
}

// SignEvidence signs items as an evidence attestation about subjects.
func SignEvidence(ctx context.Context, items []evidence.Item, subjects []Subject, priv ed25519.PrivateKey) ([]byte, error) {
	if len(items) == 0 {
		return nil, errors.New("no evidence items to sign")
	}
	if len(subjects) == 0 {
		return nil, errors.New("an attestation needs a subject (the product)")
	}
	st := EvidenceStatement{Type: StatementType, Subject: subjects, PredicateType: EvidencePredicateType,
		Predicate: EvidencePredicate{Items: items}}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return Seal(ctx, PayloadType, payload, priv)
}

// IsEnvelope reports whether data looks like a DSSE envelope rather than
// evidence JSONL (its first object has a "payloadType" member).
func IsEnvelope(data []byte) bool {
	var probe struct {
		PayloadType *string `json:"payloadType"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	return dec.Decode(&probe) == nil && probe.PayloadType != nil
}

// Opened is a verified evidence attestation.
type Opened struct {
	Statement EvidenceStatement
	// Signer is the trust-store entry of the signing key (nil if the store
	// does not list it), KeyID its ID, Digest "sha256:<hex>" of the envelope.
	Signer *trust.Entry
	KeyID  string
	Digest string
}

// OpenEvidence verifies an evidence attestation. The envelope must be signed
// by a key in the trust store (revoked and expired keys included: each item
// is graded at its own time). Every returned item carries its Attestation,
// which says whether the signer is accredited for the item's check when the
// item was observed. The store decides; the items' own "kind" is kept as
// written, and the engine grades it against the catalog's evidence rules.
func OpenEvidence(ctx context.Context, data []byte, ts *trust.Store, now time.Time) (*Opened, error) {
	ids, err := KeyIDs(data)
	if err != nil {
		return nil, err
	}
	var payload []byte
	var entry *trust.Entry
	for _, e := range ts.Entries {
		want, err := DSSEKeyID(e.PublicKey())
		if err != nil || !slices.Contains(ids, want) {
			continue
		}
		if payload, err = Open(ctx, data, PayloadType, e.PublicKey()); err == nil {
			entry = e
			break
		}
	}
	if entry == nil {
		return nil, fmt.Errorf("%w: no key in the trust store signed this attestation (signature key IDs %v)", trust.ErrUntrusted, ids)
	}
	if err := NoDuplicateKeys(payload); err != nil {
		return nil, fmt.Errorf("attestation statement: %w", err)
	}
	var st EvidenceStatement
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("attestation statement: %w", err)
	}
	if st.Type != StatementType || st.PredicateType != EvidencePredicateType {
		return nil, fmt.Errorf("statement type %q / predicate type %q is not iotlabel evidence", st.Type, st.PredicateType)
	}
	if len(st.Predicate.Items) == 0 {
		return nil, errors.New("attestation holds no evidence items")
	}
	o := &Opened{Statement: st, Signer: entry, KeyID: entry.KeyID, Digest: Digest(data)}
	for i := range st.Predicate.Items {
		it := &st.Predicate.Items[i]
		if err := it.Validate(); err != nil {
			return nil, fmt.Errorf("attestation item %d: %v", i+1, err)
		}
		at := it.Time
		if at.IsZero() {
			at = now
		}
		a := &evidence.Attestation{KeyID: entry.KeyID, Holder: entry.Holder, Role: entry.Role, Envelope: o.Digest}
		if _, err := ts.Attester(entry.KeyID, it.Check, at); err != nil {
			a.Reason = err.Error()
		} else {
			a.Accredited = true
		}
		it.Attestation = a
	}
	return o, nil
}
