package probe

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
)

// Credential is one username and password pair to try.
type Credential struct {
	Username string
	Password string
}

func (c Credential) String() string { return c.Username + ":" + c.Password }

//go:embed data/credentials.txt
var builtinCredentials string

// DefaultCredentials returns the built-in list, most widespread first: the
// Mirai scanner's pairs and recurring vendor defaults (docs/probes.md).
func DefaultCredentials() []Credential {
	creds, err := ParseCredentials(strings.NewReader(builtinCredentials), "built-in list")
	if err != nil {
		panic(err) // the embedded list is checked by tests
	}
	return creds
}

// ParseCredentials reads user:password lines (the format hydra's -C also
// takes). Blank lines and lines starting with # are skipped; the password is
// everything after the first colon and may be empty. name is used in errors.
func ParseCredentials(r io.Reader, name string) ([]Credential, error) {
	var out []Credential
	seen := map[Credential]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, pass, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("%s:%d: want user:password (an empty password is written user:), got %q", name, n, line)
		}
		c := Credential{Username: user, Password: pass}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no credentials (want user:password lines)", name)
	}
	return out, nil
}

// MaskPassword shows enough of a password to recognise it in a list without
// disclosing it: its first and last characters and its length.
func MaskPassword(p string) string {
	r := []rune(p)
	switch {
	case len(r) == 0:
		return "(empty)"
	case len(r) <= 3:
		return strings.Repeat("*", len(r)) + fmt.Sprintf(" (%d chars)", len(r))
	}
	return fmt.Sprintf("%c%s%c (%d chars)", r[0], strings.Repeat("*", len(r)-2), r[len(r)-1], len(r))
}
