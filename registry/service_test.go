package registry_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/internal/testenv"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/vuln"
)

var day0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc  *registry.Service
	cfg  registry.Config
	priv label.PrivateKey
	now  *time.Time
}

// set rebuilds the service on the same store with a changed configuration.
func (f *fixture) set(t *testing.T, change func(*registry.Config)) {
	t.Helper()
	change(&f.cfg)
	svc, err := registry.New(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, db)
}

// newPGFixture is newFixture on a fresh PostgreSQL database.
func newPGFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := postgres.Open(context.Background(), postgres.Config{DSN: pgtest.NewDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, db)
}

func newFixtureOn(t *testing.T, db store.Store) *fixture {
	t.Helper()
	t.Cleanup(func() { db.Close() })
	pub, priv, _ := label.GenerateKey(nil)
	now := day0
	cat, _ := catalog.Default()
	f := &fixture{priv: priv, now: &now, cfg: registry.Config{Store: db, Keys: map[string]label.PublicKey{label.KeyID(pub): pub},
		Window: 180 * 24 * time.Hour, Now: func() time.Time { return now }, Catalog: cat}}
	f.set(t, func(*registry.Config) {})
	return f
}

// register registers an example's manufacturer and product and stores its
// declaration, as a manufacturer would before a label is published.
func register(t *testing.T, svc *registry.Service, decl []byte, d *declaration.Declaration) {
	t.Helper()
	ctx := context.Background()
	o, err := svc.CreateOrg(ctx, admin, d.Manufacturer.Name, registry.RoleManufacturer)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	p, err := svc.CreateProduct(ctx, admin, o.ID, d.Product.Model, d.Product.Name)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	if _, err := svc.SubmitDeclaration(ctx, admin, p.ID, decl, nil); err != nil {
		t.Fatal(err)
	}
}

// signed issues a label for an example product.
func (f *fixture) signed(t *testing.T, example string, priv label.PrivateKey) ([]byte, string, *label.Statement) {
	t.Helper()
	c, _ := catalog.Default()
	e, _ := assess.New(c)
	b, err := os.ReadFile("../examples/" + example + "/declaration.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := declaration.Parse(example, b)
	if err != nil {
		t.Fatal(err)
	}
	register(t, f.svc, b, d)
	a := e.Assess(d, nil, catalog.DateOf(*f.now))
	pub := priv.Public().(label.PublicKey)
	st, err := label.NewStatement(a, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: *f.now, RegistryURL: "https://r.example"})
	if err != nil {
		t.Fatal(err)
	}
	env, compact, err := label.Seal(context.Background(), st, priv)
	if err != nil {
		t.Fatal(err)
	}
	return env, compact, st
}

var (
	admin = registry.Actor{TokenID: "a", Role: registry.RoleAdmin, Org: "Registry"}
	owner = registry.Actor{TokenID: "o", Role: registry.RoleSchemeOwner, Org: "Scheme"}
	lab   = registry.Actor{TokenID: "l", Role: registry.RoleLab, Org: "Lab"}
)

func TestPublishAuthorization(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	env, compact, st := f.signed(t, "router-tier2", f.priv)
	other := registry.Actor{Role: registry.RoleManufacturer, Org: "Brightlook Electronics Co."}
	if _, err := f.svc.Publish(ctx, other, env, compact); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("another manufacturer published the router: %v", err)
	}
	own := registry.Actor{Role: registry.RoleManufacturer, Org: "Northgate Networks GmbH"}
	l, err := f.svc.Publish(ctx, own, env, compact)
	if err != nil || l.ID != st.Predicate.LabelID || l.Status != registry.Active || l.Tier != 2 {
		t.Fatalf("own product: %+v %v", l, err)
	}
	if _, err := f.svc.Publish(ctx, lab, env, compact); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second publish: %v", err)
	}
	_, untrustedKey, _ := label.GenerateKey(nil)
	env2, _, _ := f.signed(t, "smart-plug-tier1", untrustedKey)
	if _, err := f.svc.Publish(ctx, lab, env2, ""); !errors.Is(err, registry.ErrUntrusted) {
		t.Errorf("untrusted key: %v", err)
	}
	env3, compact3, _ := f.signed(t, "smart-plug-tier1", f.priv)
	if _, err := f.svc.Publish(ctx, lab, env3, compact); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("mismatched compact form: %v", err)
	}
	if _, err := f.svc.Publish(ctx, lab, env3, compact3); err != nil {
		t.Errorf("lab publish: %v", err)
	}
}

func TestStatusChanges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	env, compact, st := f.signed(t, "router-tier2", f.priv)
	id := st.Predicate.LabelID
	if _, err := f.svc.Publish(ctx, lab, env, compact); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		actor          registry.Actor
		action, reason string
		err            error
		status         string
	}{
		{lab, "revoke", "lab wants it gone", registry.ErrForbidden, ""},
		{owner, "suspend", "", registry.ErrInvalid, ""},
		{owner, "reinstate", "not suspended", registry.ErrTransition, ""},
		{owner, "suspend", "investigating a report", nil, registry.Suspended},
		{owner, "suspend", "again", registry.ErrTransition, ""},
		{admin, "reinstate", "report resolved", nil, registry.Active},
		{owner, "revoke", "firmware ships a backdoor", nil, registry.Revoked},
		{admin, "reinstate", "mistake", registry.ErrTransition, ""},
		{owner, "delete", "x", registry.ErrInvalid, ""},
	} {
		l, err := f.svc.ChangeStatus(ctx, tc.actor, id, tc.action, tc.reason)
		if !errors.Is(err, tc.err) || (tc.err == nil && l.Status != tc.status) {
			t.Errorf("%s by %s (%q): status %q, err %v; want %q, %v", tc.action, tc.actor.Role, tc.reason, l.Status, err, tc.status, tc.err)
		}
	}
	evs, _ := f.svc.Store().Events(ctx, 0, 100)
	if len(evs) != 4 || evs[3].Status != registry.Revoked || evs[3].Reason != "firmware ships a backdoor" {
		t.Errorf("events: %+v", evs)
	}
}

