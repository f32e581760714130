package firmware

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"path"
	"strings"

	"github.com/GehirnInc/crypt"
	_ "github.com/GehirnInc/crypt/apr1_crypt" // $apr1$ (htpasswd)
	_ "github.com/GehirnInc/crypt/md5_crypt"  // $1$
	_ "github.com/GehirnInc/crypt/sha256_crypt"
	_ "github.com/GehirnInc/crypt/sha512_crypt"
	"golang.org/x/crypto/bcrypt"
)

// Credential is an account or password entry found in the image.
type Credential struct {
	User string `json:"user"`
	// Source is the file and line it was found on.
	Source   string `json:"source"`
	HashType string `json:"hash_type"`
	// Empty is true for an account that needs no password at all.
	Empty   bool `json:"empty"`
	Cracked bool `json:"cracked"`
	// Password is the cracked password, masked unless Reveal was asked.
	Password string `json:"password,omitempty"`
	// Tried is how many candidates were checked against the hash.
	Tried int `json:"tried"`
	// Note says why a hash was not tried (DES crypt, an unknown scheme).
	Note string `json:"note,omitempty"`
}

// Cracking is what credential checks try.
type Cracking struct {
	// Candidates are passwords to try against every hash, most likely first
	// (the built-in default-credential list, then any --wordlist).
	Candidates []string
	// Pairs are user:password pairs tried first for their user.
	Pairs map[string][]string
	// Reveal shows cracked passwords instead of masking them.
	Reveal bool
	// Mask renders a password when Reveal is false.
	Mask func(string) string
}

// credentialFile says whether a path holds account lines: the system's
// passwd and shadow (and their backups), htpasswd files (Apache, lighttpd,
// uhttpd) and Mosquitto's password file.
func credentialFile(p string) bool {
	base, dir := path.Base(p), path.Dir(p)
	switch {
	case dir == "/etc" && (strings.HasPrefix(base, "passwd") || strings.HasPrefix(base, "shadow")):
		return true
	case strings.Contains(base, "htpasswd"), base == "lighttpd.user":
		return true
	case strings.Contains(p, "mosquitto") && (base == "passwd" || base == "pwfile" || strings.HasSuffix(base, ".pw") || strings.Contains(base, "password")):
		return true
	}
	return false
}

// maxCredentialFile bounds the size of a file read for account lines.
const maxCredentialFile = 1 << 20

// Credentials reads every account file of the tree and tries each password
// hash with the candidates.
func Credentials(ctx context.Context, t *Tree, c Cracking) ([]Credential, error) {
	var out []Credential
	for _, f := range t.Files {
		if f.Kind != KindFile || !credentialFile(f.Path) || f.Size > maxCredentialFile {
			continue
		}
		data, err := t.ReadFile(f, maxCredentialFile)
		if err != nil || bytes.HasPrefix(data, []byte("\x7fELF")) {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			cred, ok := parseAccount(sc.Text())
			if !ok {
				continue
			}
			cred.Source = fmt.Sprintf("%s:%d", f.Path, n)
			c.crack(&cred)
			out = append(out, cred)
		}
	}
	return out, nil
}

// parseAccount reads user:hash[:...] lines; locked accounts, passwd lines
// that defer to shadow, and anything else that is not an account give false.
func parseAccount(line string) (Credential, bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return Credential{}, false
	}
	user, rest, ok := strings.Cut(line, ":")
	if !ok || user == "" || strings.ContainsAny(user, " \t") {
		return Credential{}, false
	}
	hash, _, _ := strings.Cut(rest, ":")
	switch {
	case hash == "":
		return Credential{User: user, HashType: "none", Empty: true}, true
	case hash == "x" || hash == "*" || strings.HasPrefix(hash, "!") || strings.HasPrefix(hash, "*"):
		return Credential{}, false // locked, or see shadow
	}
	return Credential{User: user, HashType: hashType(hash), Password: hash}, true
}

// hashType names the scheme of a password hash.
func hashType(h string) string {
	switch {
	case strings.HasPrefix(h, "$1$"):
		return "md5-crypt"
	case strings.HasPrefix(h, "$5$"):
		return "sha256-crypt"
	case strings.HasPrefix(h, "$6$"):
		return "sha512-crypt"
	case strings.HasPrefix(h, "$apr1$"):
		return "apr1"
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		return "bcrypt"
	case strings.HasPrefix(h, "{SHA}"):
		return "sha1"
	case strings.HasPrefix(h, "$7$"):
		return "mosquitto-pbkdf2"
	case len(h) == 13 && !strings.Contains(h, "$"):
		return "des-crypt"
	}
	return "unknown"
}

// bcryptTries bounds the candidates tried against one bcrypt hash (each
// costs tens of milliseconds).
const bcryptTries = 25

// crack tries the candidates against c's hash (held in Password until then).
func (k Cracking) crack(c *Credential) {
	hash := c.Password
	c.Password = ""
	if c.Empty {
		return
	}
	var check func(string) bool
	switch c.HashType {
	case "md5-crypt", "sha256-crypt", "sha512-crypt", "apr1":
		cr := crypt.NewFromHash(hash)
		check = func(p string) bool { return cr.Verify(hash, []byte(p)) == nil }
	case "bcrypt":
		check = func(p string) bool { return bcrypt.CompareHashAndPassword([]byte(hash), []byte(p)) == nil }
	case "sha1":
		want, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(hash, "{SHA}"))
		if err != nil {
			c.Note = "the {SHA} value is not base64"
			return
		}
		check = func(p string) bool { sum := sha1.Sum([]byte(p)); return subtle.ConstantTimeCompare(sum[:], want) == 1 }
	default:
		c.Note = c.HashType + " hashes are not tried"
		return
	}
	tried := map[string]bool{}
	try := func(p string) bool {
		if tried[p] || (c.HashType == "bcrypt" && c.Tried >= bcryptTries) {
			return false
		}
		tried[p] = true
		c.Tried++
		if !check(p) {
			return false
		}
		c.Cracked = true
		c.Password = p
		if !k.Reveal && k.Mask != nil {
			c.Password = k.Mask(p)
		}
		return true
	}
	for _, p := range append(append([]string{}, k.Pairs[c.User]...), c.User) {
		if try(p) {
			return
		}
	}
	for _, p := range k.Candidates {
		if try(p) {
			return
		}
	}
}
