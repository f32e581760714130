package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/sbom"
	"github.com/iotlabel/iotlabel/store"
)

// labelView is a label as the API shows it: the stored fields, the signed
// envelope, and the compact form.
type labelView struct {
	store.Label
	Envelope json.RawMessage `json:"envelope,omitempty"`
	Compact  string          `json:"compact,omitempty"`
	Page     string          `json:"page"`
}

func view(l store.Label) labelView {
	return labelView{Label: l, Envelope: l.Envelope, Compact: l.Compact, Page: "/l/" + l.ID}
}

func (s *Server) getLabel(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Label(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	// The envelope goes out as the bytes that were verified and stored (as
	// /l/{id}/label.json serves them), not re-encoded: re-indenting 3 KB of
	// JSON on every lookup was half of a lookup's time.
	v := view(l)
	v.Envelope = nil
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if len(l.Envelope) > 0 {
		b = append(append(append(b[:len(b)-2], ",\n  \"envelope\": "...), l.Envelope...), "\n}"...)
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(append(b, '\n'))
	return err
}

func (s *Server) rawLabel(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Label(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(l.Envelope)
	return err
}

func (s *Server) searchLabels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := intParam(r, "limit", 100)
	if err != nil {
		return err
	}
	status, err := statusParam(r)
	if err != nil {
		return err
	}
	lq := store.LabelQuery{Manufacturer: q.Get("manufacturer"), Model: q.Get("model"), Firmware: q.Get("firmware"), Status: status, Limit: limit}
	resp := map[string]any{}
	if within := q.Get("support_ends_within_days"); within != "" {
		if err := s.sunsetQuery(r, &lq); err != nil {
			return err
		}
	}
	ls, err := s.svc.Labels(r.Context(), lq)
	if err != nil {
		return err
	}
	out := make([]labelView, len(ls))
	for i, l := range ls {
		out[i] = view(l)
		out[i].Envelope = nil // the list stays small; fetch one label for its envelope
	}
	resp["labels"] = out
	if lq.BySupportEnd && len(ls) == lq.Limit && len(ls) > 0 {
		last := ls[len(ls)-1]
		resp["next"] = last.SupportEnd + "/" + last.ID
	}
	return writeJSON(w, http.StatusOK, resp)
}

// sunsetQuery makes lq the support-ending view: labels whose support ends
// within support_ends_within_days, soonest first over all labels, revoked
// ones left out unless include_revoked=true, continuing after the "next"
// cursor of the previous page (after=DATE/ID).
func (s *Server) sunsetQuery(r *http.Request, lq *store.LabelQuery) error {
	q := r.URL.Query()
	days, err := intParam(r, "support_ends_within_days", 0)
	if err != nil {
		return err
	}
	lq.SupportEndsBefore = catalog.DateOf(s.svc.Now()).AddDays(days + 1).String()
	lq.BySupportEnd = true
	if q.Get("include_revoked") != "true" {
		lq.ExcludeStatuses = []string{registry.Revoked}
	}
	if after := q.Get("after"); after != "" {
		date, id, ok := strings.Cut(after, "/")
		if !ok || date == "" || id == "" {
			return &badRequest{msg: "after must be the next cursor of the previous page (DATE/ID)"}
		}
		lq.AfterSupportEnd, lq.AfterID = date, id
	}
	return nil
}

type publishRequest struct {
	Envelope json.RawMessage `json:"envelope,omitempty"`
	Compact  string          `json:"compact"`
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req publishRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return &badRequest{msg: `body must be {"envelope": <DSSE envelope>, "compact": "IL2:…"}`, err: err}
	}
	if len(req.Envelope) == 0 {
		return &badRequest{msg: "envelope is required"}
	}
	l, err := s.svc.Publish(r.Context(), a, req.Envelope, req.Compact)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, view(l))
}

func (s *Server) changeStatus(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return &badRequest{msg: `body must be {"reason": "…"}`, err: err}
	}
	l, err := s.svc.ChangeStatus(r.Context(), a, r.PathValue("id"), r.PathValue("action"), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view(l))
}

