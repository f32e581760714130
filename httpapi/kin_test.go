package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
