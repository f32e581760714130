package httpapi

import (
	"net/http"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/report"
)

// assessRequest carries the inputs as the files hold them.
type assessRequest struct {
	Declaration string `json:"declaration"`
	Evidence    string `json:"evidence"`
	AsOf        string `json:"as_of"`
}

// assess recomputes an assessment on the server from a declaration (YAML
// or JSON text) and evidence (JSON Lines text).
func (s *Server) assess(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req assessRequest
	if err := decodeBody(r, &req, `{"declaration": "<YAML or JSON>", "evidence": "<JSON Lines>", "as_of": "YYYY-MM-DD"}`); err != nil {
		return err
	}
	if req.Declaration == "" {
		return &badRequest{msg: "declaration is required"}
	}
	var asOf catalog.Date
	if req.AsOf != "" {
		if asOf, err = catalog.ParseDate(req.AsOf); err != nil {
			return &badRequest{msg: "as_of", err: err}
		}
	}
	res, err := s.svc.Assess(r.Context(), a, []byte(req.Declaration), []byte(req.Evidence), asOf)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return report.JSON(w, res)
}
