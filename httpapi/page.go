package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
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
	L        store.Label
	P        *label.Predicate
	Days     int
	Headline string
	Meaning  string
	Badge    string
	// InForce is true only for an active or at-risk label whose product is
	// still supported: only then is the tier shown as something to rely on.
	InForce   bool
	SupportOK bool
	// Exploited is a plain-language sentence about a known exploited flaw,
	// and Flaws the technical detail behind it.
	Exploited, Flaws string
	Advice           []string
}

// statusText says what each status means for the owner, in plain words.
var statusText = map[string][2]string{
	registry.Active:    {"Label valid", "This device met the security requirements of its tier when it was checked, and its maker still supports it with security updates."},
	registry.AtRisk:    {"Attention needed", "The label is still valid, but something needs your attention."},
	registry.Pending:   {"Label not yet valid", "The label only takes effect on the day it was issued for."},
	registry.Suspended: {"Label suspended", "The label is suspended while a problem is investigated."},
	registry.Revoked:   {"Label revoked", "The label was withdrawn: it no longer vouches for this device."},
	registry.Expired:   {"Label expired", "The label has expired."},
}

// advice is what to do, by situation.
var advice = map[string][]string{
	"in_force": {
		"During setup, set your own password if the device asks for one, and never reuse one from another account.",
		"Keep automatic updates switched on, and install updates when the device or its app tells you to.",
		"Before you sell, give away or throw out the device, reset it to erase your data.",
		"When security updates end, replace the device or disconnect it from the internet.",
	},
	"exploited": {
		"Install the maker's security update as soon as it is offered; check the maker's website or app now.",
		"Until it is fixed, keep the device off the internet if you can (for example, block it in your router).",
		"If you are about to buy this device, wait until the maker has fixed the flaw.",
	},
	"withdrawn": {
		"If you are about to buy this device, do not rely on this label: choose another product or ask the seller.",
		"If you own it, check the maker's website or app for a security update or a notice, and install any update.",
		"If the maker offers no fix, consider disconnecting the device from the internet.",
	},
	"unsupported": {
		"This device no longer receives security fixes. Replace it, or at least keep it off the internet.",
		"Before you give away or throw out the device, reset it to erase your data.",
	},
}

const exploitedPrefix = "known exploited vulnerability: "

func (s *Server) consumerPage(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Label(r.Context(), r.PathValue("id"))
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
	d.InForce = (l.Status == registry.Active || l.Status == registry.AtRisk) && d.SupportOK
	t := statusText[l.Status]
	d.Headline, d.Meaning = t[0], t[1]
	for _, part := range strings.Split(l.StatusReason, "; ") {
		if flaws, ok := strings.CutPrefix(part, exploitedPrefix); ok {
			d.Flaws = flaws
			d.Exploited = "Attackers are known to be using a security flaw in software this device contains (" + components(flaws) +
				"). Until the maker fixes it, the device can be taken over or misused."
		}
	}
	switch {
	case !d.SupportOK:
		d.Advice = advice["unsupported"]
		if d.InForce || l.Status == registry.Expired {
			d.Headline, d.Badge = "Support ended", registry.Expired
			d.Meaning = "Security support for this device has ended, so the label no longer vouches for it."
		}
	case !d.InForce:
		d.Advice = advice["withdrawn"]
	case d.Exploited != "":
		d.Advice = advice["exploited"]
	default:
		d.Advice = advice["in_force"]
	}
	if l.StatusReason != "" && l.Status != registry.Active && d.Exploited == "" {
		d.Meaning += " Reason: " + l.StatusReason + "."
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, d); err != nil {
		return err
	}
	// A status change must show at once: caches revalidate every time, and
	// an unchanged page costs a 304.
	sum := sha256.Sum256(b.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(b.Bytes())
	return err
}

// components names the software parts in "CVE-… in dnsmasq 2.84, CVE-… in
// busybox 1.29" for people: "dnsmasq 2.84, busybox 1.29".
func components(flaws string) string {
	var out []string
	for _, f := range strings.Split(flaws, ", ") {
		if _, comp, ok := strings.Cut(f, " in "); ok && !slices.Contains(out, comp) {
			out = append(out, comp)
		}
	}
	if len(out) == 0 {
		return "a component"
	}
	return strings.Join(out, ", ")
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
