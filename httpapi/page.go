package httpapi

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
)

//go:embed page.html.tmpl
var pageSource string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"join": strings.Join}).Parse(pageSource))

type pageData struct {
	L         store.Label
	P         *label.Predicate
	Days      int
	Headline  string
	Meaning   string
	Badge     string
	SupportOK bool
}

// statusText says what each status means for the owner, in plain words.
var statusText = map[string][2]string{
	registry.Active:    {"Label valid", "This device met the security requirements of its tier when it was checked, and its maker still supports it with security updates."},
	registry.AtRisk:    {"Attention needed", "The label is still valid, but something needs your attention: "},
	registry.Suspended: {"Label suspended", "The label is on hold while a problem is investigated: "},
	registry.Revoked:   {"Label revoked", "The label was withdrawn and no longer vouches for this device: "},
	registry.Expired:   {"Label expired", "The label has expired, usually because security support has ended: "},
}

func (s *Server) consumerPage(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Store.Label(r.Context(), r.PathValue("id"))
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, err = w.Write([]byte(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Label not found</title><main><h1>Label not found</h1><p>No label with this ID is registered. Check the code you scanned, and be careful with devices whose label cannot be found.</p></main></html>`))
		}
		return err
	}
	p, err := s.predicates.get(l)
	if err != nil {
		return err
	}
	d := pageData{L: l, P: p, Days: daysUntil(s.svc.Now(), l.SupportEnd), Badge: l.Status}
	d.SupportOK = d.Days >= 0
	t := statusText[l.Status]
	d.Headline, d.Meaning = t[0], t[1]
	if l.Status != registry.Active {
		d.Meaning += l.StatusReason
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err = w.Write(b.Bytes())
	return err
}

// maxCachedPredicates bounds the decoded-label cache.
const maxCachedPredicates = 20_000

// predicateCache keeps decoded label predicates by label ID. A published
// label's envelope never changes (IDs are unique and rows are never
// rewritten), so decoding it once is enough; status comes from the store on
// every request.
type predicateCache struct {
	mu sync.Mutex
	m  map[string]*label.Predicate
}

func (c *predicateCache) get(l store.Label) (*label.Predicate, error) {
	c.mu.Lock()
	p := c.m[l.ID]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	st, err := label.DecodeStatement(l.Envelope)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPredicates {
		c.m = make(map[string]*label.Predicate) // start over; hot labels return quickly
	}
	c.m[l.ID] = &st.Predicate
	return &st.Predicate, nil
}
