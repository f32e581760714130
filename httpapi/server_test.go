package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/sqlite"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type env struct {
	srv               *httptest.Server
	svc               *registry.Service
	priv              label.PrivateKey
	admin, owner, lab string
	maker             string // a manufacturer token for another company
}

func setup(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pub, priv, _ := label.GenerateKey(nil)
	cat, _ := catalog.Default()
	svc, err := registry.New(registry.Config{Store: db, Keys: map[string]label.PublicKey{label.KeyID(pub): pub}, Window: 180 * 24 * time.Hour,
		Now: func() time.Time { return now }, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, priv: priv}
	e.admin, _, _ = svc.CreateToken(ctx, registry.RoleAdmin, "Registry", "admin")
	e.owner, _, _ = svc.CreateToken(ctx, registry.RoleSchemeOwner, "Scheme", "owner")
	e.lab, _, _ = svc.CreateToken(ctx, registry.RoleLab, "Lab", "lab")
	e.maker, _, _ = svc.CreateToken(ctx, registry.RoleManufacturer, "Other Maker Ltd", "maker")
	var h http.Handler = httpapi.New(svc, nil).Handler()
	if tt, ok := t.(*testing.T); ok {
		h = judged(tt, h) // every exchange is checked against openapi.json
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// assessLocally assesses a shipped example as the CLI would, as of now.
func assessLocally(t testing.TB, example string) *assess.Assessment {
	t.Helper()
	c, _ := catalog.Default()
	eng, _ := assess.New(c)
	b, _ := os.ReadFile("../examples/" + example + "/declaration.yaml")
	d, err := declaration.Parse(example, b)
	if err != nil {
		t.Fatal(err)
	}
	return eng.Assess(d, nil, catalog.DateOf(now))
}

// register registers an example's maker and product with the registry and
// stores its declaration, so that the registry can recompute its label.
func (e *env) register(t testing.TB, example string) {
	t.Helper()
	ctx := context.Background()
	b, _ := os.ReadFile("../examples/" + example + "/declaration.yaml")
	d, err := declaration.Parse(example, b)
	if err != nil {
		t.Fatal(err)
	}
	admin := registry.Actor{TokenID: "setup", Role: registry.RoleAdmin, Org: "Registry"}
	o, err := e.svc.CreateOrg(ctx, admin, d.Manufacturer.Name, registry.RoleManufacturer)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	p, err := e.svc.CreateProduct(ctx, admin, o.ID, d.Product.Model, d.Product.Name)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	if _, err := e.svc.SubmitDeclaration(ctx, admin, p.ID, b, nil); err != nil {
		t.Fatal(err)
	}
}

func (e *env) labelBody(t testing.TB, example string) ([]byte, string) {
	t.Helper()
	e.register(t, example)
	a := assessLocally(t, example)
	pub := e.priv.Public().(label.PublicKey)
	st, err := label.NewStatement(a, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: now, RegistryURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	env, compact, err := label.Seal(context.Background(), st, e.priv)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"envelope": json.RawMessage(env), "compact": compact})
	return body, st.Predicate.LabelID
}

func (e *env) do(t testing.TB, method, path, token string, body []byte) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestAPI walks the API as its users would; the test server checks every
// exchange against openapi.json (see judged).
func TestAPI(t *testing.T) {
	e := setup(t)
	body, id := e.labelBody(t, "router-tier2")
	decl, _ := os.ReadFile("../examples/router-tier2/declaration.yaml")
	assessBody, _ := json.Marshal(map[string]string{"declaration": string(decl), "as_of": "2026-11-22"})
	want := assessLocally(t, "router-tier2")
	orgBody := []byte(`{"name":"Northgate Networks GmbH","kind":"manufacturer"}`)
	productBody := []byte(`{"org_id":"northgate-networks-gmbh","model":"NG-AX3000","name":"Router"}`)
	declBody, _ := json.Marshal(map[string]string{"declaration": string(decl)})
	plug, _ := os.ReadFile("../examples/smart-plug-tier1/declaration.yaml")
	otherDecl, _ := json.Marshal(map[string]string{"declaration": string(plug)})
	sbomDoc := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"dnsmasq","version":"2.90"}]}`)
	labPub, _, _ := label.GenerateKey(nil)
	labPEM, _ := label.MarshalPublicKey(labPub)
	labKeyID := label.KeyID(labPub)
	trustBody, _ := json.Marshal(map[string]any{"key": string(labPEM), "holder": "Accredited Lab", "role": "lab",
		"checks": []string{"penetration-test"}, "valid_from": "2026-01-01", "valid_until": "2027-12-31"})
	for _, tc := range []struct {
		name, method, path, token string
		body                      []byte
		status                    int
		want                      string
	}{
		{"anonymous publish", "POST", "/v1/labels", "", body, 401, `"code": "unauthorized"`},
		{"bad token", "POST", "/v1/labels", "ilt_nope", body, 401, `"code": "unauthorized"`},
		{"malformed body", "POST", "/v1/labels", e.lab, []byte(`{"env":1}`), 400, `"code": "invalid_request"`},
		{"lab publishes", "POST", "/v1/labels", e.lab, body, 201, `"status": "active"`},
		{"duplicate", "POST", "/v1/labels", e.lab, body, 409, `"code": "conflict"`},
		{"anonymous read", "GET", "/v1/labels/" + id, "", nil, 200, `"payloadType":"application/vnd.in-toto+json"`},
		{"search", "GET", "/v1/labels?model=NG-AX3000&firmware=4.2.1", "", nil, 200, id},
		{"proof without a log", "GET", "/v1/labels/" + id + "/proof", "", nil, 404, "keeps no transparency log"},
		{"search miss", "GET", "/v1/labels?model=NOPE", "", nil, 200, `"labels": []`},
		{"unknown", "GET", "/v1/labels/IL-NOPE", "", nil, 404, `"code": "not_found"`},
		{"check", "GET", "/v1/check?manufacturer=Northgate%20Networks%20GmbH&model=NG-AX3000&firmware=4.2.1&market=EU&tier=2", "", nil, 200, `"answer": "allowed"`},
		{"check needs the manufacturer", "GET", "/v1/check?model=NG-AX3000&market=EU", "", nil, 400, `"code": "invalid_request"`},
		{"check needs a known market", "GET", "/v1/check?manufacturer=Northgate%20Networks%20GmbH&model=NG-AX3000&market=XX", "", nil, 400, `is not one of`},
		{"check of an uncovered firmware", "GET", "/v1/check?manufacturer=Northgate%20Networks%20GmbH&model=NG-AX3000&firmware=9.9&market=EU", "", nil, 200, `"answer": "not_covered"`},
		{"check where no rule applies", "GET", "/v1/check?manufacturer=Northgate%20Networks%20GmbH&model=NG-AX3000&market=KR", "", nil, 200, `"answer": "no_mandatory_rule"`},
		{"anonymous SBOM", "PUT", "/v1/labels/" + id + "/sbom", "", sbomDoc, 401, `"code": "unauthorized"`},
		{"other maker's SBOM", "PUT", "/v1/labels/" + id + "/sbom", e.maker, sbomDoc, 403, `"code": "forbidden"`},
		{"not an SBOM", "PUT", "/v1/labels/" + id + "/sbom", e.lab, []byte("hello"), 400, `"code": "invalid_request"`},
		{"lab attaches SBOM", "PUT", "/v1/labels/" + id + "/sbom", e.lab, sbomDoc, 200, `"components": 1`},
		{"SBOM of unknown label", "PUT", "/v1/labels/IL-NOPE/sbom", e.lab, sbomDoc, 404, `"code": "not_found"`},
		{"anonymous assessment", "POST", "/v1/assessments", "", assessBody, 401, `"code": "unauthorized"`},
		{"assessment", "POST", "/v1/assessments", e.lab, assessBody, 200, `"digest": "` + want.Digest + `"`},
		{"assessment of a bad declaration", "POST", "/v1/assessments", e.lab, []byte(`{"declaration": "product:\n  name: [unclosed"}`), 400, `declaration:2`},
		{"anonymous org", "POST", "/v1/orgs", "", orgBody, 401, `"code": "unauthorized"`},
		{"lab cannot register orgs", "POST", "/v1/orgs", e.lab, orgBody, 403, `"code": "forbidden"`},
		{"org registered before its label", "POST", "/v1/orgs", e.admin, orgBody, 409, `"code": "conflict"`},
		{"admin registers org", "POST", "/v1/orgs", e.admin, []byte(`{"name":"Acme Sensors","kind":"manufacturer"}`), 201, `"id": "acme-sensors"`},
		{"org kind", "POST", "/v1/orgs", e.admin, []byte(`{"name":"X","kind":"wizard"}`), 400, `"code": "invalid_request"`},
		{"orgs", "GET", "/v1/orgs", "", nil, 200, `"name": "Northgate Networks GmbH"`},
		{"other maker's product", "POST", "/v1/products", e.maker, productBody, 403, `"code": "forbidden"`},
		{"product of unknown org", "POST", "/v1/products", e.lab, []byte(`{"org_id":"nope","model":"M"}`), 404, `"code": "not_found"`},
		{"product registered before its label", "POST", "/v1/products", e.lab, productBody, 409, `"code": "conflict"`},
		{"lab registers product", "POST", "/v1/products", e.lab, []byte(`{"org_id":"northgate-networks-gmbh","model":"NG-AX5400"}`), 201, `"id": "northgate-networks-gmbh--ng-ax5400"`},
		{"products", "GET", "/v1/products?org=northgate-networks-gmbh", "", nil, 200, `"model": "NG-AX3000"`},
		{"declaration of another product", "POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", e.lab, otherDecl, 400, `the declaration is for`},
		{"other maker's declaration", "POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", e.maker, declBody, 403, `"code": "forbidden"`},
		{"declaration v2", "POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", e.lab, declBody, 201, `"assessment_digest": "` + want.Digest + `"`},
		{"declaration v3", "POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", e.lab, declBody, 201, `"version": 3`},
		{"product with versions", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000", "", nil, 200, `"submitted_by": "Lab"`},
		{"one version", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations/1", "", nil, 200, `"tier": 2`},
		{"missing version", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations/7", "", nil, 404, `"code": "not_found"`},
		{"bad version", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations/x", "", nil, 400, `"code": "invalid_request"`},
		{"lab cannot revoke", "POST", "/v1/labels/" + id + "/revoke", e.lab, []byte(`{"reason":"x"}`), 403, `"code": "forbidden"`},
		{"anonymous cannot revoke", "POST", "/v1/labels/" + id + "/revoke", "", []byte(`{"reason":"x"}`), 401, `"code": "unauthorized"`},
		{"reason required", "POST", "/v1/labels/" + id + "/suspend", e.owner, []byte(`{"reason":""}`), 400, `reason`},
		{"owner revokes", "POST", "/v1/labels/" + id + "/revoke", e.owner, []byte(`{"reason":"signing key compromised"}`), 200, `"status": "revoked"`},
		{"revocation is final", "POST", "/v1/labels/" + id + "/reinstate", e.admin, []byte(`{"reason":"oops"}`), 409, `"code": "invalid_transition"`},
		{"check after revocation", "GET", "/v1/check?manufacturer=Northgate%20Networks%20GmbH&model=NG-AX3000&market=EU", "", nil, 200, `"answer": "not_allowed"`},
		{"events", "GET", "/v1/events?since=1", "", nil, 200, `"next": 2`},
		{"bad cursor", "GET", "/v1/events?since=-3", "", nil, 400, `"code": "invalid_request"`},
		{"bad action", "POST", "/v1/labels/" + id + "/delete", e.admin, []byte(`{"reason":"x"}`), 400, `"code": "invalid_request"`},
		{"signed label", "GET", "/l/" + id + "/label.json", "", nil, 200, `"signatures"`},
		{"signed label missing", "GET", "/l/IL-NOPE/label.json", "", nil, 404, `"code": "not_found"`},
		{"consumer page", "GET", "/l/" + id, "", nil, 200, "Label revoked"},
		{"health", "GET", "/healthz", "", nil, 200, `"ok"`},
		{"no log kept", "GET", "/log/checkpoint", "", nil, 404, `"code": "not_found"`},
		{"no log tiles", "GET", "/log/tile/0/000", "", nil, 404, `"code": "not_found"`},
		{"empty trust store", "GET", "/v1/trust", "", nil, 200, `"entries": []`},
		{"anonymous accreditation", "POST", "/v1/trust", "", trustBody, 401, `"code": "unauthorized"`},
		{"a lab cannot accredit", "POST", "/v1/trust", e.lab, trustBody, 403, `"code": "forbidden"`},
		{"bad entry", "POST", "/v1/trust", e.owner, []byte(`{"key":"x","holder":"L","role":"lab","valid_from":"2026-01-01","valid_until":"2027-01-01"}`), 400, `not a PEM`},
		{"owner accredits a lab", "POST", "/v1/trust", e.owner, trustBody, 201, `"key_id": "` + labKeyID + `"`},
		{"trust store", "GET", "/v1/trust", "", nil, 200, `"holder": "Accredited Lab"`},
		{"trust store as a file", "GET", "/v1/trust.yaml", "", nil, 200, "holder: Accredited Lab"},
		{"a lab cannot revoke", "POST", "/v1/trust/" + labKeyID + "/revoke", e.lab, []byte(`{"reason":"x"}`), 403, `"code": "forbidden"`},
		{"revoke needs a reason", "POST", "/v1/trust/" + labKeyID + "/revoke", e.owner, []byte(`{"reason":""}`), 400, `reason`},
		{"owner revokes", "POST", "/v1/trust/" + labKeyID + "/revoke", e.owner, []byte(`{"reason":"key leaked"}`), 200, `"revoked_reason": "key leaked"`},
		{"revoked twice", "POST", "/v1/trust/" + labKeyID + "/revoke", e.owner, []byte(`{"reason":"again"}`), 409, `already revoked`},
		{"revoked key stays revoked", "POST", "/v1/trust", e.owner, trustBody, 409, `stays revoked`},
		{"unknown key", "POST", "/v1/trust/00000000/revoke", e.owner, []byte(`{"reason":"x"}`), 404, `"code": "not_found"`},
		{"trust changes are events", "GET", "/v1/events?since=0", "", nil, 200, `"label_id": "trust:` + labKeyID + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, got, _ := e.do(t, tc.method, tc.path, tc.token, tc.body)
			if status != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%s %s: %d %s\nwant %d containing %q", tc.method, tc.path, status, got, tc.status, tc.want)
			}
		})
	}
}

