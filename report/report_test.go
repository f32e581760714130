package report

import (
	"regexp"
	"testing"
)

func TestControlIDIsAnOSCALToken(t *testing.T) {
	token := regexp.MustCompile(`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)
	for ref, want := range map[string]string{
		"etsi-en-303-645:5.1-1":     "etsi-en-303-645_5.1-1",
		"eu-cra:I(2)(a)":            "eu-cra_I.2.a",
		"us-ca-sb327:1798.91.04(b)": "us-ca-sb327_1798.91.04.b",
		"eu-cra:Art13(8)":           "eu-cra_Art13.8",
	} {
		got := ControlID(ref)
		if got != want || !token.MatchString(got) {
			t.Errorf("ControlID(%q) = %q, want %q (an OSCAL token)", ref, got, want)
		}
	}
}

func TestUUID5IsStableAndVersion5(t *testing.T) {
	a, b := uuid5("x"), uuid5("x")
	if a != b || uuid5("y") == a {
		t.Fatalf("uuid5 not deterministic or not distinct: %s %s", a, b)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("%s is not an RFC 9562 version-5 UUID", a)
	}
}
