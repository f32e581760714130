package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// Server is the registry's HTTP front.
type Server struct {
	svc *registry.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New builds the server's routes.
func New(svc *registry.Service, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.mux.Handle("GET /healthz", s.h(func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	s.mux.Handle("GET /v1/labels/{id}", s.h(s.getLabel))
	s.mux.Handle("GET /v1/labels", s.h(s.searchLabels))
	s.mux.Handle("POST /v1/labels", s.h(s.publish))
	s.mux.Handle("POST /v1/labels/{id}/{action}", s.h(s.changeStatus))
	s.mux.Handle("GET /v1/events", s.h(s.events))
	s.mux.Handle("GET /v1/check", s.h(s.check))
	s.mux.Handle("GET /l/{id}", s.h(s.consumerPage))
	s.mux.Handle("GET /l/{id}/label.json", s.h(s.rawLabel))
	return s
}

// Handler returns the server with security headers and body limits applied.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		s.mux.ServeHTTP(w, r)
	})
}

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
	case errors.Is(err, registry.ErrTransition):
		return http.StatusConflict, "invalid_transition"
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
