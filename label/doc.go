// Package label turns an assessment into a signed, machine-readable security
// label and verifies labels offline.
//
// A label exists in three forms, all derived from one verified assessment:
//   - label.json: an in-toto Statement v1 (predicate type [PredicateType])
//     in a DSSE envelope signed with Ed25519;
//   - label.qr.txt: a compact COSE_Sign1 over CBOR, zlib-compressed and
//     base45-encoded, behind the label's registry URL so that a phone camera
//     opens the consumer page while a verifier can check it offline;
//   - label.svg and label.png: the printable label with its QR code.
//
// A label never claims more than its assessment: [Issue] takes an assessment
// whose digest it recomputes and whose catalog version it checks, and copies
// the verdicts; it computes none of its own.
package label