func TestConsumerPage(t *testing.T) {
	e := setup(t)
	body, id := e.labelBody(t, "router-tier2")
	if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, body); status != 201 {
		t.Fatal(got)
	}
	status, page, h := e.do(t, "GET", "/l/"+id, "", nil)
	for _, want := range []string{`<html lang="en">`, "Label valid", `Security updates until <span class="date">2033-01-31</span>`, "2262 days from today",
		"<h1>Northgate AX3000 Home Router</h1>", "Model <strong>NG-AX3000</strong> by Northgate Networks GmbH", "Security tier: <strong>2</strong>", "set your own password", `href="/l/` + id + `/label.json"`,
		"It handles personal data", "sends usage data", "at <strong>security@northgate.example</strong>",
		"<h2>App and online services</h2>", "<li>app Northgate Connect (android, ios); needs you to sign in or pair; its traffic is encrypted.</li>",
		"cloud service Northgate Cloud (Northgate, EU); traffic encrypted; keeps personal data, which you can delete."} {
		if !strings.Contains(page, want) {
			t.Errorf("consumer page lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(page, "<script") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("page status %d, headers %v", status, h)
	}
	// The QR text's URL opens this page; the linked label.json verifies offline.
	_, raw, _ := e.do(t, "GET", "/l/"+id+"/label.json", "", nil)
	if r := label.Check(context.Background(), []byte(raw), e.priv.Public().(label.PublicKey), now); !r.Valid {
		t.Errorf("label.json from the page does not verify: %s", r.Reason)
	}
	e.do(t, "POST", "/v1/labels/"+id+"/revoke", e.owner, []byte(`{"reason":"firmware backdoor found"}`))
	_, page, _ = e.do(t, "GET", "/l/"+id, "", nil)
	// A revoked label leads with "do not rely on this label" and why, and no
	// longer headlines its tier.
	warn := strings.Index(page, `role="alert"`)
	if warn < 0 || warn > strings.Index(page, "<h1>") || !strings.Contains(page, "Do not rely on this label") ||
		!strings.Contains(page, "firmware backdoor found") || strings.Contains(page, "Security tier:") || !strings.Contains(page, "do not rely on this label: choose another product") {
		t.Errorf("revoked label's page does not lead with its status:\n%s", page)
	}
	if status, page, _ := e.do(t, "GET", "/l/IL-NOPE", "", nil); status != 404 || !strings.Contains(page, "Label not found") {
		t.Errorf("unknown label page: %d", status)
	}
}

func TestRevokedTokenStopsAtOnce(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	secret, tok, _ := e.svc.CreateToken(ctx, registry.RoleLab, "Lab 2", "temp")
	body, _ := e.labelBody(t, "smart-plug-tier1")
	if err := e.svc.Store().RevokeToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := e.do(t, "POST", "/v1/labels", secret, body); status != 401 {
		t.Errorf("revoked token: %d", status)
	}
}

func TestBodyLimit(t *testing.T) {
	e := setup(t)
	big := bytes.Repeat([]byte("a"), httpapi.MaxBody+10)
	if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, append([]byte(`{"envelope":"`), big...)); status != 413 || !strings.Contains(got, "body_too_large") {
		t.Errorf("oversized body: %d %.100s", status, got)
	}
}

