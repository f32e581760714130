package trust_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/trust"
)

// TestYAMLRoundTrip: what YAML writes, Parse reads back to the same store,
// revocation included.
func TestYAMLRoundTrip(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKIXPublicKey(pub)
	e := &trust.Entry{Key: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), Holder: "Lab", Role: trust.RoleLab,
		Checks: []string{"penetration-test"}, ValidFrom: "2026-01-01", ValidUntil: "2027-12-31"}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	e.Revoke(time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC), "key leaked")
	b, err := trust.New(e).YAML()
	if err != nil {
		t.Fatal(err)
	}
	s, err := trust.Parse("round.yaml", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	got := s.Entry(e.KeyID)
	if got == nil || got.Holder != "Lab" || got.Revoked != "2026-06-01" || got.RevokedReason != "key leaked" {
		t.Fatalf("round trip: %+v\n%s", got, b)
	}
	if _, err := s.Attester(e.KeyID, "penetration-test", time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("revoked key accepted after its revocation date")
	}
	if _, err := s.Attester(e.KeyID, "penetration-test", time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("before revocation: %v", err)
	}
}
