package label

import (
	"strings"

	goqr "github.com/piglig/go-qr"
)

// qrAlphanumeric is QR's alphanumeric character set, which base45 was made
// to fit exactly.
const qrAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// encodeQR encodes a label's QR text at error-correction level M (raised
// when that fits the same symbol) in mixed mode: the URL up to and including
// "#" as a byte segment, and the base45 label after it as an alphanumeric
// segment (5.5 bits a character instead of 8), so a label fits a smaller
// symbol. Text that is not of that shape is one byte segment.
func encodeQR(text string) (*goqr.QrCode, error) {
	url, body, hasURL := strings.Cut(text, "#")
	if !hasURL {
		url, body = "", text
	} else {
		url += "#"
	}
	var segs []*goqr.QrSegment
	if strings.Trim(body, qrAlphanumeric) == "" && body != "" {
		if url != "" {
			s, err := goqr.MakeBytes([]byte(url))
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		}
		s, err := goqr.MakeAlphanumeric(body)
		if err != nil {
			return nil, err
		}
		segs = append(segs, s)
	} else {
		s, err := goqr.MakeBytes([]byte(text))
		if err != nil {
			return nil, err
		}
		segs = []*goqr.QrSegment{s}
	}
	return goqr.EncodeStandardSegments(segs, goqr.Medium)
}

// qrVersion is the QR symbol version (1 to 40) of a code.
func qrVersion(c *goqr.QrCode) int { return (c.Size() - 17) / 4 }
