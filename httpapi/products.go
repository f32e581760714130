package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/store"
)

// decodeBody reads a JSON request body into v, refusing unknown fields.
func decodeBody(r *http.Request, v any, shape string) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &badRequest{msg: "body must be " + shape, err: err}
	}
	return nil
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req struct{ Name, Kind string }
	if err := decodeBody(r, &req, `{"name": "…", "kind": "manufacturer|lab|scheme_owner"}`); err != nil {
		return err
	}
	o, err := s.svc.CreateOrg(r.Context(), a, req.Name, req.Kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.svc.Orgs(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"orgs": orgs})
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req struct {
		OrgID string `json:"org_id"`
		Model string `json:"model"`
		Name  string `json:"name"`
	}
	if err := decodeBody(r, &req, `{"org_id": "…", "model": "…", "name": "…"}`); err != nil {
		return err
	}
	p, err := s.svc.CreateProduct(r.Context(), a, req.OrgID, req.Model, req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Products(r.Context(), r.URL.Query().Get("org"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"products": ps})
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Product(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	vs, err := s.svc.Declarations(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"product": p, "declarations": vs})
}

func (s *Server) submitDeclaration(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req struct {
		Declaration string `json:"declaration"`
		Evidence    string `json:"evidence"`
	}
	if err := decodeBody(r, &req, `{"declaration": "<YAML or JSON>", "evidence": "<JSON Lines>"}`); err != nil {
		return err
	}
	if strings.TrimSpace(req.Declaration) == "" {
		return &badRequest{msg: "declaration is required"}
	}
	v, err := s.svc.SubmitDeclaration(r.Context(), a, r.PathValue("id"), []byte(req.Declaration), []byte(req.Evidence))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, declarationView(v))
}

func (s *Server) getDeclaration(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return &badRequest{msg: "version must be a positive integer"}
	}
	v, err := s.svc.DeclarationVersion(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, declarationView(v))
}

// declarationView shows a version with its documents; the assessment is
// embedded as JSON.
func declarationView(v store.Declaration) any {
	out := struct {
		store.Declaration
		DeclarationText string          `json:"declaration,omitempty"`
		EvidenceText    string          `json:"evidence,omitempty"`
		Assessment      json.RawMessage `json:"assessment,omitempty"`
	}{Declaration: v, DeclarationText: string(v.Declaration), EvidenceText: string(v.Evidence)}
	if len(v.Assessment) > 0 {
		out.Assessment = v.Assessment
	}
	return out
}
