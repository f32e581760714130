// Package translog keeps the registry's event log in a tile-based
// transparency log (C2SP tlog-tiles, written by transparency-dev/tessera to
// a directory) with signed checkpoints, and verifies a copy of such a log:
// anyone who mirrors the tiles can prove that no event was rewritten or
// dropped.
//
// Each log entry is one registry event as JSON. Entries are appended in
// event order by a single follower, so the log is a pure function of the
// event table and catches up by itself after a crash.
package translog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iotlabel/iotlabel/store"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// Log appends entries to a transparency log stored in a directory.
type Log struct {
	app      *tessera.Appender
	reader   tessera.LogReader
	shutdown func(context.Context) error
}

// Open opens (creating if needed) the log in dir. Checkpoints are signed
// with signer and published at most every interval.
func Open(ctx context.Context, dir string, signer note.Signer, interval time.Duration) (*Log, error) {
	driver, err := posix.New(ctx, posix.Config{Path: dir})
	if err != nil {
		return nil, fmt.Errorf("transparency log %s: %w", dir, err)
	}
	opts := tessera.NewAppendOptions().WithCheckpointSigner(signer).
		WithCheckpointInterval(interval).WithBatching(256, 100*time.Millisecond)
	app, shutdown, reader, err := tessera.NewAppender(ctx, driver, opts)
	if err != nil {
		return nil, fmt.Errorf("transparency log %s: %w", dir, err)
	}
	return &Log{app: app, reader: reader, shutdown: shutdown}, nil
}

// Close waits for appended entries to be integrated and stops the log.
func (l *Log) Close(ctx context.Context) error { return l.shutdown(ctx) }

// Entry encodes an event as a log entry.
func Entry(ev store.Event) []byte {
	b, _ := json.Marshal(ev) // a struct of strings, numbers and a time: cannot fail
	return b
}

// lastSeq returns the sequence number of the last event in the log, or 0.
func (l *Log) lastSeq(ctx context.Context) (int64, uint64, error) {
	size, err := l.reader.NextIndex(ctx)
	if err != nil || size == 0 {
		return 0, size, err
	}
	b, err := client.GetEntryBundle(ctx, l.reader.ReadEntryBundle, (size-1)/256, size)
	if err != nil {
		return 0, size, err
	}
	var ev store.Event
	if err := json.Unmarshal(b.Entries[len(b.Entries)-1], &ev); err != nil {
		return 0, size, fmt.Errorf("last log entry: %w", err)
	}
	return ev.Seq, size, nil
}

// EventSource lists events after a sequence number, in order.
type EventSource func(ctx context.Context, since int64, limit int) ([]store.Event, error)

// Sync appends to the log every event that is not in it yet, in order, and
// returns how many it appended.
func (l *Log) Sync(ctx context.Context, events EventSource) (int, error) {
	last, _, err := l.lastSeq(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		evs, err := events(ctx, last, 1000)
		if err != nil || len(evs) == 0 {
			return n, err
		}
		futures := make([]tessera.IndexFuture, len(evs))
		for i, ev := range evs {
			futures[i] = l.app.Add(ctx, tessera.NewEntry(Entry(ev)))
		}
		for _, f := range futures {
			if _, err := f(); err != nil {
				return n, err
			}
			n++
		}
		last = evs[len(evs)-1].Seq
	}
}

// Follow runs Sync every interval until ctx ends, reporting errors to onErr.
func (l *Log) Follow(ctx context.Context, events EventSource, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := l.Sync(ctx, events); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ErrNotYet means an entry is appended but not yet covered by a published
// checkpoint; it will be within a checkpoint interval.
var ErrNotYet = errors.New("not yet in a published checkpoint")

// Checkpoint returns the latest signed checkpoint and the tree size it
// commits to.
func (l *Log) Checkpoint(ctx context.Context) ([]byte, uint64, error) {
	cp, err := l.reader.ReadCheckpoint(ctx)
	if err != nil {
		return nil, 0, err
	}
	lines := strings.SplitN(string(cp), "\n", 3)
	if len(lines) < 3 {
		return nil, 0, fmt.Errorf("malformed checkpoint")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	return cp, size, err
}

// InclusionProof proves that the entry at index is in the tree of the given
// size (from Checkpoint); ErrNotYet if the checkpoint does not cover it.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, ErrNotYet
	}
	pb, err := client.NewProofBuilder(ctx, size, l.reader.ReadTile)
	if err != nil {
		return nil, err
	}
	return pb.InclusionProof(ctx, index)
}