func TestSweepAndCheck(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	env, compact, st := f.signed(t, "doorbell-support-ending", f.priv) // support ends 2027-03-31
	l, err := f.svc.Publish(ctx, lab, env, compact)
	if err != nil || l.Status != registry.AtRisk {
		t.Fatalf("doorbell published as %s (%v), want at_risk", l.Status, err)
	}
	check := func(model, fw, market string, tier int) registry.CheckResult {
		t.Helper()
		r, err := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Ringway Devices Inc.", Model: model, Firmware: fw, Market: market, MinTier: tier})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := check("RW-DB2", "", "GB", 0); !r.Allowed || r.Answer != registry.CheckWarning || !strings.Contains(r.Reasons[0], "at risk: security support ends") {
		t.Errorf("GB check of an at-risk label: %+v", r)
	}
	if r := check("RW-DB2", "", "AU", 0); r.Allowed || r.Answer != registry.CheckNotAllowed {
		t.Errorf("AU is not among the label's markets: %+v", r)
	}
	if r := check("RW-DB2", "", "GB", 2); r.Allowed {
		t.Errorf("procurement asking tier 2: %+v", r)
	}
	if r := check("NOPE", "", "GB", 0); r.Allowed || r.Answer != registry.CheckNotCovered {
		t.Errorf("unknown model: %+v", r)
	}
	if r := check("RW-DB2", "9.9", "GB", 0); r.Allowed || r.Answer != registry.CheckNotCovered || !strings.Contains(r.Reasons[0], "firmware 9.9") {
		t.Errorf("a firmware version no label covers: %+v", r)
	}
	if r := check("RW-DB2", "", "KR", 0); !r.Allowed || r.Answer != registry.CheckNoRule {
		t.Errorf("KR has no mandatory rule: %+v", r)
	}
	if _, err := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Ringway Devices Inc.", Model: "RW-DB2", Market: "XX"}); !errors.Is(err, registry.ErrInvalid) || !strings.Contains(err.Error(), "GB") {
		t.Errorf("unknown market: %v", err)
	}
	if _, err := f.svc.Check(ctx, registry.CheckQuery{Model: "RW-DB2", Market: "GB"}); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("no manufacturer: %v", err)
	}
	if r, _ := f.svc.Check(ctx, registry.CheckQuery{Manufacturer: "Other Maker", Model: "RW-DB2", Market: "GB"}); r.Allowed {
		t.Errorf("another maker's model of the same name: %+v", r)
	}
	*f.now = time.Date(2027, 4, 2, 0, 0, 0, 0, time.UTC)
	evs, err := f.svc.Sweep(ctx)
	if err != nil || len(evs) != 1 || evs[0].Status != registry.Expired || evs[0].LabelID != st.Predicate.LabelID {
		t.Fatalf("sweep: %+v %v", evs, err)
	}
	if evs, _ := f.svc.Sweep(ctx); len(evs) != 0 {
		t.Errorf("second sweep changed %d labels", len(evs))
	}
	if r := check("RW-DB2", "", "GB", 0); r.Allowed || r.Answer != registry.CheckNotAllowed {
		t.Errorf("expired label still allows sale: %+v", r)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	secret, tok, err := f.svc.CreateToken(ctx, registry.RoleLab, "Lab Ltd", "ci")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Authenticate(ctx, secret)
	if err != nil || a.Role != registry.RoleLab || a.TokenID != tok.ID {
		t.Fatalf("authenticate: %+v %v", a, err)
	}
	if _, err := f.svc.Authenticate(ctx, secret+"x"); !errors.Is(err, registry.ErrUnauthorized) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := f.svc.Store().RevokeToken(ctx, tok.ID, *f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, secret); !errors.Is(err, registry.ErrUnauthorized) {
		t.Errorf("revoked token still works: %v", err)
	}
	if _, _, err := f.svc.CreateToken(ctx, "root", "x", "y"); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
}

// The registry's rescans say how old the vulnerability data they used is,
// and warn when it is stale.
func TestSweepSaysHowOldItsDataIs(t *testing.T) {
	f := newFixture(t)
	m, err := vuln.Load(context.Background(), []string{filepath.Join("..", "vuln", "testdata", "euvd-page.json"),
		filepath.Join("..", "vuln", "testdata", "csaf-advisory-gateway.json")}, vuln.NewWant(nil))
	if err != nil {
		t.Fatal(err)
	}
	dict, _ := vuln.DefaultDictionary()
	var logs testenv.SyncBuffer
	f.set(t, func(c *registry.Config) {
		c.Vulns, c.Dict, c.Log = m, dict, slog.New(slog.NewTextHandler(&logs, nil))
	})
	*f.now = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	ages, stale, err := f.svc.DataAge(context.Background())
	if err != nil || ages["euvd"] != 10 || ages["csaf"] != 13 || len(stale) != 1 || !strings.Contains(stale[0], "euvd data is 10 days old") {
		t.Errorf("ages %v, stale %v, %v", ages, stale, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.SweepEvery(ctx, time.Hour, true); close(done) }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "stale vulnerability data") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if out := logs.String(); !strings.Contains(out, `data_age_days="map[csaf:13 euvd:10]"`) || !strings.Contains(out, "level=WARN msg=\"stale vulnerability data: euvd data is 10 days old") {
		t.Errorf("sweep log:\n%s", out)
	}
}
