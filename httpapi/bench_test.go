package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkLookup measures the server side of GET /v1/labels/{id} and of the
// consumer page, without the network (bench/registry.sh measures with it).
func BenchmarkLookup(b *testing.B) {
	e := setup(b)
	body, id := e.labelBody(b, "router-tier2")
	if status, got, _ := e.do(b, "POST", "/v1/labels", e.lab, body); status != 201 {
		b.Fatal(got)
	}
	h := e.srv.Config.Handler
	for _, path := range []string{"/v1/labels/" + id, "/l/" + id, "/openapi.json"} {
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
