package assess

import (
	"slices"
	"strconv"
	"strings"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

func (r *run) scheme(si int, s *catalog.Scheme, idx []int) SchemeResult {
	res := SchemeResult{ID: s.ID, Applicable: true, Unverified: s.Unverified != ""}
	for _, i := range idx {
		res.Unverified = r.requirement(i).Unverified || res.Unverified
	}
	// The engine lays requirements out scheme by scheme, so a scheme's results
	// are a window onto the run's table rather than a copy.
	res.Requirements = r.reqs[idx[0] : idx[0]+len(idx) : idx[0]+len(idx)]
	if len(s.Categories) > 0 && !contains(s.Categories, r.d.Product.Category) {
		res.Applicable = false
		res.Reason = "does not apply to this product: it covers only " + strings.Join(s.Categories, ", ") + " products, this is " + strconv.Quote(r.d.Product.Category)
		return res
	}
	for _, f := range s.Condition {
		if v := r.facts[r.e.factIdx[f]]; v.Value == declaration.False {
			res.Applicable = false
			res.Reason = "does not apply to this product: " + v.Because
			return res
		}
	}
	if len(s.Levels) == 0 {
		strength, n := catalog.Mandatory, countMandatory(s)
		if n == 0 {
			// A scheme of recommendations only (a code of practice) is met
			// when all of them are.
			strength, n = catalog.Recommended, len(s.Requirements)
		}
		bad, shown := notMet(s, res.Requirements, r.e.reqLevel[idx[0]:], len(s.Requirements), strength)
		res.Met = bad == 0
		if res.Met {
			res.Reason = r.e.schemeMet[si]
		} else {
			res.Reason = strconv.Itoa(bad) + " of " + strconv.Itoa(n) + " " + string(strength) + " requirements not met: " + shown
		}
		return res
	}
	for li, lv := range s.Levels {
		if bad, shown := notMet(s, res.Requirements, r.e.reqLevel[idx[0]:], li+1, catalog.Mandatory); bad > 0 {
			if res.Level == "" {
				res.Reason = "no level met; level " + lv.ID + " needs: " + shown
			} else {
				res.Reason = "meets level " + res.Level + "; level " + lv.ID + " needs: " + shown
			}
			return res
		}
		res.Level, res.Met = lv.ID, true
	}
	res.Reason = "meets the highest level, " + res.Level
	return res
}

// notMet counts the requirements of the given strength (up to the first
// maxLevel levels of a levelled scheme; levels holds each requirement's level
// index) that neither pass nor are not applicable, and lists the first five
// as list(…, 5) would; only those are written out.
func notMet(s *catalog.Scheme, results []RequirementResult, levels []int, maxLevel int, strength catalog.Strength) (int, string) {
	const show = 5
	var b strings.Builder
	bad := 0
	for j, req := range s.Requirements {
		if req.Strength != strength {
			continue
		}
		if len(s.Levels) > 0 && levels[j] >= maxLevel {
			continue
		}
		if v := results[j].Verdict; v != Pass && v != NotApplicable {
			if bad++; bad <= show {
				if bad == 1 {
					b.Grow(128)
				} else {
					b.WriteString(", ")
				}
				b.WriteString(req.ID)
				b.WriteString(" (")
				b.WriteString(string(v))
				b.WriteString(")")
			}
		}
	}
	if bad > show {
		b.WriteString(" and " + strconv.Itoa(bad-show) + " more")
	}
	return bad, b.String()
}

func countMandatory(s *catalog.Scheme) int {
	n := 0
	for _, req := range s.Requirements {
		if req.Strength == catalog.Mandatory {
			n++
		}
	}
	return n
}

// meets reports whether the assessment shows scheme sl.Scheme met at level
// sl.Level or higher.
func meets(c *catalog.Catalog, a *Assessment, sl catalog.SchemeLevel) bool {
	sr := a.Scheme(sl.Scheme)
	if sr == nil || !sr.Met {
		return false
	}
	if sl.Level == "" {
		return true
	}
	s := c.Scheme(sl.Scheme)
	return s.LevelIndex(sr.Level) >= s.LevelIndex(sl.Level)
}

// holdsLabel returns the held label that shows sl met (at sl's level or
// higher), or nil. Only labels count: neither the self-assessment nor a
// declared certificate shows that a product holds a scheme.
func (r *run) holdsLabel(sl catalog.SchemeLevel) *Held {
	s := r.e.cat.Scheme(sl.Scheme)
	for i := range r.held {
		h := &r.held[i]
		if h.Scheme == sl.Scheme && (sl.Level == "" || s.LevelIndex(h.Level) >= s.LevelIndex(sl.Level)) {
			return h
		}
	}
	return nil
}

// declaredCert returns the declared certificate of sl valid on the as-of
// date, or nil.
func (r *run) declaredCert(sl catalog.SchemeLevel) *declaration.Certification {
	s := r.e.cat.Scheme(sl.Scheme)
	for i := range r.d.Certifications {
		c := &r.d.Certifications[i]
		if c.Scheme != sl.Scheme || (!c.ValidUntil.IsZero() && c.ValidUntil.Before(r.asOf)) {
			continue
		}
		if sl.Level == "" || s.LevelIndex(c.Level) >= s.LevelIndex(sl.Level) {
			return c
		}
	}
	return nil
}

// inForce reports whether a grant of a recognition applies to this product
// on the as-of date (grants may carry their own dates).
func (r *run) inForce(rec *catalog.Recognition, g catalog.Grant) bool {
	return !g.From(rec).After(r.asOf) && !contains(rec.ScopeExcludes, r.d.Product.Category)
}

// deemed reports whether a recognition agreement in force lets the product
// count as meeting want (at want's level or higher), through a label it
// holds. A recognition never overrides the product's own failure: when the
// assessment of want itself has a failing requirement, the failure decides
// and the contradiction is a finding.
func (r *run) deemed(a *Assessment, want catalog.SchemeLevel) (agreement, holder, basis string, ok bool) {
	s := r.e.cat.Scheme(want.Scheme)
	for _, rec := range r.e.cat.Recognitions {
		for _, g := range rec.Grants {
			if !r.inForce(rec, g) {
				continue
			}
			if g.Earns.Scheme != want.Scheme || (want.Level != "" && s.LevelIndex(g.Earns.Level) < s.LevelIndex(want.Level)) {
				continue
			}
			h := r.holdsLabel(g.Holder)
			if h == nil {
				continue
			}
			if failed := failing(a.Scheme(want.Scheme)); len(failed) > 0 {
				msg := "label " + h.LabelID + " (" + g.Holder.String() + ") would count as " + s.Short +
					" under " + rec.ID + ", but the product's own assessment fails " + strings.Join(failed, ", ") + "; the failure decides"
				if !slices.ContainsFunc(r.findings, func(f Finding) bool { return f.Message == msg }) {
					r.finding(FindingContradiction, msg, "label:"+h.LabelID)
				}
				continue
			}
			return rec.ID, g.Holder.String(), "label " + h.LabelID, true
		}
	}
	return "", "", "", false
}

// failing lists the requirements of a scheme result that fail.
func failing(sr *SchemeResult) []string {
	var out []string
	if sr == nil {
		return nil
	}
	for _, req := range sr.Requirements {
		if req.Verdict == Fail {
			out = append(out, req.ID)
		}
	}
	return out
}

// recognitions lists every grant of the agreements in force that the
// product earns (it holds a verified label of the holder scheme), is eligible
// for (its self-assessment meets the holder scheme), or declares a
// certificate for without a label to show it.
func (r *run) recognitions(a *Assessment) []RecognitionResult {
	out := make([]RecognitionResult, 0, len(r.e.grantText))
	k := -1
	for _, rec := range r.e.cat.Recognitions {
		for _, g := range rec.Grants {
			k++
			if !r.inForce(rec, g) {
				continue
			}
			text := &r.e.grantText[k]
			res := RecognitionResult{Agreement: rec.ID, Holds: text[0], Earns: text[1], Note: g.Note,
				Unverified: rec.Unverified != "" || a.Scheme(g.Holder.Scheme).Unverified}
			held, cert := r.holdsLabel(g.Holder), r.declaredCert(g.Holder)
			switch {
			case held != nil:
				res.Status, res.Basis = RecognitionEarned, "holds label "+held.LabelID
			case meets(r.e.cat, a, g.Holder):
				res.Status, res.Basis = RecognitionEligible, "self-assessed"
			case cert != nil:
				res.Status, res.Basis = RecognitionDeclared, strings.TrimSpace("declared certificate "+cert.ID)+", not verified: counts for no market"
			default:
				continue
			}
			out = append(out, res)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tier returns the highest tier whose every tier up to it is satisfied, and the
// gaps to the next tier.
func (r *run) tier(a *Assessment) (int, []Gap) {
	level := 0
	for _, t := range r.e.cat.Tiers {
		gaps := r.tierGaps(a, t)
		if len(gaps) > 0 {
			return level, gaps
		}
		level = t.Level
	}
	return level, []Gap{}
}

func (r *run) tierGaps(a *Assessment, t *catalog.Tier) []Gap {
	var gaps []Gap
	for _, to := range t.Outcomes {
		o, def := a.Outcome(to.ID), r.e.cat.Outcome(to.ID)
		gap := Gap{Tier: t.Level, Outcome: to.ID, Remediation: def.Remediation}
		switch {
		case o.Verdict != Pass:
			gap.Problem = def.Title + " is " + string(o.Verdict) + ": " + o.Reason
		case o.Strength.Rank() < to.Evidence.Rank():
			gap.Problem = def.Title + " rests on " + string(o.Strength) + " evidence; tier " + strconv.Itoa(t.Level) + " needs " + string(to.Evidence) + " evidence"
		default:
			var missing []string
			for _, k := range to.Checks {
				if ob := r.obs[r.e.checkIdx[k]]; ob.result != "pass" {
					missing = append(missing, k+" ("+orNone(ob.result)+")")
				}
			}
			if len(missing) == 0 {
				if p := r.coverageGap(t, to); p != "" {
					gap.Problem = def.Title + ": " + p
					gaps = append(gaps, gap)
				}
				continue
			}
			gap.Problem = def.Title + ": tier " + strconv.Itoa(t.Level) + " needs passing evidence from " + strings.Join(missing, ", ")
		}
		gaps = append(gaps, gap)
	}
	for _, s := range t.Schemes {
		if sr := a.Scheme(s); !sr.Met {
			gaps = append(gaps, Gap{Tier: t.Level, Scheme: s, Problem: r.e.cat.Scheme(s).Short + " not met: " + sr.Reason,
				Remediation: "meet every mandatory requirement listed as fail or unknown for " + s})
		}
	}
	return gaps
}

// coverageGap says why the passing evidence of a tier outcome's checks
// examined too little of the product, or "" when it examined enough.
func (r *run) coverageGap(t *catalog.Tier, to catalog.TierOutcome) string {
	if to.MinCoverage == 0 {
		return ""
	}
	need := strconv.Itoa(int(to.MinCoverage*100+0.5)) + " %"
	for _, k := range to.Checks {
		ob := &r.obs[r.e.checkIdx[k]]
		if ob.total == 0 {
			return "tier " + strconv.Itoa(t.Level) + " needs " + k + " evidence that says how many SBOM components it checked (at least " + need + ")"
		}
		if float64(ob.checked) < to.MinCoverage*float64(ob.total) {
			p := k + " checked only " + strconv.Itoa(ob.checked) + " of " + strconv.Itoa(ob.total) + " SBOM components; tier " +
				strconv.Itoa(t.Level) + " needs " + need
			if len(ob.unchecked) > 0 {
				p += "; not checked: " + list(ob.unchecked, 10) + " (give them a purl or CPE)"
			}
			return p
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "no evidence"
	}
	return s
}
