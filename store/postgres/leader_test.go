package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestLeader: one leader at a time; the next leads once the first releases;
// a leader whose connection the server drops is told it lost.
func TestLeader(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	a, b := postgres.Leader{DSN: dsn, Every: 50 * time.Millisecond}, postgres.Leader{DSN: dsn, Every: 50 * time.Millisecond}
	_, releaseA, err := a.Lead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, _, err := b.Lead(short); err == nil {
		t.Fatal("a second leader while the first holds the lock")
	}
	releaseA()
	lostB, releaseB, err := b.Lead(ctx)
	if err != nil {
		t.Fatalf("after the first released: %v", err)
	}
	defer releaseB()
	// The server ends the leader's session, as it does when the leader dies.
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lostB:
	case <-time.After(5 * time.Second):
		t.Fatal("the leader was not told its session ended")
	}
	_, releaseA, err = a.Lead(ctx)
	if err != nil {
		t.Fatalf("no new leader after the old one's session ended: %v", err)
	}
	releaseA()
}
