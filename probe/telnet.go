package probe

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// Telnet protocol bytes (RFC 854).
const (
	tnIAC  = 255
	tnDONT = 254
	tnDO   = 253
	tnWONT = 252
	tnWILL = 251
	tnSB   = 250
	tnSE   = 240
)

// telnetConn reads the text of a telnet session, refusing every option the
// server proposes (so the session stays a plain line-mode exchange).
type telnetConn struct {
	net.Conn
	timeout time.Duration
	state   int // 0 text, 1 after IAC, 2 after IAC DO/DONT/WILL/WONT, 3 in subnegotiation, 4 IAC in subnegotiation
	verb    byte
	text    strings.Builder
	pending string // the login prompt a kept connection waits at
}

// readUntil reads until done says the text so far is enough, the deadline
// passes or the server closes; it returns the text read (capped at 16 KiB).
func (t *telnetConn) readUntil(done func(string) bool) string {
	t.text.Reset()
	t.SetDeadline(time.Now().Add(t.timeout)) // each step gets the full timeout, writes included
	buf := make([]byte, 512)
	for t.text.Len() < 16<<10 {
		n, err := t.Read(buf)
		var reply []byte
		for _, b := range buf[:n] {
			reply = t.feed(b, reply)
		}
		if len(reply) > 0 {
			t.Write(reply)
		}
		if done(t.text.String()) || err != nil {
			break
		}
	}
	return t.text.String()
}

// feed handles one byte: text is kept, options are answered with refusals.
func (t *telnetConn) feed(b byte, reply []byte) []byte {
	switch t.state {
	case 0:
		if b == tnIAC {
			t.state = 1
		} else if b != 0 {
			t.text.WriteByte(b)
		}
	case 1:
		switch b {
		case tnDO, tnDONT, tnWILL, tnWONT:
			t.verb, t.state = b, 2
		case tnSB:
			t.state = 3
		case tnIAC:
			t.text.WriteByte(b)
			t.state = 0
		default:
			t.state = 0
		}
	case 2:
		switch t.verb {
		case tnDO:
			reply = append(reply, tnIAC, tnWONT, b)
		case tnWILL:
			reply = append(reply, tnIAC, tnDONT, b)
		}
		t.state = 0
	case 3:
		if b == tnIAC {
			t.state = 4
		}
	case 4:
		if b == tnSE {
			t.state = 0
		} else {
			t.state = 3
		}
	}
	return reply
}

