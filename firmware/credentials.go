package firmware

import (
	"bufio"
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strconv"
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

// embeddedHash is a crypt-style hash right after the colon of a user:hash
// pair inside any file (a binary that carries its own account table).
var embeddedHash = regexp.MustCompile(`^\$(?:1|5|6|apr1|2[abxy])\$[./0-9A-Za-z$=+]{8,120}`)

// maxEmbedded bounds the ":$" places looked at in one file.
const maxEmbedded = 10_000

// maxEmbeddedScan bounds the size of a file searched for embedded hashes.
const maxEmbeddedScan = 32 << 20

// Credentials reads every account file of the tree, and account hashes
// embedded in any other file, and tries each hash with the candidates.
func Credentials(ctx context.Context, t *Tree, c Cracking) ([]Credential, error) {
	var out []Credential
	for _, f := range t.Files {
		if f.Kind != KindFile || f.Size == 0 {
			continue
		}
		if configFile(f.Path) && f.Size <= maxCredentialFile {
			out = append(out, configPasswords(t, f, c)...)
			continue
		}
		if !credentialFile(f.Path) || f.Size > maxCredentialFile {
			if f.Size <= maxEmbeddedScan {
				out = append(out, embedded(t, f, c)...)
			}
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
			if !ok && plainFile(f.Path) {
				cred, ok = plainAccount(sc.Text())
			}
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

// plainFile says whether an account file may hold clear-text passwords:
// lighttpd's plain backend and htpasswd files (Apache accepts them on
// some platforms), not the system's passwd and shadow.
func plainFile(p string) bool {
	base := path.Base(p)
	return base == "lighttpd.user" || strings.Contains(base, "htpasswd")
}

// plainAccount reads a user:password line whose password is not a hash.
func plainAccount(line string) (Credential, bool) {
	user, pass, ok := strings.Cut(strings.TrimSpace(line), ":")
	if !ok || user == "" || pass == "" || strings.HasPrefix(line, "#") || strings.ContainsAny(user, " \t") || strings.Contains(pass, ":") {
		return Credential{}, false
	}
	return Credential{User: user, HashType: "plain", Password: pass}, true
}

// configFile says whether a path is configuration that may set a password:
// OpenWrt's UCI files and *.conf, *.cfg and *.ini under /etc.
func configFile(p string) bool {
	if path.Dir(p) == "/etc/config" {
		return true
	}
	ext := path.Ext(p)
	return strings.HasPrefix(p, "/etc/") && (ext == ".conf" || ext == ".cfg" || ext == ".ini")
}

// configPassword is a password set in clear text: "option password 'x'",
// "password=x", "passwd x".
var configPassword = regexp.MustCompile(`(?i)^\s*(?:option\s+)?(password|passwd|pwd|admin_password|root_password|http_passwd)\s*(?:=|\s)\s*['"]?([^'"\s#;]{1,128})['"]?\s*$`)

// configPasswords finds passwords set in a configuration file: in clear
// text, or as a hash (then tried like any other); a variable, a path or a
// template is not one.
func configPasswords(t *Tree, f File, c Cracking) []Credential {
	data, err := t.ReadFile(f, maxCredentialFile)
	if err != nil || bytes.HasPrefix(data, []byte("\x7fELF")) {
		return nil
	}
	var out []Credential
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		m := configPassword.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		typ := "plain"
		if h := hashType(m[2]); h != "" && h != "des-crypt" {
			typ = h // a hash set in configuration: tried like any other
		} else if strings.ContainsAny(m[2][:1], "$/<{%") {
			continue // a variable, a path or a template
		}
		cred := Credential{User: m[1], HashType: typ, Password: m[2], Source: fmt.Sprintf("%s:%d", f.Path, n)}
		c.crack(&cred)
		out = append(out, cred)
	}
	return out
}

// embedded finds hashes built into a file that is not an account file.
func embedded(t *Tree, f File, c Cracking) []Credential {
	data, err := t.ReadFile(f, maxEmbeddedScan)
	if err != nil || !bytes.Contains(data, []byte(":$")) {
		return nil
	}
	var out []Credential
	for i, n := 0, 0; n < maxEmbedded && len(out) < 100; n++ {
		j := bytes.Index(data[i:], []byte(":$"))
		if j < 0 {
			break
		}
		colon := i + j
		i = colon + 2
		hash := embeddedHash.Find(data[colon+1 : min(len(data), colon+1+130)])
		if hash == nil {
			continue
		}
		// The user name runs back from the colon: [a-z_][a-z0-9_.-]{0,31}.
		start := colon
		for start > 0 && colon-start < 32 && isUserByte(data[start-1]) {
			start--
		}
		for start < colon && !(data[start] >= 'a' && data[start] <= 'z' || data[start] == '_') {
			start++
		}
		typ := hashType(string(hash))
		if start == colon || typ == "" || typ == "des-crypt" {
			continue
		}
		cred := Credential{User: string(data[start:colon]), HashType: typ, Password: string(hash), Source: fmt.Sprintf("%s@%d", f.Path, start)}
		c.crack(&cred)
		out = append(out, cred)
	}
	return out
}

func isUserByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b == '.' || b == '-'
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
	if t := hashType(hash); t != "" {
		return Credential{User: user, HashType: t, Password: hash}, true
	}
	return Credential{}, false // not a password hash: code or text that happens to have a colon
}

// hashShapes are the password-hash formats recognised, each by its whole
// shape, so that "user1:$.su.CHAR" in a script is not taken for an account.
var hashShapes = []struct {
	name string
	re   *regexp.Regexp
}{
	{"md5-crypt", regexp.MustCompile(`^\$1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$`)},
	{"sha256-crypt", regexp.MustCompile(`^\$5\$(rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{43}$`)},
	{"sha512-crypt", regexp.MustCompile(`^\$6\$(rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{86}$`)},
	{"apr1", regexp.MustCompile(`^\$apr1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$`)},
	{"bcrypt", regexp.MustCompile(`^\$2[abxy]\$\d\d\$[./0-9A-Za-z]{53}$`)},
	{"sha1", regexp.MustCompile(`^\{SHA\}[A-Za-z0-9+/]{27}=$`)},
	// Mosquitto 1.x: SHA-512 of password and salt; 2.x: PBKDF2-SHA512.
	{"mosquitto-sha512", regexp.MustCompile(`^\$6\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{86}==$`)},
	{"mosquitto-pbkdf2", regexp.MustCompile(`^\$7\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{86}==$`)},
	{"des-crypt", regexp.MustCompile(`^[./0-9A-Za-z]{13}$`)},
}

// hashType names the scheme of a password hash ("" when it is none).
func hashType(h string) string {
	for _, s := range hashShapes {
		if s.re.MatchString(h) {
			return s.name
		}
	}
	return ""
}

// mosquittoCheck checks passwords against a Mosquitto password-file hash:
// "$6$salt$hash" is SHA-512 over the password and then the salt (1.x),
// "$7$iterations$salt$hash" PBKDF2-HMAC-SHA512 (2.x); salt and hash are
// base64.
func mosquittoCheck(h string) func(string) bool {
	parts := strings.Split(h, "$")
	iter := 0
	if parts[1] == "7" {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 || n > 1_000_000 {
			return nil
		}
		iter, parts = n, append(parts[:2], parts[3:]...)
	}
	salt, err1 := base64.StdEncoding.DecodeString(parts[2])
	want, err2 := base64.StdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return nil
	}
	return func(p string) bool {
		var got []byte
		if iter == 0 {
			sum := sha512.Sum512(append([]byte(p), salt...))
			got = sum[:]
		} else {
			var err error
			if got, err = pbkdf2.Key(sha512.New, p, salt, iter, len(want)); err != nil {
				return false
			}
		}
		return subtle.ConstantTimeCompare(got, want) == 1
	}
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
	case "plain":
		// A password in clear text needs no cracking: it is there to read.
		c.Cracked, c.Tried, c.Password = true, 0, hash
		if !k.Reveal && k.Mask != nil {
			c.Password = k.Mask(hash)
		}
		return
	case "md5-crypt", "sha256-crypt", "sha512-crypt", "apr1":
		cr := crypt.NewFromHash(hash)
		check = func(p string) bool { return cr.Verify(hash, []byte(p)) == nil }
	case "bcrypt":
		check = func(p string) bool { return bcrypt.CompareHashAndPassword([]byte(hash), []byte(p)) == nil }
	case "des-crypt":
		check = func(p string) bool {
			h, ok := desCrypt(p, hash[:2])
			return ok && subtle.ConstantTimeCompare([]byte(h), []byte(hash)) == 1
		}
	case "sha1":
		want, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(hash, "{SHA}"))
		if err != nil {
			c.Note = "the {SHA} value is not base64"
			return
		}
		check = func(p string) bool { sum := sha1.Sum([]byte(p)); return subtle.ConstantTimeCompare(sum[:], want) == 1 }
	case "mosquitto-sha512", "mosquitto-pbkdf2":
		if check = mosquittoCheck(hash); check == nil {
			c.Note = "the Mosquitto hash is not valid base64"
			return
		}
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
