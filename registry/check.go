package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/store"
)

// Answers of a check.
const (
	// CheckAllowed: a label in force covers this firmware and market.
	CheckAllowed = "allowed"
	// CheckWarning: covered, but the label is at risk (the reason says why).
	CheckWarning = "allowed_with_warning"
	// CheckNotAllowed: the product's labels do not allow it (why says which).
	CheckNotAllowed = "not_allowed"
	// CheckNotCovered: no label of this product covers this firmware version.
	CheckNotCovered = "not_covered"
	// CheckNoRule: the market has no mandatory rule for this product, and no
	// tier was asked for.
	CheckNoRule = "no_mandatory_rule"
)

// CheckQuery is a retailer's or buyer's question: may this manufacturer's
// model, at this firmware version, be sold (or bought at this tier) here?
type CheckQuery struct {
	Manufacturer, Model, Firmware, Market string
	// MinTier is the tier a procurement rule asks for; 0 asks only what the
	// market's law requires.
	MinTier int
	// At, when set, asks the question as of the end of that day (YYYY-MM-DD):
	// each label's status then, from its event history.
	At string
}

// CheckResult answers a CheckQuery.
type CheckResult struct {
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	Firmware     string `json:"firmware,omitempty"`
	Market       string `json:"market"`
	MinTier      int    `json:"min_tier"`
	At           string `json:"at,omitempty"`
	// Answer is one of allowed, allowed_with_warning, not_allowed,
	// not_covered, no_mandatory_rule; Allowed is true for the first two and
	// the last.
	Answer  string        `json:"answer"`
	Allowed bool          `json:"allowed"`
	Tier    int           `json:"tier"`
	Reasons []string      `json:"reasons"`
	Labels  []store.Label `json:"labels"`
}

// rank orders answers from best to worst for one product's labels.
var rank = map[string]int{CheckAllowed: 0, CheckWarning: 1, CheckNotAllowed: 2, CheckNotCovered: 3}

// Check answers q from the labels of exactly this manufacturer's model that
// cover the firmware version asked about (every version when none is
// given). The market must be one the catalog knows.
func (s *Service) Check(ctx context.Context, q CheckQuery) (CheckResult, error) {
	q.Manufacturer, q.Model, q.Firmware = normName(q.Manufacturer), normName(q.Model), strings.TrimSpace(q.Firmware)
	r := CheckResult{Manufacturer: q.Manufacturer, Model: q.Model, Firmware: q.Firmware, Market: q.Market, MinTier: q.MinTier,
		At: q.At, Reasons: []string{}, Labels: []store.Label{}}
	if q.Manufacturer == "" || q.Model == "" {
		return r, fmt.Errorf("%w: a check needs the manufacturer and the model (models of different makers share names)", ErrInvalid)
	}
	if err := s.knownMarket(q.Market); err != nil {
		return r, err
	}
	if q.MinTier != 0 && !slices.ContainsFunc(s.catalog.Tiers, func(t *catalog.Tier) bool { return t.Level == q.MinTier }) {
		return r, fmt.Errorf("%w: tier %d is not a tier of catalog %s (1 to %d)", ErrInvalid, q.MinTier, s.catalog.Version, len(s.catalog.Tiers))
	}
	if q.MinTier == 0 && len(s.catalog.MarketRules(q.Market)) == 0 {
		r.Answer, r.Allowed = CheckNoRule, true
		r.Reasons = append(r.Reasons, q.Market+" has no mandatory security rule for consumer IoT products; a label is voluntary there")
		return r, nil
	}
	ls, err := s.store.Labels(ctx, store.LabelQuery{Manufacturer: q.Manufacturer, Model: q.Model, Firmware: q.Firmware, Limit: 1000})
	if err != nil {
		return r, err
	}
	if q.At != "" {
		if ls, err = s.asOf(ctx, ls, q.At); err != nil {
			return r, err
		}
	}
	r.Labels, r.Answer = ls, CheckNotCovered
	if len(ls) == 0 {
		what := "this model"
		if q.Firmware != "" {
			what = "firmware " + q.Firmware + " of this model"
		}
		r.Reasons = append(r.Reasons, "no label of "+q.Manufacturer+" covers "+what)
		return r, nil
	}
	need := max(q.MinTier, 1)
	for _, l := range ls {
		answer, why := CheckNotAllowed, ""
		switch {
		case l.Status != Active && l.Status != AtRisk:
			why = fmt.Sprintf("label %s is %s", l.ID, l.Status)
			if l.StatusReason != "" {
				why += ": " + l.StatusReason
			}
		case !slices.Contains(l.Markets, q.Market):
			why = fmt.Sprintf("label %s does not show the product may be sold in %s (it covers %s)", l.ID, q.Market, orNone(l.Markets))
		case l.Tier < need:
			why = fmt.Sprintf("label %s is tier %d, below the tier %d asked for", l.ID, l.Tier, need)
		case l.Status == AtRisk:
			answer, why = CheckWarning, fmt.Sprintf("label %s covers %s at tier %d but is at risk: %s", l.ID, q.Market, l.Tier, l.StatusReason)
		default:
			answer, why = CheckAllowed, fmt.Sprintf("label %s is active, tier %d, covers %s, security updates until %s", l.ID, l.Tier, q.Market, l.SupportEnd)
		}
		r.Reasons = append(r.Reasons, why)
		if rank[answer] < rank[r.Answer] {
			r.Answer = answer
		}
		if answer == CheckAllowed || answer == CheckWarning {
			r.Tier = max(r.Tier, l.Tier)
		}
	}
	r.Allowed = r.Answer == CheckAllowed || r.Answer == CheckWarning
	return r, nil
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "no market"
	}
	return strings.Join(ss, ", ")
}

// asOf rewinds labels to their status at the end of day (YYYY-MM-DD), from
// their events; labels issued after that day are left out.
func (s *Service) asOf(ctx context.Context, ls []store.Label, day string) ([]store.Label, error) {
	d, err := catalog.ParseDate(day)
	if err != nil {
		return nil, fmt.Errorf("%w: at %q is not a date YYYY-MM-DD", ErrInvalid, day)
	}
	end := d.Time().Add(24*time.Hour - time.Nanosecond)
	var out []store.Label
	for _, l := range ls {
		if l.Issued.After(end) {
			continue
		}
		evs, _, err := s.store.LabelEvents(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		status, reason := "", ""
		for _, ev := range evs {
			if ev.Time.After(end) {
				break
			}
			status, reason = ev.Status, ev.Reason
		}
		if status == "" {
			continue
		}
		if !end.Before(l.Expires) {
			status, reason = Expired, "expired "+l.Expires.Format(time.DateOnly)
		}
		l.Status, l.StatusReason = status, reason
		out = append(out, l)
	}
	return out, nil
}

// knownMarket refuses a market the catalog does not know, listing those it does.
func (s *Service) knownMarket(id string) error {
	if s.catalog == nil {
		return fmt.Errorf("%w: this registry has no catalog of markets", ErrInvalid)
	}
	if s.catalog.Market(id) == nil {
		var ids []string
		for _, m := range s.catalog.Markets {
			ids = append(ids, m.ID)
		}
		return fmt.Errorf("%w: market %q is not one of %s", ErrInvalid, id, strings.Join(ids, ", "))
	}
	return nil
}
