// Package assess is iotlabel's assessment engine. It turns a catalog, one
// product declaration, any number of evidence items and an as-of date into an
// [Assessment]: a verdict for every harmonized outcome, every requirement of
// every scheme (conditions honoured), every scheme (met or not, and the highest
// level met), the tier, every market, the recognitions earned, and the gaps to
// the next tier.
//
// Every verdict carries its reason and references to the evidence behind it:
// evidence item refs ("ev-…"), declaration fields ("declaration:passwords.scheme")
// and, for requirements met through outcomes, the outcomes ("outcome:sbom").
//
// The rules, in short:
//   - A check (declaration rule, tool check, lab attestation) that fails, fails
//     its outcome and every requirement mapped to it, unless the check is scoped.
//     Tool and lab evidence outrank the declaration; when they disagree the
//     verdict follows the evidence and the contradiction is a finding.
//   - An outcome passes on evidence, on a passing declaration rule, or when every
//     applicable mandatory EN 303 645 provision mapped to it is answered "yes".
//   - A requirement is not_applicable when its condition does not hold, fails on
//     a failing outcome or a "no" answer, and passes on a "yes" answer, a passing
//     check that covers it or (for requirements other than EN 303 645 provisions)
//     when all its outcomes pass. Anything else is unknown, with what to declare.
//
// Assessments are deterministic: the same inputs give byte-identical JSON and
// the same SHA-256 digest.
package assess
