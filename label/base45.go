package label

import (
	"errors"
	"strings"
)

// base45 implements RFC 9285: two bytes become three characters of the QR
// alphanumeric alphabet, so compressed binary data fits a QR code's densest
// text mode.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

func base45Encode(b []byte) string {
	var s strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])*256 + int(b[i+1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45%45])
		s.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45])
	}
	return s.String()
}

func base45Decode(s string) ([]byte, error) {
	val := func(c byte) (int, error) {
		i := strings.IndexByte(base45Alphabet, c)
		if i < 0 {
			return 0, errors.New("base45: invalid character")
		}
		return i, nil
	}
	if len(s)%3 == 1 {
		return nil, errors.New("base45: invalid length")
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		if i+2 >= len(s) {
			c, err := val(s[i])
			if err != nil {
				return nil, err
			}
			d, err := val(s[i+1])
			if err != nil {
				return nil, err
			}
			n := c + d*45
			if n > 255 {
				return nil, errors.New("base45: final group out of range")
			}
			return append(out, byte(n)), nil
		}
		var digits [3]int
		for j := range digits {
			v, err := val(s[i+j])
			if err != nil {
				return nil, err
			}
			digits[j] = v
		}
		n := digits[0] + digits[1]*45 + digits[2]*2025
		if n > 65535 {
			return nil, errors.New("base45: group out of range")
		}
		out = append(out, byte(n>>8), byte(n))
	}
	return out, nil
}
