package firmware_test

import (
	"slices"
	"testing"

	"github.com/iotlabel/iotlabel/firmware"
	"github.com/iotlabel/iotlabel/sbom"
)

// TestReconcile: found components against a declared SBOM — matched by CPE
// product, purl name, name or alias; a distribution's version string
// declares its upstream version; what the SBOM leaves out, gives another
// version, or declares without the image shipping it is named.
func TestReconcile(t *testing.T) {
	rules, err := firmware.DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	found := []firmware.Component{
		{Name: "busybox", Version: "1.35.0"}, {Name: "openssh", Version: "9.2p1"}, {Name: "zlib", Version: "1.2.13"},
		{Name: "dropbear_ssh", Version: "2022.83"}, {Name: "glibc", Version: "2.36"}, {Name: "uhttpd"},
	}
	declared := []sbom.Component{
		{Name: "BusyBox", Version: "1.35.0", CPE: "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"},
		{Name: "openssh-server", Version: "8.4p1"},                                                // another version
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1"}, // alias, distribution version
		{Name: "dropbear", Version: "v2022.83"},                                                   // alias, leading v
		{Name: "dnsmasq", Version: "2.89"},                                                        // declared, not shipped
		{Name: "libfoo", Version: "1.0"},                                                          // unknown to the rules
		{Name: "uhttpd", Version: "2023-06-25"},                                                   // found without a version: matched
	}
	r := rules.Reconcile("sbom.cdx.json", found, declared)
	slices.Sort(r.Matched)
	want := []string{"busybox 1.35.0", "dropbear_ssh 2022.83", "uhttpd", "zlib 1.2.13"}
	if !slices.Equal(r.Matched, want) {
		t.Errorf("matched %q, want %q", r.Matched, want)
	}
	if !slices.Equal(r.Undeclared, []string{"glibc 2.36"}) {
		t.Errorf("undeclared %q", r.Undeclared)
	}
	if !slices.Equal(r.Mismatched, []string{"openssh: the image has 9.2p1, the SBOM says 8.4p1"}) {
		t.Errorf("mismatched %q", r.Mismatched)
	}
	if !slices.Equal(r.Missing, []string{"dnsmasq 2.89"}) || r.Unknown != 1 {
		t.Errorf("missing %q, unknown %d", r.Missing, r.Unknown)
	}
}
