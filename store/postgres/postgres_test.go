package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
	"github.com/iotlabel/iotlabel/store/storetest"
)

// TestConformance runs the shared suite against PostgreSQL, each subtest in
// a fresh database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := postgres.Open(context.Background(), postgres.Config{DSN: pgtest.NewDB(t)})
		if err != nil {
			t.Fatal(err)
		}
		return db // storetest closes it
	})
}

// TestReopen checks that migrations run once: a second Open of a migrated
// database succeeds and keeps its data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDB(t)
	db, err := postgres.Open(ctx, postgres.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	tok := store.Token{ID: "t1", Hash: []byte("h1"), Role: "lab", Org: "Lab", Created: time.Unix(1e9, 0).UTC()}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = postgres.Open(ctx, postgres.Config{DSN: dsn})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if got, err := db.TokenByHash(ctx, []byte("h1")); err != nil || got.ID != "t1" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), postgres.Config{DSN: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"})
	if err == nil || !strings.Contains(err.Error(), "postgres store") {
		t.Fatalf("want a postgres store error, got %v", err)
	}
}
