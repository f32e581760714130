package assess_test

import (
	"encoding/json"
	"testing"

	"github.com/gowebpki/jcs"
	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

// TestCanonicalIsJCS holds the hand-written canonical encoder to the reference:
// RFC 8785 canonicalisation (gowebpki/jcs) of encoding/json's output.
func TestCanonicalIsJCS(t *testing.T) {
	e := engine(t)
	odd := tool("default-credentials", evidence.Fail, "quote \" backslash \\ tab \t nl \n ctl \x01 html <&> ünï \u2028 end")
	for _, name := range []string{"camera-default-password", "smart-plug-tier1", "router-tier2", "sensor-non-updateable", "doorbell-support-ending", "camera-contradiction"} {
		t.Run(name, func(t *testing.T) {
			a := e.Assess(example(t, name, func(d *declaration.Declaration) { d.Product.HardwareVersion = "" }), append(verifiedEvidence(), odd), asOf)
			a.Digest = ""
			want := jcsOf(t, a)
			if got := assess.Canonical(a); string(got) != string(want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("canonical JSON differs at byte %d:\n got %s\nwant %s", i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
					}
				}
				t.Fatalf("canonical JSON length %d, want %d", len(got), len(want))
			}
		})
	}
}

// FuzzCanonicalString holds the string encoder, including its eight-bytes-at-a-
// time scan, to RFC 8785 for any input, valid UTF-8 or not.
func FuzzCanonicalString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "12345678\"", "1234567\\8", "abcdefgh\x1f", "abcdefg\x7f", "ünï\u2028", "\xff\xfe broken", "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := jcsOf(t, s)
		if got := assess.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// jcsOf is the reference: RFC 8785 canonicalisation of encoding/json's output.
func jcsOf(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
