package vuln

import (
	"regexp"
	"strings"
	"sync"

	"github.com/google/osv-scalibr/semantic"
)

// Compare orders two versions of one component: -1, 0 or +1. For an OSV
// ecosystem with its own rules (Debian, Alpine, PyPI, npm, Go, Maven, …) it uses
// that ecosystem's ordering; otherwise, and when parsing fails, the generic
// ordering of [CompareGeneric].
func Compare(a, b, ecosystem string) int {
	if eco := baseEcosystem(ecosystem); eco != "" {
		va, errA := parsed(a, eco)
		vb, errB := parsed(b, eco)
		if errA == nil && errB == nil {
			if c, err := va.Compare(vb); err == nil {
				return c
			}
		}
	}
	return CompareGeneric(a, b)
}

// parsed parses a version for an ecosystem through a bounded cache: a scan
// compares the same few versions against many range events.
func parsed(v, eco string) (semantic.Version, error) {
	k := versionKey{v, eco}
	versionCache.Lock()
	e, ok := versionCache.m[k]
	versionCache.Unlock()
	if ok {
		return e.v, e.err
	}
	pv, err := semantic.Parse(v, eco)
	versionCache.Lock()
	if len(versionCache.m) >= 100_000 {
		versionCache.m = map[versionKey]parsedVersion{}
	}
	versionCache.m[k] = parsedVersion{pv, err}
	versionCache.Unlock()
	return pv, err
}

type versionKey struct{ v, eco string }

type parsedVersion struct {
	v   semantic.Version
	err error
}

var versionCache = struct {
	sync.Mutex
	m map[versionKey]parsedVersion
}{m: map[versionKey]parsedVersion{}}

// baseEcosystem returns the ecosystem name semantic knows ("Alpine:v3.17" →
// "Alpine"), or "" for ecosystems ordered generically (OSS-Fuzz, GIT, CPE).
func baseEcosystem(e string) string {
	base, _, _ := strings.Cut(e, ":")
	switch base {
	case "", "OSS-Fuzz", "GIT", "CPE", "generic":
		return ""
	}
	return base
}

// preRelease ranks the words that mark a version before its release, in the
// order upstreams use them (dnsmasq: 2.86test7 < 2.86rc1 < 2.86). Single
// letters are not among them: in firmware they are far more often release
// letters (OpenSSL 1.1.1a comes after 1.1.1) than alpha/beta shorthand.
var preRelease = map[string]int{"dev": 1, "snapshot": 1, "alpha": 2, "beta": 3, "test": 4, "pre": 5, "preview": 5, "rc": 6, "cr": 6}

type token struct {
	num   string // digits without leading zeros, or ""
	word  string // lower-case letters, or ""
	isNum bool
}

// tokenize splits a version into numeric and alphabetic runs, dropping a
// leading "v" and all separators.
func tokenize(v string) []token {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	var out []token
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			n := strings.TrimLeft(v[i:j], "0")
			out = append(out, token{num: n, isNum: true})
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(v) && v[j] >= 'a' && v[j] <= 'z' {
				j++
			}
			out = append(out, token{word: v[i:j]})
			i = j
		default:
			i++
		}
	}
	return out
}

// CompareGeneric orders the version strings embedded components use: numeric
// runs compare as numbers (2.84 < 2.100), a trailing letter is a later release
// (1.1.1 < 1.1.1i < 1.1.1j, OpenSSL style), pre-release words come before the
// release (2.86test7 < 2.86rc1 < 2.86), a leading "v" and the separators are
// ignored (v2018.02.0 = 2018.2.0).
//
// A release tag's trailing date stamp names the same release as the version
// before it (json-c's "0.15-20200726" is 0.15), so it is dropped.
func CompareGeneric(a, b string) int {
	ta, tb := tokenize(dateStamp.ReplaceAllString(a, "$1")), tokenize(dateStamp.ReplaceAllString(b, "$1"))
	for i := 0; i < len(ta) || i < len(tb); i++ {
		switch {
		case i >= len(ta):
			return -tailSign(tb[i])
		case i >= len(tb):
			return tailSign(ta[i])
		}
		x, y := ta[i], tb[i]
		switch {
		case x.isNum && y.isNum:
			if c := compareNum(x.num, y.num); c != 0 {
				return c
			}
		case !x.isNum && !y.isNum:
			if c := compareWord(x.word, y.word); c != 0 {
				return c
			}
		case x.isNum: // number vs word: a pre-release word is older, other words too
			return 1
		default:
			return -1
		}
	}
	return 0
}

// tailSign says whether a version that continues with t after the other ended
// is newer (+1: 1.1.1 < 1.1.1i, 1.2 < 1.2.1) or older (-1: 2.86rc1 < 2.86).
func tailSign(t token) int {
	if !t.isNum {
		if _, pre := preRelease[t.word]; pre {
			return -1
		}
	}
	return 1
}

func compareNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func compareWord(a, b string) int {
	pa, okA := preRelease[a]
	pb, okB := preRelease[b]
	switch {
	case okA && okB:
		if pa != pb {
			return sign(pa - pb)
		}
		return 0
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

var (
	// dateStamp is a "-YYYYMMDD" release date after a version.
	dateStamp      = regexp.MustCompile(`^(.*\d)[-_](?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$`)
	alpineRevision = regexp.MustCompile(`-r\d+$`)
	debianEpoch    = regexp.MustCompile(`^\d+:`)
)

// Upstream strips a distribution's packaging from a version, for comparison
// with upstream releases: Alpine's "-rN", Debian's epoch and revision, RPM's
// release. kind is the purl type (apk, deb, rpm) or "".
func Upstream(version, kind string) string {
	switch kind {
	case "apk":
		return alpineRevision.ReplaceAllString(version, "")
	case "deb", "rpm":
		v := debianEpoch.ReplaceAllString(version, "")
		if i := strings.LastIndex(v, "-"); i > 0 {
			v = v[:i]
		}
		return v
	}
	return version
}

// TagVersion turns a release tag into a version: "v2.86" → "2.86",
// "curl-7_74_0" → "7.74.0", "OpenSSL_1_1_1i" → "1.1.1i", "dnsmasq-2.86" → "2.86".
func TagVersion(tag, pkg string) string {
	t := strings.ToLower(tag)
	if p := strings.ToLower(pkg); p != "" && strings.HasPrefix(t, p) && len(t) > len(p) && strings.ContainsRune("-_", rune(t[len(p)])) {
		t = t[len(p)+1:]
	}
	for _, prefix := range []string{"release-", "release_", "rel-", "rel_"} {
		t = strings.TrimPrefix(t, prefix)
	}
	if strings.Contains(t, "_") && !strings.Contains(t, ".") {
		t = strings.ReplaceAll(t, "_", ".")
	}
	return strings.TrimPrefix(t, "v")
}
