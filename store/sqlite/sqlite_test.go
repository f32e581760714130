package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestReopenMigratesOnce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.db")
	for range 2 {
		db, err := sqlite.Open(context.Background(), sqlite.Config{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