func TestRateLimits(t *testing.T) {
	e := setup(t)
	srv := httpapi.New(e.svc, nil)
	srv.SetLimits(httpapi.Limits{PerAddress: 1, AddressBurst: 3, PerToken: 0.5, TokenBurst: 1})
	limited := httptest.NewServer(judged(t, srv.Handler()))
	defer limited.Close()
	e.srv = limited
	for i := 0; i < 3; i++ {
		if status, got, _ := e.do(t, "GET", "/v1/labels/IL-NOPE", "", nil); status != 404 {
			t.Fatalf("request %d within the burst: %d %s", i, status, got)
		}
	}
	status, got, h := e.do(t, "GET", "/v1/labels/IL-NOPE", "", nil)
	if status != 429 || !strings.Contains(got, `"code": "rate_limited"`) || h.Get("Retry-After") == "" {
		t.Fatalf("over the address limit: %d %s Retry-After=%q", status, got, h.Get("Retry-After"))
	}

	// A token has its own, separate budget: with the address limit off, the
	// second write within two seconds is refused.
	srv = httpapi.New(e.svc, nil)
	srv.SetLimits(httpapi.Limits{PerToken: 0.5, TokenBurst: 1})
	e.srv = httptest.NewServer(srv.Handler())
	defer e.srv.Close()
	body, _ := e.labelBody(t, "smart-plug-tier1")
	if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, body); status != 201 {
		t.Fatalf("first write: %d %s", status, got)
	}
	if status, _, _ := e.do(t, "POST", "/v1/labels", e.lab, body); status != 429 {
		t.Errorf("second write at once: %d, want 429", status)
	}
	if status, _, _ := e.do(t, "GET", "/v1/labels", "", nil); status != 200 {
		t.Errorf("anonymous read while the token is limited: %d", status)
	}
}

