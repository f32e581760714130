package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/webhook"
)

var admin = registry.Actor{TokenID: "tok_admin", Role: registry.RoleAdmin, Org: "Registry"}

func newService(t testing.TB, db store.Store) *registry.Service {
	t.Helper()
	t.Cleanup(func() { db.Close() })
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := registry.New(registry.Config{Store: db, Catalog: cat, WebhookHTTP: true, Window: 180 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func onSQLite(t *testing.T) *registry.Service {
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	return newService(t, db)
}

func onPostgres(t *testing.T) *registry.Service {
	db, err := postgres.Open(context.Background(), postgres.Config{DSN: pgtest.NewDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	return newService(t, db)
}

// receiver is a real HTTP server on loopback that checks every delivery
// with the Standard Webhooks library and records what it got, in order.
type receiver struct {
	t      *testing.T
	addr   string
	verify *standardwebhooks.Webhook
	mu     sync.Mutex
	srv    *http.Server
	got    []string // webhook-id of each accepted delivery, repeats included
	bodies map[string]map[string]any
	bad    []string
}

func newReceiver(t *testing.T) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, addr: ln.Addr().String(), bodies: map[string]map[string]any{}}
	r.serve(ln)
	t.Cleanup(r.down)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/hook" }

func (r *receiver) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := r.verify.Verify(body, req.Header); err != nil {
			r.bad = append(r.bad, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m map[string]any
		json.Unmarshal(body, &m)
		id := req.Header.Get("webhook-id")
		r.got, r.bodies[id] = append(r.got, id), m
		w.WriteHeader(http.StatusNoContent)
	})}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go srv.Serve(ln)
}

// down stops the receiver: connections are refused until up.
func (r *receiver) down() {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

func (r *receiver) up() {
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

// firstSeen is the delivered IDs in the order each first arrived.
func (r *receiver) firstSeen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, id := range r.got {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func addLabel(t testing.TB, svc *registry.Service, id string, markets ...string) {
	t.Helper()
	now := time.Now()
	l := store.Label{ID: id, Manufacturer: "Starlight Devices", Model: "SL-" + id, Firmware: []string{"1.0"}, Tier: 1, Markets: markets,
		SupportEnd: catalog.DateOf(now).AddDays(900).String(), Issued: now, Expires: now.AddDate(3, 0, 0), KeyID: "k", Status: registry.Active,
		Updated: now, Envelope: []byte(`{}`), Compact: "IL2:X"}
	if _, err := svc.Store().CreateLabel(context.Background(), l, store.Event{Time: now, LabelID: id, Kind: "issued", Status: l.Status}); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveryInOrderThroughAnOutage(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *registry.Service{"sqlite": onSQLite, "postgres": onPostgres} {
		t.Run(name, func(t *testing.T) { testDelivery(t, open(t)) })
	}
}

// testDelivery: a retailer subscribes to GB labels; two dispatchers (two
// replicas during a leader hand-over) run at once; the receiver goes down for
// a while in the middle. Every matching event arrives, each first arrival in
// event order, each signature checks out with the Standard Webhooks library,
// no other market's label is sent, and the delivery log shows the failures.
func testDelivery(t *testing.T, svc *registry.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rcv := newReceiver(t)
	retailer := registry.Actor{TokenID: "tok_r", Role: registry.RoleRetailer, Org: "Big Shop"}
	sub, secret, err := svc.Subscribe(ctx, retailer, registry.SubscribeRequest{URL: rcv.url(), Market: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	if rcv.verify, err = standardwebhooks.NewWebhook(secret); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		d := webhook.NewDispatcher(svc, webhook.NewSender(2*time.Second, true),
			webhook.Options{Every: 15 * time.Millisecond, MinBackoff: 40 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
		wg.Go(func() { d.Run(ctx) })
	}
	defer wg.Wait()
	defer cancel()

	var want []string
	expect := func(id string) {
		evs, _, err := svc.LabelEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%s.%d", sub.ID, evs[len(evs)-1].Seq))
	}
	for i := range 6 {
		id := fmt.Sprintf("IL-W%02d", i)
		if i%3 == 2 {
			addLabel(t, svc, id, "US") // not GB: never sent
			continue
		}
		addLabel(t, svc, id, "GB", "EU")
		expect(id)
	}
	waitFor(t, "the first deliveries", func() bool { return len(rcv.firstSeen()) == len(want) })

	rcv.down()
	for _, id := range []string{"IL-W00", "IL-W01", "IL-W03"} {
		if _, err := svc.ChangeStatus(ctx, admin, id, "suspend", "test lab found a flaw"); err != nil {
			t.Fatal(err)
		}
		expect(id)
	}
	if _, err := svc.ChangeStatus(ctx, admin, "IL-W02", "revoke", "not GB: not sent"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failed tries in the delivery log", func() bool {
		_, ds, err := svc.SubscriptionDeliveries(ctx, retailer, sub.ID, 100)
		return err == nil && len(ds) > 0 && ds[0].Attempt >= 2 && !ds[0].OK()
	})
	rcv.up()
	waitFor(t, "every delivery after the outage", func() bool { return len(rcv.firstSeen()) == len(want) })

	if got := rcv.firstSeen(); !slices.Equal(got, want) {
		t.Errorf("deliveries, in order of first arrival:\n got %v\nwant %v", got, want)
	}
	rcv.mu.Lock()
	bad, b := rcv.bad, rcv.bodies[want[len(want)-1]]
	rcv.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("signatures the Standard Webhooks library refused: %v", bad)
	}
	if b["type"] != "label.status" || b["label"].(map[string]any)["id"] != "IL-W03" {
		t.Errorf("last message: %v", b)
	}
	_, ds, _ := svc.SubscriptionDeliveries(ctx, retailer, sub.ID, 1000)
	failed := 0
	for _, d := range ds {
		if !d.OK() {
			failed++
			if d.Error == "" || !strings.Contains(d.Error, "refused") {
				t.Errorf("failed delivery without its cause: %+v", d)
			}
		}
	}
	if failed == 0 {
		t.Error("the delivery log shows no failed try")
	}
	got, _ := svc.Store().Subscription(ctx, sub.ID)
	last, _ := svc.LastSeq(ctx)
	waitFor(t, "the cursor at the end of the log", func() bool { got, _ = svc.Store().Subscription(ctx, sub.ID); return got.Cursor == last })
	if got.Attempts != 0 || got.LastError != "" {
		t.Errorf("after recovery: %+v", got)
	}
}

// TestSenderRefusesPrivateAddresses: by default a subscription cannot make
// the registry connect to its own network (here, loopback).
func TestSenderRefusesPrivateAddresses(t *testing.T) {
	rcv := newReceiver(t)
	rcv.verify, _ = standardwebhooks.NewWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	for _, url := range []string{rcv.url(), strings.Replace(rcv.url(), "127.0.0.1", "localhost", 1)} {
		r := webhook.NewSender(time.Second, false).Send(context.Background(), url, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m1", time.Now(), []byte(`{}`))
		if r.OK() || !errors.Is(r.Err, webhook.ErrBlockedAddress) {
			t.Errorf("%s: %+v", url, r)
		}
	}
	if len(rcv.firstSeen()) != 0 {
		t.Error("the receiver got a request")
	}
}

// TestSubscribeRefuses: what a subscription may not ask for.
func TestSubscribeRefuses(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, _ := catalog.Default()
	svc, _ := registry.New(registry.Config{Store: db, Catalog: cat}) // https only
	maker := registry.Actor{TokenID: "tok_m", Role: registry.RoleManufacturer, Org: "Starlight Devices"}
	for _, tc := range []struct {
		a    registry.Actor
		req  registry.SubscribeRequest
		want string
	}{
		{maker, registry.SubscribeRequest{URL: "http://hooks.example/x"}, "must be https"},
		{maker, registry.SubscribeRequest{URL: "https://user:pw@hooks.example/x"}, "credentials"},
		{maker, registry.SubscribeRequest{URL: "ftp://hooks.example/x"}, "not https"},
		{maker, registry.SubscribeRequest{URL: "/relative"}, "not an absolute URL"},
		{maker, registry.SubscribeRequest{URL: "https://hooks.example/x", Manufacturer: "Other Maker"}, "only to its own"},
		{maker, registry.SubscribeRequest{URL: "https://hooks.example/x", Market: "XX"}, `market "XX" is not one of`},
		{registry.Actor{Role: "visitor"}, registry.SubscribeRequest{URL: "https://hooks.example/x"}, "not allowed"},
	} {
		if _, _, err := svc.Subscribe(ctx, tc.a, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.req, err, tc.want)
		}
	}
	sub, _, err := svc.Subscribe(ctx, maker, registry.SubscribeRequest{URL: "https://hooks.example/x"})
	if err != nil || sub.Manufacturer != "Starlight Devices" {
		t.Errorf("a manufacturer's subscription is limited to its own labels: %+v %v", sub, err)
	}
	other := registry.Actor{TokenID: "tok_o", Role: registry.RoleRetailer, Org: "Shop"}
	if _, _, err := svc.SubscriptionDeliveries(ctx, other, sub.ID, 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another organisation sees the subscription: %v", err)
	}
	if err := svc.Unsubscribe(ctx, other, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another organisation deleted the subscription: %v", err)
	}
}

// TestRevokedTokenStopsDeliveries: revoking the token that made a
// subscription withdraws it: the dispatcher no longer sees it as due.
func TestRevokedTokenStopsDeliveries(t *testing.T) {
	ctx := context.Background()
	svc := onSQLite(t)
	_, tok, err := svc.CreateToken(ctx, registry.RoleRetailer, "Big Shop", "hooks")
	if err != nil {
		t.Fatal(err)
	}
	shop := registry.Actor{TokenID: tok.ID, Role: tok.Role, Org: tok.Org}
	sub, _, err := svc.Subscribe(ctx, shop, registry.SubscribeRequest{URL: "http://127.0.0.1:9/hook"})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := svc.Due(ctx, time.Now()); len(due) != 1 || due[0].ID != sub.ID {
		t.Fatalf("before revocation: %+v", due)
	}
	if err := svc.Store().RevokeToken(ctx, tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if due, _ := svc.Due(ctx, time.Now()); len(due) != 0 {
		t.Errorf("a revoked token's subscription is still due: %+v", due)
	}
	if got, _ := svc.Store().Subscription(ctx, sub.ID); !got.TokenRevoked {
		t.Errorf("the subscription does not say its token was revoked: %+v", got)
	}
}
