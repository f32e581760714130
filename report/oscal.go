package report

import (
	"crypto/sha1"
	"fmt"
	"io"
	"strings"
	"time"

	oscal "github.com/defenseunicorns/go-oscal/src/types/oscal-1-1-3"
	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

// OSCALVersion is the OSCAL version of the documents we write.
const OSCALVersion = "1.1.3"

// oscalNS is the namespace of iotlabel's own OSCAL properties.
const oscalNS = "https://github.com/iotlabel/iotlabel/ns/oscal"

// uuidNS is the name-based UUID namespace for iotlabel OSCAL documents.
var uuidNS = [16]byte{0x6f, 0x2b, 0x1c, 0x59, 0x8a, 0x7e, 0x4d, 0x2a, 0x9b, 0x11, 0x3c, 0x55, 0x07, 0xe4, 0xa1, 0x90}

// uuid5 returns an RFC 9562 version-5 UUID for name, so documents are
// reproducible: the same assessment always gets the same UUIDs.
func uuid5(name string) string {
	h := sha1.New()
	h.Write(uuidNS[:])
	h.Write([]byte(name))
	b := h.Sum(nil)[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ControlID turns a requirement reference into an OSCAL token: the scheme ID,
// an underscore and the requirement ID with parentheses folded to dots
// (eu-cra:I(2)(a) becomes eu-cra_I.2.a).
func ControlID(ref string) string {
	s := strings.NewReplacer(":", "_", "(", ".", ")", "", " ", "-", "/", "-").Replace(ref)
	return strings.TrimSuffix(s, ".")
}

func prop(name, value string) oscal.Property {
	return oscal.Property{Name: name, Value: value, Ns: oscalNS}
}

// OSCAL writes the assessment as an OSCAL 1.1.3 assessment-results document:
// one finding per requirement, one observation per evidence item plus one for
// the declaration. Times are the as-of date at midnight UTC.
func OSCAL(w io.Writer, c *catalog.Catalog, a *assess.Assessment) error {
	at := a.AsOf.Time()
	declObs := oscal.Observation{UUID: uuid5(a.Digest + "/obs/declaration"), Title: "Manufacturer declaration",
		Description: "Statements in the manufacturer's declaration for " + a.Product.Model,
		Methods:     []string{"EXAMINE"}, Collected: at}
	observations := []oscal.Observation{declObs}
	obsByRef := map[string]string{}
	for _, e := range a.Evidence {
		o := oscal.Observation{UUID: uuid5(a.Digest + "/obs/" + e.Ref), Title: e.Check + " " + e.Result,
			Description: orDash(e.Detail), Methods: []string{"TEST"}, Collected: at,
			Props: &[]oscal.Property{prop("evidence-ref", e.Ref), prop("evidence-kind", string(e.Kind)), prop("source", orDash(e.Source))}}
		observations = append(observations, o)
		obsByRef[e.Ref] = o.UUID
	}
	var findings []oscal.Finding
	for _, s := range a.Schemes {
		for _, r := range s.Requirements {
			ref := s.ID + ":" + r.ID
			findings = append(findings, finding(a, ref, r, obsByRef, declObs.UUID))
		}
	}
	props := []oscal.Property{prop("tier", fmt.Sprint(a.Tier)), prop("catalog-version", a.CatalogVersion),
		prop("assessment-digest", a.Digest), prop("support-end-date", a.Support.EndDate.String())}
	doc := oscal.OscalCompleteSchema{AssessmentResults: &oscal.AssessmentResults{
		UUID: uuid5(a.Digest),
		Metadata: oscal.Metadata{Title: "iotlabel assessment of " + a.Product.Name + " (" + a.Product.Model + ")",
			LastModified: at, Version: a.Digest, OscalVersion: OSCALVersion},
		ImportAp: oscal.ImportAp{Href: "#iotlabel-catalog-" + a.CatalogVersion,
			Remarks: "Assessed against the iotlabel catalog " + a.CatalogVersion + "; see `iotlabel catalog export --format oscal`."},
		Results: []oscal.Result{{
			UUID: uuid5(a.Digest + "/result"), Title: fmt.Sprintf("Tier %d (%s)", a.Tier, a.TierName),
			Description: "Verdicts for every requirement of every scheme in the iotlabel catalog.",
			Start:       at, Props: &props,
			ReviewedControls: oscal.ReviewedControls{ControlSelections: []oscal.AssessedControls{{IncludeAll: &oscal.IncludeAll{}}}},
			Observations:     &observations, Findings: &findings,
		}},
	}}
	return writeJSON(w, doc)
}

func finding(a *assess.Assessment, ref string, r assess.RequirementResult, obsByRef map[string]string, declUUID string) oscal.Finding {
	state, reason := "not-satisfied", "other"
	switch r.Verdict {
	case assess.Pass:
		state, reason = "satisfied", "pass"
	case assess.Fail:
		reason = "fail"
	case assess.NotApplicable:
		state = "satisfied"
	}
	f := oscal.Finding{UUID: uuid5(a.Digest + "/finding/" + ref), Title: ref, Description: r.Reason,
		Target: oscal.FindingTarget{Type: "objective-id", TargetId: ControlID(ref),
			Status: oscal.ObjectiveStatus{State: state, Reason: reason, Remarks: string(r.Verdict)}},
		Props: &[]oscal.Property{prop("verdict", string(r.Verdict))}}
	seen := map[string]bool{}
	var related []oscal.RelatedObservation
	for _, ev := range r.Evidence {
		u, ok := obsByRef[ev]
		if !ok && strings.HasPrefix(ev, "declaration:") {
			u, ok = declUUID, true
		}
		if ok && !seen[u] {
			seen[u] = true
			related = append(related, oscal.RelatedObservation{ObservationUuid: u})
		}
	}
	if len(related) > 0 {
		f.RelatedObservations = &related
	}
	return f
}

// OSCALCatalog writes the catalog (or one scheme of it) as an OSCAL 1.1.3
// catalog: a group per scheme, a control per requirement. published is the
// catalog's own release date, used as the document's last-modified time.
func OSCALCatalog(w io.Writer, c *catalog.Catalog, scheme string, published time.Time) error {
	var groups []oscal.Group
	for _, s := range c.Schemes {
		if scheme != "" && s.ID != scheme {
			continue
		}
		var controls []oscal.Control
		for _, r := range s.Requirements {
			props := []oscal.Property{prop("label", r.ID), prop("strength", string(r.Strength)), prop("phase", string(r.Phase))}
			for _, o := range r.Outcomes {
				props = append(props, prop("outcome", o))
			}
			if len(r.Condition) > 0 {
				props = append(props, prop("condition", strings.Join(r.Condition, ",")))
			}
			if r.Level != "" {
				props = append(props, prop("level", r.Level))
			}
			if r.Unverified != "" {
				props = append(props, prop("unverified", "true"))
			}
			parts := []oscal.Part{{Name: "statement", ID: ControlID(r.Ref()) + "_smt", Prose: r.Title}}
			controls = append(controls, oscal.Control{ID: ControlID(r.Ref()), Title: r.Title, Props: &props, Parts: &parts})
		}
		gprops := []oscal.Property{prop("status", s.Status), prop("jurisdiction", s.Jurisdiction), prop("version", s.Version)}
		groups = append(groups, oscal.Group{ID: s.ID, Title: s.Title, Controls: &controls, Props: &gprops})
	}
	if len(groups) == 0 {
		return fmt.Errorf("no scheme %q in catalog %s", scheme, c.Version)
	}
	doc := oscal.OscalCompleteSchema{Catalog: &oscal.Catalog{
		UUID:     uuid5("catalog/" + c.Version + "/" + scheme),
		Metadata: oscal.Metadata{Title: c.Title, LastModified: published, Version: c.Version, OscalVersion: OSCALVersion},
		Groups:   &groups,
	}}
	return writeJSON(w, doc)
}
