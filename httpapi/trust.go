package httpapi

import (
	"net/http"

	"github.com/iotlabel/iotlabel/trust"
)

// trustView is the JSON form of the registry's trust store.
type trustView struct {
	Entries []*trust.Entry `json:"entries"`
}

func (s *Server) getTrust(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.TrustStore(r.Context())
	if err != nil {
		return err
	}
	v := trustView{Entries: []*trust.Entry{}}
	if ts != nil {
		v.Entries = ts.Entries
	}
	w.Header().Set("Cache-Control", "no-cache")
	return writeJSON(w, http.StatusOK, v)
}

// getTrustYAML serves the trust store in the file format that --trust
// reads, so offline verifiers can fetch it and use it as it is.
func (s *Server) getTrustYAML(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.TrustStore(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = trust.New()
	}
	b, err := ts.YAML()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(b)
	return err
}

func (s *Server) accredit(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var e trust.Entry
	if err := decodeBody(r, &e, `{"key": PEM, "holder", "role", "checks": [...], "schemes": [...], "valid_from", "valid_until"}`); err != nil {
		return err
	}
	out, err := s.svc.Accredit(r.Context(), a, &e)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) revokeAccreditation(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &req, `{"reason": "…"}`); err != nil {
		return err
	}
	out, err := s.svc.RevokeAccreditation(r.Context(), a, r.PathValue("key_id"), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