func containsAny(s string, words ...string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var (
	userPrompts    = []string{"login:", "username:", "user name:", "user:"}
	loginFailures  = []string{"incorrect", "failed", "failure", "denied", "invalid", "bad password", "wrong"}
	lockoutSigns   = []string{"locked", "too many", "try again later", "blocked"}
	telnetMarker   = "iotlabel$((40+2))" // the command a shell answers with telnetAnswer
	telnetAnswer   = "iotlabel42"
	shellPromptEnd = "#$>%"
)

// ansiEscape matches terminal control sequences, such as the cursor
// position query BusyBox's line editor sends after its prompt.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// repromptWait bounds the wait for a new login prompt after a refusal.
const repromptWait = 500 * time.Millisecond

var (
	errNoPrompt = errors.New("no login prompt within the timeout")
	// errStale: a kept connection turned out closed before the credential
	// could be tried; it is tried again on a fresh connection.
	errStale = errors.New("kept connection closed")
)

// endsWithPrompt says whether text ends like a shell prompt.
func endsWithPrompt(text string) bool {
	t := strings.TrimRight(ansiEscape.ReplaceAllString(text, ""), " \t\r\n")
	return t != "" && strings.ContainsRune(shellPromptEnd, rune(t[len(t)-1]))
}

// telnetLogin tries one credential. A login is accepted when a shell prompt
// appears and the shell answers a harmless echo that only a shell expands;
// it is promptOnly when a prompt appears with no failure text but the echo
// is not answered (a restricted shell or vendor CLI). tryCredentials tells
// either apart from a device that answers every login alike by the random
// login it tries first.
//
// Devices that allow several tries per connection re-prompt after a refusal;
// such a connection is kept for the next credential (idle), which saves the
// connection, the banner and often the device's welcome delay. A kept
// connection the device has meanwhile closed is replaced by a fresh one.
func (ss *session) telnetLogin(c Credential) (loginResult, string, error) {
	if t, ok := ss.idleTelnet.get(); ok {
		if res, why, err := ss.telnetAttempt(t, c); !errors.Is(err, errStale) {
			return res, why, err
		}
	}
	conn, err := ss.dial()
	if err != nil {
		return rejected, "", err
	}
	return ss.telnetAttempt(&telnetConn{Conn: conn, timeout: ss.s.Timeout}, c)
}

// telnetAttempt logs in with c on t, which is fresh or was kept at a login
// prompt (t.pending); it keeps t for the next credential when the device
// re-prompts after refusing c, and closes it otherwise.
func (ss *session) telnetAttempt(t *telnetConn, c Credential) (res loginResult, why string, err error) {
	keep := false
	defer func() { ss.idleTelnet.release(t, keep) }()
	text := t.pending
	reused := text != ""
	t.pending = ""
	if !reused {
		text = t.readUntil(func(s string) bool {
			return containsAny(s, userPrompts...) || containsAny(s, "password:") || containsAny(s, lockoutSigns...)
		})
	}
	switch {
	case containsAny(text, lockoutSigns...):
		return lockedOut, lastLine(text), nil
	case containsAny(text, userPrompts...):
		t.Write([]byte(c.Username + "\r\n"))
		text = t.readUntil(func(s string) bool { return containsAny(s, "password:") || endsWithPrompt(s) })
		if !containsAny(text, "password:") {
			switch {
			case endsWithPrompt(text):
				return ss.telnetShell(t, text)
			case reused:
				return rejected, "", errStale // the device left; c was not tried
			}
			return rejected, "no password prompt", nil
		}
	case !containsAny(text, "password:"):
		return rejected, "", errNoPrompt
	}
	t.Write([]byte(c.Password + "\r\n"))
	text = t.readUntil(func(s string) bool {
		return endsWithPrompt(s) || containsAny(s, loginFailures...) || containsAny(s, lockoutSigns...) || containsAny(s, userPrompts...)
	})
	switch {
	case reused && strings.TrimSpace(text) == "":
		return rejected, "", errStale
	case containsAny(text, lockoutSigns...):
		return lockedOut, lastLine(text), nil
	case containsAny(text, loginFailures...) || containsAny(text, userPrompts...) || !endsWithPrompt(text):
		why = lastLine(text)
		// A re-prompt on the same connection: keep it for the next credential.
		// The prompt follows the failure text at once on devices that re-prompt;
		// one that does not is not waited for long.
		if !containsAny(lastLine(text), userPrompts...) {
			saved := t.timeout
			t.timeout = min(saved, repromptWait)
			text += t.readUntil(func(s string) bool { return containsAny(s, userPrompts...) || containsAny(s, lockoutSigns...) })
			t.timeout = saved
		}
		if last := lastLine(text); containsAny(last, userPrompts...) && !containsAny(text, lockoutSigns...) {
			t.pending, keep = last, true
		}
		return rejected, why, nil
	}
	return ss.telnetShell(t, text)
}

// telnetShell confirms a shell by a harmless echo and leaves; after is what
// the device sent after the password, ending in a prompt.
func (ss *session) telnetShell(t *telnetConn, after string) (loginResult, string, error) {
	t.Write([]byte("echo " + telnetMarker + "\r\n"))
	out := t.readUntil(func(s string) bool { return strings.Contains(s, telnetAnswer) })
	t.Write([]byte("exit\r\n"))
	if strings.Contains(out, telnetAnswer) {
		return accepted, "a shell prompt appeared and answered a harmless echo", nil
	}
	prompt := lastLine(ansiEscape.ReplaceAllString(after, ""))
	return promptOnly, fmt.Sprintf("login accepted (prompt %q), command not confirmed", prompt), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		s = s[i+1:]
	}
	return firstLine([]byte(s))
}
