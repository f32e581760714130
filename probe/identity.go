package probe

import "strings"

// Identity is what a device said about itself: from a UPnP device
// description first, else from mDNS TXT records (the md, mf and fw keys
// many devices use), else from what a service said — a telnet, FTP, SSH or
// SNMP banner; an HTTP or RTSP Server header, realm or page title — that one
// of Rapid7 Recog's fingerprints reads as a hardware product.
type Identity struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model"`
	Firmware     string `json:"firmware,omitempty"`
	// Via names where it came from: upnp, mdns or recog:PROTOCOL.
	Via string `json:"via"`
}

// Identify reads a host's identity from its services and findings; ok is
// false when the device named no model.
func Identify(r HostReport) (Identity, bool) {
	for _, f := range r.Findings {
		if f.Check != "upnp-exposed" || f.Data == nil {
			continue
		}
		model, _ := f.Data["model"].(string)
		if model == "" {
			continue
		}
		mf, _ := f.Data["manufacturer"].(string)
		return Identity{Manufacturer: strings.TrimSpace(mf), Model: strings.TrimSpace(model), Via: "upnp"}, true
	}
	for _, s := range r.Services {
		txt, _ := s.Data["mdns_txt"].(map[string][]string)
		for _, records := range txt {
			id := Identity{Via: "mdns"}
			for _, kv := range records {
				k, v, _ := strings.Cut(kv, "=")
				switch strings.ToLower(k) {
				case "md", "model", "ty":
					id.Model = v
				case "mf", "manufacturer", "usb_mfg":
					id.Manufacturer = v
				case "fw", "fwver", "fwvers", "firmware", "sw":
					id.Firmware = v
				}
			}
			if id.Model != "" {
				return id, true
			}
		}
	}
	for _, s := range r.Services {
		if id, ok := recogIdentity(s); ok {
			return id, true
		}
	}
	return Identity{}, false
}
