package label

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

func TestBase45RFC9285(t *testing.T) {
	for in, out := range map[string]string{"AB": "BB8", "Hello!!": "%69 VD92EX0", "base-45": "UJCLQE7W581", "ietf!": "QED8WEX0", "": ""} {
		if got := base45Encode([]byte(in)); got != out {
			t.Errorf("encode %q = %q, want %q", in, got, out)
		}
		if got, err := base45Decode(out); err != nil || string(got) != in {
			t.Errorf("decode %q = %q, %v", out, got, err)
		}
	}
	for _, bad := range []string{"GGW", "A", "ab!", ":::"} {
		if _, err := base45Decode(bad); err == nil {
			t.Errorf("decode %q accepted", bad)
		}
	}
}

// assessment returns a real, digested assessment of the router example.
func assessment(t *testing.T) *assess.Assessment {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := assess.New(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../examples/router-tier2/declaration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := declaration.Parse("router.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return e.Assess(d, nil, catalog.MustDate("2026-11-22"))
}

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func issue(t *testing.T, opt Options) (*Statement, ed25519.PrivateKey, ed25519.PublicKey) {
	t.Helper()
	pub, priv, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	opt.KeyID, opt.Now = KeyID(pub), now
	st, err := NewStatement(assessment(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	return st, priv, pub
}

func TestStatementClaimsOnlyTheAssessment(t *testing.T) {
	a := assessment(t)
	st, _, _ := issue(t, Options{Issuer: "Lab", RegistryURL: "https://r.example/"})
	p := st.Predicate
	if p.Tier != a.Tier || p.AssessmentDigest != a.Digest || p.CatalogVersion != a.CatalogVersion || p.SupportEnd != a.Support.EndDate {
		t.Errorf("predicate %+v does not copy the assessment", p)
	}
	if p.RegistryURL != "https://r.example" || p.PageURL() != "https://r.example/l/"+p.LabelID || !strings.HasPrefix(p.LabelID, "IL-") {
		t.Errorf("registry URL %q, page %q", p.RegistryURL, p.PageURL())
	}
	if want := now.AddDate(MaxValidity, 0, 0).Format("2006-01-02"); p.Expires.Format("2006-01-02") != want {
		t.Errorf("expires %s, want %s (capped at %d years)", p.Expires, want, MaxValidity)
	}
	if len(st.Subject) != 1 || !strings.Contains(st.Subject[0].Name, "NG-AX3000@4.2.1") {
		t.Errorf("subject %+v", st.Subject)
	}
	// A changed verdict breaks the digest, and no label is issued.
	a.Tier = 4
	if _, err := NewStatement(a, Options{Now: now}); !errors.Is(err, ErrDigest) {
		t.Errorf("tampered assessment: %v", err)
	}
	a = assessment(t)
	if _, err := NewStatement(a, Options{Now: now, ValidUntil: catalog.MustDate("2040-01-01")}); err == nil || !strings.Contains(err.Error(), "outlive the support period") {
		t.Errorf("validity beyond support: %v", err)
	}
	if _, err := NewStatement(a, Options{Now: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, ErrSupportEnd) {
		t.Errorf("support ended: %v", err)
	}
}

func TestSignVerifyAndTamper(t *testing.T) {
	ctx := context.Background()
	st, priv, pub := issue(t, Options{Issuer: "Lab", RegistryURL: "https://r.example"})
	env, err := Sign(ctx, st, priv)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := Compact(&st.Predicate, priv)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range [][]byte{env, []byte(compact)} {
		if r := Check(ctx, form, pub, now.Add(time.Hour)); !r.Valid || r.Predicate.LabelID != st.Predicate.LabelID || r.Predicate.Tier != 2 {
			t.Fatalf("valid label rejected: %+v", r)
		}
		// Flipping any single byte must make verification fail.
		for i := range form {
			bad := bytes.Clone(form)
			bad[i] ^= 0x01
			if r := Check(ctx, bad, pub, now.Add(time.Hour)); r.Valid {
				t.Fatalf("byte %d (%q→%q) changed, but the label still verifies", i, form[i], bad[i])
			}
		}
		if r := Check(ctx, form, pub, now.AddDate(4, 0, 0)); r.Valid || r.Status != "expired" {
			t.Errorf("expired label: %+v", r)
		}
		if r := Check(ctx, form, pub, now.Add(-48*time.Hour)); r.Valid || r.Status != "not_yet_valid" {
			t.Errorf("future label: %+v", r)
		}
		otherPub, _, _ := GenerateKey(nil)
		if r := Check(ctx, form, otherPub, now); r.Valid || r.Predicate != nil {
			t.Errorf("another key verifies the label: %+v", r)
		}
	}
	// In a URL, base45's "%" and " " are escaped; a fragment a phone already
	// decoded verifies too, and so does the bare form without a registry.
	if !strings.Contains(compact, "%20") && !strings.Contains(compact, "%25") {
		t.Errorf("compact URL form is not escaped: %s", compact)
	}
	url, frag, _ := strings.Cut(compact, "#")
	decoded := strings.NewReplacer("%20", " ", "%25", "%").Replace(frag)
	if r := Check(ctx, []byte(url+"#"+decoded), pub, now); !r.Valid {
		t.Errorf("decoded fragment rejected: %s", r.Reason)
	}
	st.Predicate.RegistryURL = ""
	bare, _ := Compact(&st.Predicate, priv)
	if r := Check(ctx, []byte(bare), pub, now); !r.Valid || !strings.HasPrefix(bare, CompactPrefix) {
		t.Errorf("bare compact form: %s", r.Reason)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	pub, priv, _ := GenerateKey(nil)
	privPEM, _ := MarshalPrivateKey(priv)
	pubPEM, _ := MarshalPublicKey(pub)
	p2, err := ParsePrivateKey(privPEM)
	if err != nil || !p2.Equal(priv) {
		t.Fatalf("private key round trip: %v", err)
	}
	q2, err := ParsePublicKey(pubPEM)
	if err != nil || !q2.Equal(pub) || len(KeyID(pub)) != 16 {
		t.Fatalf("public key round trip: %v", err)
	}
	if _, err := ParsePrivateKey(pubPEM); err == nil {
		t.Error("public key accepted as private")
	}
}

// TestCompactTrailingBytes: bytes after the zlib stream are refused, so one
// label has one QR text.
func TestCompactTrailingBytes(t *testing.T) {
	st, priv, pub := issue(t, Options{Issuer: "Lab", Now: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
	text, err := Compact(&st.Predicate, priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyCompact(text, pub); err != nil {
		t.Fatalf("good compact form: %v", err)
	}
	i := strings.Index(text, CompactPrefix) + len(CompactPrefix)
	z, err := base45Decode(text[i:])
	if err != nil {
		t.Fatal(err)
	}
	bad := text[:i] + base45Encode(append(z, 0, 1, 2))
	if _, err := VerifyCompact(bad, pub); err == nil || !strings.Contains(err.Error(), "after the end of the stream") {
		t.Errorf("trailing bytes: %v", err)
	}
}

// TestCompactBindsItsURL: the registry URL and label ID are not repeated in
// the signed payload but bound as its external AAD, so the same label under
// another URL (another registry, another label ID) does not verify.
func TestCompactBindsItsURL(t *testing.T) {
	st, priv, pub := issue(t, Options{Issuer: "Lab", RegistryURL: "https://registry.example"})
	text, err := Compact(&st.Predicate, priv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := VerifyCompact(text, pub)
	if err != nil || p.LabelID != st.Predicate.LabelID || p.RegistryURL != "https://registry.example" {
		t.Fatalf("verify: %v %+v", err, p)
	}
	for _, moved := range []string{
		strings.Replace(text, "https://registry.example", "https://evil.example", 1),
		strings.Replace(text, "/l/"+st.Predicate.LabelID, "/l/IL-000000000000", 1),
		text[strings.Index(text, "#")+1:], // the payload without its URL
	} {
		if _, err := VerifyCompact(moved, pub); err == nil {
			t.Errorf("moved label verified: %.60s", moved)
		}
	}
	l, err := NewLayout(&st.Predicate, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("QR text %d characters, symbol version %d", len(text), l.QRVersion)
	if l.QRVersion > 17 { // 22 with one byte segment and every claim repeated (issue #11)
		t.Errorf("QR version %d; mixed mode should keep a typical label at 17 or below", l.QRVersion)
	}
}

// FuzzVerifyCompact: no QR text, however malformed, panics the verifier,
// and only the one signed text verifies with the key.
func FuzzVerifyCompact(f *testing.F) {
	st, priv, pub := issue(&testing.T{}, Options{Issuer: "Lab", RegistryURL: "https://r.example"})
	good, _ := Compact(&st.Predicate, priv)
	for _, s := range []string{good, good[strings.Index(good, "#")+1:], CompactPrefix + "ABC", "https://r.example/l/IL-X#IL2:%%%", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if p, err := VerifyCompact(text, pub); err == nil && p.LabelID != st.Predicate.LabelID {
			t.Fatalf("a different label verified: %q", text)
		}
	})
}
