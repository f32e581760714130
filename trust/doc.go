// Package trust is the trust store: who may attest what. Each entry binds a
// public key to its holder, a role (lab, scheme_owner, manufacturer,
// tool_operator), the checks it is accredited to attest, the schemes it may
// issue labels for, and the dates it is valid; an entry may be revoked.
//
// A store is loaded from a YAML file, or from every *.yaml file of a
// directory, and is read-only after loading. Evidence and labels are graded by
// asking the store about the key that signed them ([Store.Attester] and
// [Store.Issuer]); the answer always says why a key is refused.
package trust