// putSBOM attaches the product's SBOM (CycloneDX, SPDX or a Buildroot
// manifest, as the file) to a label; the registry re-matches it against
// its vulnerability database from then on.
func (s *Server) putSBOM(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	encodings, err := sbomMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return &badRequest{msg: "reading the SBOM", err: err}
	}
	doc, err := sbom.Parse("request body", data)
	if err != nil {
		return &badRequest{msg: "the body must be a CycloneDX or SPDX SBOM or a Buildroot manifest", err: err}
	}
	if encodings != nil && !slices.Contains(encodings, doc.Encoding) {
		return &badRequest{msg: fmt.Sprintf("the body is a %s %s document, but Content-Type says %s; send it as %s",
			doc.Format, doc.Encoding, r.Header.Get("Content-Type"), sbomTypeFor(doc.Encoding))}
	}
	l, err := s.svc.AttachSBOM(r.Context(), a, r.PathValue("id"), doc.Components)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"label": view(l), "components": len(doc.Components), "format": doc.Format})
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	since, err := intParam(r, "since", 0)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 1000)
	if err != nil {
		return err
	}
	evs, err := s.svc.Events(r.Context(), int64(since), limit)
	if err != nil {
		return err
	}
	next := int64(since)
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": evs, "next": next})
}

func (s *Server) check(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("manufacturer") == "" || q.Get("model") == "" || q.Get("market") == "" {
		return &badRequest{msg: "manufacturer, model and market are required (firmware and tier are optional)"}
	}
	tier, err := intParam(r, "tier", 0)
	if err != nil {
		return err
	}
	res, err := s.svc.Check(r.Context(), registry.CheckQuery{Manufacturer: q.Get("manufacturer"), Model: q.Get("model"),
		Firmware: q.Get("firmware"), Market: q.Get("market"), MinTier: tier, At: q.Get("at")})
	if err != nil {
		return err
	}
	for i := range res.Labels {
		res.Labels[i].Envelope = nil
	}
	return writeJSON(w, http.StatusOK, res)
}

// daysUntil counts whole days from now to the end of date.
func daysUntil(now time.Time, date string) int {
	d, err := catalog.ParseDate(date)
	if err != nil {
		return 0
	}
	return catalog.DateOf(now).DaysUntil(d)
}

// sbomTypes are the media types an SBOM may be sent as, each with the
// encodings its body may have; nil (and no Content-Type at all) means the
// server tells the format from the content.
var sbomTypes = map[string][]string{
	"application/json":               {"json"},
	"application/vnd.cyclonedx+json": {"json"},
	"application/spdx+json":          {"json"},
	"application/xml":                {"xml"},
	"text/xml":                       {"xml"},
	"application/vnd.cyclonedx+xml":  {"xml"},
	"text/spdx":                      {"tag-value"},
	"text/plain":                     {"tag-value", "csv"},
	"text/csv":                       {"csv"},
	"application/octet-stream":       nil,
}

// sbomMediaType checks an SBOM upload's Content-Type and returns the
// encodings the body may have (nil: any).
func sbomMediaType(header string) ([]string, error) {
	if header == "" {
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(header)
	if enc, ok := sbomTypes[mt]; err == nil && ok {
		return enc, nil
	}
	types := slices.Sorted(maps.Keys(sbomTypes))
	return nil, &unsupportedType{msg: fmt.Sprintf("Content-Type %q is not an SBOM type; send one of %s", header, strings.Join(types, ", "))}
}

// sbomTypeFor names the media type to send an encoding as.
func sbomTypeFor(encoding string) string {
	switch encoding {
	case "json":
		return "application/json"
	case "xml":
		return "application/xml"
	case "csv":
		return "text/csv"
	}
	return "text/spdx"
}

// unsupportedType is a request body of a media type the operation does not
// take (415).
type unsupportedType struct{ msg string }

func (e *unsupportedType) Error() string { return e.msg }

// statusParam reads the status query parameter: empty, or a label status.
func statusParam(r *http.Request) (string, error) {
	st := r.URL.Query().Get("status")
	if st != "" && !slices.Contains(registry.Statuses, st) {
		return "", &badRequest{msg: fmt.Sprintf("status %q is not one of %s", st, strings.Join(registry.Statuses, ", "))}
	}
	return st, nil
}
