package translog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/iotlabel/iotlabel/store"
	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
)

// Fetcher reads a log's checkpoint, tiles and entry bundles, from a
// directory or over HTTP (tessera's client.FileFetcher and HTTPFetcher).
type Fetcher interface {
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	ReadTile(ctx context.Context, level, index uint64, p uint8) ([]byte, error)
	ReadEntryBundle(ctx context.Context, index uint64, p uint8) ([]byte, error)
}

// Report is what Verify found.
type Report struct {
	Origin string `json:"origin"`
	Size   uint64 `json:"size"`
	Root   string `json:"root"`
	// Checkpoint is the verified checkpoint, to keep for the next run's
	// consistency check.
	Checkpoint []byte `json:"-"`
	// Consistent is set when a previous checkpoint was given and the log
	// extends it.
	Consistent bool `json:"consistent_with_previous,omitempty"`
	// Inclusions are the verified inclusion proofs for the events of the
	// label asked about.
	Inclusions []Inclusion    `json:"inclusions,omitempty"`
	Events     map[string]int `json:"events_by_kind"`
}

// Inclusion is one event proved to be in the log.
type Inclusion struct {
	Index uint64      `json:"index"`
	Event store.Event `json:"event"`
	Proof int         `json:"proof_hashes"`
}

// Options are the optional checks of Verify.
type Options struct {
	// Previous is a checkpoint seen earlier; the log must extend it.
	Previous []byte
	// LabelID asks for inclusion proofs of that label's events.
	LabelID string
}

// Verify checks a copy of the log: the checkpoint's signature, that the
// entries hash to the checkpoint's root, that every entry is a registry
// event with increasing sequence numbers, that the log extends a previous
// checkpoint, and inclusion proofs for one label's events.
func Verify(ctx context.Context, f Fetcher, v note.Verifier, opt Options) (*Report, error) {
	cp, raw, _, err := client.FetchCheckpoint(ctx, f.ReadCheckpoint, v, v.Name())
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	rep := &Report{Origin: cp.Origin, Size: cp.Size, Checkpoint: raw, Events: map[string]int{}}
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	rng := rf.NewEmptyRange(0)
	var prev *log.Checkpoint
	if opt.Previous != nil {
		if prev, _, _, err = log.ParseCheckpoint(opt.Previous, v.Name(), v); err != nil {
			return rep, fmt.Errorf("previous checkpoint: %w", err)
		}
		if prev.Size > cp.Size {
			return rep, fmt.Errorf("the log shrank: previous checkpoint has %d entries, this one %d", prev.Size, cp.Size)
		}
	}
	var lastSeq int64
	var mine []Inclusion
	for i := uint64(0); i < cp.Size; i += 256 {
		b, err := client.GetEntryBundle(ctx, f.ReadEntryBundle, i/256, cp.Size)
		if err != nil {
			return rep, err
		}
		for j, e := range b.Entries {
			idx := i + uint64(j)
			if idx >= cp.Size {
				break
			}
			var ev store.Event
			dec := json.NewDecoder(bytes.NewReader(e))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil || ev.Seq <= lastSeq {
				return rep, fmt.Errorf("entry %d is not a registry event in order (seq %d after %d): %v", idx, ev.Seq, lastSeq, err)
			}
			lastSeq = ev.Seq
			rep.Events[ev.Kind]++
			if opt.LabelID != "" && ev.LabelID == opt.LabelID {
				mine = append(mine, Inclusion{Index: idx, Event: ev})
			}
			if err := rng.Append(rfc6962.DefaultHasher.HashLeaf(e), nil); err != nil {
				return rep, err
			}
			if prev != nil && rng.End() == prev.Size {
				root, err := rng.GetRootHash(nil)
				if err != nil {
					return rep, err
				}
				if !bytes.Equal(root, prev.Hash) {
					return rep, fmt.Errorf("the log's first %d entries do not hash to the previous checkpoint's root: history was rewritten", prev.Size)
				}
				rep.Consistent = true
			}
		}
	}
	if rng.End() != cp.Size {
		return rep, fmt.Errorf("the log holds %d entries, the checkpoint says %d", rng.End(), cp.Size)
	}
	root := rfc6962.DefaultHasher.EmptyRoot()
	if cp.Size > 0 {
		if root, err = rng.GetRootHash(nil); err != nil {
			return rep, err
		}
	}
	if !bytes.Equal(root, cp.Hash) {
		return rep, fmt.Errorf("the entries hash to %x, the signed checkpoint says %x: the log was altered", root, cp.Hash)
	}
	rep.Root = fmt.Sprintf("%x", root)
	if prev != nil && prev.Size == 0 {
		rep.Consistent = true
	}
	// Inclusion proofs from the tiles, as a client holding only one entry would check them.
	if len(mine) > 0 {
		pb, err := client.NewProofBuilder(ctx, cp.Size, f.ReadTile)
		if err != nil {
			return rep, err
		}
		for i := range mine {
			p, err := pb.InclusionProof(ctx, mine[i].Index)
			if err != nil {
				return rep, fmt.Errorf("inclusion proof for entry %d: %w", mine[i].Index, err)
			}
			leaf := rfc6962.DefaultHasher.HashLeaf(Entry(mine[i].Event))
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, mine[i].Index, cp.Size, leaf, p, cp.Hash); err != nil {
				return rep, fmt.Errorf("inclusion proof for entry %d: %w", mine[i].Index, err)
			}
			mine[i].Proof = len(p)
		}
		rep.Inclusions = mine
	} else if opt.LabelID != "" {
		return rep, fmt.Errorf("no event of label %s is in the log", opt.LabelID)
	}
	return rep, nil
}
