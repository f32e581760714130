package assess

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

// baseline is the scheme whose provisions declarations answer ICS-style and
// whose mandatory provisions decide an outcome on declaration alone.
const baseline = "etsi-en-303-645"

// Engine assesses products against one catalog. It compiles the catalog once
// into index tables; an Engine is safe for concurrent use.
type Engine struct {
	cat *catalog.Catalog

	outcomes []*catalog.Outcome
	outIdx   map[string]int
	basis    [][]int // per outcome: baseline requirements mapped to it
	outCheck [][]int // per outcome: checks feeding it
	outAlso  [][]int // per outcome: other outcomes' checks whose failure fails it too

	reqs       []*catalog.Requirement
	refs       []string // "scheme:id" of each requirement
	schemeReqs [][]int  // per scheme: its requirements' indexes
	reqIdx     map[string]int
	answerIdx  map[string]int // answer keys, bare or scheme-prefixed, to requirements
	answerKeys []string       // per requirement: its answer key as usually written
	answerRefs [][]string     // per requirement: "declaration:answers." and that key
	reqOuts    [][]int
	reqIncl    [][]int // included requirements (includes + includes_mandatory_of)
	reqFacts   [][]int
	coveredBy  [][]int // per requirement: checks that cover it
	reqLevel   []int   // per requirement: its level's index in its scheme, or -1

	facts   []string
	factIdx map[string]int

	checks   []*catalog.Check
	checkIdx map[string]int
	checkOut []int

	// Text that depends only on the catalog, built once.
	unanswered  []string   // per requirement: the reason when nothing settles it
	outcomesMet []string   // per requirement: the reason when all its outcomes pass
	outcomeRefs [][]string // per requirement: "outcome:ID" for each of its outcomes
	allIncluded []string   // per requirement: the reason when all included requirements pass
	schemeMet   []string   // per scheme: the reason when it is met
	outUnknown  []string   // per outcome: "ID (unknown)"
	outFail     []string   // per outcome: "ID (fail)"

	marketRules [][]marketRule // per catalog market
	noRules     []string       // per catalog market: the reason when it has no rules
	grantText   [][2]string    // per grant, in catalog order: what it holds and earns

	scratch sync.Pool // of *scratch
}

