package label_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
	"time"

	ita "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/label"
)

// TestStockClientsAcceptLabels: label.json verifies with go-securesystemslib's
// own key loader and DSSE verifier, and its payload parses and validates as
// an in-toto Statement v1 with in-toto/attestation's Go types — independent
// clients, not our code, are the judges.
func TestStockClientsAcceptLabels(t *testing.T) {
	ctx := context.Background()
	c, _ := catalog.Default()
	e, _ := assess.New(c)
	b, err := os.ReadFile("../examples/router-tier2/declaration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := declaration.Parse("router", b)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	pub, priv, _ := label.GenerateKey(nil)
	st, err := label.NewStatement(e.Assess(d, nil, catalog.DateOf(now)), label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	env, err := label.Sign(ctx, st, priv)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, _ := label.MarshalPublicKey(pub)
	key, err := signerverifier.LoadKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := dsse.NewEnvelopeVerifier(sv)
	if err != nil {
		t.Fatal(err)
	}
	var de dsse.Envelope
	if err := json.Unmarshal(env, &de); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, &de); err != nil {
		t.Fatalf("go-securesystemslib rejects label.json: %v", err)
	}
	payload, err := base64.StdEncoding.DecodeString(de.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var s ita.Statement
	if err := protojson.Unmarshal(payload, &s); err != nil {
		t.Fatalf("in-toto/attestation cannot parse the statement: %v", err)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("in-toto/attestation: invalid statement: %v", err)
	}
	if s.GetPredicateType() != label.PredicateType || len(s.GetSubject()) != 1 || len(s.GetSubject()[0].GetDigest()["sha256"]) != 64 {
		t.Errorf("statement as in-toto reads it: %v", &s)
	}
}
