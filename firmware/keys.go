package firmware

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"path"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Key is key material found in the image: a private key (shared by every
// unit that runs the image) or, as information, a certificate.
type Key struct {
	Path string `json:"path"`
	// Offset is where in the file it starts.
	Offset    int64  `json:"offset"`
	Type      string `json:"type"`
	Private   bool   `json:"private"`
	Encrypted bool   `json:"encrypted"`
	Bits      int    `json:"bits,omitempty"`
	// Certificates only.
	Subject    string    `json:"subject,omitempty"`
	NotAfter   time.Time `json:"not_after,omitzero"`
	SelfSigned bool      `json:"self_signed,omitempty"`
}

// maxKeyFile bounds the size of a file searched for keys.
const maxKeyFile = 32 << 20

// Keys finds private keys (PEM: PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8,
// OpenSSH; Dropbear's own host-key format; PKCS#12 files by name) and
// certificates in every file. A block that does not parse as what its
// header says (documentation showing what a key looks like) is not a key.
func Keys(ctx context.Context, t *Tree) ([]Key, error) {
	var out []Key
	for _, f := range t.Files {
		if f.Kind != KindFile || f.Size > maxKeyFile || f.Size == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ext := strings.ToLower(path.Ext(f.Path))
		if ext == ".p12" || ext == ".pfx" {
			out = append(out, Key{Path: f.Path, Type: "pkcs12", Private: true, Encrypted: true})
			continue
		}
		data, err := t.ReadFile(f, maxKeyFile)
		if err != nil {
			continue
		}
		if k, ok := dropbearKey(data); ok && (strings.Contains(f.Path, "dropbear") || strings.HasSuffix(f.Path, "_host_key")) {
			k.Path = f.Path
			out = append(out, k)
			continue
		}
		if k, ok := derKey(data); ok {
			k.Path = f.Path
			out = append(out, k)
			continue
		}
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte("-----BEGIN "))
			if j < 0 {
				break
			}
			at := i + j
			block, rest := pem.Decode(data[at:])
			if block == nil {
				i = at + 1
				continue
			}
			if k, ok := pemKey(block); ok {
				k.Path, k.Offset = f.Path, int64(at)
				out = append(out, k)
			}
			i = len(data) - len(rest)
		}
	}
	return out, nil
}

// pemKey reads one PEM block as key material.
func pemKey(b *pem.Block) (Key, bool) {
	k := Key{Type: strings.ToLower(strings.ReplaceAll(b.Type, " ", "-"))}
	//lint:ignore SA1019 legacy encrypted PEM (Proc-Type) is still how firmware ships keys
	legacyEncrypted := x509.IsEncryptedPEMBlock(b)
	switch b.Type {
	case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
		k.Private = true
		if legacyEncrypted {
			k.Encrypted = true
			return k, len(b.Bytes) >= 64
		}
		var key any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			_, err = ssh.ParseRawPrivateKey(pem.EncodeToMemory(b))
		}
		if err != nil {
			return Key{}, false
		}
		k.Bits = keyBits(key)
		return k, true
	case "PRIVATE KEY":
		key, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return Key{}, false
		}
		k.Private, k.Bits = true, keyBits(key)
		return k, true
	case "ENCRYPTED PRIVATE KEY":
		// PKCS#8 EncryptedPrivateKeyInfo: a DER SEQUENCE of the algorithm and
		// the encrypted bytes.
		if len(b.Bytes) < 64 || b.Bytes[0] != 0x30 {
			return Key{}, false
		}
		k.Private, k.Encrypted = true, true
		return k, true
	case "OPENSSH PRIVATE KEY":
		key, err := ssh.ParseRawPrivateKey(pem.EncodeToMemory(b))
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			k.Private, k.Encrypted = true, true
			return k, true
		case err != nil:
			return Key{}, false
		}
		k.Private, k.Bits = true, keyBits(key)
		return k, true
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return Key{}, false
		}
		k.Subject, k.NotAfter, k.Bits = c.Subject.String(), c.NotAfter, keyBits(c.PublicKey)
		k.SelfSigned = bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
		return k, true
	}
	return Key{}, false // public keys and anything else are not findings
}

// derKey reads a file that is one DER structure: a PKCS#8, PKCS#1 or SEC 1
// private key, a PKCS#12 bundle, or a certificate. Only a structure that
// parses counts (a truncated or made-up one is not a key).
func derKey(data []byte) (Key, bool) {
	if len(data) < 64 || data[0] != 0x30 || data[1] != 0x82 {
		return Key{}, false
	}
	n := 4 + (int(data[2])<<8 | int(data[3]))
	if n > len(data) {
		return Key{}, false
	}
	der := data[:n]
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return Key{Type: "pkcs8-der", Private: true, Bits: keyBits(key)}, true
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return Key{Type: "rsa-der", Private: true, Bits: keyBits(key)}, true
	}
	if key, err := x509.ParseECPrivateKey(der); err == nil {
		return Key{Type: "ec-der", Private: true, Bits: keyBits(key)}, true
	}
	// PKCS#12: version 3, then the authenticated safe as PKCS#7 data.
	if bytes.HasPrefix(der[4:], []byte{0x02, 0x01, 0x03, 0x30}) && bytes.Contains(der[:min(len(der), 40)], pkcs7Data) {
		return Key{Type: "pkcs12", Private: true, Encrypted: true}, true
	}
	if c, err := x509.ParseCertificate(der); err == nil {
		return Key{Type: "certificate-der", Subject: c.Subject.String(), NotAfter: c.NotAfter, Bits: keyBits(c.PublicKey),
			SelfSigned: bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil}, true
	}
	return Key{}, false
}

// pkcs7Data is the DER of OID 1.2.840.113549.1.7.1 (PKCS#7 data).
var pkcs7Data = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}

// keyBits is a key's size.
func keyBits(key any) int {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k.N.BitLen()
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PrivateKey:
		return k.Curve.Params().BitSize
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	case ed25519.PrivateKey, *ed25519.PrivateKey, ed25519.PublicKey:
		return 256
	}
	return 0
}

// dropbearKey recognises Dropbear's own private-key format: SSH wire
// strings, the key type first, then the key's numbers.
func dropbearKey(data []byte) (Key, bool) {
	if len(data) < 4+7+64 {
		return Key{}, false
	}
	n := binary.BigEndian.Uint32(data)
	if n < 7 || n > 40 || int(4+n) > len(data) {
		return Key{}, false
	}
	typ := string(data[4 : 4+n])
	switch typ {
	case "ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
		return Key{Type: "dropbear-" + typ, Private: true}, true
	}
	return Key{}, false
}
