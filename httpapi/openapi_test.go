package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
)

// openAPIDoc is the document the server serves, as kin-openapi (an
// independent OpenAPI implementation) reads it: the judge of whether
// requests and responses match what the document promises.
type openAPIDoc struct {
	doc    *openapi3.T
	router routers.Router
}

func init() {
	// SBOMs arrive as XML and SPDX tag-value too; the document gives them no
	// schema, so their bodies are taken as bytes.
	for _, ct := range []string{"application/xml", "text/xml", "application/vnd.cyclonedx+xml", "application/vnd.cyclonedx+json",
		"application/spdx+json", "text/spdx", "text/yaml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

func loadOpenAPI(t *testing.T, e *env) *openAPIDoc {
	t.Helper()
	status, body, h := e.do(t, "GET", "/openapi.json", "", nil)
	if status != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", status, h.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	r, err := legacyrouter.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &openAPIDoc{doc: doc, router: r}
}

// exchange is one request to the server and its answer.
type exchange struct {
	method, path, contentType string
	body                      []byte
	status                    int
	header                    http.Header
	respBody                  []byte
}

// send makes a request (with a bearer token when one is given) and returns
// the exchange.
func (e *env) send(t *testing.T, method, path, token, contentType string, body []byte) exchange {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return exchange{method: method, path: path, contentType: contentType, body: body, status: resp.StatusCode, header: resp.Header, respBody: b}
}

// validateRequest says whether the document accepts the request: path,
// parameters, and body against its schema. A body sent without a
// Content-Type is judged as JSON, which is what the server reads it as.
func (d *openAPIDoc) validateRequest(x exchange) (*openapi3filter.RequestValidationInput, error) {
	req, _ := http.NewRequest(x.method, "http://registry.invalid"+x.path, bytes.NewReader(x.body))
	if ct := x.contentType; ct != "" {
		req.Header.Set("Content-Type", ct)
	} else if len(x.body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := d.router.FindRoute(req)
	if err != nil {
		return nil, err
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	return in, openapi3filter.ValidateRequest(context.Background(), in)
}

// check fails the test unless the response is one the document promises for
// the request (status, Content-Type, and body against its schema), and,
// when the server accepted the request, the document accepts it too.
func (d *openAPIDoc) check(t *testing.T, x exchange) {
	t.Helper()
	in, reqErr := d.validateRequest(x)
	if in == nil {
		t.Errorf("%s %s is not in openapi.json: %v", x.method, x.path, reqErr)
		return
	}
	if x.status < 300 && reqErr != nil {
		t.Errorf("%s %s: the server accepted (%d) a request openapi.json refuses:\n%v", x.method, x.path, x.status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.status, Header: x.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(x.respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s -> %d does not match openapi.json:\n%v\nbody: %.300s", x.method, x.path, x.status, err, x.respBody)
	}
}

// refuses reports whether the document refuses the request, and why.
func (d *openAPIDoc) refuses(x exchange) (bool, string) {
	_, err := d.validateRequest(x)
	if err == nil {
		return false, ""
	}
	return true, strings.ReplaceAll(err.Error(), "\n", " | ")
}

var (
	specOnce sync.Once
	spec     *openAPIDoc
	specErr  error
)

// judged wraps the server's handler so that every request a test makes is
// checked against openapi.json by kin-openapi (see check): every test of this
// package is then also a test that the document tells the truth.
func judged(t *testing.T, h http.Handler) http.Handler {
	specOnce.Do(func() {
		var b []byte
		if b, specErr = os.ReadFile("openapi.json"); specErr != nil {
			return
		}
		var doc *openapi3.T
		if doc, specErr = openapi3.NewLoader().LoadFromData(b); specErr != nil {
			return
		}
		var r routers.Router
		r, specErr = legacyrouter.NewRouter(doc)
		spec = &openAPIDoc{doc: doc, router: r}
	})
	if specErr != nil {
		t.Fatalf("openapi.json: %v", specErr)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		x := exchange{method: r.Method, path: r.URL.RequestURI(), contentType: r.Header.Get("Content-Type"), body: body,
			status: rec.status, header: w.Header(), respBody: rec.body.Bytes()}
		if _, _, err := spec.router.FindRoute(mustRequest(x)); err != nil {
			return // not a documented path: TestUnknownRoutesAnswerJSON checks those answers
		}
		if x.status == http.StatusNotModified {
			return // no body, by definition
		}
		spec.check(t, x)
	})
}

func mustRequest(x exchange) *http.Request {
	req, _ := http.NewRequest(x.method, "http://registry.invalid"+x.path, nil)
	return req
}

// recorder keeps a copy of the status and body written through it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
