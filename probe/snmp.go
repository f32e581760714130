package probe

import (
	"context"
	_ "embed"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/iotlabel/iotlabel/evidence"
)

//go:embed data/snmp-communities.txt
var builtinCommunities string

// SNMPCommunities returns the built-in community strings, most widespread
// first (docs/probes.md names the source).
func SNMPCommunities() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(builtinCommunities, "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" || strings.HasPrefix(l, "# ") || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// sysDescr is SNMPv2-MIB::sysDescr.0, the agent's description of the system.
const sysDescr = ".1.3.6.1.2.1.1.1.0"

// snmpAnswer is a community an agent answered, in one version.
type snmpAnswer struct {
	Community string
	Version   gosnmp.SnmpVersion
	SysDescr  string
}

// snmpRequest encodes a GetRequest for sysDescr.0.
func snmpRequest(v gosnmp.SnmpVersion, community string, id uint32) ([]byte, error) {
	p := &gosnmp.SnmpPacket{Version: v, Community: community, PDUType: gosnmp.GetRequest, RequestID: id,
		Variables: []gosnmp.SnmpPDU{{Name: sysDescr, Type: gosnmp.Null}}}
	return p.MarshalMsg()
}

// snmpSweep asks for sysDescr.0 once per community in v2c and v1, all over
// one socket in bursts of snmpBurst datagrams, and gathers the answers until
// the scanner's timeout passes with nothing more arriving. An agent stays
// silent to a community it does not know, so only answers say anything.
func (s *Scanner) snmpSweep(ctx context.Context, hostport string, communities []string) ([]snmpAnswer, error) {
	dctx, cancel := context.WithTimeout(ctx, s.Timeout)
	conn, err := s.Dial(dctx, "udp", hostport)
	cancel()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	type asked struct {
		community string
		version   gosnmp.SnmpVersion
	}
	requests := map[uint32]asked{}
	id := uint32(time.Now().UnixNano()) & 0x3fffffff
	for i, c := range communities {
		for _, v := range []gosnmp.SnmpVersion{gosnmp.Version2c, gosnmp.Version1} {
			id++
			b, err := snmpRequest(v, c, id)
			if err != nil {
				return nil, fmt.Errorf("encode an SNMP request: %w", err)
			}
			requests[id] = asked{c, v}
			if _, err := conn.Write(b); err != nil {
				return nil, err
			}
		}
		if (i+1)%snmpBurst == 0 {
			time.Sleep(snmpPause) // polite to small agents
		}
	}
	var out []snmpAnswer
	seen := map[asked]bool{}
	buf := make([]byte, 65536)
	decoder := &gosnmp.GoSNMP{}
	for ctx.Err() == nil {
		conn.SetReadDeadline(time.Now().Add(s.Timeout))
		n, err := conn.Read(buf)
		if err != nil {
			break // the timeout passed with nothing more (or the port is closed)
		}
		p, err := decoder.SnmpDecodePacket(buf[:n])
		if err != nil || p.PDUType != gosnmp.GetResponse {
			continue
		}
		a, ok := requests[p.RequestID]
		if !ok || a.community != p.Community || a.version != p.Version || seen[a] || p.Error != gosnmp.NoError {
			continue
		}
		seen[a] = true
		ans := snmpAnswer{Community: a.community, Version: a.version}
		if len(p.Variables) > 0 {
			switch v := p.Variables[0].Value.(type) {
			case []byte:
				ans.SysDescr = firstLine(v)
			case string:
				ans.SysDescr = firstLine([]byte(v))
			}
		}
		out = append(out, ans)
		if len(seen) == len(requests) {
			break
		}
	}
	return out, nil
}

const (
	snmpBurst = 20
	snmpPause = 20 * time.Millisecond
)

// identifySNMP runs the community sweep on SNMP's port 161 (on another UDP
// port, only when it answers "public"): an agent that answers any community
// is an SNMP service, and the communities it answers are a
// default-credentials failure — a community string is SNMP v1/v2c's
// password, sent in clear text.
func (s *Scanner) identifySNMP(ctx context.Context, addr netip.Addr, p Port) (Service, []Finding, bool) {
	hostport := netip.AddrPortFrom(addr, p.Number).String()
	communities := SNMPCommunities()
	if s.Attempts > 0 && s.Attempts < len(communities) {
		communities = communities[:s.Attempts]
	}
	if p.Number != 161 {
		if first, err := s.snmpSweep(ctx, hostport, communities[:1]); err != nil || len(first) == 0 {
			return Service{}, nil, false
		}
	}
	answers, err := s.snmpSweep(ctx, hostport, communities)
	if err != nil || len(answers) == 0 {
		return Service{}, nil, false
	}
	svc := Service{Port: p, Address: hostport, Protocol: "snmp", Banner: answers[0].SysDescr,
		Data: map[string]any{"sys_descr": answers[0].SysDescr}}
	var order, versions []string
	for _, a := range answers {
		if !slices.Contains(order, a.Community) {
			order = append(order, a.Community)
		}
		if v := versionName(a.Version); !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	// The communities are passwords: the evidence masks the first (unless
	// --reveal) and names none.
	f := Finding{Check: "default-credentials", Result: evidence.Fail, Address: hostport, Protocol: "snmp", Time: s.now(),
		Detail: fmt.Sprintf("the SNMP agent answers %d of the %d well-known community strings tried (%s): anyone on the network can read it (system: %q)",
			len(order), len(communities), strings.Join(versions, " and "), answers[0].SysDescr),
		Password: order[0], Data: map[string]any{"communities_answered": len(order), "tried": len(communities), "versions": versions}}
	return svc, []Finding{f}, true
}

func versionName(v gosnmp.SnmpVersion) string {
	if v == gosnmp.Version1 {
		return "v1"
	}
	return "v2c"
}
