// Package attest signs and opens DSSE envelopes with Ed25519 keys, strictly,
// and carries evidence as signed in-toto attestations.
//
// Envelopes: [Seal] signs a payload; [Open] verifies one with a public key
// and returns the payload. Signatures name the key by the key ID that
// go-securesystemslib computes for it, so stock DSSE verifiers accept them.
// Open refuses what a lenient parser would let through: duplicate JSON keys
// at any depth, unknown fields, non-canonical base64 and trailing bytes.
//
// Evidence attestations: an in-toto Statement v1 whose predicate (type
// [EvidencePredicateType]) holds evidence items, and whose subject is the
// product identity and, when known, the firmware image's SHA-256.
// [SignEvidence] writes one; [OpenEvidence] verifies one against a trust
// store and marks every item with who attested it and whether that signer is
// accredited for the item's check.
package attest
