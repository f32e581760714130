package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/translog"
)

// SetLog serves the transparency log kept in dir: its files under /log/
// (the checkpoint and tiles, never its private state) and inclusion proofs
// of labels' events.
func (s *Server) SetLog(l *translog.Log, dir string) { s.tlog, s.logDir = l, dir }

// proofEntry is one of a label's events with its proof: hashing Entry as
// an RFC 6962 leaf and folding in Proof must give the checkpoint's root.
type proofEntry struct {
	Index uint64      `json:"index"`
	Event store.Event `json:"event"`
	Entry string      `json:"entry"`
	Proof [][]byte    `json:"proof"`
}

// labelProof returns inclusion proofs of a label's events against the
// latest signed checkpoint; events appended after it are counted as pending.
func (s *Server) labelProof(w http.ResponseWriter, r *http.Request) error {
	if s.tlog == nil {
		return fmt.Errorf("this registry keeps no transparency log: %w", store.ErrNotFound)
	}
	id := r.PathValue("id")
	evs, pos, err := s.svc.LabelEvents(r.Context(), id)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return fmt.Errorf("label %s: %w", id, store.ErrNotFound)
	}
	cp, size, err := s.tlog.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		LabelID    string       `json:"label_id"`
		Checkpoint string       `json:"checkpoint"`
		Entries    []proofEntry `json:"entries"`
		Pending    int          `json:"pending"`
	}{LabelID: id, Checkpoint: string(cp), Entries: []proofEntry{}}
	for i, ev := range evs {
		p, err := s.tlog.InclusionProof(r.Context(), uint64(pos[i]), size)
		if errors.Is(err, translog.ErrNotYet) {
			out.Pending++
			continue
		}
		if err != nil {
			return err
		}
		out.Entries = append(out.Entries, proofEntry{Index: uint64(pos[i]), Event: ev, Entry: string(translog.Entry(ev)), Proof: p})
	}
	return writeJSON(w, http.StatusOK, out)
}
