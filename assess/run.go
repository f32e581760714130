package assess

import (
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

type keyedAnswer struct {
	declaration.Answer
	refs []string // "declaration:answers.<key as written>"
}

// run is the state of one assessment.
type run struct {
	*scratch
	e        *Engine
	d        *declaration.Declaration
	asOf     catalog.Date
	held     []Held
	outs     []OutcomeResult
	reqs     []RequirementResult
	findings []Finding
	evidence []EvidenceSummary
	kept     []string // backing array for results' evidence lists (see keep)
}

// scratch is the working memory of one assessment. Results may share slices
// and strings its entries point to, never its own arrays, so an Engine pools
// it: reset drops every entry before the next assessment.
type scratch struct {
	answers  []keyedAnswer // the declared answers that name a catalog requirement
	answerAt []int16       // per requirement: 1 + its index in answers, or 0
	facts    []declaration.FactValue
	obs      []obs
	outByObs []bool // outcome failed on an observation, not on answers
	reqDone  []bool
	appl     []applied // per requirement, computed once
	notHeld  []string  // per fact: the not-applicable reason, built on first use
}

func (e *Engine) getScratch() *scratch {
	if s, ok := e.scratch.Get().(*scratch); ok {
		s.answers = s.answers[:0]
		clear(s.answerAt)
		clear(s.facts)
		clear(s.obs)
		clear(s.outByObs)
		clear(s.reqDone)
		clear(s.appl)
		clear(s.notHeld)
		return s
	}
	return &scratch{
		answerAt: make([]int16, len(e.reqs)),
		facts:    make([]declaration.FactValue, len(e.facts)),
		obs:      make([]obs, len(e.checks)),
		outByObs: make([]bool, len(e.outcomes)),
		reqDone:  make([]bool, len(e.reqs)),
		appl:     make([]applied, len(e.reqs)),
		notHeld:  make([]string, len(e.facts)),
	}
}

// Assess evaluates declaration d with evidence items on date asOf and seals the
// result with its digest. The declaration must have passed
// [declaration.Declaration.Check] against the engine's catalog.
func (e *Engine) Assess(d *declaration.Declaration, items []evidence.Item, asOf catalog.Date) *Assessment {
	return e.AssessHolding(d, items, nil, asOf)
}

// AssessHolding is Assess for a product that holds the given labels. Only
// held labels earn recognitions and count for markets through them; the
// caller verifies each (signature by a trusted issuer, current dates, and
// active where a registry was asked).
func (e *Engine) AssessHolding(d *declaration.Declaration, items []evidence.Item, held []Held, asOf catalog.Date) *Assessment {
	a := e.evaluate(d, items, held, asOf)
	a.Digest = digest(a)
	return a
}

// evaluate computes every verdict of an assessment, without the digest.
func (e *Engine) evaluate(d *declaration.Declaration, items []evidence.Item, held []Held, asOf catalog.Date) *Assessment {
	r := &run{scratch: e.getScratch(), e: e, d: d, asOf: asOf, held: held,
		outs:     make([]OutcomeResult, len(e.outcomes)),
		reqs:     make([]RequirementResult, len(e.reqs)),
		findings: []Finding{},
		evidence: []EvidenceSummary{},
	}
	defer e.scratch.Put(r.scratch)
	for k, a := range d.Answers {
		i, ok := e.answerIdx[k]
		if !ok {
			continue
		}
		refs := e.answerRefs[i]
		if k != e.answerKeys[i] { // e.g. "etsi-en-303-645:5.1-1" for "5.1-1"
			refs = []string{"declaration:answers." + k}
		}
		r.answers = append(r.answers, keyedAnswer{a, refs})
		r.answerAt[i] = int16(len(r.answers))
	}
	for i, f := range e.facts {
		r.facts[i], _ = d.Fact(f)
	}
	r.observeDeclaration()
	r.observeEvidence(items)
	for i := range e.outcomes {
		r.outs[i] = r.outcome(i)
	}
	a := &Assessment{
		Product: Product{Manufacturer: d.Manufacturer.Name, Name: d.Product.Name, Model: d.Product.Model,
			HardwareVersion: d.Product.HardwareVersion, FirmwareVersions: d.Product.FirmwareVersions,
			Category: d.Product.Category, Markets: d.Markets,
			PersonalData: d.Data.PersonalData, Telemetry: d.Data.Telemetry, Sensors: d.Data.Sensors,
			PrivacyNoticeURL: d.Data.PrivacyNoticeURL, VulnerabilityContact: d.Disclosure.Contact,
			Ecosystem: describeEcosystem(d.Ecosystem)},
		CatalogVersion: e.cat.Version,
		AsOf:           asOf,
		Outcomes:       r.outs,
		Support:        r.support(),
	}
	a.Schemes = make([]SchemeResult, len(e.cat.Schemes))
	for i, s := range e.cat.Schemes {
		a.Schemes[i] = r.scheme(i, s, e.schemeReqs[i])
	}
	a.Recognitions = r.recognitions(a)
	a.Markets = r.markets(a)
	a.Tier, a.Gaps = r.tier(a)
	if a.Tier > 0 {
		a.TierName = e.cat.Tiers[a.Tier-1].Name
	} else {
		a.TierName = "none"
	}
	a.Findings = r.findings
	a.Evidence = r.evidence
	return a
}

// keep copies refs into the run's shared backing array (one allocation for
// many short lists) and returns the copy, clipped so that an append copies.
func (r *run) keep(refs []string) []string {
	if len(refs) > cap(r.kept)-len(r.kept) {
		r.kept = make([]string, 0, max(64, len(refs)))
	}
	n := len(r.kept)
	r.kept = append(r.kept, refs...)
	return r.kept[n:len(r.kept):len(r.kept)]
}

func (r *run) finding(kind, msg string, refs ...string) {
	r.findings = append(r.findings, Finding{Kind: kind, Message: msg, Evidence: refs})
}

type applied struct {
	done bool
	val  declaration.Tri
	why  string
}

// applicability says whether requirement i applies, from its condition facts.
func (r *run) applicability(i int) (declaration.Tri, string) {
	if a := &r.appl[i]; a.done {
		return a.val, a.why
	}
	v, why := r.computeApplicability(i)
	r.appl[i] = applied{true, v, why}
	return v, why
}

func (r *run) computeApplicability(i int) (declaration.Tri, string) {
	val := declaration.True
	var unknown []string
	for _, fi := range r.e.reqFacts[i] {
		f := r.facts[fi]
		title := r.e.cat.Facts[fi].Title
		switch f.Value {
		case declaration.False:
			if r.notHeld[fi] == "" {
				r.notHeld[fi] = "applies only if " + title + ", which is not the case (" + f.Because + ")"
			}
			return declaration.False, r.notHeld[fi]
		case declaration.Unknown:
			val = declaration.Unknown
			unknown = append(unknown, title+" ("+f.Because+")")
		}
	}
	if val == declaration.Unknown {
		return val, "applies only if " + strings.Join(unknown, " and ") + "; declare it to decide"
	}
	return val, ""
}

func (r *run) support() Support {
	s := Support{EndDate: r.d.Support.EndDate, PublishedAt: r.d.Support.PublishedAt,
		DaysRemaining: r.asOf.DaysUntil(r.d.Support.EndDate)}
	switch {
	case s.DaysRemaining < 0:
		s.Ended, s.DaysRemaining = true, 0
		r.finding(FindingSupport, "security support ended on "+s.EndDate.String()+": the product no longer receives security updates", "declaration:support.end_date")
	case s.DaysRemaining <= 180:
		r.finding(FindingSupport, "security support ends on "+s.EndDate.String()+", in "+strconv.Itoa(s.DaysRemaining)+" days", "declaration:support.end_date")
	}
	return s
}
