package attest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

// MaxEnvelope bounds the size of an envelope Open reads.
const MaxEnvelope = 16 << 20

// DSSEKeyID is the key ID go-securesystemslib computes for an Ed25519
// public key (SHA-256 of its canonical securesystemslib JSON form).
func DSSEKeyID(pub ed25519.PublicKey) (string, error) {
	k, err := sslibKey(pub)
	if err != nil {
		return "", err
	}
	return k.KeyID, nil
}

func sslibKey(pub ed25519.PublicKey) (*signerverifier.SSLibKey, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return signerverifier.LoadKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// signer signs with an Ed25519 key and names it by its securesystemslib key ID.
type signer struct {
	*signerverifier.ED25519SignerVerifier
}

func newSigner(priv ed25519.PrivateKey) (signer, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return signer{}, err
	}
	k, err := signerverifier.LoadKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return signer{}, err
	}
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(k)
	return signer{sv}, err
}

// Seal signs payload into a DSSE envelope of the given payload type and
// returns the envelope's JSON.
func Seal(ctx context.Context, payloadType string, payload []byte, priv ed25519.PrivateKey) ([]byte, error) {
	s, err := newSigner(priv)
	if err != nil {
		return nil, err
	}
	es, err := dsse.NewEnvelopeSigner(s)
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(ctx, payloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return json.Marshal(env)
}

// envelope is the strict shape of a DSSE envelope.
type envelope struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	} `json:"signatures"`
}

// Open verifies a DSSE envelope of payloadType with pub and returns its
// payload. It refuses duplicate keys, unknown fields, trailing bytes and
// base64 that is not in canonical standard form.
func Open(ctx context.Context, data []byte, payloadType string, pub ed25519.PublicKey) ([]byte, error) {
	env, err := parseEnvelope(data)
	if err != nil {
		return nil, err
	}
	if env.PayloadType != payloadType {
		return nil, fmt.Errorf("payload type %q is not %q", env.PayloadType, payloadType)
	}
	k, err := sslibKey(pub)
	if err != nil {
		return nil, err
	}
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(k)
	if err != nil {
		return nil, err
	}
	v, err := dsse.NewEnvelopeVerifier(sv)
	if err != nil {
		return nil, err
	}
	de := &dsse.Envelope{PayloadType: env.PayloadType, Payload: env.Payload}
	for _, s := range env.Signatures {
		de.Signatures = append(de.Signatures, dsse.Signature{KeyID: s.KeyID, Sig: s.Sig})
	}
	if _, err := v.Verify(ctx, de); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return base64.StdEncoding.Strict().DecodeString(env.Payload)
}

// Payload returns an envelope's payload without verifying its signature; use
// it only for envelopes verified before (such as those a registry stored).
func Payload(data []byte) ([]byte, error) {
	env, err := parseEnvelope(data)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.Strict().DecodeString(env.Payload)
}

// KeyIDs lists the key IDs an envelope's signatures name, unverified.
func KeyIDs(data []byte) ([]string, error) {
	env, err := parseEnvelope(data)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, s := range env.Signatures {
		ids = append(ids, s.KeyID)
	}
	return ids, nil
}

func parseEnvelope(data []byte) (*envelope, error) {
	if len(data) > MaxEnvelope {
		return nil, fmt.Errorf("envelope is larger than %d bytes", MaxEnvelope)
	}
	if err := NoDuplicateKeys(data); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a DSSE envelope: trailing data after the envelope")
	}
	if len(env.Signatures) == 0 {
		return nil, errors.New("not a DSSE envelope: no signatures")
	}
	if !canonicalBase64(env.Payload) {
		return nil, errors.New("not a DSSE envelope: payload is not canonical standard base64")
	}
	for _, s := range env.Signatures {
		if !canonicalBase64(s.Sig) {
			return nil, errors.New("not a DSSE envelope: a signature is not canonical standard base64")
		}
	}
	return &env, nil
}

// canonicalBase64 reports whether s is standard, padded base64 exactly as
// Go encodes the bytes it decodes to (no stray padding bits, no newlines).
func canonicalBase64(s string) bool {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil && base64.StdEncoding.EncodeToString(b) == s
}

// NoDuplicateKeys returns an error naming the first JSON object key that
// appears twice in one object, at any depth, or a syntax error.
func NoDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var walk func(depth int) error
	walk = func(depth int) error {
		if depth > 64 {
			return errors.New("JSON nested too deeply")
		}
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if seen[k] {
					return fmt.Errorf("duplicate key %q", k)
				}
				seen[k] = true
				if err := walk(depth + 1); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(depth + 1); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return walk(0)
}
