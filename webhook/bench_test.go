package webhook_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/webhook"
)

// BenchmarkStatusToWebhook measures the time from a status change (a
// revocation through registry.Service, on SQLite) to its signed delivery at
// a real HTTP receiver on loopback, one change at a time; it reports the
// median and the 99th percentile.
func BenchmarkStatusToWebhook(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(b.TempDir(), "r.db")})
	if err != nil {
		b.Fatal(err)
	}
	svc := newService(b, db)
	got := make(chan string, 16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("webhook-id")
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("IL-B%07d", i)
		addLabel(b, svc, ids[i], "GB")
	}
	// Subscribed after the labels were issued: only the revocations are sent.
	sub, _, err := svc.Subscribe(ctx, admin, registry.SubscribeRequest{URL: "http://" + ln.Addr().String() + "/hook"})
	if err != nil {
		b.Fatal(err)
	}
	d := webhook.NewDispatcher(svc, webhook.NewSender(5*time.Second, true), webhook.Options{Wake: svc.Changed})
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := svc.ChangeStatus(ctx, admin, ids[i], "revoke", "benchmark"); err != nil {
			b.Fatal(err)
		}
		evs, _, _ := svc.LabelEvents(ctx, ids[i])
		want := fmt.Sprintf("%s.%d", sub.ID, evs[len(evs)-1].Seq)
		for id := range got {
			if id == want {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	cancel()
	<-done
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
