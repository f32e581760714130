package fingerprint_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/iotlabel/iotlabel/fingerprint"
)

// TestRecogExamples holds every fingerprint to the examples Recog ships with
// it, as Recog's own tests do: the example matches and gives every parameter
// the example names.
func TestRecogExamples(t *testing.T) {
	db, err := fingerprint.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n, checked := 0, 0
	for _, kind := range fingerprint.Kinds() {
		fps := db.Fingerprints(kind)
		if len(fps) < 10 {
			t.Errorf("%s: %d fingerprints", kind, len(fps))
		}
		for _, fp := range fps {
			n++
			for _, ex := range fp.Examples {
				got, ok := fp.Params(ex.Text)
				if !ok {
					t.Errorf("%s %q: example %q does not match", kind, fp.Description, ex.Text)
					continue
				}
				checked++
				for k, want := range ex.Expect {
					if got[k] != want {
						t.Errorf("%s %q: example %q gives %s=%q, want %q (all: %v)", kind, fp.Description, ex.Text, k, got[k], want, maps.Collect(maps.All(got)))
					}
				}
			}
		}
	}
	t.Logf("%d fingerprints, %d examples checked, %d patterns Go cannot compile", n, checked, db.Skipped)
	if db.Skipped > n/20 {
		t.Errorf("%d of %d patterns skipped", db.Skipped, n)
	}
}

func TestMatchNamesTheDevice(t *testing.T) {
	db, err := fingerprint.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, desc, ok := db.Match(fingerprint.Telnet, "login:")
	if !ok || p["hw.product"] != "" || !strings.Contains(desc, "assert nothing") {
		t.Errorf("bare login: %v %q %v", p, desc, ok)
	}
	if _, _, ok := db.Match(fingerprint.SSH, "no such banner in any database 0xdeadbeef"); ok {
		t.Error("an unknown banner matched")
	}
	// A banner seen again gives the same answer, and what a caller does
	// with its copy changes nothing for the next.
	for range 2 {
		p, _, ok := db.Match(fingerprint.Telnet, "RT-AC54U login:")
		if !ok || p["hw.vendor"] != "Asus" || p["hw.product"] != "RT-AC54U" {
			t.Fatalf("RT-AC54U: %v %v", p, ok)
		}
		p["hw.vendor"] = "changed"
	}
	if _, _, ok := db.Match(fingerprint.SSH, "no such banner in any database 0xdeadbeef"); ok {
		t.Error("an unknown banner matched the second time")
	}
}

// FuzzParse: any input gives fingerprints or an error, never a panic, and a
// parsed fingerprint matches its text without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<fingerprints><fingerprint pattern="^(\S+) login:" flags="REG_ICASE"><description>d</description><example hw.product="X">X login:</example><param pos="1" name="hw.product"/><param pos="0" name="os.cpe23" value="cpe:/o:x:{hw.product}"/></fingerprint></fingerprints>`))
	f.Add([]byte(`<fingerprints><fingerprint pattern="("><param pos="9" name="a"/></fingerprint></fingerprints>`))
	f.Add([]byte(`<fingerprints><fingerprint pattern="a"><example _encoding="base64">!!</example></fingerprint></fingerprints>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fps, _, err := fingerprint.Parse(data)
		if err != nil {
			return
		}
		for _, fp := range fps {
			for _, ex := range fp.Examples {
				fp.Params(ex.Text)
			}
		}
	})
}
