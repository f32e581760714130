package assess

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// canonBufs holds buffers for canonical JSON, sized for a typical assessment.
var canonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// withCanonical calls f with the canonical JSON of the assessment with its
// digest field empty; the bytes are only valid during the call.
func withCanonical(a *Assessment, f func([]byte)) {
	p := canonBufs.Get().(*[]byte)
	saved := a.Digest
	a.Digest = ""
	*p = appendAssessment((*p)[:0], a)
	a.Digest = saved
	f(*p)
	canonBufs.Put(p)
}

// Canonical returns the RFC 8785 (JCS) canonical JSON of the assessment with its
// digest field empty: the bytes the digest is computed over.
func Canonical(a *Assessment) []byte {
	var out []byte
	withCanonical(a, func(b []byte) { out = append([]byte(nil), b...) })
	return out
}

// digest returns "sha256:" and the hex SHA-256 of the assessment's canonical JSON.
func digest(a *Assessment) string {
	var sum [sha256.Size]byte
	withCanonical(a, func(b []byte) { sum = sha256.Sum256(b) })
	return "sha256:" + hex.EncodeToString(sum[:])
}

// VerifyDigest recomputes the digest of a and reports whether it matches.
func VerifyDigest(a *Assessment) bool { return a.Digest == digest(a) }
