// Package jsonesc writes the JSON escape of one ASCII byte: the part that
// RFC 8785 (the assessment digest's canonical JSON) and encoding/json (the
// bytes evidence refs hash) agree on.
package jsonesc

const hexDigits = "0123456789abcdef"

// AppendASCII appends the escape of c, a byte below 0x80 that must be
// escaped in a JSON string (a quote, a backslash or a control character; any
// other byte is written as \u00XX): the two-character form where JSON has
// one, else \u00XX in lower-case hex.
func AppendASCII(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
