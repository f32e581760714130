package assess

import (
	"cmp"
	"slices"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

// obs is what is known about one check: the declaration rule's conclusion, or
// the combined evidence items for a tool or lab check.
type obs struct {
	result string // evidence.Pass, Fail, Error, Info or "" (nothing observed)
	kind   catalog.EvidenceKind
	detail []string
	refs   []string
	// checked and unchecked count what the best item examined (SBOM
	// components), when its data says; unchecked names some of the rest.
	checked, total int
	unchecked      []string
}

// noteCoverage keeps the widest coverage an item reports.
func (o *obs) noteCoverage(it *evidence.Item) {
	checked, ok1 := count(it.Data["checked"])
	notChecked, ok2 := count(it.Data["not_checked"])
	if !ok1 || !ok2 || checked < 0 || notChecked < 0 || checked+notChecked == 0 {
		return
	}
	if o.total == 0 || checked*o.total > o.checked*(checked+notChecked) {
		o.checked, o.total = checked, checked+notChecked
		o.unchecked = nil
		if names, ok := it.Data["not_checked_components"].([]any); ok {
			for _, n := range names {
				if s, ok := n.(string); ok {
					o.unchecked = append(o.unchecked, s)
				}
			}
		} else if names, ok := it.Data["not_checked_components"].([]string); ok {
			o.unchecked = names
		}
	}
}

// count reads a JSON number (float64 after decoding, int in process).
func count(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	}
	return 0, false
}

func (o *obs) add(result string, kind catalog.EvidenceKind, detail, ref string) {
	rank := func(r string) int {
		switch r {
		case evidence.Fail:
			return 4
		case evidence.Pass:
			return 3
		case evidence.Error:
			return 2
		case evidence.Info:
			return 1
		}
		return 0
	}
	switch {
	case rank(result) > rank(o.result):
		o.result, o.kind, o.detail, o.refs = result, kind, nil, nil
	case rank(result) < rank(o.result):
		return
	case kind.Rank() > o.kind.Rank():
		o.kind = kind
	}
	if detail != "" && !slices.Contains(o.detail, detail) {
		o.detail = append(o.detail, detail)
	}
	o.refs = append(o.refs, ref)
}

func (o *obs) reason() string { return strings.Join(o.detail, "; ") }

func (r *run) observeDeclaration() {
	for ci, k := range r.e.checks {
		if k.Kind != catalog.Declared {
			continue
		}
		res := rules[k.ID](r.d, r.asOf)
		if res.result == "" {
			continue
		}
		o := &r.obs[ci]
		o.result, o.kind, o.detail, o.refs = res.result, catalog.Declared, []string{res.detail}, res.refs
	}
}

// observeEvidence folds evidence items into the observations of their checks.
// Items about another product or firmware, or for checks the catalog does not
// know, are ignored and reported as findings.
func (r *run) observeEvidence(items []evidence.Item) {
	for i := range items {
		it := &items[i]
		ref := it.Ref()
		ci, ok := r.e.checkIdx[it.Check]
		switch {
		case !ok:
			r.finding(FindingIgnored, "evidence "+ref+" is for check "+q(it.Check)+", which catalog "+r.e.cat.Version+" does not know", ref)
			continue
		case r.e.checks[ci].Kind == catalog.Declared:
			r.finding(FindingIgnored, "evidence "+ref+" claims check "+q(it.Check)+", which is computed from the declaration itself", ref)
			continue
		case it.Subject.Product != "" && it.Subject.Product != r.d.Product.Model:
			r.finding(FindingIgnored, "evidence "+ref+" is about product "+q(it.Subject.Product)+", not "+q(r.d.Product.Model), ref)
			continue
		case it.Subject.Firmware != "" && !slices.Contains(r.d.Product.FirmwareVersions, it.Subject.Firmware):
			r.finding(FindingIgnored, "evidence "+ref+" is about firmware "+q(it.Subject.Firmware)+", which the declaration does not list", ref)
			continue
		}
		detail := it.Detail
		if it.Target != "" && detail != "" {
			detail += " (" + it.Target + ")"
		}
		kind := r.grade(it, ref)
		r.obs[ci].add(it.Result, kind, detail, ref)
		if it.Result == evidence.Pass {
			r.obs[ci].noteCoverage(it)
		}
		sum := EvidenceSummary{Ref: ref, Kind: kind, Source: it.Source.String(),
			Check: it.Check, Result: it.Result, Target: it.Target, Detail: it.Detail}
		if a := it.Attestation; a != nil {
			sum.Signer = cmp.Or(a.Holder, "unknown key") + " (" + a.KeyID + ")"
		}
		r.evidence = append(r.evidence, sum)
	}
}

// grade returns the kind an item counts as: its own kind when it meets the
// catalog's evidence rule for that kind, else declared, with a finding that
// says what was missing. The rule, not Go, says which kinds need a signature.
func (r *run) grade(it *evidence.Item, ref string) catalog.EvidenceKind {
	rule := r.e.cat.EvidenceRule(it.Kind)
	if rule == nil || len(rule.SignedBy) == 0 {
		return it.Kind
	}
	who := q(it.Source.String())
	a := it.Attestation
	var why string
	switch {
	case a == nil:
		why = "is not signed"
	case a.Role == "":
		why = "is signed by key " + a.KeyID + ", which the trust store does not hold"
	case !slices.Contains(rule.SignedBy, a.Role):
		why = "is signed by " + a.Holder + ", a " + a.Role + ", not a " + strings.Join(rule.SignedBy, " or ")
	case rule.Accredited && !a.Accredited:
		why = "is signed by a key not accredited for it: " + a.Reason
	default:
		return it.Kind
	}
	r.finding(FindingDemoted, string(it.Kind)+" evidence "+ref+" from "+who+" for check "+q(it.Check)+" "+why+
		"; it counts as a declaration", ref)
	return catalog.Declared
}

// answer returns the declared answer for requirement i and its evidence ref,
// as a one-element slice shared by the results that cite it (an append copies).
func (r *run) answer(i int) (declaration.Answer, []string, bool) {
	k := r.answerAt[i]
	if k == 0 {
		return declaration.Answer{}, nil, false
	}
	a := &r.answers[k-1]
	return a.Answer, a.refs, true
}

func q(s string) string { return `"` + s + `"` }
