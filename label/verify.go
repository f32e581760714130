package label

import (
	"context"
	"crypto/ed25519"
	"time"
)

// Result is the outcome of verifying a label offline.
type Result struct {
	// Valid means the signature verifies and now is within the validity period.
	Valid bool `json:"valid"`
	// Status is active, expired or not_yet_valid when the signature verifies.
	Status    string     `json:"status"`
	Form      string     `json:"form"`
	Reason    string     `json:"reason"`
	Predicate *Predicate `json:"label,omitempty"`
}

// Check verifies a label in either form — a DSSE envelope (JSON) or the
// compact text — with pub, and judges its validity at now.
func Check(ctx context.Context, data []byte, pub ed25519.PublicKey, now time.Time) Result {
	var p *Predicate
	r := Result{Form: "dsse"}
	if len(data) > 0 && data[0] == '{' {
		st, err := VerifyEnvelope(ctx, data, pub)
		if err != nil {
			r.Reason = err.Error()
			return r
		}
		p = &st.Predicate
	} else {
		r.Form = "compact"
		cp, err := VerifyCompact(string(data), pub)
		if err != nil {
			r.Reason = err.Error()
			return r
		}
		p = cp
	}
	r.Predicate = p
	switch {
	case now.Before(p.Issued):
		r.Status, r.Reason = "not_yet_valid", "issued "+p.Issued.Format(time.RFC3339)+", in the future"
	case now.After(p.Expires):
		r.Status, r.Reason = "expired", "expired "+p.Expires.Format(time.RFC3339)
	default:
		r.Valid, r.Status = true, "active"
		r.Reason = "signature by key " + p.Issuer.KeyID + " verifies; valid until " + p.Expires.Format(time.RFC3339)
	}
	return r
}
