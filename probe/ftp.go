package probe

import (
	"bufio"
	"fmt"
	"net/textproto"

	"github.com/iotlabel/iotlabel/evidence"
)

// ftpLogin tries USER and PASS on a fresh connection and leaves with QUIT.
func (ss *session) ftpLogin(c Credential) (loginResult, string, error) {
	conn, err := ss.dial()
	if err != nil {
		return rejected, "", err
	}
	defer conn.Close()
	r := textproto.NewReader(bufio.NewReader(conn))
	step := func(cmd string) (int, string, error) {
		if cmd != "" {
			if _, err := fmt.Fprintf(conn, "%s\r\n", cmd); err != nil {
				return 0, "", err
			}
		}
		code, msg, err := r.ReadResponse(0)
		if code == 0 && err != nil {
			return 0, "", err
		}
		return code, msg, nil
	}
	code, msg, err := step("")
	switch {
	case err != nil:
		return rejected, "", err
	case code == 421:
		return lockedOut, fmt.Sprintf("%d %s", code, msg), nil
	case code != 220:
		return rejected, "", fmt.Errorf("FTP greeting %d %s", code, msg)
	}
	if code, msg, err = step("USER " + c.Username); err != nil {
		return rejected, "", err
	}
	if code == 331 {
		if code, msg, err = step("PASS " + c.Password); err != nil {
			return rejected, "", err
		}
	}
	step("QUIT")
	switch {
	case code == 230:
		return accepted, fmt.Sprintf("FTP answered %d %s", code, firstLine([]byte(msg))), nil
	case code == 421 || containsAny(msg, lockoutSigns...):
		return lockedOut, fmt.Sprintf("%d %s", code, msg), nil
	case code == 530:
		return rejected, fmt.Sprintf("%d %s", code, msg), nil
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
	return append(out, ss.tryCredentials(ss.ftpLogin)...)
}
