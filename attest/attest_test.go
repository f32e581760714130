package attest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/trust"
)

func key(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return pub, priv, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func store(t *testing.T, entries ...string) *trust.Store {
	t.Helper()
	ts, err := trust.Parse("trust.yaml", []byte("entries:\n"+strings.Join(entries, "")))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func entry(pubPEM, holder, role, checks string) string {
	return fmt.Sprintf("  - holder: %s\n    role: %s\n    checks: [%s]\n    valid_from: 2026-01-01\n    valid_until: 2027-12-31\n    key: |\n      %s\n",
		holder, role, checks, strings.ReplaceAll(strings.TrimSpace(pubPEM), "\n", "\n      "))
}

var obsTime = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func items() []evidence.Item {
	return []evidence.Item{
		{Kind: catalog.Lab, Source: evidence.Source{Signer: "Accredited Lab"}, Time: obsTime, Subject: evidence.Subject{Product: "NG-AX3000"},
			Check: "penetration-test", Result: evidence.Pass, Detail: "structured test, no findings"},
		{Kind: catalog.Tool, Source: evidence.Source{Tool: "iotlabel probe", Version: "1"}, Time: obsTime, Subject: evidence.Subject{Product: "NG-AX3000"},
			Check: "exposed-telnet", Result: evidence.Pass, Detail: "no telnet"},
	}
}

func TestSignAndOpen(t *testing.T) {
	ctx := context.Background()
	_, priv, pubPEM := key(t)
	sub := attest.ProductSubject("Northgate", "NG-AX3000", "3.2.1", strings.Repeat("ab", 32))
	env, err := attest.SignEvidence(ctx, items(), []attest.Subject{sub}, priv)
	if err != nil {
		t.Fatal(err)
	}
	ts := store(t, entry(pubPEM, "Accredited Lab", "lab", "penetration-test"))
	o, err := attest.OpenEvidence(ctx, env, ts, obsTime)
	if err != nil {
		t.Fatal(err)
	}
	got := o.Statement.Predicate.Items
	if len(got) != 2 || !got[0].Attestation.Accredited || got[1].Attestation.Accredited ||
		!strings.Contains(got[1].Attestation.Reason, `not accredited for check "exposed-telnet"`) {
		t.Errorf("grading: %+v / %+v", got[0].Attestation, got[1].Attestation)
	}
	if o.Statement.Subject[0].Digest["sha256"] != strings.Repeat("ab", 32) {
		t.Errorf("subject digest is not the image's: %v", o.Statement.Subject)
	}
	// An item observed after the accreditation ended is not accredited.
	late := items()[:1]
	late[0].Time = time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)
	env2, _ := attest.SignEvidence(ctx, late, []attest.Subject{sub}, priv)
	o2, err := attest.OpenEvidence(ctx, env2, ts, obsTime)
	if err != nil || o2.Statement.Predicate.Items[0].Attestation.Accredited {
		t.Errorf("item after valid_until accepted as accredited: %v", err)
	}
	// A key the store does not hold is refused.
	_, other, _ := key(t)
	env3, _ := attest.SignEvidence(ctx, items(), []attest.Subject{sub}, other)
	if _, err := attest.OpenEvidence(ctx, env3, ts, obsTime); !errors.Is(err, trust.ErrUntrusted) {
		t.Errorf("unknown key: %v", err)
	}
}

// TestRevokedKey: a revoked key attests nothing observed from that day on.
func TestRevokedKey(t *testing.T) {
	ctx := context.Background()
	_, priv, pubPEM := key(t)
	ts := store(t, entry(pubPEM, "Lab", "lab", "'*'")+"    revoked: 2026-10-01\n    revoked_reason: key leaked\n")
	env, _ := attest.SignEvidence(ctx, items(), []attest.Subject{attest.ProductSubject("N", "NG-AX3000", "", "")}, priv)
	o, err := attest.OpenEvidence(ctx, env, ts, obsTime)
	if err != nil {
		t.Fatal(err)
	}
	if a := o.Statement.Predicate.Items[0].Attestation; a.Accredited || !strings.Contains(a.Reason, "revoked on 2026-10-01 (key leaked)") {
		t.Errorf("revoked key: %+v", a)
	}
}

// TestStrictEnvelope: what a lenient parser lets through is refused.
func TestStrictEnvelope(t *testing.T) {
	ctx := context.Background()
	pub, priv, _ := key(t)
	env, err := attest.Seal(ctx, attest.PayloadType, []byte(`{"a":1}`), priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := attest.Open(ctx, env, attest.PayloadType, pub); err != nil {
		t.Fatalf("good envelope: %v", err)
	}
	var m map[string]any
	json.Unmarshal(env, &m)
	payload := m["payload"].(string)
	other := base64.StdEncoding.EncodeToString([]byte(`{"a":2}`))
	nonCanon := payload[:len(payload)-2] + string(payload[len(payload)-2]+1) + payload[len(payload)-1:] // changes unused padding bits
	for name, bad := range map[string]string{
		"duplicate payload": strings.Replace(string(env), `"payload":`, `"payload":"`+other+`","payload":`, 1),
		"trailing bytes":    string(env) + `{}`,
		"unknown field":     strings.Replace(string(env), `"payload":`, `"extra":1,"payload":`, 1),
		"newline in base64": strings.Replace(string(env), payload, payload[:4]+`\n`+payload[4:], 1),
		"padding bits":      strings.Replace(string(env), payload, nonCanon, 1),
		"no signatures":     `{"payloadType":"` + attest.PayloadType + `","payload":"` + payload + `","signatures":[]}`,
	} {
		if _, err := attest.Open(ctx, []byte(bad), attest.PayloadType, pub); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestStockDSSEVerifier: go-securesystemslib's own key loader and envelope
// verifier accept our signatures, so anyone can check them with stock tools.
func TestStockDSSEVerifier(t *testing.T) {
	ctx := context.Background()
	_, priv, pubPEM := key(t)
	env, err := attest.SignEvidence(ctx, items(), []attest.Subject{attest.ProductSubject("N", "NG-AX3000", "1", "")}, priv)
	if err != nil {
		t.Fatal(err)
	}
	k, err := signerverifier.LoadKey([]byte(pubPEM))
	if err != nil {
		t.Fatal(err)
	}
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(k)
	if err != nil {
		t.Fatal(err)
	}
	v, err := dsse.NewEnvelopeVerifier(sv)
	if err != nil {
		t.Fatal(err)
	}
	var e dsse.Envelope
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, &e); err != nil {
		t.Errorf("stock verifier: %v", err)
	}
}

func TestTrustStoreErrors(t *testing.T) {
	_, _, pubPEM := key(t)
	for name, doc := range map[string]string{
		"bad role":   entry(pubPEM, "Lab", "wizard", "'*'"),
		"no holder":  entry(pubPEM, "''", "lab", "'*'"),
		"bad key":    "  - {holder: Lab, role: lab, key: nope, valid_from: 2026-01-01, valid_until: 2027-01-01}\n",
		"bad date":   strings.Replace(entry(pubPEM, "Lab", "lab", "'*'"), "2027-12-31", "31/12/2027", 1),
		"twice":      entry(pubPEM, "Lab", "lab", "'*'") + entry(pubPEM, "Lab B", "lab", "'*'"),
		"unknown":    entry(pubPEM, "Lab", "lab", "'*'") + "    colour: red\n",
		"dates swap": strings.Replace(entry(pubPEM, "Lab", "lab", "'*'"), "2027-12-31", "2025-01-01", 1),
	} {
		if _, err := trust.Parse("trust.yaml", []byte("entries:\n"+doc)); err == nil || !strings.HasPrefix(err.Error(), "trust store trust.yaml") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzOpen: no envelope, however malformed, panics the strict parser, and
// whatever it accepts verifies with the key (the signature covers it).
func FuzzOpen(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := attest.Seal(context.Background(), attest.PayloadType, []byte(`{"a":1}`), priv)
	for _, s := range []string{string(good), `{}`, `{"payloadType":"x","payload":"","signatures":[]}`, `[1,2`, `{"a":{"b":{"a":1,"a":2}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := attest.Open(context.Background(), data, attest.PayloadType, pub); err == nil && string(data) != string(good) {
			// Only the one envelope signed above can verify with this key.
			var a, b map[string]any
			json.Unmarshal(data, &a)
			json.Unmarshal(good, &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("accepted a different envelope: %s", data)
			}
		}
		attest.NoDuplicateKeys(data)
		attest.ReadEvidence(context.Background(), "fuzz", data, nil, obsTime)
	})
}

// FuzzTrustParse: no trust-store text panics the parser.
func FuzzTrustParse(f *testing.F) {
	_, _, pubPEM := key(&testing.T{})
	f.Add([]byte("entries:\n" + entry(pubPEM, "Lab", "lab", "'*'")))
	f.Add([]byte("entries: [{holder: x}]"))
	f.Add([]byte(": :"))
	f.Fuzz(func(t *testing.T, data []byte) {
		trust.Parse("fuzz.yaml", data)
	})
}
