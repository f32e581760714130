package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/trust"
)

// forge assesses an example, then edits its tier and recomputes its digest,
// as anyone can: the digest is a plain SHA-256 of public bytes.
func forge(t *testing.T, f *fixture, example string, tier int) *assess.Assessment {
	t.Helper()
	c, _ := catalog.Default()
	e, _ := assess.New(c)
	b, _ := os.ReadFile("../examples/" + example + "/declaration.yaml")
	d, err := declaration.Parse(example, b)
	if err != nil {
		t.Fatal(err)
	}
	register(t, f.svc, b, d)
	a := e.Assess(d, nil, catalog.DateOf(*f.now))
	a.Tier = tier
	sum := sha256.Sum256(assess.Canonical(a))
	a.Digest = "sha256:" + hex.EncodeToString(sum[:])
	if !assess.VerifyDigest(a) {
		t.Fatal("forged digest does not verify")
	}
	return a
}

// TestPublishRecomputes: a label whose tier was edited (and its digest
// recomputed) is refused, though a trusted key signed it, and the retailer
// check never sees it; the honest label of the same product publishes.
func TestPublishRecomputes(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testPublishRecomputes(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { testPublishRecomputes(t, newPGFixture(t)) })
}

func testPublishRecomputes(t *testing.T, f *fixture) {
	ctx := context.Background()
	pub := f.priv.Public().(label.PublicKey)
	seal := func(a *assess.Assessment) ([]byte, string) {
		st, err := label.NewStatement(a, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: *f.now})
		if err != nil {
			t.Fatal(err)
		}
		env, compact, err := label.Seal(ctx, st, f.priv)
		if err != nil {
			t.Fatal(err)
		}
		return env, compact
	}
	env, compact := seal(forge(t, f, "smart-plug-tier1", 4))
	_, err := f.svc.Publish(ctx, admin, env, compact)
	if !errors.Is(err, registry.ErrMismatch) || !strings.Contains(err.Error(), "claims tier 4") || !strings.Contains(err.Error(), "gives tier 1") {
		t.Errorf("forged tier published: %v", err)
	}
	if c, _ := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Plugwise Home Ltd", Model: "PWM-2", Market: "GB", MinTier: 4}); c.Allowed {
		t.Errorf("check answers allowed for the forged tier: %+v", c)
	}
	// The honest label of the same product publishes.
	env, compact = seal(forge(t, f, "smart-plug-tier1", 1))
	if _, err := f.svc.Publish(ctx, admin, env, compact); err != nil {
		t.Errorf("honest label refused: %v", err)
	}
}

// TestPublishNeedsIssuerRights: with a trust store, an issuer key may issue
// labels only for the schemes its entry lists.
func TestPublishNeedsIssuerRights(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	pub := f.priv.Public().(label.PublicKey)
	pubPEM, _ := label.MarshalPublicKey(pub)
	entry := func(schemes string) *trust.Store {
		doc := "entries:\n  - holder: Lab\n    role: lab\n    schemes: [" + schemes + "]\n    valid_from: 2026-01-01\n    valid_until: 2028-01-01\n    key: |\n      " +
			strings.ReplaceAll(strings.TrimSpace(string(pubPEM)), "\n", "\n      ") + "\n"
		ts, err := trust.Parse("trust.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	env, compact, _ := f.signed(t, "router-tier2", f.priv)
	f.set(t, func(c *registry.Config) { c.Trust = entry("uk-psti") })
	if _, err := f.svc.Publish(ctx, admin, env, compact); !errors.Is(err, registry.ErrUntrusted) || !strings.Contains(err.Error(), "may not issue labels for scheme") {
		t.Errorf("issuer without rights for the schemes: %v", err)
	}
	f.set(t, func(c *registry.Config) { c.Trust = entry("'*'") })
	if _, err := f.svc.Publish(ctx, admin, env, compact); err != nil {
		t.Errorf("issuer with rights: %v", err)
	}
}

// TestPendingLabel: a label whose validity starts in the future is pending,
// not active, until a sweep on or after that day.
func TestPendingLabel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	*f.now = day0.Add(48 * time.Hour)
	env, compact, _ := f.signed(t, "router-tier2", f.priv)
	*f.now = day0
	l, err := f.svc.Publish(ctx, admin, env, compact)
	if err != nil || l.Status != registry.Pending {
		t.Fatalf("future label: %v %+v", err, l.Status)
	}
	if c, _ := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Northgate Networks GmbH", Model: "NG-AX3000", Market: "EU", MinTier: 2}); c.Allowed {
		t.Errorf("a pending label allows sale: %+v", c)
	}
	*f.now = day0.Add(72 * time.Hour)
	if _, err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Store().Label(ctx, l.ID); got.Status != registry.Active {
		t.Errorf("after its first day: %s", got.Status)
	}
}

