package registry

import "testing"

func TestSlug(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"Northgate Networks GmbH"}, "northgate-networks-gmbh"},
		{[]string{"northgate-networks-gmbh", "NG-AX3000"}, "northgate-networks-gmbh-ng-ax3000"},
		{[]string{"  Ääkkönen Oy!! "}, "ääkkönen-oy"},
		{[]string{"小米"}, "小米"},
		{[]string{"--"}, ""},
	} {
		if got := slug(tc.in...); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
