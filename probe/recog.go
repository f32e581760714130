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

// recognise returns what Recog's fingerprints read in a service's banner
// (hw.vendor, hw.product, os.version…), or nil.
func recognise(svc Service) map[string]string {
	k, ok := recogKinds[svc.Protocol]
	if !ok || svc.Banner == "" {
		return nil
	}
	db, err := fingerprint.Builtin()
	if err != nil {
		return nil // the embedded databases are checked by tests
	}
	p, _, ok := db.Match(k.kind, k.cut(svc.Banner))
	if !ok {
		return nil
	}
	return p
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

// recogVendor is the vendor a banner's fingerprint names, or "".
func recogVendor(svc Service) string {
	p := recognise(svc)
	return cmp.Or(p["hw.vendor"], p["os.vendor"])
}
