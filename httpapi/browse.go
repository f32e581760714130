package httpapi

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

//go:embed browse.html.tmpl
var browseSource string

var browseTmpl = template.Must(template.New("browse").Funcs(template.FuncMap{"join": strings.Join}).Parse(browseSource))

type browseData struct {
	Title, Intro string
	Q            store.LabelQuery
	Within       string
	Statuses     []string
	Labels       []store.Label
}

// browse is the HTML search page over the registry; with
// support_ends_within_days it is the scheme owner's view of products
// approaching the end of support, soonest first.
func (s *Server) browse(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status, err := statusParam(r)
	if err != nil {
		return err
	}
	lq := store.LabelQuery{Manufacturer: q.Get("manufacturer"), Model: q.Get("model"), Firmware: q.Get("firmware"), Status: status, Limit: 200}
	d := browseData{Title: "Find a labelled product", Q: lq, Within: q.Get("support_ends_within_days"),
		Statuses: append([]string{""}, registry.Statuses...),
		Intro:    "Search the registry by manufacturer, model or firmware version. Open a product to see its label in plain language."}
	if d.Within != "" {
		if err := s.sunsetQuery(r, &lq); err != nil {
			return err
		}
		d.Title = "Security support ending soon"
		d.Intro = "Products whose security updates end within the number of days given, soonest first: their owners and buyers need to know before support stops."
	}
	ls, err := s.svc.Labels(r.Context(), lq)
	if err != nil {
		return err
	}
	d.Labels = ls
	var b bytes.Buffer
	if err := browseTmpl.Execute(&b, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(b.Bytes())
	return err
}
