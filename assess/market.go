package assess

import (
	"strconv"

	"github.com/iotlabel/iotlabel/catalog"
)

// marketRule is a catalog market rule compiled with its scheme's index and the
// text that does not depend on the product.
type marketRule struct {
	catalog.MarketRule
	scheme *catalog.Scheme
	si     int    // the scheme's index in the catalog and in Assessment.Schemes
	name   string // the scheme's short name, with the level if the rule names one
	since  string // ", mandatory since DATE", or "" when the rule has no date
	meets  string // the reason when the rule is met: "meets NAME, mandatory since DATE"
	from   string // rule.From as YYYY-MM-DD
}

// compileMarkets resolves each market's rules, its included markets' first.
func (e *Engine) compileMarkets() {
	si := make(map[string]int, len(e.cat.Schemes))
	for i, s := range e.cat.Schemes {
		si[s.ID] = i
	}
	for _, m := range e.cat.Markets {
		var rules []marketRule
		for _, rule := range e.cat.MarketRules(m.ID) {
			mr := marketRule{MarketRule: rule, scheme: e.cat.Scheme(rule.Scheme), si: si[rule.Scheme]}
			mr.name = mr.scheme.Short
			if rule.Level != "" {
				mr.name += " level " + rule.Level
			}
			if !rule.From.IsZero() {
				mr.since = ", mandatory since " + rule.From.String()
			}
			mr.meets, mr.from = "meets "+mr.name+mr.since, rule.From.String()
			rules = append(rules, mr)
		}
		e.marketRules = append(e.marketRules, rules)
		e.noRules = append(e.noRules, "no mandatory consumer-IoT security rules: "+m.Notes)
	}
}

// markets decides every catalog market on the as-of date.
func (r *run) markets(a *Assessment) []MarketResult {
	c := r.e.cat
	out := make([]MarketResult, len(c.Markets))
	reasons := make([]string, 2*len(c.Markets)) // each market's first two, in one allocation
	for i, m := range c.Markets {
		res := MarketResult{ID: m.ID, Targeted: contains(r.d.Markets, m.ID), Allowed: true, Reasons: reasons[2*i : 2*i : 2*i+2]}
		rules := r.e.marketRules[i]
		for j := range rules {
			r.marketRule(a, &rules[j], &res)
		}
		switch {
		case len(rules) == 0:
			res.Reasons = append(res.Reasons, r.e.noRules[i])
		case len(res.Reasons) == 0 && len(res.Upcoming) == 0:
			res.Reasons = append(res.Reasons, "no mandatory rule covers the "+strconv.Quote(r.d.Product.Category)+" category: "+m.Notes)
		}
		out[i] = res
	}
	return out
}

func (r *run) marketRule(a *Assessment, rule *marketRule, res *MarketResult) {
	s, sr := rule.scheme, &a.Schemes[rule.si]
	cat := r.d.Product.Category
	switch {
	case contains(s.ExcludedCategories, cat):
		res.Reasons = append(res.Reasons, s.Short+" does not apply to the "+strconv.Quote(cat)+" category")
		return
	case len(rule.Categories) > 0 && !contains(rule.Categories, cat):
		return
	case !sr.Applicable:
		res.Reasons = append(res.Reasons, s.Short+" "+sr.Reason)
		return
	}
	met := meets(r.e.cat, a, catalog.SchemeLevel{Scheme: rule.Scheme, Level: rule.Level})
	if rule.From.After(r.asOf) {
		state := "met"
		if !met {
			state = "not met yet: " + sr.Reason
		}
		res.Upcoming = append(res.Upcoming, rule.name+" applies from "+rule.from+" ("+state+")")
		r.earlyRequirements(s, sr, res)
		return
	}
	if met {
		res.Reasons = append(res.Reasons, rule.meets)
		return
	}
	if rec, holder, basis, ok := r.deemed(a, catalog.SchemeLevel{Scheme: rule.Scheme, Level: rule.Level}); ok {
		res.Reasons = append(res.Reasons, "deemed to meet "+rule.name+" through "+rec+" (holds "+holder+", "+basis+")")
		return
	}
	res.Allowed = false
	res.Reasons = append(res.Reasons, "does not meet "+rule.name+rule.since+": "+sr.Reason)
}

// earlyRequirements applies the requirements of a not-yet-applicable scheme
// that have their own, earlier effective date (e.g. CRA Art. 14 reporting).
func (r *run) earlyRequirements(s *catalog.Scheme, sr *SchemeResult, res *MarketResult) {
	for j, req := range s.Requirements {
		if req.Effective.IsZero() || req.Effective.After(r.asOf) {
			continue
		}
		switch v := sr.Requirements[j].Verdict; v {
		case Pass, NotApplicable:
			res.Reasons = append(res.Reasons, "meets "+s.Short+" "+req.ID+" (applies since "+req.Effective.String()+")")
		default:
			res.Allowed = false
			res.Reasons = append(res.Reasons, s.Short+" "+req.ID+" applies since "+req.Effective.String()+" and is "+string(v)+": "+sr.Requirements[j].Reason)
		}
	}
}
