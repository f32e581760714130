package assess

import (
	"fmt"

	"github.com/iotlabel/iotlabel/catalog"
)

// markets decides every catalog market on the as-of date.
func (r *run) markets(a *Assessment) []MarketResult {
	c := r.e.cat
	out := make([]MarketResult, len(c.Markets))
	for i, m := range c.Markets {
		res := MarketResult{ID: m.ID, Targeted: contains(r.d.Markets, m.ID), Allowed: true, Reasons: []string{}}
		rules := c.MarketRules(m.ID)
		for _, rule := range rules {
			r.marketRule(a, rule, &res)
		}
		switch {
		case len(rules) == 0:
			res.Reasons = append(res.Reasons, "no mandatory consumer-IoT security rules: "+m.Notes)
		case len(res.Reasons) == 0 && len(res.Upcoming) == 0:
			res.Reasons = append(res.Reasons, fmt.Sprintf("no mandatory rule covers the %q category: %s", r.d.Product.Category, m.Notes))
		}
		out[i] = res
	}
	return out
}

func (r *run) marketRule(a *Assessment, rule catalog.MarketRule, res *MarketResult) {
	c := r.e.cat
	s, sr := c.Scheme(rule.Scheme), a.Scheme(rule.Scheme)
	cat := r.d.Product.Category
	name := s.Short
	if rule.Level != "" {
		name += " level " + rule.Level
	}
	switch {
	case contains(s.ExcludedCategories, cat):
		res.Reasons = append(res.Reasons, fmt.Sprintf("%s does not apply to the %q category", s.Short, cat))
		return
	case len(rule.Categories) > 0 && !contains(rule.Categories, cat):
		return
	case !sr.Applicable:
		res.Reasons = append(res.Reasons, fmt.Sprintf("%s %s", s.Short, sr.Reason))
		return
	}
	met := meets(c, a, catalog.SchemeLevel{Scheme: rule.Scheme, Level: rule.Level})
	if rule.From.After(r.asOf) {
		state := "met"
		if !met {
			state = "not met yet: " + sr.Reason
		}
		res.Upcoming = append(res.Upcoming, fmt.Sprintf("%s applies from %s (%s)", name, rule.From, state))
		r.earlyRequirements(s, sr, res)
		return
	}
	since := ""
	if !rule.From.IsZero() {
		since = ", mandatory since " + rule.From.String()
	}
	if met {
		res.Reasons = append(res.Reasons, fmt.Sprintf("meets %s%s", name, since))
		return
	}
	if rec, holder, basis, ok := r.deemed(a, catalog.SchemeLevel{Scheme: rule.Scheme, Level: rule.Level}); ok {
		res.Reasons = append(res.Reasons, fmt.Sprintf("deemed to meet %s through %s (holds %s, %s)", name, rec, holder, basis))
		return
	}
	res.Allowed = false
	res.Reasons = append(res.Reasons, fmt.Sprintf("does not meet %s%s: %s", name, since, sr.Reason))
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
			res.Reasons = append(res.Reasons, fmt.Sprintf("meets %s %s (applies since %s)", s.Short, req.ID, req.Effective))
		default:
			res.Allowed = false
			res.Reasons = append(res.Reasons, fmt.Sprintf("%s %s applies since %s and is %s: %s", s.Short, req.ID, req.Effective, v, sr.Requirements[j].Reason))
		}
	}
}
