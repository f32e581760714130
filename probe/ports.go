package probe

import (
	"fmt"
	"strconv"
	"strings"
)

// Port is a port and its transport.
type Port struct {
	Number uint16
	Proto  string // tcp or udp
}

func (p Port) String() string {
	if p.Proto == "udp" {
		return fmt.Sprintf("%d/udp", p.Number)
	}
	return strconv.Itoa(int(p.Number))
}

// DefaultPorts are the ports consumer IoT devices commonly expose: FTP, SSH,
// telnet (and 2323, Mirai's second telnet port), HTTP(S) admin pages on
// 80/443/8080/8443, RTSP cameras, MQTT and MQTT over TLS, TR-069 (7547),
// and UDP CoAP, SSDP, mDNS and SNMP. docs/probes.md lists what each is.
const DefaultPorts = "21,22,23,80,443,554,1883,2323,7547,8080,8443,8883,5683/udp,1900/udp,5353/udp,161/udp"

// ParsePorts reads a list such as "22,80-90,5683/udp".
func ParsePorts(s string) ([]Port, error) {
	var out []Port
	seen := map[Port]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		proto := "tcp"
		if v, ok := strings.CutSuffix(item, "/udp"); ok {
			item, proto = v, "udp"
		} else if v, ok := strings.CutSuffix(item, "/tcp"); ok {
			item = v
		}
		lo, hi, isRange := strings.Cut(item, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || a == 0 || b < a {
			return nil, fmt.Errorf("port %q: want a number 1-65535, a range such as 8000-8090, optionally /udp", item)
		}
		for n := a; n <= b; n++ {
			p := Port{Number: uint16(n), Proto: proto}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}
