// Package evidence defines iotlabel's evidence format: one JSON object per
// line (JSONL), each recording who or what observed something about a product,
// when, which check it was, the result and a digest of the raw transcript.
//
// Evidence comes from three kinds of source, ordered by strength: the
// manufacturer's declaration ("declared"), a tool's own observation ("tool",
// e.g. `iotlabel probe` or `iotlabel sbom scan`) and a signed lab attestation
// ("lab"). The assessment engine lets stronger evidence overrule weaker and
// reports a contradiction between them as a finding.
//
// [Read] accepts a stream and reports every bad line with its line number.
package evidence
