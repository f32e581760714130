package probe

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
)

// VendorCredential is a default login of one vendor's devices.
type VendorCredential struct {
	// Vendor is the name a banner shows, lower case, letters and digits only
	// ("dlink" for "D-Link").
	Vendor string
	Credential
}

//go:embed data/vendor-credentials.txt
var builtinVendorCredentials string

// DefaultVendorCredentials returns the built-in vendor defaults
// (probe/data/vendor-credentials.txt).
func DefaultVendorCredentials() []VendorCredential {
	vc, err := ParseVendorCredentials(strings.NewReader(builtinVendorCredentials), "built-in vendor list")
	if err != nil {
		panic(err) // the embedded list is checked by tests
	}
	return vc
}

// ParseVendorCredentials reads "vendor user:password" lines; blank lines and
// lines starting with # are skipped. name is used in errors.
func ParseVendorCredentials(r io.Reader, name string) ([]VendorCredential, error) {
	var out []VendorCredential
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		vendor, pair, ok := strings.Cut(line, " ")
		user, pass, ok2 := strings.Cut(pair, ":")
		if !ok || !ok2 || user == "" || normVendor(vendor) != vendor || vendor == "" {
			return nil, fmt.Errorf("%s:%d: want \"vendor user:password\" with the vendor in lower-case letters and digits, got %q", name, n, line)
		}
		out = append(out, VendorCredential{vendor, Credential{user, pass}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// normVendor keeps the lower-case letters and digits of s.
func normVendor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// vendorFirst puts the defaults of the vendors that banner names before the
// rest of creds (adding those creds lacks) and returns the vendors named. A
// vendor is named by a word of the banner ("D-Link", "ZTE", "hikvision2"),
// never by part of a longer word ("Acti" is not in "Active").
func vendorFirst(creds []Credential, vendors []VendorCredential, banner string) ([]Credential, []string) {
	words := bannerWords(banner)
	if len(words) == 0 || len(vendors) == 0 {
		return creds, nil
	}
	var first []Credential
	var named []string
	for _, v := range vendors {
		if !namesVendor(words, v.Vendor) {
			continue
		}
		if len(named) == 0 || named[len(named)-1] != v.Vendor {
			named = append(named, v.Vendor)
		}
		if !slices.Contains(first, v.Credential) {
			first = append(first, v.Credential)
		}
	}
	if len(first) == 0 {
		return creds, nil
	}
	out := append([]Credential(nil), first...)
	for _, c := range creds {
		if !slices.Contains(first, c) {
			out = append(out, c)
		}
	}
	return out, named
}

// bannerWords splits a banner into lower-case words of letters and digits,
// hyphens dropped ("D-Link" is one word, dlink).
func bannerWords(banner string) []string {
	return strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case r == '-':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		}
		return ' '
	}, banner))
}

// namesVendor: a word is the vendor, or the vendor followed by digits.
func namesVendor(words []string, vendor string) bool {
	for _, w := range words {
		if rest, ok := strings.CutPrefix(w, vendor); ok && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}
