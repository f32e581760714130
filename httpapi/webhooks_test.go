package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/registry"
)

// TestSubscriptionsAPI: a retailer subscribes, sees the secret once, lists
// and reads its subscription, cannot see another organisation's, and
// deletes it.
func TestSubscriptionsAPI(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	shop, _, _ := e.svc.CreateToken(ctx, registry.RoleRetailer, "Big Shop", "shop")
	other, _, _ := e.svc.CreateToken(ctx, registry.RoleRetailer, "Small Shop", "other")
	if code, _, _ := e.do(t, "POST", "/v1/subscriptions", "", []byte(`{"url":"https://hooks.example/x"}`)); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	if code, body, _ := e.do(t, "POST", "/v1/subscriptions", shop, []byte(`{"url":"http://hooks.example/x"}`)); code != http.StatusBadRequest || !strings.Contains(body, "https") {
		t.Errorf("plain http: %d %s", code, body)
	}
	if code, body, _ := e.do(t, "POST", "/v1/subscriptions", shop, []byte(`{"url":"https://hooks.example/x","colour":"red"}`)); code != http.StatusBadRequest {
		t.Errorf("unknown field: %d %s", code, body)
	}
	code, body, _ := e.do(t, "POST", "/v1/subscriptions", shop, []byte(`{"url":"https://hooks.example/x","market":"GB"}`))
	var created struct {
		ID, Secret, Market string
	}
	if json.Unmarshal([]byte(body), &created); code != http.StatusCreated || !strings.HasPrefix(created.Secret, "whsec_") || created.Market != "GB" {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	code, body, _ = e.do(t, "GET", "/v1/subscriptions", shop, nil)
	if code != http.StatusOK || !strings.Contains(body, created.ID) || strings.Contains(body, created.Secret) || strings.Contains(body, `"secret"`) {
		t.Errorf("list: %d %s", code, body)
	}
	if code, body, _ := e.do(t, "GET", "/v1/subscriptions", other, nil); code != http.StatusOK || strings.Contains(body, created.ID) {
		t.Errorf("another organisation's list: %d %s", code, body)
	}
	for _, tc := range []struct{ method, token string }{{"GET", other}, {"DELETE", other}} {
		if code, _, _ := e.do(t, tc.method, "/v1/subscriptions/"+created.ID, tc.token, nil); code != http.StatusNotFound {
			t.Errorf("%s by another organisation: %d", tc.method, code)
		}
	}
	if code, body, _ := e.do(t, "GET", "/v1/subscriptions/"+created.ID+"?limit=5", shop, nil); code != http.StatusOK || !strings.Contains(body, `"cursor"`) {
		t.Errorf("get: %d %s", code, body)
	}
	if code, _, _ := e.do(t, "DELETE", "/v1/subscriptions/"+created.ID, shop, nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := e.do(t, "GET", "/v1/subscriptions/"+created.ID, shop, nil); code != http.StatusNotFound {
		t.Errorf("after delete: %d", code)
	}
}
