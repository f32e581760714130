// Package impact says what a proposed catalog change would do to the labels a
// registry holds: each stored assessment is recomputed under the current and
// the proposed catalog, compared (tier, schemes met, markets where the
// product may be sold), and the changes grouped by their cause — the
// requirements and tier outcomes whose verdicts moved — so that a scheme owner
// reads "this change drops N labels from Tier 2 to Tier 1, because of X"
// before adopting it.
package impact
