package label

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// edKey adapts an Ed25519 key to DSSE's signer and verifier interfaces.
type edKey struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	id   string
}

func (k edKey) Sign(_ context.Context, data []byte) ([]byte, error) {
	if k.priv == nil {
		return nil, errors.New("no private key")
	}
	return ed25519.Sign(k.priv, data), nil
}

func (k edKey) Verify(_ context.Context, data, sig []byte) error {
	if !ed25519.Verify(k.pub, data, sig) {
		return errors.New("signature does not verify")
	}
	return nil
}

func (k edKey) KeyID() (string, error)   { return k.id, nil }
func (k edKey) Public() crypto.PublicKey { return k.pub }

// Sign signs a statement into a DSSE envelope and returns its JSON.
func Sign(ctx context.Context, st *Statement, priv ed25519.PrivateKey) ([]byte, error) {
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	pub := priv.Public().(ed25519.PublicKey)
	signer, err := dsse.NewEnvelopeSigner(edKey{priv: priv, pub: pub, id: KeyID(pub)})
	if err != nil {
		return nil, err
	}
	env, err := signer.SignPayload(ctx, PayloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("sign label: %w", err)
	}
	return json.Marshal(env)
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
	var env dsse.Envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the envelope")
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("payload type %q is not %q", env.PayloadType, PayloadType)
	}
	v, err := dsse.NewEnvelopeVerifier(edKey{pub: pub, id: KeyID(pub)})
	if err != nil {
		return nil, err
	}
	if _, err := v.Verify(ctx, &env); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, err
	}
	var st Statement
	pd := json.NewDecoder(bytes.NewReader(payload))
	pd.DisallowUnknownFields()
	if err := pd.Decode(&st); err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	if st.Type != StatementType || st.PredicateType != PredicateType {
		return nil, fmt.Errorf("statement type %q / predicate type %q is not an iotlabel label", st.Type, st.PredicateType)
	}
	if st.Predicate.Issuer.KeyID != KeyID(pub) {
		return nil, fmt.Errorf("label names issuer key %s, but was verified with key %s", st.Predicate.Issuer.KeyID, KeyID(pub))
	}
	return &st, nil
}

// DecodeStatement reads the statement of a DSSE envelope without verifying it;
// use it only for envelopes verified before (such as those a registry stored).
func DecodeStatement(data []byte) (*Statement, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, err
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		return nil, err
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, err
	}
	return &st, nil
}