// TestClientWaitsOutRateLimit: the client honours Retry-After instead of
// failing a retailer's bulk check half-way.
func TestClientWaitsOutRateLimit(t *testing.T) {
	e := setup(t)
	srv := httpapi.New(e.svc, nil)
	srv.SetLimits(httpapi.Limits{PerAddress: 2, AddressBurst: 1})
	limited := httptest.NewServer(srv.Handler())
	defer limited.Close()
	c := httpapi.NewClient(limited.URL)
	for i := 0; i < 3; i++ {
		r, err := c.Check(context.Background(), registry.CheckQuery{Manufacturer: "Northgate Networks GmbH", Model: "NG-AX3000", Market: "GB"})
		if err != nil || r.Allowed {
			t.Fatalf("check %d: %+v, %v", i, r, err)
		}
	}
}

func TestBrowsePages(t *testing.T) {
	e := setup(t)
	router, routerID := e.labelBody(t, "router-tier2")
	bell, bellID := e.labelBody(t, "doorbell-support-ending")
	for _, b := range [][]byte{router, bell} {
		if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, b); status != 201 {
			t.Fatal(got)
		}
	}
	_, page, h := e.do(t, "GET", "/labels?model=NG-AX3000", "", nil)
	if !strings.Contains(page, `href="/l/`+routerID+`"`) || strings.Contains(page, bellID) || !strings.Contains(page, "1 label(s)") {
		t.Errorf("search by model:\n%s", page)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "form-action 'self'") || strings.Contains(page, "<script") {
		t.Errorf("search page headers or scripts: %v", h)
	}
	_, page, _ = e.do(t, "GET", "/labels?support_ends_within_days=180", "", nil)
	if !strings.Contains(page, "Security support ending soon") || !strings.Contains(page, bellID) || strings.Contains(page, routerID) || !strings.Contains(page, "2027-03-31") {
		t.Errorf("support ending view:\n%s", page)
	}
	_, page, _ = e.do(t, "GET", "/labels?manufacturer=%3Cscript%3Ealert(1)%3C/script%3E", "", nil)
	if strings.Contains(page, "<script>") || !strings.Contains(page, "No label matches") {
		t.Errorf("search input is not escaped")
	}
	if status, _, _ := e.do(t, "GET", "/labels?support_ends_within_days=soon", "", nil); status != 400 {
		t.Errorf("bad days: %d", status)
	}
}

