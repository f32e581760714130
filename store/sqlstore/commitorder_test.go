package sqlstore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/postgres/pgtest"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/store/sqlstore"
)

// TestLateCommit holds one event's transaction open while a second writer
// tries to commit its own: a reader of the feed meanwhile sees a gapless
// prefix (never event 2 without event 1), and afterwards both events are
// there in commit order. This is what lets the log follower and "since"
// mirrors never skip a late commit.
func TestLateCommit(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "r.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testLateCommit(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(ctx, postgres.Config{DSN: pgtest.NewDB(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testLateCommit(t, db)
	})
}

func testLateCommit(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	lbl := func(id string) store.Label {
		return store.Label{ID: id, Manufacturer: "M", Model: "X", Firmware: []string{"1"}, Tier: 1, Markets: []string{"GB"}, SupportEnd: "2030-01-31",
			Issued: t0, Expires: t0.AddDate(2, 0, 0), KeyID: "k", Status: "active", Updated: t0, Envelope: []byte(`{}`), Compact: "IL2:X"}
	}
	hold, entered := make(chan struct{}), make(chan struct{})
	var once sync.Once
	sqlstore.SetBeforeCommit(db, func() {
		first := false
		once.Do(func() { first = true })
		if first {
			close(entered)
			<-hold
		}
	})
	done := make(chan error, 2)
	go func() {
		_, err := db.CreateLabel(ctx, lbl("IL-LATE"), store.Event{Time: t0, LabelID: "IL-LATE", Kind: "issued", Status: "active"})
		done <- err
	}()
	<-entered
	go func() {
		_, err := db.CreateLabel(ctx, lbl("IL-QUICK"), store.Event{Time: t0, LabelID: "IL-QUICK", Kind: "issued", Status: "active"})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // the second writer has had every chance to commit
	during, err := db.Events(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range during {
		if ev.Seq != int64(i+1) {
			t.Errorf("while event 1 was uncommitted the feed showed %+v: a follower would skip the late commit", during)
			break
		}
	}
	close(hold)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	after, _ := db.Events(ctx, 0, 10)
	if len(after) != 2 || after[0].Seq != 1 || after[1].Seq != 2 || after[0].LabelID != "IL-LATE" {
		t.Errorf("events after both commits: %+v, want IL-LATE as 1 and IL-QUICK as 2", after)
	}
}
