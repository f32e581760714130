package sbom

import (
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
)

// SPDXExpression returns license text as a valid SPDX license expression
// when it is one, or can be read as one under Buildroot's conventions (a
// comma-separated list means all apply, a lowercase "or" is OR); ok is false
// for anything else ("unknown", "GPL-2.0+ (programs)"), which belongs in a
// license name, not an expression.
func SPDXExpression(text string) (expr string, ok bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", false
	}
	for _, cand := range []string{text, strings.NewReplacer(", ", " AND ", " or ", " OR ", " and ", " AND ").Replace(text)} {
		if valid, _ := spdxexp.ValidateLicenses([]string{cand}); valid {
			return cand, true
		}
	}
	return "", false
}
