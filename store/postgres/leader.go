package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lock keys: PostgreSQL advisory locks are named by a 64-bit number.
const (
	leaderKey  int64 = 7306105648217935988 // "iotlabel leader"
	migrateKey int64 = 7306105648217935989 // "iotlabel migrations"
)

// Leader elects one leader among the processes that share a database, by a
// session-level advisory lock held on a connection of its own: when the
// leader dies, its connection closes and the lock is free for the next.
type Leader struct {
	// DSN is the database's connection string.
	DSN string
	// Every is how often to try for the lock and to check that its
	// connection is alive (default 1 s).
	Every time.Duration
}

func (l Leader) every() time.Duration {
	if l.Every <= 0 {
		return time.Second
	}
	return l.Every
}

// Lead implements store.Leader.
func (l Leader) Lead(ctx context.Context) (<-chan struct{}, func(), error) {
	for {
		conn, err := pgx.Connect(ctx, l.DSN)
		if err == nil {
			var ok bool
			if err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, leaderKey).Scan(&ok); err == nil && ok {
				return l.hold(conn)
			}
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(l.every()):
		}
	}
}

// hold watches the lock's connection until release; lost is closed if the
// connection fails (the server then drops the lock too).
func (l Leader) hold(conn *pgx.Conn) (<-chan struct{}, func(), error) {
	lost, stop, stopped := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(l.every())
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			ping, cancel := context.WithTimeout(context.Background(), l.every())
			err := conn.Ping(ping)
			cancel()
			if err != nil {
				close(lost)
				return
			}
		}
	}()
	release := func() {
		close(stop)
		<-stopped
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, leaderKey) // closing the connection frees it anyway
		conn.Close(ctx)
	}
	return lost, release, nil
}

// migrating runs f while holding the migration lock, so that replicas
// starting together migrate one at a time.
func migrating(ctx context.Context, dsn string, f func() error) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateKey); err != nil {
		return fmt.Errorf("postgres store: migration lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrateKey)
	return f()
}
