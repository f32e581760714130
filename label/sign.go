package label

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iotlabel/iotlabel/attest"
)

// Sign signs a statement into a DSSE envelope and returns its JSON. The
// signature names the key by go-securesystemslib's key ID, so stock DSSE
// verifiers accept it.
func Sign(ctx context.Context, st *Statement, priv ed25519.PrivateKey) ([]byte, error) {
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	env, err := attest.Seal(ctx, PayloadType, payload, priv)
	if err != nil {
		return nil, fmt.Errorf("sign label: %w", err)
	}
	return env, nil
}

// Seal signs a statement into both forms a label is published in: the DSSE
// envelope (JSON) and the compact QR text.
func Seal(ctx context.Context, st *Statement, priv ed25519.PrivateKey) (envelope []byte, compact string, err error) {
	if envelope, err = Sign(ctx, st, priv); err != nil {
		return nil, "", err
	}
	if compact, err = Compact(&st.Predicate, priv); err != nil {
		return nil, "", err
	}
	return envelope, compact, nil
}

// VerifyEnvelope checks a DSSE envelope's signature with pub and returns the
// statement it carries. Unknown fields, a wrong payload type or predicate type,
// and a statement whose issuer key ID is not pub's are all rejected.
func VerifyEnvelope(ctx context.Context, data []byte, pub ed25519.PublicKey) (*Statement, error) {
	payload, err := attest.Open(ctx, data, PayloadType, pub)
	if err != nil {
		return nil, err
	}
	st, err := decodeStatement(payload)
	if err != nil {
		return nil, err
	}
	if st.Type != StatementType || st.PredicateType != PredicateType {
		return nil, fmt.Errorf("statement type %q / predicate type %q is not an iotlabel label", st.Type, st.PredicateType)
	}
	if st.Predicate.Issuer.KeyID != KeyID(pub) {
		return nil, fmt.Errorf("label names issuer key %s, but was verified with key %s", st.Predicate.Issuer.KeyID, KeyID(pub))
	}
	return st, nil
}

// decodeStatement reads a statement strictly: no unknown fields, no
// duplicate keys, nothing after it.
func decodeStatement(payload []byte) (*Statement, error) {
	if err := attest.NoDuplicateKeys(payload); err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	var st Statement
	pd := json.NewDecoder(bytes.NewReader(payload))
	pd.DisallowUnknownFields()
	if err := pd.Decode(&st); err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	if pd.More() {
		return nil, errors.New("statement: trailing data")
	}
	return &st, nil
}

// DecodeStatement reads the statement of a DSSE envelope without verifying it;
// use it only for envelopes verified before (such as those a registry stored).
func DecodeStatement(data []byte) (*Statement, error) {
	payload, err := attest.Payload(data)
	if err != nil {
		return nil, err
	}
	return decodeStatement(payload)
}