// TestPublishTier4SignedEvidence: a Tier 4 label publishes when the
// registry holds the signed lab attestation with the declaration and its trust
// store accredits the lab; a registry that does not accredit the lab computes
// Tier 3 and refuses the label.
func TestPublishTier4SignedEvidence(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testPublishTier4SignedEvidence(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { testPublishTier4SignedEvidence(t, newPGFixture(t)) })
}

func testPublishTier4SignedEvidence(t *testing.T, f *fixture) {
	ctx := context.Background()
	labPub, labPriv, _ := label.GenerateKey(nil)
	issuerPub := f.priv.Public().(label.PublicKey)
	entry := func(pub label.PublicKey, role, checks, schemes string) string {
		pemText, _ := label.MarshalPublicKey(pub)
		return "  - holder: " + role + " org\n    role: " + role + "\n    checks: [" + checks + "]\n    schemes: [" + schemes + "]\n" +
			"    valid_from: 2026-01-01\n    valid_until: 2028-01-01\n    key: |\n      " + strings.ReplaceAll(strings.TrimSpace(string(pemText)), "\n", "\n      ") + "\n"
	}
	full, err := trust.Parse("trust.yaml", []byte("entries:\n"+entry(labPub, "lab", "penetration-test", "")+entry(issuerPub, "scheme_owner", "", "'*'")))
	if err != nil {
		t.Fatal(err)
	}
	issuerOnly, _ := trust.Parse("trust.yaml", []byte("entries:\n"+entry(issuerPub, "scheme_owner", "", "'*'")))

	at := day0.Add(-24 * time.Hour)
	items := []evidence.Item{
		{Kind: catalog.Tool, Source: evidence.Source{Tool: "iotlabel sbom scan"}, Time: at, Check: "sbom-present", Result: evidence.Pass, Detail: "SBOM"},
		{Kind: catalog.Tool, Source: evidence.Source{Tool: "iotlabel sbom scan"}, Time: at, Check: "known-exploited-vulnerability", Result: evidence.Pass, Detail: "none", Data: map[string]any{"checked": 40, "not_checked": 0}},
		{Kind: catalog.Tool, Source: evidence.Source{Tool: "iotlabel sbom scan"}, Time: at, Check: "known-vulnerability", Result: evidence.Pass, Detail: "none", Data: map[string]any{"checked": 40, "not_checked": 0}},
	}
	var jsonl strings.Builder
	evidence.Write(&jsonl, items)
	pentest, err := attest.SignEvidence(ctx, []evidence.Item{{Kind: catalog.Lab, Source: evidence.Source{Signer: "lab org"}, Time: at,
		Check: "penetration-test", Result: evidence.Pass, Detail: "structured test"}},
		[]attest.Subject{attest.ProductSubject("Northgate Networks GmbH", "NG-AX3000", "4.2.1", "")}, labPriv)
	if err != nil {
		t.Fatal(err)
	}
	ev := []byte(jsonl.String() + string(pentest) + "\n")

	decl, _ := os.ReadFile("../examples/router-tier2/declaration.yaml")
	d, _ := declaration.Parse("router", decl)
	f.set(t, func(c *registry.Config) { c.Trust = full })
	o, _ := f.svc.CreateOrg(ctx, admin, d.Manufacturer.Name, registry.RoleManufacturer)
	p, _ := f.svc.CreateProduct(ctx, admin, o.ID, d.Product.Model, d.Product.Name)
	stored, err := f.svc.SubmitDeclaration(ctx, admin, p.ID, decl, ev)
	if err != nil || stored.Tier != 4 {
		t.Fatalf("declaration with signed lab evidence: tier %d, %v", stored.Tier, err)
	}
	// The issuer computes the same assessment from the same inputs.
	read, err := attest.ReadEvidence(ctx, "ev", ev, full, *f.now)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := assess.New(f.cfg.Catalog)
	a := e.Assess(d, read.Items, catalog.DateOf(*f.now))
	st, err := label.NewStatement(a, label.Options{Issuer: "Scheme", KeyID: label.KeyID(issuerPub), Now: *f.now})
	if err != nil || st.Predicate.Tier != 4 {
		t.Fatalf("label: %v", err)
	}
	env, compact, _ := label.Seal(ctx, st, f.priv)

	f.set(t, func(c *registry.Config) { c.Trust = issuerOnly }) // a registry that does not accredit the lab
	if _, err := f.svc.Publish(ctx, admin, env, compact); !errors.Is(err, registry.ErrMismatch) || !strings.Contains(err.Error(), "gives tier 3") {
		t.Errorf("without the lab accredited: %v", err)
	}
	f.set(t, func(c *registry.Config) { c.Trust = full })
	if l, err := f.svc.Publish(ctx, admin, env, compact); err != nil || l.Tier != 4 {
		t.Errorf("Tier 4 label with the lab accredited: %+v %v", l.Tier, err)
	}
}