// TestForgedLabelRefused: the smart plug's assessment with its tier edited to
// 4 and its digest recomputed, signed by a trusted key, is refused over the
// live API (422), and the retailer check does not see tier 4.
func TestForgedLabelRefused(t *testing.T) {
	e := setup(t)
	e.register(t, "smart-plug-tier1")
	a := assessLocally(t, "smart-plug-tier1")
	a.Tier = 4
	sum := sha256.Sum256(assess.Canonical(a))
	a.Digest = "sha256:" + hex.EncodeToString(sum[:])
	pub := e.priv.Public().(label.PublicKey)
	st, err := label.NewStatement(a, label.Options{Issuer: "Lab", KeyID: label.KeyID(pub), Now: now, RegistryURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	env, compact, _ := label.Seal(context.Background(), st, e.priv)
	body, _ := json.Marshal(map[string]any{"envelope": json.RawMessage(env), "compact": compact})
	code, out, _ := e.do(t, "POST", "/v1/labels", e.lab, body)
	if code != 422 || !strings.Contains(out, "claims_not_recomputed") || !strings.Contains(out, "gives tier 1") {
		t.Errorf("forged label: %d %s", code, out)
	}
	if code, out, _ := e.do(t, "GET", "/v1/check?manufacturer=Plugwise%20Home%20Ltd&model=PWM-2&market=GB&tier=4", "", nil); code != 200 || strings.Contains(out, `"allowed": true`) {
		t.Errorf("check after the forged label: %d %s", code, out)
	}
	// Two "payload" keys: refused before anything is stored.
	dup := strings.Replace(string(env), `"payload":`, `"payload":"e30=","payload":`, 1)
	body, _ = json.Marshal(map[string]any{"envelope": json.RawMessage(dup)})
	if code, out, _ := e.do(t, "POST", "/v1/labels", e.lab, body); code < 400 || code >= 500 {
		t.Errorf("duplicate-key envelope: %d %s", code, out)
	}
}

// TestConcurrentWritersNo5xx: fifty writers of every kind at once on SQLite
// — declarations to one product, SBOM uploads, status changes, organisations —
// and not one answer is a 5xx (no SQLITE_BUSY reaches a client).
func TestConcurrentWritersNo5xx(t *testing.T) {
	e := setup(t)
	body, id := e.labelBody(t, "router-tier2")
	if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, body); status != 201 {
		t.Fatal(got)
	}
	decl, _ := os.ReadFile("../examples/router-tier2/declaration.yaml")
	declBody, _ := json.Marshal(map[string]string{"declaration": string(decl)})
	sbomDoc := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"dnsmasq","version":"2.90"}]}`)
	type req struct {
		method, path, token string
		body                []byte
	}
	var reqs []req
	for i := range 13 {
		reqs = append(reqs, req{"POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", e.lab, declBody},
			req{"PUT", "/v1/labels/" + id + "/sbom", e.lab, sbomDoc},
			req{"POST", "/v1/orgs", e.admin, []byte(fmt.Sprintf(`{"name":"Maker %d","kind":"manufacturer"}`, i))})
	}
	for range 11 {
		reqs = append(reqs, req{"POST", "/v1/labels/" + id + "/suspend", e.owner, []byte(`{"reason":"race"}`)})
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(reqs))
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, _ = e.do(t, r.method, r.path, r.token, r.body)
		}()
	}
	wg.Wait()
	suspended := 0
	for i, s := range statuses {
		if s >= 500 {
			t.Errorf("%s %s: %d", reqs[i].method, reqs[i].path, s)
		}
		if strings.HasSuffix(reqs[i].path, "/suspend") && s == 200 {
			suspended++
		}
	}
	if len(reqs) < 50 || suspended != 1 {
		t.Errorf("%d requests, %d suspensions succeeded (want exactly one; the rest 409)", len(reqs), suspended)
	}
}

// TestConsumerPageStatuses: the page leads with what the status means for a
// non-expert, shows the tier only for a label in force, fits its advice to the
// status, explains a known exploited flaw in plain words, and revalidates.
func TestConsumerPageStatuses(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	body, id := e.labelBody(t, "router-tier2")
	if status, got, _ := e.do(t, "POST", "/v1/labels", e.lab, body); status != 201 {
		t.Fatal(got)
	}
	_, first, h := e.do(t, "GET", "/l/"+id, "", nil)
	etag := h.Get("ETag")
	if h.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Errorf("caching headers: %v", h)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/l/"+id, nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 304 {
		t.Errorf("revalidation of an unchanged page: %v %v", resp, err)
	}
	from := "active"
	for _, tc := range []struct {
		status, reason string
		want, not      []string
	}{
		{"at_risk", "known exploited vulnerability: CVE-2022-0934 in dnsmasq 2.84",
			[]string{"Attention needed", "Attackers are known to be using a security flaw in software this device contains (dnsmasq 2.84)", "security update as soon as it is offered", "Security tier:", "CVE-2022-0934"},
			[]string{"Do not rely on this label"}},
		{"suspended", "under investigation",
			[]string{"Label suspended", "Do not rely on this label.", "under investigation", "do not rely on this label: choose another product"},
			[]string{"Security tier:"}},
	} {
		if _, err := e.svc.Store().SetStatus(ctx, id, from, tc.status, tc.reason, store.Event{Time: now, LabelID: id, Kind: "status", Status: tc.status, Reason: tc.reason}); err != nil {
			t.Fatal(err)
		}
		from = tc.status
		_, page, h := e.do(t, "GET", "/l/"+id, "", nil)
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s page lacks %q", tc.status, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(page, n) {
				t.Errorf("%s page shows %q", tc.status, n)
			}
		}
		if h.Get("ETag") == etag || page == first {
			t.Errorf("%s: the page (and its ETag) did not change with the status", tc.status)
		}
	}
}

// TestSunsetsSortedAndPaged: the support-ending view is sorted over all
// labels, not the newest few; pages follow "next" without skipping or
// repeating; revoked labels are left out unless asked for.
func TestSunsetsSortedAndPaged(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	const n = 250
	for i := range n {
		id := fmt.Sprintf("IL-S%04d", i)
		// Older labels end soonest, so "newest first" would miss them.
		end := catalog.DateOf(now).AddDays(n - i).String()
		l := store.Label{ID: id, Manufacturer: "M", Model: "X", Firmware: []string{"1"}, Tier: 1, Markets: []string{"GB"}, SupportEnd: end,
			Issued: now.Add(time.Duration(i) * time.Minute), Expires: now.AddDate(3, 0, 0), KeyID: "k", Status: "active", Updated: now, Envelope: []byte(`{}`), Compact: "IL2:X"}
		if i%10 == 0 {
			l.Status = "revoked"
		}
		if _, err := e.svc.Store().CreateLabel(ctx, l, store.Event{Time: now, LabelID: id, Kind: "issued", Status: l.Status}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	after := ""
	for page := 0; page < 10; page++ {
		path := "/v1/labels?support_ends_within_days=400&limit=100"
		if after != "" {
			path += "&after=" + after
		}
		status, body, _ := e.do(t, "GET", path, "", nil)
		var resp struct {
			Labels []struct {
				ID, Status string
			}
			Next string
		}
		if status != 200 || json.Unmarshal([]byte(body), &resp) != nil {
			t.Fatalf("page %d: %d %s", page, status, body)
		}
		for _, l := range resp.Labels {
			if l.Status == "revoked" {
				t.Errorf("revoked label %s in the default view", l.ID)
			}
			got = append(got, l.ID)
		}
		if after = resp.Next; after == "" {
			break
		}
	}
	want := n - n/10
	if len(got) != want || got[0] != fmt.Sprintf("IL-S%04d", n-1) {
		t.Fatalf("%d labels (first %v), want %d soonest first", len(got), got[:min(3, len(got))], want)
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] { // IDs fall as support ends rise here
			t.Fatalf("not sorted by support end at %d: %s after %s", i, got[i], got[i-1])
		}
	}
	if _, body, _ := e.do(t, "GET", "/v1/labels?support_ends_within_days=400&limit=1000&include_revoked=true", "", nil); strings.Count(body, `"status": "revoked"`) != n/10 {
		t.Errorf("include_revoked: %d revoked", strings.Count(body, `"status": "revoked"`))
	}
	if _, page, _ := e.do(t, "GET", "/labels?support_ends_within_days=400", "", nil); !strings.Contains(page, fmt.Sprintf("IL-S%04d", n-1)) {
		t.Errorf("the browse view omits the soonest-ending label")
	}
}
