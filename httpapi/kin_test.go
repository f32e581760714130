package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/iotlabel/iotlabel/catalog"
)

// TestOpenAPIValidates: kin-openapi, an independent OpenAPI implementation,
// loads and validates the document the server serves; every operation
// documents 429, since every request passes the rate limiter first.
func TestOpenAPIValidates(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses.Value("429") == nil {
				t.Errorf("%s %s: 429 not documented", method, path)
			}
		}
	}
}

// TestUnknownRoutesAnswerJSON: a path or method the API does not have gets
// the same JSON error body as every other error.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	e := setup(t)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/v1/nothing-here", http.StatusNotFound, "not_found"},
		{"DELETE", "/v1/labels", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PATCH", "/v1/subscriptions", http.StatusMethodNotAllowed, "method_not_allowed"},
	} {
		status, body, h := e.do(t, tc.method, tc.path, "", nil)
		var got struct {
			Error struct{ Code, Message string }
		}
		if status != tc.status || h.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &got) != nil || got.Error.Code != tc.code {
			t.Errorf("%s %s: %d %s %q", tc.method, tc.path, status, h.Get("Content-Type"), body)
		}
	}
}

// TestOpenAPIDeclaresWhatTheServerEnforces: for every rule the server
// enforces on a request's shape — required fields, minimum and maximum
// lengths, enums, integer ranges, the SBOM media types — a request that
// breaks it is refused by the server (400, or 415 for a media type) and by
// the document, as kin-openapi reads it. TestAPI checks the other way: the
// document accepts every request the server accepts.
func TestOpenAPIDeclaresWhatTheServerEnforces(t *testing.T) {
	e := setup(t)
	doc := loadOpenAPI(t, e)
	body, id := e.labelBody(t, "router-tier2")
	if x := e.send(t, "POST", "/v1/labels", e.lab, "", body); x.status != 201 {
		t.Fatalf("publish: %d %s", x.status, x.respBody)
	}
	long := strings.Repeat("x", 2001)
	// The document's tier range is the catalog's.
	cat, _ := catalog.Default()
	top := 0
	for _, tier := range cat.Tiers {
		top = max(top, tier.Level)
	}
	for _, p := range doc.doc.Paths.Value("/v1/check").Get.Parameters {
		if p.Value.Name == "tier" && (p.Value.Schema.Value.Max == nil || int(*p.Value.Schema.Value.Max) != top) {
			t.Errorf("openapi.json: /v1/check tier has maximum %v; the catalog's tiers go to %d", p.Value.Schema.Value.Max, top)
		}
	}
	// An SBOM sent as what it is is taken; sent as something else, refused.
	cdx := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"dnsmasq","version":"2.90"}]}`)
	for ct, want := range map[string]int{"application/vnd.cyclonedx+json": 200, "application/octet-stream": 200, "text/csv": 400} {
		x := e.send(t, "PUT", "/v1/labels/"+id+"/sbom", e.admin, ct, cdx)
		if x.status != want {
			t.Errorf("CycloneDX JSON sent as %s: %d, want %d: %s", ct, x.status, want, x.respBody)
		}
	}
	for _, tc := range []struct {
		name, method, path, contentType string
		body                            string
		status                          int
	}{
		{"assessment without a declaration", "POST", "/v1/assessments", "", `{}`, 400},
		{"assessment of an empty declaration", "POST", "/v1/assessments", "", `{"declaration": ""}`, 400},
		{"assessment as of no date", "POST", "/v1/assessments", "", `{"declaration": "x", "as_of": "yesterday"}`, 400},
		{"publish without an envelope", "POST", "/v1/labels", "", `{"compact": "IL2:x"}`, 400},
		{"publish, not an object", "POST", "/v1/labels", "", `[]`, 400},
		{"revoke without a reason", "POST", "/v1/labels/" + id + "/revoke", "", `{}`, 400},
		{"revoke with an empty reason", "POST", "/v1/labels/" + id + "/revoke", "", `{"reason": ""}`, 400},
		{"revoke with a reason too long", "POST", "/v1/labels/" + id + "/revoke", "", `{"reason": "` + long + `"}`, 400},
		{"unknown action", "POST", "/v1/labels/" + id + "/delete", "", `{"reason": "x"}`, 400},
		{"SBOM as an image", "PUT", "/v1/labels/" + id + "/sbom", "image/png", `{"bomFormat":"CycloneDX"}`, 415},
		{"search by an unknown status", "GET", "/v1/labels?status=valid", "", "", 400},
		{"search with a negative limit", "GET", "/v1/labels?limit=-1", "", "", 400},
		{"browse by an unknown status", "GET", "/labels?status=valid", "", "", 400},
		{"events since a negative number", "GET", "/v1/events?since=-3", "", "", 400},
		{"events, limit not a number", "GET", "/v1/events?limit=many", "", "", 400},
		{"org without a name", "POST", "/v1/orgs", "", `{"kind": "manufacturer"}`, 400},
		{"org with an empty name", "POST", "/v1/orgs", "", `{"name": "", "kind": "manufacturer"}`, 400},
		{"org with a name too long", "POST", "/v1/orgs", "", `{"name": "` + long[:201] + `", "kind": "manufacturer"}`, 400},
		{"org of an unknown kind", "POST", "/v1/orgs", "", `{"name": "X", "kind": "wizard"}`, 400},
		{"product without a model", "POST", "/v1/products", "", `{"org_id": "northgate-networks-gmbh"}`, 400},
		{"product with an empty model", "POST", "/v1/products", "", `{"org_id": "northgate-networks-gmbh", "model": ""}`, 400},
		{"declaration without a body", "POST", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations", "", `{}`, 400},
		{"declaration version not a number", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations/x", "", "", 400},
		{"declaration version zero", "GET", "/v1/products/northgate-networks-gmbh--ng-ax3000/declarations/0", "", "", 400},
		{"check without a manufacturer", "GET", "/v1/check?model=NG-AX3000&market=EU", "", "", 400},
		{"check without a market", "GET", "/v1/check?manufacturer=N&model=NG-AX3000", "", "", 400},
		{"check for tier 5", "GET", "/v1/check?manufacturer=N&model=NG-AX3000&market=EU&tier=5", "", "", 400},
		{"check at no date", "GET", "/v1/check?manufacturer=N&model=NG-AX3000&market=EU&at=soon", "", "", 400},
		{"trust entry without a key", "POST", "/v1/trust", "", `{"holder": "L", "role": "lab", "valid_from": "2026-01-01", "valid_until": "2027-01-01"}`, 400},
		{"trust entry of an unknown role", "POST", "/v1/trust", "", `{"key": "k", "holder": "L", "role": "judge", "valid_from": "2026-01-01", "valid_until": "2027-01-01"}`, 400},
		{"trust revocation without a reason", "POST", "/v1/trust/00000000/revoke", "", `{"reason": ""}`, 400},
		{"subscription without a URL", "POST", "/v1/subscriptions", "", `{"market": "EU"}`, 400},
		{"subscription with a URL too long", "POST", "/v1/subscriptions", "", `{"url": "https://example.com/` + long + `"}`, 400},
		{"subscription since a negative event", "POST", "/v1/subscriptions", "", `{"url": "https://example.com/h", "since": -1}`, 400},
		{"deliveries, limit zero", "GET", "/v1/subscriptions/sub-x?limit=0", "", "", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			if tc.body != "" {
				b = []byte(tc.body)
			}
			x := e.send(t, tc.method, tc.path, e.admin, tc.contentType, b)
			if x.status != tc.status {
				t.Errorf("the server answered %d, want %d: %.300s", x.status, tc.status, x.respBody)
			}
			if refused, _ := doc.refuses(x); !refused {
				t.Errorf("openapi.json accepts this request, but the server refuses it (%d): the document does not declare the rule", x.status)
			}
		})
	}
}
