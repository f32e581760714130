package assess

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/gowebpki/jcs"
)

// digest returns "sha256:" and the hex SHA-256 of the RFC 8785 (JCS) canonical
// JSON of the assessment with its digest field empty.
func digest(a *Assessment) string {
	saved := a.Digest
	a.Digest = ""
	b, err := json.Marshal(a)
	a.Digest = saved
	if err != nil {
		panic(err) // an Assessment always marshals
	}
	canon, err := jcs.Transform(b)
	if err != nil {
		panic(err) // encoding/json output is valid JSON
	}
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// VerifyDigest recomputes the digest of a and reports whether it matches.
func VerifyDigest(a *Assessment) bool { return a.Digest == digest(a) }
