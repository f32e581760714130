package assess

// Evaluate exposes the verdict computation without the digest to benchmarks.
var Evaluate = (*Engine).evaluate

// AppendCanonical exposes the canonical encoder to benchmarks.
var AppendCanonical = appendAssessment
