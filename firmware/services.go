package firmware

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Service is something the image starts at boot, and how.
type Service struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Line int    `json:"line"`
	// Detail quotes the line and says what it means.
	Detail string `json:"detail"`
	// Insecure marks a service that exposes the device: telnet, a shell
	// without login, a debug or backdoor listener, UPnP without secure mode.
	Insecure bool `json:"insecure"`
}

// bootFile says whether a file is read at boot: inittab, rc scripts,
// init.d and rc.d scripts, systemd units, OpenWrt's UCI configuration.
func bootFile(p string) bool {
	dir, base := path.Dir(p), path.Base(p)
	switch {
	case p == "/etc/inittab", p == "/etc/rc.local", p == "/etc/rcS", p == "/etc/init.d/rcS", p == "/etc/rc":
		return true
	case strings.HasPrefix(dir, "/etc/init.d"), strings.HasPrefix(dir, "/etc/rc.d"), strings.HasPrefix(dir, "/etc/rc"):
		return true
	case strings.HasSuffix(base, ".service") && strings.Contains(dir, "/systemd/"):
		return true
	case dir == "/etc/config":
		return true
	case p == "/etc/ssh/sshd_config":
		return true
	}
	return false
}

var (
	reTelnetd   = regexp.MustCompile(`(^|[\s/;&|'"])u?telnetd\b`)
	reShellFlag = regexp.MustCompile(`\s-l\s*['"]?/bin/(?:ba|a)?sh\b`)
	reDropbear  = regexp.MustCompile(`(^|[\s/;&|'"])dropbear\b`)
	reDebug     = regexp.MustCompile(`(^|[\s/;&|'"])(gdbserver|shellback|(?:nc|netcat|busybox nc)\s[^;&|]*-l[^;&|]*-e\s*/bin/(?:ba|a)?sh|(?:nc|netcat)\s[^;&|]*-e\s*/bin/(?:ba|a)?sh[^;&|]*-l)\b`)
	reMiniupnpd = regexp.MustCompile(`(^|[\s/;&|'"])miniupnpd\b`)
)

// maxBootFile bounds a boot script read.
const maxBootFile = 1 << 20

// Services reads what the image starts at boot.
func Services(ctx context.Context, t *Tree) ([]Service, error) {
	var out []Service
	for _, f := range t.Files {
		if f.Kind != KindFile || !bootFile(f.Path) || f.Size > maxBootFile {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := t.ReadFile(f, maxBootFile)
		if err != nil || bytes.HasPrefix(data, []byte("\x7fELF")) {
			continue
		}
		if path.Dir(f.Path) == "/etc/config" {
			out = append(out, uciServices(f.Path, data)...)
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), maxBootFile)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			add := func(name, what string, insecure bool) {
				out = append(out, Service{Name: name, Path: f.Path, Line: n, Detail: fmt.Sprintf("%s: %q", what, clip(line)), Insecure: insecure})
			}
			switch {
			case reTelnetd.MatchString(line) && reShellFlag.MatchString(line):
				add("telnetd", "telnet server that hands out a shell without asking for a login", true)
			case reTelnetd.MatchString(line):
				add("telnetd", "telnet server started at boot (logins and everything typed cross the network in clear text)", true)
			case reDebug.MatchString(line):
				add("debug-listener", "debug or backdoor listener started at boot", true)
			case reDropbear.MatchString(line) && !strings.Contains(line, " -s"):
				add("dropbear", "SSH server that accepts password logins (no -s)", false)
			case reDropbear.MatchString(line):
				add("dropbear", "SSH server, password logins off (-s)", false)
			case reMiniupnpd.MatchString(line):
				add("miniupnpd", "UPnP IGD daemon: lets programs on the LAN open ports on the router", false)
			case path.Base(f.Path) == "sshd_config" && strings.EqualFold(strings.Join(strings.Fields(line), " "), "PasswordAuthentication yes"):
				add("sshd", "OpenSSH accepts password logins", false)
			case path.Base(f.Path) == "sshd_config" && strings.EqualFold(strings.Join(strings.Fields(line), " "), "PermitRootLogin yes"):
				add("sshd", "OpenSSH lets root log in with a password", false)
			}
		}
	}
	return out, nil
}

// uciServices reads OpenWrt UCI configuration for services that matter:
// UPnP enabled (and whether secure mode is off) and Dropbear's password
// logins.
func uciServices(p string, data []byte) []Service {
	var out []Service
	opts := map[string]int{} // option name → line
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[0] == "option" {
			opts[f[1]] = n
			vals[f[1]] = strings.Trim(f[2], `'"`)
		}
	}
	switch path.Base(p) {
	case "upnpd":
		if vals["enable_upnp"] == "1" || vals["enabled"] == "1" {
			s := Service{Name: "miniupnpd", Path: p, Line: opts["enable_upnp"], Detail: "UPnP enabled in UCI (enable_upnp 1)"}
			if vals["secure_mode"] == "0" {
				s.Detail += " with secure_mode 0: any LAN host may map ports for any other"
				s.Insecure = true
			}
			out = append(out, s)
		}
	case "dropbear":
		if vals["PasswordAuth"] == "on" || vals["PasswordAuth"] == "1" {
			out = append(out, Service{Name: "dropbear", Path: p, Line: opts["PasswordAuth"], Detail: "SSH password logins on (PasswordAuth on)"})
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