// TestAccreditThroughTheRegistry: scheme owners add and revoke issuer and
// lab keys; labs and manufacturers may not; every change is an event; a
// revoked key stays revoked and issues nothing more.
func TestAccreditThroughTheRegistry(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testAccreditThroughTheRegistry(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { testAccreditThroughTheRegistry(t, newPGFixture(t)) })
}

func testAccreditThroughTheRegistry(t *testing.T, f *fixture) {
	ctx := context.Background()
	other, otherPriv, _ := label.GenerateKey(nil)
	pemText, _ := label.MarshalPublicKey(other)
	entry := func() *trust.Entry {
		return &trust.Entry{Key: string(pemText), Holder: "Second Lab", Role: trust.RoleLab, Schemes: []string{"*"},
			ValidFrom: "2026-01-01", ValidUntil: "2028-01-01"}
	}
	if _, err := f.svc.Accredit(ctx, lab, entry()); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("a lab accredited a key: %v", err)
	}
	bad := entry()
	bad.Role = "wizard"
	if _, err := f.svc.Accredit(ctx, owner, bad); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("invalid entry: %v", err)
	}
	e, err := f.svc.Accredit(ctx, owner, entry())
	if err != nil {
		t.Fatal(err)
	}
	env, compact, _ := f.signed(t, "router-tier2", otherPriv)
	if _, err := f.svc.Publish(ctx, admin, env, compact); err != nil {
		t.Fatalf("label by a newly accredited key: %v", err)
	}
	if _, err := f.svc.RevokeAccreditation(ctx, owner, e.KeyID, "key leaked"); err != nil {
		t.Fatal(err)
	}
	*f.now = f.now.Add(24 * time.Hour)
	env, compact, _ = f.signed(t, "router-tier2", otherPriv)
	if _, err := f.svc.Publish(ctx, admin, env, compact); !errors.Is(err, registry.ErrUntrusted) || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("label by a revoked key: %v", err)
	}
	if _, err := f.svc.Accredit(ctx, owner, entry()); err == nil || !strings.Contains(err.Error(), "stays revoked") {
		t.Errorf("re-accrediting a revoked key: %v", err)
	}
	evs, _, _ := f.svc.Store().LabelEvents(ctx, "trust:"+e.KeyID)
	if len(evs) != 2 || evs[0].Status != "accredited" || evs[1].Status != "revoked" || evs[1].Reason != "key leaked" {
		t.Errorf("trust events: %+v", evs)
	}
}

// TestKeptCatalogVersions: a label assessed under an earlier catalog version
// is refused by a registry that keeps only the current one, and published by
// one that keeps the earlier version too — recomputed with that version.
func TestKeptCatalogVersions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	m := fstest.MapFS{}
	fs.WalkDir(catalog.Data(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(catalog.Data(), p)
			if p == "catalog.yaml" {
				b = []byte(strings.Replace(string(b), `version: "2026.12.2"`, `version: "2026.10"`, 1))
			}
			m[p] = &fstest.MapFile{Data: b}
		}
		return err
	})
	old, err := catalog.LoadFS(m)
	if err != nil || old.Version != "2026.10" {
		t.Fatalf("old catalog: %v %v", old, err)
	}
	oldEng, _ := assess.New(old)
	decl, _ := os.ReadFile("../examples/router-tier2/declaration.yaml")
	d, _ := declaration.Parse("router", decl)
	register(t, f.svc, decl, d)
	pub := f.priv.Public().(label.PublicKey)
	st, err := label.NewStatement(oldEng.Assess(d, nil, catalog.DateOf(*f.now)), label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: *f.now})
	if err != nil {
		t.Fatal(err)
	}
	env, compact, _ := label.Seal(ctx, st, f.priv)
	if _, err := f.svc.Publish(ctx, admin, env, compact); !errors.Is(err, registry.ErrMismatch) || !strings.Contains(err.Error(), "catalog 2026.10") {
		t.Errorf("earlier catalog, not kept: %v", err)
	}
	f.set(t, func(c *registry.Config) { c.Engines = []*assess.Engine{oldEng} })
	if l, err := f.svc.Publish(ctx, admin, env, compact); err != nil || l.Tier != 2 {
		t.Errorf("earlier catalog, kept: %+v %v", l.Tier, err)
	}
}
