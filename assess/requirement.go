package assess

import (
	"slices"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

// requirement decides requirement i (memoized; included requirements are
// decided on demand) and returns its entry in the run's table.
func (r *run) requirement(i int) *RequirementResult {
	res := &r.reqs[i]
	if r.reqDone[i] {
		return res
	}
	r.reqDone[i] = true
	*res = r.decide(i)
	req := r.e.reqs[i]
	res.ID = req.ID
	res.Unverified = req.Unverified != ""
	if res.Evidence == nil {
		res.Evidence = []string{}
	}
	if res.Verdict == Pass && req.Evidence != "" && res.Strength.Rank() < req.Evidence.Rank() {
		res.Verdict = Unknown
		res.Reason = "needs " + string(req.Evidence) + " evidence, but rests on " + string(res.Strength) + " evidence only (" + res.Reason + ")"
		res.Strength = ""
	}
	return res
}

func (r *run) decide(i int) RequirementResult {
	e, req := r.e, r.e.reqs[i]
	appl, why := r.applicability(i)
	if appl == declaration.False {
		return RequirementResult{Verdict: NotApplicable, Reason: why}
	}
	a, arefs, answered := r.answer(i)
	if answered && a.Support == declaration.NA {
		if appl == declaration.Unknown {
			return RequirementResult{Verdict: NotApplicable, Strength: catalog.Declared, Reason: withDetail("declared not applicable", a), Evidence: arefs}
		}
		r.finding(FindingContradiction, req.Ref()+" is declared not applicable, but its condition holds ("+r.conditionBecause(i)+")", arefs...)
		answered = false
	}
	if res, ok := r.failing(i); ok {
		return res
	}
	if o := r.undecided(e.coveredBy[i]); o != nil {
		return RequirementResult{Verdict: Unknown, Reason: o.reason(), Evidence: slices.Clip(o.refs)}
	}
	if answered && a.Support == declaration.No {
		return RequirementResult{Verdict: Fail, Strength: catalog.Declared, Reason: withDetail("declared not supported", a), Evidence: arefs}
	}
	if len(e.reqIncl[i]) > 0 {
		return r.composite(i)
	}
	if answered && a.Support == declaration.Yes {
		res := RequirementResult{Verdict: Pass, Strength: catalog.Declared, Reason: withDetail("declared supported", a), Evidence: arefs}
		r.strengthen(i, &res)
		return res
	}
	if res, ok := r.covered(i); ok {
		return res
	}
	if appl == declaration.Unknown {
		return RequirementResult{Verdict: Unknown, Reason: why}
	}
	if req.Scheme.ID != baseline {
		return r.fromOutcomes(i)
	}
	return RequirementResult{Verdict: Unknown, Reason: e.unanswered[i]}
}

// undecided returns the observation of the first decisive check among checks
// that could not decide (the declaration leaves out the facts it needs), or nil.
func (r *run) undecided(checks []int) *obs {
	for _, ci := range checks {
		if o := &r.obs[ci]; r.e.checks[ci].Decisive && o.result == evidence.Error {
			return o
		}
	}
	return nil
}

// withDetail appends the answer's justification, if any, to what it says.
func withDetail(says string, a declaration.Answer) string {
	if a.Detail == "" {
		return says
	}
	return says + ": " + a.Detail
}

// failing reports a failure from an outcome that failed on observed evidence,
// from any failed outcome for non-baseline requirements, or from a failing
// scoped check that covers the requirement.
func (r *run) failing(i int) (RequirementResult, bool) {
	e := r.e
	for _, oi := range e.reqOuts[i] {
		o := &r.outs[oi]
		if o.Verdict == Fail && (r.outByObs[oi] || e.reqs[i].Scheme.ID != baseline) {
			return RequirementResult{Verdict: Fail, Strength: o.Strength, Reason: "outcome " + o.ID + " fails: " + o.Reason, Evidence: o.Evidence}, true
		}
	}
	for _, ci := range e.coveredBy[i] {
		if o := &r.obs[ci]; e.checks[ci].Scoped && o.result == evidence.Fail {
			return RequirementResult{Verdict: Fail, Strength: o.kind, Reason: o.reason(), Evidence: o.refs}, true
		}
	}
	return RequirementResult{}, false
}

// covered passes the requirement on the strongest passing check that covers it.
func (r *run) covered(i int) (RequirementResult, bool) {
	var best *obs
	for _, ci := range r.e.coveredBy[i] {
		if o := &r.obs[ci]; o.result == evidence.Pass && (best == nil || o.kind.Rank() > best.kind.Rank()) {
			best = o
		}
	}
	if best == nil {
		return RequirementResult{}, false
	}
	return RequirementResult{Verdict: Pass, Strength: best.kind, Reason: best.reason(), Evidence: best.refs}, true
}

// strengthen raises a declared pass to the kind of a passing covering check.
func (r *run) strengthen(i int, res *RequirementResult) {
	if c, ok := r.covered(i); ok && c.Strength.Rank() > res.Strength.Rank() {
		res.Strength = c.Strength
		res.Reason += "; " + c.Reason
		res.Evidence = append(res.Evidence, c.Evidence...)
	}
}

// fromOutcomes decides a non-baseline requirement from its outcomes: pass when
// all pass (at the weakest of their strengths), unknown otherwise.
func (r *run) fromOutcomes(i int) RequirementResult {
	strength := catalog.Lab
	var buf [8]string
	open := buf[:0]
	passed, na := 0, 0
	for _, oi := range r.e.reqOuts[i] {
		o := &r.outs[oi]
		switch o.Verdict {
		case Pass:
			passed++
			if o.Strength.Rank() < strength.Rank() {
				strength = o.Strength
			}
		case NotApplicable:
			na++
		default:
			open = append(open, r.e.outcomeState(oi, o.Verdict))
		}
	}
	switch {
	case len(open) > 0:
		return RequirementResult{Verdict: Unknown, Reason: prefixJoin("outcome not shown: ", open, ", ")}
	case passed == 0:
		return RequirementResult{Verdict: NotApplicable, Reason: "none of its outcomes applies to this product"}
	case na == 0:
		// The common case: every outcome passed; the text is precomputed.
		return RequirementResult{Verdict: Pass, Strength: strength, Reason: r.e.outcomesMet[i], Evidence: r.e.outcomeRefs[i]}
	}
	var ids, refs []string
	for _, oi := range r.e.reqOuts[i] {
		if o := &r.outs[oi]; o.Verdict == Pass {
			ids = append(ids, o.ID)
			refs = append(refs, "outcome:"+o.ID)
		}
	}
	return RequirementResult{Verdict: Pass, Strength: strength, Reason: prefixJoin("outcome met: ", ids, ", "), Evidence: refs}
}

// composite decides a requirement that includes other requirements (e.g. "all
// mandatory EN 303 645 provisions"), together with its own outcomes.
func (r *run) composite(i int) RequirementResult {
	var failed, open []string
	weakest := catalog.Lab
	for _, j := range r.e.reqIncl[i] {
		sub := r.requirement(j)
		ref := r.e.refs[j]
		switch sub.Verdict {
		case Fail:
			failed = append(failed, ref)
		case Unknown:
			open = append(open, ref)
		case Pass:
			if sub.Strength.Rank() < weakest.Rank() {
				weakest = sub.Strength
			}
		}
	}
	if len(r.e.reqOuts[i]) > 0 {
		own := r.fromOutcomes(i)
		if own.Verdict == Unknown {
			open = append(open, own.Reason)
		} else if own.Verdict == Pass && own.Strength.Rank() < weakest.Rank() {
			weakest = own.Strength
		}
	}
	n := len(r.e.reqIncl[i])
	switch {
	case len(failed) > 0:
		return RequirementResult{Verdict: Fail, Reason: strconv.Itoa(len(failed)) + " of " + strconv.Itoa(n) + " included requirements fail: " + list(failed, 6)}
	case len(open) > 0:
		return RequirementResult{Verdict: Unknown, Reason: strconv.Itoa(len(open)) + " of " + strconv.Itoa(n) + " included requirements not shown: " + list(open, 6)}
	}
	return RequirementResult{Verdict: Pass, Strength: weakest, Reason: r.e.allIncluded[i]}
}

func (r *run) conditionBecause(i int) string {
	var parts []string
	for _, fi := range r.e.reqFacts[i] {
		parts = append(parts, r.facts[fi].Because)
	}
	return strings.Join(parts, "; ")
}

// list joins at most n items and says how many more there are.
func list(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + " and " + strconv.Itoa(len(items)-n) + " more"
}
