// Package pgtest gives tests a fresh, empty PostgreSQL database on the
// server named by IOTLABEL_TEST_PG_DSN (.ci/run starts one). Without it the
// test skips on a developer machine and fails in CI.
package pgtest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/internal/testenv"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

var seq atomic.Int64

// NewDB creates a database that is dropped when the test ends and returns a
// connection URL for it.
func NewDB(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("IOTLABEL_TEST_PG_DSN")
	testenv.Require(t, dsn != "", "PostgreSQL (set IOTLABEL_TEST_PG_DSN)")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("IOTLABEL_TEST_PG_DSN: %v", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("iotlabel_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano(), seq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}
