package assess

// Evaluate exposes the verdict computation without the digest to benchmarks.
var Evaluate = (*Engine).evaluate
