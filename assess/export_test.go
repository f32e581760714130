package assess

// Evaluate exposes the verdict computation without the digest to benchmarks.
var Evaluate = (*Engine).evaluate

// AppendCanonical exposes the canonical encoder to benchmarks.
var AppendCanonical = appendAssessment

// AppendString exposes the canonical string encoder to its fuzz test.
var AppendString = appendStr

// Digest exposes the digest to tests.
var Digest = digest
