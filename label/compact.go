package label

import (
	"bytes"
	"compress/zlib"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/veraison/go-cose"
)

// CompactPrefix starts the compact, QR-sized form of a label (version 2:
// the label ID, registry URL and key ID are not repeated inside it).
const CompactPrefix = "IL2:"

// compact is the CBOR payload of the QR form: the predicate's essentials under
// small integer keys.
type compact struct {
	LabelID      string   `cbor:"1,keyasint,omitempty"`
	Tier         int      `cbor:"2,keyasint"`
	Manufacturer string   `cbor:"3,keyasint"`
	Model        string   `cbor:"4,keyasint"`
	Firmware     []string `cbor:"5,keyasint"`
	SupportEnd   string   `cbor:"6,keyasint"`
	Issued       int64    `cbor:"7,keyasint"`
	Expires      int64    `cbor:"8,keyasint"`
	Schemes      []string `cbor:"9,keyasint"`
	Digest       []byte   `cbor:"10,keyasint"`
	Catalog      string   `cbor:"11,keyasint"`
	Markets      []string `cbor:"12,keyasint"`
	// 13 (registry URL) and 14 (key ID) were used by IL1; the URL is now
	// bound as external AAD and the key ID is the COSE kid.
}

// PageURL is the consumer page of a label in its registry, or "".
func (p *Predicate) PageURL() string {
	if p.RegistryURL == "" {
		return ""
	}
	return p.RegistryURL + "/l/" + p.LabelID
}

// Compact signs the predicate as a COSE_Sign1 (EdDSA) over CBOR, compresses it
// with zlib and encodes it in base45. With a registry URL the result is
// "<registry>/l/<label-id>#IL2:…": a phone opens the page, and the part after
// "#" (which browsers never send) carries the offline-verifiable label. What
// the URL already says (registry, label ID) is not repeated inside: the URL is
// the signature's external AAD, so it cannot be changed either. The key ID is
// the COSE kid. Without a registry the label ID is in the payload.
func Compact(p *Predicate, priv ed25519.PrivateKey) (string, error) {
	c := compact{Tier: p.Tier, Manufacturer: p.Manufacturer, Model: p.Model, Firmware: p.FirmwareVersions,
		SupportEnd: p.SupportEnd.String(), Issued: p.Issued.Unix(), Expires: p.Expires.Unix(), Catalog: p.CatalogVersion,
		Markets: p.Markets}
	page := p.PageURL()
	if page == "" {
		c.LabelID = p.LabelID
	}
	for _, s := range p.Schemes {
		if s.Level != "" {
			c.Schemes = append(c.Schemes, s.ID+":"+s.Level)
		} else {
			c.Schemes = append(c.Schemes, s.ID)
		}
	}
	d, err := hex.DecodeString(strings.TrimPrefix(p.AssessmentDigest, "sha256:"))
	if err != nil {
		return "", fmt.Errorf("assessment digest: %w", err)
	}
	c.Digest = d
	payload, err := cbor.Marshal(c)
	if err != nil {
		return "", err
	}
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, priv)
	if err != nil {
		return "", err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = []byte(p.Issuer.KeyID)
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, []byte(page), signer); err != nil {
		return "", err
	}
	raw, err := msg.MarshalCBOR()
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(raw)
	zw.Close()
	body := base45Encode(z.Bytes())
	if page != "" {
		// base45 uses "%" and " ", which a URL must escape.
		return page + "#" + CompactPrefix + urlEscaper.Replace(body), nil
	}
	return CompactPrefix + body, nil
}

var urlEscaper = strings.NewReplacer("%", "%25", " ", "%20")

// maxCompact bounds the decompressed size of a compact label.
const maxCompact = 16 << 10

// VerifyCompact checks the compact form with pub and returns the predicate it
// carries (without the fields the compact form leaves out).
func VerifyCompact(text string, pub ed25519.PublicKey) (*Predicate, error) {
	text = strings.TrimSpace(text)
	i := strings.Index(text, CompactPrefix)
	if i < 0 {
		return nil, fmt.Errorf("no %q in the text", CompactPrefix)
	}
	prefix, body := text[:i], text[i+len(CompactPrefix):]
	z, err := base45Decode(body)
	if prefix != "" {
		// In a URL the body is percent-escaped; a phone may also hand it over
		// already decoded. The signature covers the decoded bytes either way.
		if s, uerr := url.PathUnescape(body); uerr == nil {
			if zz, derr := base45Decode(s); derr == nil {
				z, err = zz, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	br := bytes.NewReader(z) // an io.ByteReader: zlib reads no further than its stream
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxCompact+1))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	if len(raw) > maxCompact {
		return nil, errors.New("compact label too large")
	}
	if br.Len() != 0 {
		return nil, fmt.Errorf("zlib: %d bytes after the end of the stream", br.Len())
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return nil, fmt.Errorf("COSE_Sign1: %w", err)
	}
	if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmEdDSA {
		return nil, errors.New("COSE_Sign1: algorithm is not EdDSA")
	}
	v, err := cose.NewVerifier(cose.AlgorithmEdDSA, pub)
	if err != nil {
		return nil, err
	}
	page, registry, labelID := "", "", ""
	if prefix != "" {
		var ok bool
		if page, ok = strings.CutSuffix(prefix, "#"); !ok {
			return nil, fmt.Errorf("the text before %q must end in \"#\"", CompactPrefix)
		}
		i := strings.LastIndex(page, "/l/")
		if i < 0 || !strings.HasPrefix(page, "http") {
			return nil, fmt.Errorf("the text before %q is not a label page URL (<registry>/l/<label-id>)", CompactPrefix)
		}
		registry, labelID = page[:i], page[i+3:]
	}
	if err := msg.Verify([]byte(page), v); err != nil {
		return nil, fmt.Errorf("signature (over the label and its URL): %w", err)
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if string(kid) != KeyID(pub) {
		return nil, fmt.Errorf("label names issuer key %s, but was verified with key %s", kid, KeyID(pub))
	}
	var c compact
	dm, _ := cbor.DecOptions{DupMapKey: cbor.DupMapKeyEnforcedAPF, ExtraReturnErrors: cbor.ExtraDecErrorUnknownField}.DecMode()
	if err := dm.Unmarshal(msg.Payload, &c); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	switch {
	case page == "" && c.LabelID == "":
		return nil, errors.New("payload: no label ID, and no page URL to take it from")
	case page != "" && c.LabelID != "":
		return nil, errors.New("payload: a label ID both in the URL and inside")
	case page == "":
		labelID = c.LabelID
	}
	p := &Predicate{LabelID: labelID, Tier: c.Tier, Manufacturer: c.Manufacturer, Model: c.Model, FirmwareVersions: c.Firmware,
		Issued: time.Unix(c.Issued, 0).UTC(), Expires: time.Unix(c.Expires, 0).UTC(), CatalogVersion: c.Catalog, Markets: c.Markets,
		RegistryURL: registry, Issuer: Issuer{KeyID: string(kid)}, AssessmentDigest: "sha256:" + hex.EncodeToString(c.Digest)}
	if p.SupportEnd, err = catalog.ParseDate(c.SupportEnd); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	for _, s := range c.Schemes {
		id, level, _ := strings.Cut(s, ":")
		p.Schemes = append(p.Schemes, SchemeMet{ID: id, Level: level})
	}
	return p, nil
}
