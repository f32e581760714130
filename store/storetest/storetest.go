// Package storetest is the conformance suite of store.Store: every
// implementation runs Run from its own tests, so SQLite and PostgreSQL are held
// to exactly the same contract.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func label(id, model string, tier int, supportEnd string) store.Label {
	return store.Label{ID: id, Manufacturer: "Acme", Model: model, Firmware: []string{"1.0", "1.1"}, Tier: tier,
		Markets: []string{"GB", "EU"}, SupportEnd: supportEnd, Issued: t0, Expires: t0.AddDate(3, 0, 0), KeyID: "k1",
		Status: "active", Updated: t0, Envelope: []byte(`{"payloadType":"x"}`), Compact: "IL2:ABC"}
}

// Run runs the conformance suite; newStore must return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"LabelRoundTrip", testLabelRoundTrip},
		{"Conflict", testConflict},
		{"NotFound", testNotFound},
		{"Query", testQuery},
		{"StatusAndEvents", testStatusAndEvents},
		{"Tokens", testTokens},
		{"SBOMsAndPaging", testSBOMsAndPaging},
		{"OrgsProductsDeclarations", testOrgsProducts},
		{"ConcurrentWrites", testConcurrentWrites},
		{"TrustEntries", testTrustEntries},
		{"CompareAndSetRace", testCompareAndSetRace},
		{"ConcurrentDeclarations", testConcurrentDeclarations},
		{"SubscriptionRace", testSubscriptionRace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			tc.fn(t, s)
		})
	}
}

func testLabelRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := label("IL-1", "M1", 2, "2030-01-31")
	ev, err := s.CreateLabel(ctx, in, store.Event{Time: t0, LabelID: "IL-1", Kind: "issued", Status: "active", Actor: "lab"})
	if err != nil || ev.Seq <= 0 {
		t.Fatalf("CreateLabel: %v %+v", err, ev)
	}
	got, err := s.Label(ctx, "IL-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != in.ID || got.Model != in.Model || got.Tier != 2 || fmt.Sprint(got.Firmware) != "[1.0 1.1]" || fmt.Sprint(got.Markets) != "[GB EU]" ||
		!got.Issued.Equal(in.Issued) || !got.Expires.Equal(in.Expires) || string(got.Envelope) != string(in.Envelope) || got.Compact != in.Compact || got.SupportEnd != "2030-01-31" {
		t.Errorf("round trip: got %+v, want %+v", got, in)
	}
}

func testConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	ev := store.Event{Time: t0, LabelID: "IL-1", Kind: "issued", Status: "active"}
	if _, err := s.CreateLabel(ctx, label("IL-1", "M1", 2, "2030-01-31"), ev); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLabel(ctx, label("IL-1", "M1", 2, "2030-01-31"), ev); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate label: %v, want ErrConflict", err)
	}
	// The failed write left no event behind.
	evs, _ := s.Events(ctx, 0, 100)
	if len(evs) != 1 {
		t.Errorf("%d events after a rejected duplicate, want 1", len(evs))
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Label(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Label: %v", err)
	}
	if _, err := s.SetStatus(ctx, "nope", "active", "revoked", "x", store.Event{Time: t0, LabelID: "nope", Kind: "status", Status: "revoked"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetStatus: %v", err)
	}
	if _, err := s.TokenByHash(ctx, []byte("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash: %v", err)
	}
	if err := s.RevokeToken(ctx, "nope", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken: %v", err)
	}
	if evs, err := s.Events(ctx, 0, 10); err != nil || len(evs) != 0 {
		t.Errorf("Events on an empty store: %v %v", evs, err)
	}
}

func testQuery(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, l := range []store.Label{label("IL-A", "M1", 1, "2027-01-31"), label("IL-B", "M2", 2, "2031-01-31"), label("IL-C", "M1", 3, "2029-06-30")} {
		l.Issued = t0.Add(time.Duration(i) * time.Hour)
		if l.ID == "IL-C" {
			l.Firmware = []string{"2.0"}
		}
		if _, err := s.CreateLabel(ctx, l, store.Event{Time: t0, LabelID: l.ID, Kind: "issued", Status: "active"}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(q store.LabelQuery) string {
		ls, err := s.Labels(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		q    store.LabelQuery
		want string
	}{
		{store.LabelQuery{}, "[IL-C IL-B IL-A]"},
		{store.LabelQuery{Model: "M1"}, "[IL-C IL-A]"},
		{store.LabelQuery{Firmware: "2.0"}, "[IL-C]"},
		{store.LabelQuery{Firmware: "1.1", Model: "M1"}, "[IL-A]"},
		{store.LabelQuery{SupportEndsBefore: "2030-01-01"}, "[IL-C IL-A]"},
		{store.LabelQuery{Manufacturer: "Other"}, "[]"},
		{store.LabelQuery{Limit: 1}, "[IL-C]"},
	} {
		if got := ids(tc.q); got != tc.want {
			t.Errorf("Labels(%+v) = %s, want %s", tc.q, got, tc.want)
		}
	}
}

func testStatusAndEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	first, _ := s.CreateLabel(ctx, label("IL-1", "M1", 2, "2030-01-31"), store.Event{Time: t0, LabelID: "IL-1", Kind: "issued", Status: "active"})
	second, err := s.SetStatus(ctx, "IL-1", "active", "revoked", "key compromised", store.Event{Time: t0.Add(time.Hour), LabelID: "IL-1", Kind: "status", Status: "revoked", Reason: "key compromised", Actor: "owner"})
	if err != nil || second.Seq <= first.Seq {
		t.Fatalf("SetStatus: %v, seq %d after %d", err, second.Seq, first.Seq)
	}
	l, _ := s.Label(ctx, "IL-1")
	if l.Status != "revoked" || l.StatusReason != "key compromised" || !l.Updated.Equal(t0.Add(time.Hour)) {
		t.Errorf("label after SetStatus: %+v", l)
	}
	all, _ := s.Events(ctx, 0, 10)
	since, _ := s.Events(ctx, first.Seq, 10)
	if len(all) != 2 || len(since) != 1 || since[0].Status != "revoked" || since[0].Actor != "owner" || !since[0].Time.Equal(t0.Add(time.Hour)) {
		t.Errorf("events: all %+v, since %+v", all, since)
	}
	s.CreateLabel(ctx, label("IL-2", "M2", 1, "2030-01-31"), store.Event{Time: t0, LabelID: "IL-2", Kind: "issued", Status: "active"})
	// A writer that decided from a status the label no longer has changes nothing.
	var stale *store.StaleError
	if _, err := s.SetStatus(ctx, "IL-1", "active", "at_risk", "sweep", store.Event{Time: t0, LabelID: "IL-1", Kind: "status", Status: "at_risk"}); !errors.As(err, &stale) ||
		!errors.Is(err, store.ErrStale) || stale.Current != "revoked" {
		t.Errorf("stale SetStatus: %v", err)
	}
	s.SetStatus(ctx, "IL-1", "revoked", "revoked", "again", store.Event{Time: t0, LabelID: "IL-1", Kind: "status", Status: "revoked", Reason: "again"})
	evs, pos, err := s.LabelEvents(ctx, "IL-1")
	if err != nil || len(evs) != 3 || fmt.Sprint(pos) != "[0 1 3]" || evs[2].Reason != "again" {
		t.Errorf("LabelEvents: %+v %v %v", evs, pos, err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	tok := store.Token{ID: "t1", Hash: []byte("h1"), Role: "lab", Org: "Lab Ltd", Name: "ci", Created: t0}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, tok); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate token: %v", err)
	}
	got, err := s.TokenByHash(ctx, []byte("h1"))
	if err != nil || got.ID != "t1" || got.Role != "lab" || !got.Revoked.IsZero() {
		t.Fatalf("TokenByHash: %+v %v", got, err)
	}
	if err := s.RevokeToken(ctx, "t1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TokenByHash(ctx, []byte("h1")); !got.Revoked.Equal(t0.Add(time.Minute)) {
		t.Errorf("revoked token: %+v", got)
	}
}

// Concurrent status changes must all land, each with its own event.
func testConcurrentWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 20
	for i := range n {
		id := fmt.Sprintf("IL-%02d", i)
		if _, err := s.CreateLabel(ctx, label(id, "M", 1, "2030-01-31"), store.Event{Time: t0, LabelID: id, Kind: "issued", Status: "active"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("IL-%02d", i)
			_, err := s.SetStatus(ctx, id, "active", "suspended", "test", store.Event{Time: t0, LabelID: id, Kind: "status", Status: "suspended"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	evs, _ := s.Events(ctx, 0, 1000)
	if len(evs) != 2*n {
		t.Errorf("%d events, want %d", len(evs), 2*n)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq <= evs[i-1].Seq {
			t.Fatalf("event sequence not increasing at %d", i)
		}
	}
}

func testSBOMsAndPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, id := range []string{"IL-C", "IL-A", "IL-B"} {
		if _, err := s.CreateLabel(ctx, label(id, "M", 1, "2030-01-31"), store.Event{Time: t0.Add(time.Duration(i) * time.Minute), LabelID: id, Kind: "issued", Status: "active"}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	for after := ""; ; {
		page, err := s.Labels(ctx, store.LabelQuery{ByID: true, AfterID: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, l := range page {
			seen = append(seen, l.ID)
		}
		after = page[len(page)-1].ID
	}
	if fmt.Sprint(seen) != "[IL-A IL-B IL-C]" {
		t.Errorf("paging by ID: %v", seen)
	}

	if _, err := s.SBOM(ctx, "IL-A"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SBOM before SetSBOM: %v", err)
	}
	if err := s.SetSBOM(ctx, "IL-NOPE", []byte(`[]`), t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSBOM of a missing label: %v", err)
	}
	for _, c := range []string{`[{"name":"dnsmasq","version":"2.80"}]`, `[{"name":"dnsmasq","version":"2.90"}]`} {
		if err := s.SetSBOM(ctx, "IL-A", []byte(c), t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.SBOM(ctx, "IL-A")
		if err != nil || string(got) != c {
			t.Errorf("SBOM = %s, %v; want %s", got, err, c)
		}
	}
}

func testOrgsProducts(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateProduct(ctx, store.Product{ID: "p1", OrgID: "nope", Model: "M1", Created: t0}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("product of a missing org: %v", err)
	}
	for _, o := range []store.Org{{ID: "acme", Name: "Acme Ltd", Kind: "manufacturer", Created: t0}, {ID: "lab", Name: "Test Lab", Kind: "lab", Created: t0}} {
		if err := s.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateOrg(ctx, store.Org{ID: "acme", Name: "Other", Kind: "lab", Created: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate org: %v", err)
	}
	if orgs, err := s.Orgs(ctx); err != nil || len(orgs) != 2 || orgs[0].Name != "Acme Ltd" || !orgs[0].Created.Equal(t0) {
		t.Errorf("Orgs: %+v %v", orgs, err)
	}
	if o, err := s.Org(ctx, "lab"); err != nil || o.Name != "Test Lab" || o.Kind != "lab" || !o.Created.Equal(t0) {
		t.Errorf("Org: %+v %v", o, err)
	}
	if _, err := s.Org(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing org: %v", err)
	}
	p := store.Product{ID: "acme-m1", OrgID: "acme", Manufacturer: "Acme Ltd", Model: "M1", Name: "Widget", Created: t0}
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProduct(ctx, p); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate product: %v", err)
	}
	if got, err := s.Product(ctx, "acme-m1"); err != nil || got != p {
		t.Errorf("Product: %+v %v", got, err)
	}
	if ps, err := s.Products(ctx, "lab"); err != nil || len(ps) != 0 {
		t.Errorf("Products(lab): %+v %v", ps, err)
	}
	if ps, err := s.Products(ctx, ""); err != nil || len(ps) != 1 {
		t.Errorf("Products(all): %+v %v", ps, err)
	}
	if _, err := s.AddDeclaration(ctx, store.Declaration{ProductID: "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("declaration of a missing product: %v", err)
	}
	for i := 1; i <= 2; i++ {
		v, err := s.AddDeclaration(ctx, store.Declaration{ProductID: "acme-m1", Digest: fmt.Sprintf("sha256:%d", i), Tier: i, By: "Test Lab", Created: t0,
			Declaration: []byte("product: x"), Evidence: []byte(""), Assessment: []byte(`{"tier":1}`), Parsed: []byte(fmt.Sprintf(`{"format":%d}`, i-1))})
		if err != nil || v.Version != i {
			t.Fatalf("AddDeclaration %d: %+v %v", i, v, err)
		}
	}
	vs, err := s.Declarations(ctx, "acme-m1")
	if err != nil || len(vs) != 2 || vs[1].Version != 2 || vs[1].Digest != "sha256:2" || vs[1].Assessment != nil {
		t.Errorf("Declarations: %+v %v", vs, err)
	}
	v, err := s.DeclarationVersion(ctx, "acme-m1", 1)
	if err != nil || string(v.Declaration) != "product: x" || string(v.Assessment) != `{"tier":1}` || v.Tier != 1 || string(v.Parsed) != `{"format":0}` {
		t.Errorf("DeclarationVersion: %+v %v", v, err)
	}
	if v, err := s.DeclarationVersion(ctx, "acme-m1", 2); err != nil || string(v.Parsed) != `{"format":1}` {
		t.Errorf("DeclarationVersion 2 parsed form: %q %v", v.Parsed, err)
	}
	if v, err := s.DeclarationVersion(ctx, "acme-m1", 0); err != nil || v.Version != 2 || v.Digest != "sha256:2" {
		t.Errorf("DeclarationVersion 0 (the newest): %+v %v", v, err)
	}
	if _, err := s.DeclarationVersion(ctx, "nope", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("newest version of a product without any: %v", err)
	}
	if _, err := s.DeclarationVersion(ctx, "acme-m1", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
}

func testTrustEntries(t *testing.T, s store.Store) {
	ctx := context.Background()
	if got, err := s.TrustEntries(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	put := func(id, doc, status string) store.Event {
		t.Helper()
		ev, err := s.PutTrustEntry(ctx, id, []byte(doc), store.Event{Time: t0, LabelID: "trust:" + id, Kind: "trust", Status: status, Actor: "owner"})
		if err != nil || ev.Seq <= 0 {
			t.Fatalf("PutTrustEntry %s: %v %+v", id, err, ev)
		}
		return ev
	}
	put("bb", `{"holder":"B"}`, "accredited")
	first := put("aa", `{"holder":"A"}`, "accredited")
	last := put("aa", `{"holder":"A","revoked":"2026-12-01"}`, "revoked")
	got, err := s.TrustEntries(ctx)
	if err != nil || len(got) != 2 || string(got[0]) != `{"holder":"A","revoked":"2026-12-01"}` || string(got[1]) != `{"holder":"B"}` {
		t.Errorf("TrustEntries = %q, %v", got, err)
	}
	evs, _, err := s.LabelEvents(ctx, "trust:aa")
	if err != nil || len(evs) != 2 || evs[0].Seq != first.Seq || evs[1].Seq != last.Seq || evs[1].Status != "revoked" {
		t.Errorf("trust events: %+v %v", evs, err)
	}
}

// testCompareAndSetRace: writers racing to change the same labels from the
// status they read: exactly one wins each label, the others are told the
// label changed, and the log holds exactly the winners' events.
func testCompareAndSetRace(t *testing.T, s store.Store) {
	ctx := context.Background()
	const labels, writers = 10, 6
	for i := range labels {
		id := fmt.Sprintf("IL-R%02d", i)
		if _, err := s.CreateLabel(ctx, label(id, "M", 1, "2030-01-31"), store.Event{Time: t0, LabelID: id, Kind: "issued", Status: "suspended"}); err != nil {
			t.Fatal(err)
		}
		// label() makes active labels; start these suspended.
		if _, err := s.SetStatus(ctx, id, "active", "suspended", "setup", store.Event{Time: t0, LabelID: id, Kind: "status", Status: "suspended"}); err != nil {
			t.Fatal(err)
		}
	}
	targets := []string{"revoked", "active", "at_risk"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := map[string][]string{}
	for i := range labels {
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, to := fmt.Sprintf("IL-R%02d", i), targets[w%len(targets)]
				_, err := s.SetStatus(ctx, id, "suspended", to, "race", store.Event{Time: t0, LabelID: id, Kind: "status", Status: to})
				switch {
				case err == nil:
					mu.Lock()
					wins[id] = append(wins[id], to)
					mu.Unlock()
				case !errors.Is(err, store.ErrStale):
					t.Errorf("%s -> %s: %v (want a win or ErrStale, never another error)", id, to, err)
				}
			}()
		}
	}
	wg.Wait()
	for i := range labels {
		id := fmt.Sprintf("IL-R%02d", i)
		l, _ := s.Label(ctx, id)
		evs, _, _ := s.LabelEvents(ctx, id)
		if len(wins[id]) != 1 || l.Status != wins[id][0] || len(evs) != 3 || evs[2].Status != l.Status {
			t.Errorf("%s: winners %v, status %s, %d events", id, wins[id], l.Status, len(evs))
		}
	}
}

// testConcurrentDeclarations: concurrent writers of one product's
// declarations all succeed, with versions 1..n and no lock errors.
func testConcurrentDeclarations(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateOrg(ctx, store.Org{ID: "o", Name: "O", Kind: "manufacturer", Created: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProduct(ctx, store.Product{ID: "o-m", OrgID: "o", Manufacturer: "O", Model: "M", Created: t0}); err != nil {
		t.Fatal(err)
	}
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.AddDeclaration(ctx, store.Declaration{ProductID: "o-m", Digest: "sha256:x", Tier: 1, By: "O", Created: t0,
				Declaration: []byte("d"), Evidence: []byte(""), Assessment: []byte("{}")})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent AddDeclaration: %v", err)
		}
	}
	vs, _ := s.Declarations(ctx, "o-m")
	for i, v := range vs {
		if v.Version != i+1 {
			t.Fatalf("versions %v, want 1..%d", vs, n)
		}
	}
	if len(vs) != n {
		t.Errorf("%d versions, want %d", len(vs), n)
	}
}
