package report

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

//go:embed assessment.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("assessment").Funcs(template.FuncMap{
	"join":  strings.Join,
	"state": schemeState,
	"dash":  orDash,
	"str":   func(k catalog.EvidenceKind) string { return string(k) },
	"lower": strings.ToLower,
}).Parse(htmlSource))

type htmlView struct {
	A *assess.Assessment
	C *catalog.Catalog
}

// HTML writes a self-contained, accessible HTML page (no scripts, no external
// resources) with the summary first and every requirement in collapsible sections.
func HTML(w io.Writer, c *catalog.Catalog, a *assess.Assessment) error {
	return htmlTmpl.Execute(w, htmlView{A: a, C: c})
}
