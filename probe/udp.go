package probe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// coapWellKnownCore is a confirmable CoAP GET for /.well-known/core
// (RFC 7252 and RFC 6690): header, then two Uri-Path options.
func coapWellKnownCore(id uint16) []byte {
	b := []byte{0x40, 0x01, byte(id >> 8), byte(id)}
	b = append(b, 0xB0|11)
	b = append(b, ".well-known"...)
	b = append(b, 0x00|4)
	return append(b, "core"...)
}

// coapMessage is the part of a CoAP response the check needs.
type coapMessage struct {
	Code    byte // class<<5 | detail, e.g. 0x45 is 2.05 Content
	ID      uint16
	Payload []byte
}

// parseCoAP reads a CoAP message, skipping its token and options.
func parseCoAP(b []byte) (coapMessage, error) {
	if len(b) < 4 || b[0]>>6 != 1 {
		return coapMessage{}, errors.New("not a CoAP version 1 message")
	}
	m := coapMessage{Code: b[1], ID: binary.BigEndian.Uint16(b[2:4])}
	tkl := int(b[0] & 0x0F)
	if tkl > 8 || len(b) < 4+tkl {
		return coapMessage{}, errors.New("bad CoAP token length")
	}
	rest := b[4+tkl:]
	for len(rest) > 0 {
		if rest[0] == 0xFF {
			if len(rest) == 1 {
				return coapMessage{}, errors.New("CoAP payload marker with no payload")
			}
			m.Payload = rest[1:]
			return m, nil
		}
		delta, length := int(rest[0]>>4), int(rest[0]&0x0F)
		rest = rest[1:]
		var err error
		if _, rest, err = coapExtended(delta, rest); err != nil {
			return coapMessage{}, err
		}
		if length, rest, err = coapExtended(length, rest); err != nil {
			return coapMessage{}, err
		}
		if length > len(rest) {
			return coapMessage{}, errors.New("CoAP option runs past the message")
		}
		rest = rest[length:]
	}
	return m, nil
}

// coapExtended decodes an option delta or length nibble and its extension.
func coapExtended(n int, b []byte) (int, []byte, error) {
	switch n {
	case 13:
		if len(b) < 1 {
			return 0, nil, errors.New("truncated CoAP option")
		}
		return int(b[0]) + 13, b[1:], nil
	case 14:
		if len(b) < 2 {
			return 0, nil, errors.New("truncated CoAP option")
		}
		return int(binary.BigEndian.Uint16(b)) + 269, b[2:], nil
	case 15:
		return 0, nil, errors.New("reserved CoAP option nibble 15")
	}
	return n, b, nil
}

const ssdpSearch = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"

// udpExchange sends one datagram and waits for one answer.
func (s *Scanner) udpExchange(ctx context.Context, hostport string, msg []byte) ([]byte, error) {
	dctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	conn, err := s.Dial(dctx, "udp", hostport)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(s.Timeout))
	if _, err := conn.Write(msg); err != nil {
		return nil, err
	}
	buf := make([]byte, 2048)
	n, err := conn.Read(buf)
	return buf[:n], err
}

// identifyUDP asks a UDP port for CoAP's resource list, for SSDP devices,
// for mDNS service types and for SNMP's system description. UDP has no handshake: ok is false
// when none answers.
func (s *Scanner) identifyUDP(ctx context.Context, addr netip.Addr, p Port) (Service, []Finding, bool) {
	hostport := netip.AddrPortFrom(addr, p.Number).String()
	svc := Service{Port: p, Address: hostport}
	// The questions go out at once: a port that answers none of them costs
	// one timeout, not four.
	id := uint16(time.Now().UnixNano())
	var coapAns, ssdpAns []byte
	var coapErr, ssdpErr error
	var mdns, snmp Service
	var mdnsOK, snmpOK bool
	var snmpFindings []Finding
	var wg sync.WaitGroup
	wg.Go(func() { coapAns, coapErr = s.udpExchange(ctx, hostport, coapWellKnownCore(id)) })
	wg.Go(func() { ssdpAns, ssdpErr = s.udpExchange(ctx, hostport, []byte(ssdpSearch)) })
	wg.Go(func() { mdns, mdnsOK = s.identifyMDNS(ctx, addr, p) })
	wg.Go(func() { snmp, snmpFindings, snmpOK = s.identifySNMP(ctx, addr, p) })
	wg.Wait()
	if snmpOK {
		return snmp, snmpFindings, true
	}
	if coapErr == nil {
		if m, err := parseCoAP(coapAns); err == nil && m.ID == id {
			svc.Protocol = "coap"
			svc.Banner = fmt.Sprintf("CoAP %d.%02d", m.Code>>5, m.Code&31)
			return svc, []Finding{coapFinding(svc, m)}, true
		}
	}
	if ssdpErr == nil && bytes.HasPrefix(ssdpAns, []byte("HTTP/1.1 200")) {
		svc.Protocol = "ssdp"
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(ssdpAns)))
		r.ReadLine() // the status line
		h, _ := r.ReadMIMEHeader()
		svc.Banner = h.Get("Server")
		return svc, []Finding{s.ssdpFinding(ctx, svc, h)}, true
	}
	if mdnsOK {
		return mdns, nil, true
	}
	return svc, nil, false
}

func coapFinding(svc Service, m coapMessage) Finding {
	f := Finding{Check: "coap-open", Address: svc.Address, Protocol: "coap"}
	if m.Code == 0x45 {
		res := string(m.Payload)
		if len(res) > 300 {
			res = res[:300] + "…"
		}
		f.Result, f.Detail = evidence.Fail, "CoAP lists its resources without authentication: "+res
		f.Data = map[string]any{"resources": string(m.Payload)}
		return f
	}
	f.Result, f.Detail = evidence.Pass, fmt.Sprintf("GET /.well-known/core answered %d.%02d, not the resource list", m.Code>>5, m.Code&31)
	return f
}

// ssdpFinding reports an SSDP responder and, when its LOCATION is on the
// same device, what the device description says the device is.
func (s *Scanner) ssdpFinding(ctx context.Context, svc Service, h textproto.MIMEHeader) Finding {
	f := Finding{Check: "upnp-exposed", Result: evidence.Fail, Address: svc.Address, Protocol: "ssdp",
		Detail: fmt.Sprintf("answers SSDP M-SEARCH (server %q, location %s): UPnP lets any program on the network reconfigure the device", h.Get("Server"), h.Get("Location"))}
	f.Data = map[string]any{"server": h.Get("Server"), "location": h.Get("Location"), "usn": h.Get("Usn")}
	u, err := url.Parse(h.Get("Location"))
	host, _, _ := net.SplitHostPort(svc.Address)
	if err != nil || u.Scheme != "http" || u.Hostname() != host || u.Port() == "" {
		return f
	}
	ss := &session{s: s, ctx: ctx, svc: &Service{Address: u.Host, Protocol: "http"}}
	rep, err := ss.request("GET", u.RequestURI(), "HTTP/1.1", nil)
	if err != nil || rep.status != 200 {
		return f
	}
	var desc struct {
		Device struct {
			FriendlyName string `xml:"friendlyName"`
			Manufacturer string `xml:"manufacturer"`
			ModelName    string `xml:"modelName"`
			ModelNumber  string `xml:"modelNumber"`
			SerialNumber string `xml:"serialNumber"`
		} `xml:"device"`
	}
	if xml.Unmarshal(rep.body, &desc) == nil && desc.Device.ModelName != "" {
		d := desc.Device
		f.Data["manufacturer"], f.Data["model"], f.Data["model_number"] = d.Manufacturer, d.ModelName, d.ModelNumber
		f.Detail += fmt.Sprintf("; it describes itself as %s %s %s", d.Manufacturer, d.ModelName, strings.TrimSpace(d.ModelNumber))
	}
	return f
}
