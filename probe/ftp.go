package probe

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/textproto"

	"github.com/iotlabel/iotlabel/evidence"
)

// ftpConn is an FTP control connection.
type ftpConn struct {
	net.Conn
	r *textproto.Reader
}

// step sends cmd (none for the greeting) and reads the reply.
func (f *ftpConn) step(cmd string) (int, string, error) {
	if cmd != "" {
		if _, err := fmt.Fprintf(f.Conn, "%s\r\n", cmd); err != nil {
			return 0, "", err
		}
	}
	code, msg, err := f.r.ReadResponse(0)
	if code == 0 && err != nil {
		return 0, "", err
	}
	return code, msg, nil
}

// ftpLogin tries USER and PASS. After a 530 the connection is kept for the
// next credential (servers allow a few tries per connection, vsftpd three);
// a kept connection the server has closed is replaced by a fresh one.
// Otherwise it leaves with QUIT.
func (ss *session) ftpLogin(c Credential) (loginResult, string, error) {
	if f, ok := ss.idleFTP.get(); ok {
		if res, why, err := ss.ftpAttempt(f, c, true); !errors.Is(err, errStale) {
			return res, why, err
		}
	}
	conn, err := ss.dial()
	if err != nil {
		return rejected, "", err
	}
	f := &ftpConn{Conn: conn, r: textproto.NewReader(bufio.NewReader(conn))}
	code, msg, err := f.step("")
	switch {
	case err != nil:
		conn.Close()
		return rejected, "", err
	case code == 421:
		conn.Close()
		return lockedOut, fmt.Sprintf("%d %s", code, msg), nil
	case code != 220:
		conn.Close()
		return rejected, "", fmt.Errorf("FTP greeting %d %s", code, msg)
	}
	return ss.ftpAttempt(f, c, false)
}

// ftpAttempt logs in with c on f, past its greeting; reused says f was kept
// from an earlier refusal, so that a closed connection means c was not tried.
func (ss *session) ftpAttempt(f *ftpConn, c Credential, reused bool) (loginResult, string, error) {
	code, msg, err := f.step("USER " + c.Username)
	if err == nil && code == 331 {
		code, msg, err = f.step("PASS " + c.Password)
	}
	switch {
	case err != nil && reused, reused && code == 421:
		f.Close()
		return rejected, "", errStale
	case err != nil:
		f.Close()
		return rejected, "", err
	case code == 530 && !containsAny(msg, lockoutSigns...):
		ss.idleFTP.put(f)
		return rejected, fmt.Sprintf("%d %s", code, msg), nil
	}
	f.step("QUIT")
	f.Close()
	switch {
	case code == 230:
		return accepted, fmt.Sprintf("FTP answered %d %s", code, firstLine([]byte(msg))), nil
	case code == 421 || containsAny(msg, lockoutSigns...):
		return lockedOut, fmt.Sprintf("%d %s", code, msg), nil
	}
	return rejected, "", fmt.Errorf("unexpected FTP answer %d %s", code, firstLine([]byte(msg)))
}

// ftpChecks tries an anonymous login, then the default credentials.
func (ss *session) ftpChecks() []Finding {
	var out []Finding
	if err := ss.wait(); err != nil {
		return nil
	}
	res, why, err := ss.ftpLogin(Credential{Username: "anonymous", Password: "probe@iotlabel.invalid"})
	switch {
	case err != nil:
		out = append(out, ss.finding("anonymous-access", evidence.Error, "could not try an anonymous login: "+err.Error()))
	case res == accepted:
		out = append(out, ss.finding("anonymous-access", evidence.Fail, "the FTP server accepts anonymous logins: "+why))
		return out // an anonymous server answers 230 to many names; its credentials prove nothing
	default:
		out = append(out, ss.finding("anonymous-access", evidence.Pass, "anonymous FTP login refused: "+why))
	}
	out = append(out, ss.tryCredentials(ss.ftpLogin)...)
	ss.idleFTP.closeAll()
	return out
}
