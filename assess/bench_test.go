package assess_test

import (
	"crypto/sha256"
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
		assess.Evaluate(e, d, items, nil, asOf)
	}
}

// BenchmarkCanonical measures writing the canonical JSON alone, into a reused
// buffer; bytes/s is the encoder's throughput.
func BenchmarkCanonical(b *testing.B) {
	a := engine(b).Assess(example(b, "router-tier2"), verifiedEvidence(), asOf)
	buf := assess.AppendCanonical(nil, a)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = assess.AppendCanonical(buf[:0], a)
	}
}

// BenchmarkSHA256 measures SHA-256 alone over the same canonical JSON: the
// floor under BenchmarkDigest on this machine, whatever the encoder does.
func BenchmarkSHA256(b *testing.B) {
	a := engine(b).Assess(example(b, "router-tier2"), verifiedEvidence(), asOf)
	buf := assess.AppendCanonical(nil, a)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
}
