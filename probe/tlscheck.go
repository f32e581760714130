package probe

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iotlabel/iotlabel/evidence"
)

// tlsChecks handshakes with each legacy protocol version and with only
// weak cipher suites (tls-weak-protocol), and examines the certificate
// (tls-certificate): validity dates, self-signature and key size.
func (ss *session) tlsChecks() []Finding {
	var weak []string
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		cfg := insecureTLS(ss.svc.Address)
		cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites = v, v, allCipherSuites
		if c, err := ss.dialTLS(true, cfg); err == nil {
			c.Close()
			weak = append(weak, tls.VersionName(v)+" accepted")
		}
	}
	cfg := insecureTLS(ss.svc.Address)
	cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, insecureSuites
	if c, err := ss.dialTLS(true, cfg); err == nil {
		weak = append(weak, "weak cipher suite "+tls.CipherSuiteName(c.(*tls.Conn).ConnectionState().CipherSuite)+" accepted")
		c.Close()
	}
	var out []Finding
	if len(weak) > 0 {
		out = append(out, ss.finding("tls-weak-protocol", evidence.Fail, strings.Join(weak, "; ")))
	} else {
		out = append(out, ss.finding("tls-weak-protocol", evidence.Pass, "TLS 1.0, TLS 1.1 and weak cipher suites are refused"))
	}
	c, err := ss.dialTLS(true, insecureTLS(ss.svc.Address))
	if err != nil {
		return append(out, ss.finding("tls-certificate", evidence.Error, "TLS handshake failed: "+err.Error()))
	}
	defer c.Close()
	st := c.(*tls.Conn).ConnectionState()
	version := tls.VersionName(st.Version)
	if len(st.PeerCertificates) == 0 {
		return append(out, ss.finding("tls-certificate", evidence.Error, "the server sent no certificate"))
	}
	return append(out, ss.certFinding(st.PeerCertificates[0], version))
}

// certFinding judges the leaf certificate at the scanner's clock: dates,
// self-signature, key size and signature algorithm.
func (ss *session) certFinding(cert *x509.Certificate, version string) Finding {
	now := ss.s.now()
	var problems []string
	switch {
	case now.After(cert.NotAfter):
		problems = append(problems, "expired on "+cert.NotAfter.UTC().Format("2006-01-02"))
	case now.Before(cert.NotBefore):
		problems = append(problems, "not valid before "+cert.NotBefore.UTC().Format("2006-01-02"))
	}
	// Signed by its own key, whether or not it calls itself a CA (device
	// certificates made on first boot often do not).
	var insecure x509.InsecureAlgorithmError
	err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature)
	if string(cert.RawIssuer) == string(cert.RawSubject) && (err == nil || errors.As(err, &insecure)) {
		problems = append(problems, "self-signed")
	}
	switch cert.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		problems = append(problems, "signed with "+cert.SignatureAlgorithm.String())
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 {
			problems = append(problems, fmt.Sprintf("RSA key of only %d bits", bits))
		}
	case *ecdsa.PublicKey:
		if bits := k.Curve.Params().BitSize; bits < 256 {
			problems = append(problems, fmt.Sprintf("EC key of only %d bits", bits))
		}
	}
	data := map[string]any{"subject": cert.Subject.String(), "issuer": cert.Issuer.String(),
		"not_after": cert.NotAfter.UTC().Format("2006-01-02"), "negotiated": version}
	var f Finding
	if len(problems) > 0 {
		f = ss.finding("tls-certificate", evidence.Fail, "the certificate is "+strings.Join(problems, ", "))
	} else {
		f = ss.finding("tls-certificate", evidence.Pass,
			fmt.Sprintf("certificate for %q, valid until %s, issued by %q", cert.Subject.CommonName, data["not_after"], cert.Issuer.CommonName))
	}
	f.Data = data
	return f
}

// insecureSuites are the suites Go implements but lists as insecure; the
// client offers them only to see whether a device accepts them.
var insecureSuites = func() []uint16 {
	var ids []uint16
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}()

// allCipherSuites is every suite Go implements, insecure ones first, so
// that old devices are reached.
var allCipherSuites = func() []uint16 {
	ids := slices.Clone(insecureSuites)
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}()
