package probe

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
)

// TestRecogNamesTheWebDevice: a camera's HTTP Basic realm that a Recog
// fingerprint reads as a D-Link DCS model identifies the device, its
// vendor's defaults go first (root:12345 is D-Link's third and in no
// place of the general list that three attempts reach), and the Server
// header and realm are kept in the service's evidence.
func TestRecogNamesTheWebDevice(t *testing.T) {
	target := webTarget(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "dcs-lig-httpd")
		if u, p, ok := r.BasicAuth(); ok && u == "root" && p == "12345" {
			w.Write([]byte("<html><title>Live view</title></html>"))
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="DCS-2530L"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	s := &Scanner{Timeout: time.Second, Credentials: DefaultCredentials(), VendorCredentials: DefaultVendorCredentials(), Attempts: 3}
	r := scanOne(t, s, target)
	id, ok := Identify(r)
	if !ok || id.Manufacturer != "D-Link" || id.Model != "DCS-2530L" || id.Via != "recog:http" {
		t.Errorf("identity %+v %v (services %+v)", id, ok, r.Services)
	}
	got := credentialFinding(r)
	if got == nil || got.Result != evidence.Fail || got.Username != "root" || !strings.Contains(got.Detail, "the defaults of dlink were tried first") {
		t.Errorf("D-Link defaults first: %+v (all: %s)", got, findings(r))
	}
	if len(r.Services) != 1 || r.Services[0].Data["server"] != "dcs-lig-httpd" || r.Services[0].Data["www_authenticate"] != `Basic realm="DCS-2530L"` {
		t.Errorf("service data: %+v", r.Services)
	}
	// A login page's title names a device too.
	r = scanOne(t, &Scanner{Timeout: time.Second}, webTarget(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><head><title>\n  NETGEAR Router  WNR2000v4\n</title></head><form><input type=password></form></html>"))
	}))
	if id, ok := Identify(r); !ok || id.Model != "WNR2000v4" || len(r.Services) != 1 || r.Services[0].Data["title"] != "NETGEAR Router WNR2000v4" {
		t.Errorf("title: %+v %v (services %+v)", id, ok, r.Services)
	}
}
