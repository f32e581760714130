package attest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/trust"
)

// Evidence is what ReadEvidence found in one evidence file.
type Evidence struct {
	Items []evidence.Item
	// Subjects are the subjects of the verified attestations in the file.
	Subjects []Subject
	// Unverified says, for each attestation no trusted key signed, why; its
	// items are returned without an Attestation, so they count only as what
	// unsigned items may count as.
	Unverified []string
}

// ReadEvidence reads one evidence file: JSONL items, a signed attestation,
// or JSONL whose lines are items or attestations (as `cat scan.jsonl
// pentest.dsse.json` makes). Attestations are verified against ts (nil: an
// empty store). A malformed line or envelope is an error naming the file and
// line; nothing is returned then.
func ReadEvidence(ctx context.Context, name string, data []byte, ts *trust.Store, now time.Time) (*Evidence, error) {
	if ts == nil {
		ts = &trust.Store{}
	}
	out := &Evidence{}
	if IsEnvelope(data) && json.Valid(data) {
		if err := out.open(ctx, name, data, ts, now); err != nil {
			return nil, err
		}
		return out, nil
	}
	lines := bytes.Split(data, []byte("\n"))
	var envelopes [][]byte
	var lineNo []int
	for i, l := range lines {
		// Only lines that name a payload type are decoded twice.
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] == '{' && bytes.Contains(t, []byte(`"payloadType"`)) && IsEnvelope(t) {
			envelopes, lineNo = append(envelopes, t), append(lineNo, i+1)
			lines[i] = nil // keeps the line numbers of the JSONL around it
		}
	}
	items, err := evidence.Read(name, bytes.NewReader(bytes.Join(lines, []byte("\n"))))
	if err != nil {
		return nil, err
	}
	out.Items = items
	for i, env := range envelopes {
		if err := out.open(ctx, fmt.Sprintf("%s:%d", name, lineNo[i]), env, ts, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// open adds one attestation's items: verified when a trusted key signed it,
// else read as unsigned with the reason kept in Unverified.
func (e *Evidence) open(ctx context.Context, where string, data []byte, ts *trust.Store, now time.Time) error {
	o, err := OpenEvidence(ctx, data, ts, now)
	if err == nil {
		e.Items = append(e.Items, o.Statement.Predicate.Items...)
		e.Subjects = append(e.Subjects, o.Statement.Subject...)
		return nil
	}
	if !errors.Is(err, trust.ErrUntrusted) {
		return fmt.Errorf("%s: %v", where, err)
	}
	st, perr := unverifiedStatement(data)
	if perr != nil {
		return fmt.Errorf("%s: %v", where, perr)
	}
	e.Unverified = append(e.Unverified, where+": "+err.Error())
	e.Items = append(e.Items, st.Predicate.Items...)
	return nil
}

// unverifiedStatement decodes an attestation's statement without checking
// its signature, strictly, with every item validated.
func unverifiedStatement(data []byte) (*EvidenceStatement, error) {
	payload, err := Payload(data)
	if err != nil {
		return nil, err
	}
	if err := NoDuplicateKeys(payload); err != nil {
		return nil, fmt.Errorf("attestation statement: %w", err)
	}
	var st EvidenceStatement
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil || st.PredicateType != EvidencePredicateType {
		return nil, errors.New("not an iotlabel evidence attestation")
	}
	for i := range st.Predicate.Items {
		st.Predicate.Items[i].Attestation = nil
		if err := st.Predicate.Items[i].Validate(); err != nil {
			return nil, fmt.Errorf("attestation item %d: %v", i+1, err)
		}
	}
	return &st, nil
}

// Digest is "sha256:<hex>" of data.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
