package httpapi

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/translog"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// Server is the registry's HTTP front.
type Server struct {
	svc    Registry
	log    *slog.Logger
	mux    *http.ServeMux
	byAddr *limiters
	byTok  *limiters
	// predicates caches decoded labels for the consumer page.
	predicates predicateCache
	// tlog and logDir are the transparency log and its directory.
	tlog   *translog.Log
	logDir string
}

//go:embed openapi.json
var openAPI []byte

// route is one method and path pattern; the OpenAPI test checks that the
// table and openapi.json agree.
type route struct {
	pattern string
	handler func(http.ResponseWriter, *http.Request) error
}

func (s *Server) routes() []route {
	return []route{
		{"GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
			return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}},
		{"GET /openapi.json", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/json")
			_, err := w.Write(openAPI)
			return err
		}},
		{"GET /v1/labels/{id}", s.getLabel},
		{"GET /v1/labels/{id}/proof", s.labelProof},
		{"GET /v1/labels", s.searchLabels},
		{"POST /v1/labels", s.publish},
		{"POST /v1/labels/{id}/{action}", s.changeStatus},
		{"PUT /v1/labels/{id}/sbom", s.putSBOM},
		{"POST /v1/assessments", s.assess},
		{"POST /v1/orgs", s.createOrg},
		{"GET /v1/orgs", s.listOrgs},
		{"POST /v1/products", s.createProduct},
		{"GET /v1/products", s.listProducts},
		{"GET /v1/products/{id}", s.getProduct},
		{"POST /v1/products/{id}/declarations", s.submitDeclaration},
		{"GET /v1/products/{id}/declarations/{version}", s.getDeclaration},
		{"GET /v1/events", s.events},
		{"GET /v1/trust", s.getTrust},
		{"GET /v1/trust.yaml", s.getTrustYAML},
		{"POST /v1/trust", s.accredit},
		{"POST /v1/trust/{key_id}/revoke", s.revokeAccreditation},
		{"GET /v1/check", s.check},
		{"POST /v1/subscriptions", s.subscribe},
		{"GET /v1/subscriptions", s.listSubscriptions},
		{"GET /v1/subscriptions/{id}", s.getSubscription},
		{"DELETE /v1/subscriptions/{id}", s.deleteSubscription},
		{"GET /labels", s.browse},
		{"GET /l/{id}", s.consumerPage},
		{"GET /l/{id}/label.json", s.rawLabel},
		{"GET /log/checkpoint", s.logFile},
		{"GET /log/tile/{tile...}", s.logFile},
	}
}

// New builds the server's routes. Rate limits are off until SetLimits.
func New(svc Registry, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.h(rt.handler))
	}
	s.mux.HandleFunc(catchAll, s.noRoute)
	return s
}

func (s *Server) logFile(w http.ResponseWriter, r *http.Request) error {
	p := strings.TrimPrefix(r.URL.Path, "/log/")
	if s.logDir == "" || (p != "checkpoint" && !strings.HasPrefix(p, "tile/")) || strings.Contains(p, "..") {
		return fmt.Errorf("log file %s: %w", p, store.ErrNotFound)
	}
	b, err := os.ReadFile(filepath.Join(s.logDir, filepath.FromSlash(p)))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("log file %s: %w", p, store.ErrNotFound)
	} else if err != nil {
		return err
	}
	if p == "checkpoint" {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/octet-stream")
		if !strings.Contains(p, ".p/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // full tiles never change
		}
	}
	_, err = w.Write(b)
	return err
}

// StaticPath is where SetStaticCeiling serves its fixed response.
const StaticPath = "/bench/static"

// SetStaticCeiling serves, at StaticPath, a fixed JSON response of n bytes
// through the same middleware and error handling as every route: the
// ceiling that bench/registry.sh compares label lookups with (a static
// response of a label response's size, so that only the lookup differs).
// It is not part of the API and not in openapi.json. Call it before serving.
func (s *Server) SetStaticCeiling(n int) {
	body := []byte(`{"static":"` + strings.Repeat("x", max(n-14, 0)) + `"}` + "\n")
	s.mux.Handle("GET "+StaticPath, s.h(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(body)
		return err
	}))
}

// SetLimits sets the request rates allowed per client address and per API
// token; a zero rate turns that limit off. Call it before serving.
func (s *Server) SetLimits(l Limits) {
	s.byAddr = newLimiters(l.PerAddress, l.AddressBurst)
	s.byTok = newLimiters(l.PerToken, l.TokenBurst)
}

// Handler returns the server with security headers, rate limits and body
// limits applied.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		if wait, ok := s.admit(r); !ok {
			h.Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			var e apiError
			e.Error.Code, e.Error.Message = "rate_limited", "too many requests; retry after the time in Retry-After"
			writeJSON(w, http.StatusTooManyRequests, e)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		s.mux.ServeHTTP(w, r)
	})
}

// noRoute answers, as the catch-all pattern "/", a path or method the API
// does not have, with the JSON error body every other error has: 405 with
// Allow when another method has the path, 404 otherwise. Only requests that
// match no route pay for working that out.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != catchAll {
			allow = append(allow, m)
		}
	}
	var e apiError
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		e.Error.Code, e.Error.Message = "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+strings.Join(allow, ", ")
		writeJSON(w, http.StatusMethodNotAllowed, e)
		return
	}
	e.Error.Code, e.Error.Message = "not_found", "no such path: "+r.URL.Path+"; see /openapi.json"
	writeJSON(w, http.StatusNotFound, e)
}

// catchAll is the pattern noRoute is registered under.
const catchAll = "/"

// apiError is the JSON body of every error response.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// h adapts a handler that returns an error.
func (s *Server) h(f func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		if err == nil {
			return
		}
		status, code := classify(err)
		msg := err.Error()
		if status == http.StatusInternalServerError {
			s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			msg = "internal error"
		}
		var e apiError
		e.Error.Code, e.Error.Message = code, msg
		writeJSON(w, status, e)
	})
}

// classify maps errors to HTTP statuses and stable error codes.
func classify(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "body_too_large"
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, registry.ErrUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, registry.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, registry.ErrUntrusted):
		return http.StatusUnprocessableEntity, "untrusted_signature"
	case errors.Is(err, registry.ErrMismatch):
		return http.StatusUnprocessableEntity, "claims_not_recomputed"
	case errors.Is(err, registry.ErrTransition):
		return http.StatusConflict, "invalid_transition"
	case errors.As(err, new(*unsupportedType)):
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	case errors.Is(err, registry.ErrInvalid), errors.As(err, new(*badRequest)):
		return http.StatusBadRequest, "invalid_request"
	}
	return http.StatusInternalServerError, "internal"
}

// badRequest is a malformed request; it keeps its cause (such as an
// *http.MaxBytesError) for classify.
type badRequest struct {
	msg string
	err error
}

func (e *badRequest) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *badRequest) Unwrap() error { return e.err }

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// actor authenticates the request's bearer token.
func (s *Server) actor(r *http.Request) (registry.Actor, error) {
	auth := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return registry.Actor{}, registry.ErrUnauthorized
	}
	return s.svc.Authenticate(r.Context(), strings.TrimSpace(secret))
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &badRequest{msg: name + " must be a non-negative integer"}
	}
	return n, nil
}
