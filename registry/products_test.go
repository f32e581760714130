package registry

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/sqlite"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"Northgate Networks GmbH"}, "northgate-networks-gmbh"},
		{[]string{"northgate-networks-gmbh", "NG-AX3000"}, "northgate-networks-gmbh-ng-ax3000"},
		{[]string{"ſtarlight Ｄevices"}, "starlight-devices"}, // NFKC: look-alikes share one ID
		{[]string{"  Ääkkönen Oy!! "}, "ääkkönen-oy"},
		{[]string{"小米"}, "小米"},
		{[]string{"--"}, ""},
	} {
		if got := slug(tc.in...); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestIdentityAttacks: names are NFKC-normalised and compared exactly: a
// token for "ſtarlight Devices" does not act for "Starlight Devices", a
// look-alike organisation name is refused, and one maker's model name cannot
// squat another maker's product ID.
func TestIdentityAttacks(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	admin := Actor{Role: RoleAdmin, Org: "Registry"}
	star, err := s.CreateOrg(ctx, admin, "Starlight Devices", RoleManufacturer)
	if err != nil {
		t.Fatal(err)
	}
	for _, lookalike := range []string{"ſtarlight Devices", "Ｓtarlight Devices", "starlight devices"} {
		if _, err := s.CreateOrg(ctx, admin, lookalike, RoleManufacturer); !errors.Is(err, store.ErrConflict) {
			t.Errorf("look-alike organisation %q: %v", lookalike, err)
		}
	}
	_, tok, _ := s.CreateToken(ctx, RoleManufacturer, "ſtarlight devices", "impostor")
	impostor := Actor{TokenID: tok.ID, Role: tok.Role, Org: tok.Org}
	if _, err := s.CreateProduct(ctx, impostor, star.ID, "SL-1", "Lamp"); !errors.Is(err, ErrForbidden) {
		t.Errorf("a token for another spelling registered a product: %v", err)
	}
	owner := Actor{Role: RoleManufacturer, Org: "Starlight Devices"}
	if _, err := s.CreateProduct(ctx, owner, star.ID, "SL-1", "Lamp"); err != nil {
		t.Errorf("the organisation itself: %v", err)
	}
	// Squatting: "Plugwise" + model "Home Ltd PWM-3" against "Plugwise Home Ltd" + "PWM-3".
	a, _ := s.CreateOrg(ctx, admin, "Plugwise", RoleManufacturer)
	b, _ := s.CreateOrg(ctx, admin, "Plugwise Home Ltd", RoleManufacturer)
	pa, err := s.CreateProduct(ctx, admin, a.ID, "Home Ltd PWM-3", "")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := s.CreateProduct(ctx, admin, b.ID, "PWM-3", "")
	if err != nil || pa.ID == pb.ID {
		t.Errorf("product IDs %q and %q: %v", pa.ID, pb.ID, err)
	}
}
