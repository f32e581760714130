package assess_test

import (
	"testing"

	"github.com/iotlabel/iotlabel/assess"
)

// BenchmarkAssess measures one full assessment — every outcome, requirement,
// scheme, market, recognition and gap, plus the canonical-JSON digest — with the
// catalog compiled once.
func BenchmarkAssess(b *testing.B) {
	e := engine(b)
	d := example(b, "router-tier2")
	items := verifiedEvidence()
	b.ReportAllocs()
	for b.Loop() {
		e.Assess(d, items, asOf)
	}
}

// BenchmarkDigest measures only the canonical JSON and SHA-256 of one
// assessment, the part of BenchmarkAssess that grows with the report's size.
func BenchmarkDigest(b *testing.B) {
	a := engine(b).Assess(example(b, "router-tier2"), verifiedEvidence(), asOf)
	b.ReportAllocs()
	for b.Loop() {
		assess.VerifyDigest(a)
	}
}

// BenchmarkEvaluate measures the verdict computation alone: every outcome,
// requirement, scheme, market, recognition and gap, without sealing the digest.
func BenchmarkEvaluate(b *testing.B) {
	e := engine(b)
	d := example(b, "router-tier2")
	items := verifiedEvidence()
	b.ReportAllocs()
	for b.Loop() {
		assess.Evaluate(e, d, items, asOf)
	}
}