// New compiles c. It fails if the catalog names a fact that declarations cannot
// establish or a declaration rule the engine does not implement.
func New(c *catalog.Catalog) (*Engine, error) {
	e := &Engine{cat: c, outIdx: map[string]int{}, reqIdx: map[string]int{}, factIdx: map[string]int{}, checkIdx: map[string]int{}}
	for _, f := range c.Facts {
		if !slices.Contains(declaration.FactIDs, f.ID) {
			return nil, fmt.Errorf("catalog fact %q cannot be established from a declaration", f.ID)
		}
		e.factIdx[f.ID] = len(e.facts)
		e.facts = append(e.facts, f.ID)
	}
	for i, o := range c.Outcomes {
		e.outIdx[o.ID] = i
	}
	e.outcomes = c.Outcomes
	e.reqs = c.Requirements()
	for i, r := range e.reqs {
		e.refs = append(e.refs, r.Ref())
		e.reqLevel = append(e.reqLevel, r.Scheme.LevelIndex(r.Level))
		e.reqIdx[e.refs[i]] = i
	}
	for _, s := range c.Schemes {
		var idx []int
		for _, r := range s.Requirements {
			idx = append(idx, e.reqIdx[r.Ref()])
		}
		// scheme() relies on each scheme's requirements being contiguous.
		if len(idx) == 0 || idx[len(idx)-1]-idx[0] != len(idx)-1 {
			return nil, fmt.Errorf("scheme %s: requirements are not laid out contiguously", s.ID)
		}
		e.schemeReqs = append(e.schemeReqs, idx)
	}
	e.answerIdx = make(map[string]int, 2*len(e.reqs))
	for i, r := range e.reqs {
		key := e.refs[i]
		e.answerIdx[key] = i
		if r.Scheme.ID == baseline {
			key = r.ID // declaration.AnswerKey reads bare keys as EN 303 645 provisions
			e.answerIdx[key] = i
		}
		e.answerKeys = append(e.answerKeys, key)
		e.answerRefs = append(e.answerRefs, []string{"declaration:answers." + key})
	}
	e.basis = make([][]int, len(e.outcomes))
	e.reqOuts = make([][]int, len(e.reqs))
	e.reqIncl = make([][]int, len(e.reqs))
	e.reqFacts = make([][]int, len(e.reqs))
	for i, r := range e.reqs {
		for _, o := range r.Outcomes {
			oi := e.outIdx[o]
			e.reqOuts[i] = append(e.reqOuts[i], oi)
			if r.Scheme.ID == baseline {
				e.basis[oi] = append(e.basis[oi], i)
			}
		}
		for _, f := range append(slices.Clone(r.Scheme.Condition), r.Facts...) {
			e.reqFacts[i] = append(e.reqFacts[i], e.factIdx[f])
		}
		for _, ref := range r.Includes {
			e.reqIncl[i] = append(e.reqIncl[i], e.reqIdx[ref])
		}
		if s := c.Scheme(r.IncludesMandatoryOf); s != nil {
			for _, x := range s.Requirements {
				if x.Strength == catalog.Mandatory {
					e.reqIncl[i] = append(e.reqIncl[i], e.reqIdx[x.Ref()])
				}
			}
		}
		for _, j := range e.reqIncl[i] {
			if len(e.reqs[j].Includes) > 0 || e.reqs[j].IncludesMandatoryOf != "" {
				return nil, fmt.Errorf("requirement %s includes %s, which itself includes others; one level only", r.Ref(), e.reqs[j].Ref())
			}
		}
	}
	e.coveredBy = make([][]int, len(e.reqs))
	e.outCheck = make([][]int, len(e.outcomes))
	e.outAlso = make([][]int, len(e.outcomes))
	for i, k := range c.Checks {
		if k.Kind == catalog.Declared && rules[k.ID] == nil {
			return nil, fmt.Errorf("catalog declaration check %q has no rule in the engine", k.ID)
		}
		e.checkIdx[k.ID] = i
		oi := e.outIdx[k.Outcome]
		e.checkOut = append(e.checkOut, oi)
		e.outCheck[oi] = append(e.outCheck[oi], i)
		for _, o := range k.AlsoFails {
			e.outAlso[e.outIdx[o]] = append(e.outAlso[e.outIdx[o]], i)
		}
		for _, ref := range k.Covers {
			ri := e.reqIdx[ref]
			e.coveredBy[ri] = append(e.coveredBy[ri], i)
		}
	}
	e.checks = c.Checks
	e.precompute()
	e.compileMarkets()
	return e, nil
}

func (e *Engine) precompute() {
	n := len(e.reqs)
	e.unanswered = make([]string, n)
	e.outcomesMet = make([]string, n)
	e.outcomeRefs = make([][]string, n)
	e.allIncluded = make([]string, n)
	for i, r := range e.reqs {
		e.unanswered[i] = "not answered and not covered by any evidence; answer it in the declaration (answers: \"" + r.ID + "\")"
		e.outcomesMet[i] = "outcome met: " + strings.Join(r.Outcomes, ", ")
		refs := make([]string, len(r.Outcomes))
		for j, o := range r.Outcomes {
			refs[j] = "outcome:" + o
		}
		e.outcomeRefs[i] = refs
		e.allIncluded[i] = fmt.Sprintf("all %d included requirements met or not applicable", len(e.reqIncl[i]))
	}
	for _, s := range e.cat.Schemes {
		strength, k := catalog.Mandatory, countMandatory(s)
		if k == 0 {
			strength, k = catalog.Recommended, len(s.Requirements)
		}
		e.schemeMet = append(e.schemeMet, fmt.Sprintf("all %d %s requirements met or not applicable", k, strength))
	}
	for _, o := range e.outcomes {
		e.outUnknown = append(e.outUnknown, o.ID+" ("+string(Unknown)+")")
		e.outFail = append(e.outFail, o.ID+" ("+string(Fail)+")")
	}
	for _, rec := range e.cat.Recognitions {
		for _, g := range rec.Grants {
			e.grantText = append(e.grantText, [2]string{g.Holder.String(), g.Earns.String()})
		}
	}
}

// outcomeState returns "ID (verdict)" for outcome oi.
func (e *Engine) outcomeState(oi int, v Verdict) string {
	switch v {
	case Unknown:
		return e.outUnknown[oi]
	case Fail:
		return e.outFail[oi]
	}
	return e.outcomes[oi].ID + " (" + string(v) + ")"
}

// Catalog returns the catalog the engine was compiled from.
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }
