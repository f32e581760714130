package probe

import (
	"cmp"
	"strings"

	"github.com/iotlabel/iotlabel/fingerprint"
)

// recogKinds maps the probe's protocols to the Recog databases that read
// their banners, and says how to cut the banner to what the database expects.
var recogKinds = map[string]struct {
	kind string
	cut  func(string) string
}{
	"telnet": {fingerprint.Telnet, func(s string) string { return s }},
	"ftp":    {fingerprint.FTP, func(s string) string { return strings.TrimLeft(strings.TrimPrefix(s, "220"), " -") }},
	"ssh": {fingerprint.SSH, func(s string) string {
		for _, p := range []string{"SSH-2.0-", "SSH-1.99-", "SSH-1.5-"} {
			if rest, ok := strings.CutPrefix(s, p); ok {
				return rest
			}
		}
		return s
	}},
	"snmp": {fingerprint.SNMP, func(s string) string { return s }},
}

// recogTexts are what an HTTP or RTSP service said that Recog reads, by
// the key the probe keeps it under in Service.Data, and the database.
var recogTexts = map[string][]struct{ key, kind string }{
	"http":  {{"server", fingerprint.HTTPServer}, {"www_authenticate", fingerprint.HTTPAuth}, {"title", fingerprint.HTMLTitle}},
	"https": {{"server", fingerprint.HTTPServer}, {"www_authenticate", fingerprint.HTTPAuth}, {"title", fingerprint.HTMLTitle}},
	"rtsp":  {{"server", fingerprint.RTSPServer}},
}

// recognise returns what Recog's fingerprints read in what a service said
// (its banner; an HTTP or RTSP server's Server header, authentication
// challenge and page title): of the fingerprints that match, the first that
// names a hardware product, else the first that names a vendor, else the
// first; nil when none matches.
func recognise(svc Service) map[string]string {
	db, err := fingerprint.Builtin()
	if err != nil {
		return nil // the embedded databases are checked by tests
	}
	var texts [][2]string // kind, text
	if k, ok := recogKinds[svc.Protocol]; ok && svc.Banner != "" {
		texts = append(texts, [2]string{k.kind, k.cut(svc.Banner)})
	}
	for _, t := range recogTexts[svc.Protocol] {
		if v, _ := svc.Data[t.key].(string); v != "" {
			texts = append(texts, [2]string{t.kind, v})
		}
	}
	var vendor, first map[string]string
	for _, t := range texts {
		p, _, ok := db.Match(t[0], t[1])
		switch {
		case !ok:
		case p["hw.product"] != "":
			return p
		case vendor == nil && cmp.Or(p["hw.vendor"], p["os.vendor"]) != "":
			vendor = p
		case first == nil:
			first = p
		}
	}
	if vendor != nil {
		return vendor
	}
	return first
}

// recogIdentity is the device a banner names by model: a fingerprint that
// gives a hardware product (Recog's hw.product; os.product for the SNMP
// descriptions of appliances, which name the device's own system).
func recogIdentity(svc Service) (Identity, bool) {
	p := recognise(svc)
	model := p["hw.product"]
	if model == "" && svc.Protocol == "snmp" && p["hw.device"] != "" {
		model = p["os.product"]
	}
	if model == "" {
		return Identity{}, false
	}
	return Identity{Manufacturer: cmp.Or(p["hw.vendor"], p["os.vendor"]), Model: model,
		Firmware: cmp.Or(p["hw.version"], p["os.version"]), Via: "recog:" + svc.Protocol}, true
}

// vendorText is what may name a service's vendor: its banner, what an HTTP
// or RTSP server said of itself, and the vendor a fingerprint reads in them.
func vendorText(svc Service) string {
	parts := []string{svc.Banner}
	for _, t := range recogTexts[svc.Protocol] {
		if v, _ := svc.Data[t.key].(string); v != "" {
			parts = append(parts, v)
		}
	}
	p := recognise(svc)
	return strings.Join(append(parts, cmp.Or(p["hw.vendor"], p["os.vendor"])), " ")
}
