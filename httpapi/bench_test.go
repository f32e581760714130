package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/iotlabel/iotlabel/httpapi"
)

// TestStaticCeiling: the benchmarks' static response has the size asked
// for, passes the same middleware (security headers) and is not an API route.
func TestStaticCeiling(t *testing.T) {
	e := setup(t)
	srv := httpapi.New(e.svc, nil)
	srv.SetStaticCeiling(3342)
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, httpapi.StaticPath, nil))
	if w.Code != 200 || w.Body.Len() != 3342 || w.Header().Get("X-Frame-Options") != "DENY" || !json.Valid(w.Body.Bytes()) {
		t.Errorf("static ceiling: %d, %d bytes, headers %v", w.Code, w.Body.Len(), w.Header())
	}
	if status, _, _ := e.do(t, "GET", httpapi.StaticPath, "", nil); status != 404 {
		t.Errorf("a server without SetStaticCeiling answers %s with %d", httpapi.StaticPath, status)
	}
}

// BenchmarkLookup measures the server side of GET /v1/labels/{id} and of the
// consumer page, without the network (bench/registry.sh measures with it).
func BenchmarkLookup(b *testing.B) {
	e := setup(b)
	body, id := e.labelBody(b, "router-tier2")
	if status, got, _ := e.do(b, "POST", "/v1/labels", e.lab, body); status != 201 {
		b.Fatal(got)
	}
	srv := httpapi.New(e.svc, nil)
	srv.SetStaticCeiling(3342) // the size of this label's response
	h := srv.Handler()
	for _, path := range []string{"/v1/labels/" + id, "/l/" + id, httpapi.StaticPath} {
		b.Run(path[:3], func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
					if w.Code != 200 {
						b.Fatal(w.Code)
					}
				}
			})
		})
	}
}
