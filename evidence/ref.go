package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/iotlabel/iotlabel/internal/jsonesc"
)

// Ref returns the item's ID, or "ev-" and the first 12 hex digits of the
// SHA-256 of its JSON encoding when it has none. Refs are stable: the same item
// always gets the same ref.
func (it *Item) Ref() string {
	if it.ID != "" {
		return it.ID
	}
	var buf [1024]byte
	b, ok := appendItem(buf[:0], it)
	if !ok {
		b, _ = json.Marshal(it) // an Item always marshals
	}
	sum := sha256.Sum256(b)
	return "ev-" + hex.EncodeToString(sum[:6])
}

// appendItem appends exactly the bytes json.Marshal writes for it (field
// order, omitempty, HTML-safe escaping, sorted map keys), without reflection:
// refs are computed for every item of every assessment. It reports false for
// what it does not handle (a Data value of another type, a time json cannot
// encode, a float json refuses), and the caller falls back to json.Marshal;
// FuzzItemEncoding holds the two to the same bytes.
func appendItem(b []byte, it *Item) ([]byte, bool) {
	b = append(b, '{')
	if it.ID != "" {
		b = appendString(append(b, `"id":`...), it.ID)
		b = append(b, ',')
	}
	b = appendString(append(b, `"kind":`...), string(it.Kind))
	b = append(b, `,"source":{`...)
	n := len(b)
	b = appendOptional(b, "tool", it.Source.Tool)
	b = appendOptional(b, "version", it.Source.Version)
	b = appendOptional(b, "signer", it.Source.Signer)
	b = closeObject(b, n)
	if y := it.Time.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, `,"time":"`...)
	b = it.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","subject":{`...)
	n = len(b)
	b = appendOptional(b, "product", it.Subject.Product)
	b = appendOptional(b, "firmware", it.Subject.Firmware)
	b = appendOptional(b, "target", it.Subject.Target)
	b = closeObject(b, n)
	b = appendString(append(b, `,"check":`...), it.Check)
	b = appendString(append(b, `,"result":`...), it.Result)
	b = append(b, ',')
	b = appendOptional(b, "target", it.Target)
	b = appendOptional(b, "protocol", it.Protocol)
	b = appendOptional(b, "username", it.Username)
	b = appendOptional(b, "password_hint", it.PasswordHint)
	b = appendString(append(b, `"detail":`...), it.Detail)
	if len(it.Data) > 0 {
		var ok bool
		if b, ok = appendValue(append(b, `,"data":`...), it.Data); !ok {
			return b, false
		}
	}
	if it.TranscriptDigest != "" {
		b = appendString(append(b, `,"transcript_digest":`...), it.TranscriptDigest)
	}
	return append(b, '}'), true
}

// appendOptional writes `"key":"v",` when v is not empty.
func appendOptional(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(append(append(b, '"'), key...), `":`...)
	return append(appendString(b, v), ',')
}

// closeObject ends an object whose members, each followed by a comma, start at
// n.
func closeObject(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:len(b)-1]
	}
	return append(b, '}')
}

// appendValue writes the JSON values evidence data holds.
func appendValue(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendString(b, v), true
	case bool:
		return strconv.AppendBool(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case float64:
		return appendFloat(b, v)
	case []string:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), true
	case []any:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendValue(b, x); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		if v == nil {
			return append(b, "null"...), true
		}
		var buf [16]string
		keys := buf[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			var ok bool
			if b, ok = appendValue(b, v[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// appendFloat formats a float64 as encoding/json does: shortest form, 'f'
// notation unless very small or large, exponents without a leading zero.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// appendString writes s as a JSON string the way json.Marshal does: <, > and
// & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = jsonesc.AppendASCII(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			esc := `\u2028`
			if r == '\u2029' {
				esc = `\u2029`
			}
			b = append(append(b, s[start:i]...), esc...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
