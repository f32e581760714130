package assess

import (
	"slices"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

// outcome decides outcome oi: failing observations first (strongest evidence
// wins), then "no" answers to mandatory baseline provisions, then passing
// observations, then "yes" answers to the baseline provisions.
func (r *run) outcome(oi int) OutcomeResult {
	e := r.e
	res := OutcomeResult{ID: e.outcomes[oi].ID, Evidence: []string{}}
	var failBuf, passBuf [4]*obs
	fails, passes := failBuf[:0], passBuf[:0]
	for _, ci := range e.outCheck[oi] {
		k, o := e.checks[ci], &r.obs[ci]
		if k.Scoped || k.Informational {
			continue
		}
		switch o.result {
		case evidence.Fail:
			fails = append(fails, o)
		case evidence.Pass:
			passes = append(passes, o)
		}
	}
	// Failures of other outcomes' checks that this outcome cannot survive
	// (catalog: also_fails), so that verdicts never contradict each other.
	for _, ci := range e.outAlso[oi] {
		if o := &r.obs[ci]; o.result == evidence.Fail {
			fails = append(fails, o)
		}
	}
	if len(fails) > 0 {
		res.Verdict, res.Strength, res.Reason, res.Evidence = Fail, strongest(fails), joinReasons(fails), joinRefs(fails)
		r.outByObs[oi] = true
		r.contradiction(oi, res, passes)
		return res
	}
	if o := r.undecided(e.outCheck[oi]); o != nil {
		res.Verdict, res.Reason, res.Evidence = Unknown, o.reason(), slices.Clip(o.refs)
		return res
	}
	var noBuf, yesBuf, openBuf, recBuf [16]string
	var refBuf [32]string
	noes, yeses, open, openRec, refs := noBuf[:0], yesBuf[:0], openBuf[:0], recBuf[:0], refBuf[:0]
	mandatory, applicable := 0, 0
	for _, bi := range e.basis[oi] {
		req := e.reqs[bi]
		appl, _ := r.applicability(bi)
		a, ref, ok := r.answer(bi)
		if appl == declaration.False || (ok && a.Support == declaration.NA && appl == declaration.Unknown) {
			continue
		}
		applicable++
		if req.Strength == catalog.Mandatory {
			mandatory++
		}
		switch {
		case ok && a.Support == declaration.No && req.Strength == catalog.Mandatory:
			noes = append(noes, req.ID)
			refs = append(refs, ref...)
		case ok && a.Support == declaration.Yes:
			yeses = append(yeses, req.ID)
			refs = append(refs, ref...)
		case req.Strength == catalog.Mandatory:
			open = append(open, req.ID)
		case !ok:
			openRec = append(openRec, req.ID)
		}
	}
	switch {
	case len(noes) > 0:
		res.Verdict, res.Strength = Fail, catalog.Declared
		res.Reason = prefixJoin("declared not supported: EN 303 645 ", noes, ", ")
		res.Evidence = r.keep(refs)
	case len(passes) > 0:
		res.Verdict, res.Strength, res.Reason, res.Evidence = Pass, strongest(passes), joinReasons(passes), joinRefs(passes)
	case len(yeses) > 0 && len(open) == 0:
		res.Verdict, res.Strength = Pass, catalog.Declared
		res.Reason = prefixJoin("declared supported: EN 303 645 ", yeses, ", ")
		res.Evidence = r.keep(refs)
	case len(e.basis[oi]) > 0 && applicable == 0:
		res.Verdict = NotApplicable
		res.Reason = "none of its EN 303 645 provisions applies to this product"
	default:
		res.Verdict = Unknown
		if len(open) == 0 {
			open = openRec
		}
		res.Reason = r.unknownOutcomeReason(oi, open)
	}
	return res
}

func (r *run) unknownOutcomeReason(oi int, open []string) string {
	var how []string
	if len(open) > 0 {
		how = append(how, "answer EN 303 645 "+strings.Join(open, ", "))
	}
	var checks []string
	for _, ci := range r.e.outCheck[oi] {
		if k := r.e.checks[ci]; k.Kind != catalog.Declared && !k.Informational {
			checks = append(checks, k.ID)
		}
	}
	if len(checks) > 0 {
		how = append(how, "provide evidence from "+strings.Join(checks, ", "))
	}
	if len(how) == 0 {
		return "nothing declared or observed"
	}
	return "nothing declared or observed: " + strings.Join(how, " or ")
}

// contradiction records a finding when tool or lab evidence fails an outcome
// that the declaration says is met.
func (r *run) contradiction(oi int, res OutcomeResult, passes []*obs) {
	if res.Strength == catalog.Declared {
		return
	}
	var claims []string
	var refs []string
	for _, p := range passes {
		if p.kind == catalog.Declared {
			claims = append(claims, p.reason())
			refs = append(refs, p.refs...)
		}
	}
	for _, bi := range r.e.basis[oi] {
		if a, ref, ok := r.answer(bi); ok && a.Support == declaration.Yes {
			claims = append(claims, "EN 303 645 "+r.e.reqs[bi].ID+" declared supported")
			refs = append(refs, ref...)
		}
	}
	if len(claims) == 0 {
		return
	}
	r.finding(FindingContradiction, "outcome "+res.ID+": the declaration says "+strings.Join(claims, "; ")+", but "+
		string(res.Strength)+" evidence shows: "+res.Reason, append(refs, res.Evidence...)...)
}

func strongest(os []*obs) catalog.EvidenceKind {
	k := os[0].kind
	for _, o := range os[1:] {
		if o.kind.Rank() > k.Rank() {
			k = o.kind
		}
	}
	return k
}

// joinReasons joins the details of observations, strongest evidence first.
func joinReasons(os []*obs) string {
	if len(os) == 1 {
		return os[0].reason()
	}
	var parts []string
	for rank := 3; rank >= 1; rank-- {
		for _, o := range os {
			if o.kind.Rank() == rank {
				parts = append(parts, o.reason())
			}
		}
	}
	return strings.Join(parts, "; ")
}

// prefixJoin returns prefix followed by items joined by sep, built in one
// allocation (strings.Join and a concatenation would take two).
func prefixJoin(prefix string, items []string, sep string) string {
	n := len(prefix) + len(sep)*max(len(items)-1, 0)
	for _, s := range items {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i, s := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String()
}

// joinRefs lists the observations' evidence refs. With one observation the
// result shares its slice, clipped so that an append copies.
func joinRefs(os []*obs) []string {
	if len(os) == 1 {
		return slices.Clip(os[0].refs)
	}
	var refs []string
	for _, o := range os {
		refs = append(refs, o.refs...)
	}
	return refs
}
