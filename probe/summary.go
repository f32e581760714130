package probe

import (
	"cmp"
	"slices"

	"github.com/iotlabel/iotlabel/evidence"
)

// HostSummary is one host's standing after a run, for ranking hosts by risk.
type HostSummary struct {
	Host    string `json:"host"`
	Address string `json:"address,omitempty"`
	// Breaks is the lowest label tier that one of the host's failures breaks
	// (1: the legal baseline), 0 when none breaks a tier.
	Breaks   int      `json:"breaks_tier,omitempty"`
	Failed   []string `json:"failed_checks"`
	Failures int      `json:"failures"`
	Errors   int      `json:"errors"`
	Services []string `json:"services"`
	// Silent says nothing answered on any probed port.
	Silent bool   `json:"silent,omitempty"`
	Error  string `json:"error,omitempty"`
	// Identity is what the device said it is, when it said.
	Identity *Identity `json:"identity,omitempty"`
	// Label is what a registry says of that product, when one was asked.
	Label *LabelStatus `json:"label,omitempty"`
}

// LabelStatus is a registry's answer about an identified device.
type LabelStatus struct {
	// Status is the newest label's status (active, at_risk, suspended,
	// revoked, expired, pending), "no label", or "unknown" when the
	// registry could not be asked (Reason says why).
	Status     string `json:"status"`
	LabelID    string `json:"label_id,omitempty"`
	Tier       int    `json:"tier,omitempty"`
	SupportEnd string `json:"support_end_date,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Summarise ranks the hosts of a run, riskiest first: by the lowest tier a
// failure breaks (tierBroken says, per check, from the catalog), then by the
// number of failures. perHost[i] is the evidence of reports[i].
func Summarise(reports []HostReport, perHost [][]evidence.Item, tierBroken func(check string) int) []HostSummary {
	out := make([]HostSummary, 0, len(reports))
	for i, r := range reports {
		h := HostSummary{Host: r.Host, Address: r.Addr, Failed: []string{}, Services: []string{}, Error: r.Error,
			Silent: r.Error == "" && len(r.Services) == 0}
		for _, s := range r.Services {
			h.Services = append(h.Services, s.Port.String()+" "+s.Protocol)
		}
		if id, ok := Identify(r); ok {
			h.Identity = &id
		}
		for _, it := range perHost[i] {
			switch it.Result {
			case evidence.Fail:
				h.Failures++
				if !slices.Contains(h.Failed, it.Check) {
					h.Failed = append(h.Failed, it.Check)
				}
				if t := tierBroken(it.Check); t > 0 && (h.Breaks == 0 || t < h.Breaks) {
					h.Breaks = t
				}
			case evidence.Error:
				h.Errors++
			}
		}
		out = append(out, h)
	}
	rank := func(h HostSummary) int { // lower is riskier
		switch {
		case h.Breaks > 0:
			return h.Breaks
		case h.Failures > 0:
			return 100
		}
		return 1000
	}
	slices.SortStableFunc(out, func(a, b HostSummary) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.Failures, a.Failures))
	})
	return out
}
