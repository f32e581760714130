package probe

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/iotlabel/iotlabel/evidence"
)

// legacySSH enables every algorithm x/crypto/ssh implements, the insecure
// ones too: old devices offer nothing else, and refusing them would hide the
// device rather than test it.
func legacySSH() ssh.Config {
	sup, old := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	return ssh.Config{
		KeyExchanges: append(sup.KeyExchanges, old.KeyExchanges...),
		Ciphers:      append(sup.Ciphers, old.Ciphers...),
		MACs:         append(sup.MACs, old.MACs...),
	}
}

func allHostKeyAlgorithms() []string {
	return append(ssh.SupportedAlgorithms().HostKeys, ssh.InsecureAlgorithms().HostKeys...)
}

// sshHandshake runs one SSH handshake offering only hostKeyAlgs, and
// authenticates with auth (none when empty). It returns the host key the
// server presented, if the key exchange got that far.
func (ss *session) sshHandshake(user string, hostKeyAlgs []string, auth []ssh.AuthMethod) (ssh.PublicKey, error) {
	conn, err := ss.dial()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var key ssh.PublicKey
	cfg := &ssh.ClientConfig{
		Config: legacySSH(), User: user, Auth: auth, HostKeyAlgorithms: hostKeyAlgs, Timeout: ss.s.Timeout,
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { key = k; return nil },
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, ss.svc.Address, cfg)
	if err != nil {
		return key, err
	}
	ssh.NewClient(c, chans, reqs).Close()
	return key, nil
}

// sshChecks reads the host keys and tries the default credentials.
func (ss *session) sshChecks() []Finding {
	out := []Finding{ss.sshHostKeys()}
	// Password authentication first; keyboard-interactive (how many devices
	// ask for a password) when the server offers no plain password method.
	// x/crypto/ssh tries one method per attempt here: a server that refuses
	// keyboard-interactive outright would otherwise end the attempt early.
	useKI := false
	var try login
	try = func(c Credential) (loginResult, string, error) {
		offered := false
		var method ssh.AuthMethod = ssh.PasswordCallback(func() (string, error) { offered = true; return c.Password, nil })
		if useKI {
			method = ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				offered = true
				ans := make([]string, len(qs))
				for i := range ans {
					ans[i] = c.Password
				}
				return ans, nil
			})
		}
		_, err := ss.sshHandshake(c.Username, allHostKeyAlgorithms(), []ssh.AuthMethod{method})
		switch {
		case err == nil:
			return accepted, "the SSH server accepted the password", nil
		case !offered && !useKI:
			useKI = true
			return try(c)
		case !offered:
			return rejected, "", errNotOffered
		case strings.Contains(err.Error(), "unable to authenticate"):
			return rejected, "", nil
		case strings.Contains(strings.ToLower(err.Error()), "too many"):
			return lockedOut, err.Error(), nil
		}
		return rejected, "", err
	}
	found := ss.tryCredentialsOn(try, 1) // try learns the method (password or keyboard-interactive) as it goes
	for i := range found {
		if found[i].Check == "default-credentials" && found[i].Result != evidence.Error {
			method := "password"
			if useKI {
				method = "keyboard-interactive"
			}
			found[i].Data = map[string]any{"auth_method": method}
			if !strings.Contains(found[i].Detail, "offers no password") {
				found[i].Detail += " (password logins are offered, by " + method + ")"
			}
		}
	}
	return append(out, found...)
}

// sshHostKeys fails when the server will present a DSA key or an RSA key
// shorter than 2048 bits, to a client that asks for one.
func (ss *session) sshHostKeys() Finding {
	var have, weak []string
	for _, algs := range [][]string{allHostKeyAlgorithms(), {sshDSA}, {ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}} {
		key, _ := ss.sshHandshake("iotlabel-probe", algs, nil)
		if key == nil {
			continue
		}
		desc, isWeak := describeHostKey(key)
		if slices.Contains(have, desc) {
			continue
		}
		have = append(have, desc)
		if isWeak {
			weak = append(weak, desc)
		}
	}
	switch {
	case len(have) == 0:
		return ss.finding("ssh-weak-hostkey", evidence.Error, "no SSH key exchange completed")
	case len(weak) > 0:
		return ss.finding("ssh-weak-hostkey", evidence.Fail, "the server presents a weak host key: "+strings.Join(weak, ", "))
	}
	return ss.finding("ssh-weak-hostkey", evidence.Pass, "host keys offered: "+strings.Join(have, ", "))
}

// describeHostKey names a key and says whether it is weak: any DSA key, and
// RSA keys under 2048 bits.
func describeHostKey(k ssh.PublicKey) (string, bool) {
	ck, ok := k.(ssh.CryptoPublicKey)
	if !ok {
		return k.Type(), false
	}
	switch pk := ck.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		bits := pk.N.BitLen()
		return fmt.Sprintf("RSA %d bits", bits), bits < 2048
	}
	if k.Type() == sshDSA {
		return "DSA", true // 1024-bit by the SSH standard, and retired by OpenSSH
	}
	return k.Type(), false
}

// sshDSA is the DSA host key algorithm ("ssh-dss"), named here because
// x/crypto/ssh deprecates its constant: finding it is this check's job.
const sshDSA = "ssh-dss"

// errNotOffered says a service offers no password login at all.
var errNotOffered = errors.New("the service offers no password login")
