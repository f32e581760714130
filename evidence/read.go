package evidence

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// MaxLine is the longest evidence line Read accepts.
const MaxLine = 1 << 20

// LineError is a problem on one line of an evidence file.
type LineError struct {
	Line int
	Msg  string
}

// ReadError lists every bad line of one evidence file.
type ReadError struct {
	File   string
	Errors []LineError
}

func (e *ReadError) Error() string {
	var b strings.Builder
	for i, le := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d: %s", e.File, le.Line, le.Msg)
	}
	return b.String()
}

var (
	checkID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	digest  = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// Read parses JSONL evidence. Blank lines are skipped. On failure the error is a
// *ReadError naming every bad line; no items are returned then, so a caller
// never acts on half a file.
func Read(name string, r io.Reader) ([]Item, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	re := &ReadError{File: name}
	var items []Item
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		it, err := parseLine(b)
		if err != nil {
			re.Errors = append(re.Errors, LineError{line, err.Error()})
			continue
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			re.Errors = append(re.Errors, LineError{line + 1, fmt.Sprintf("line longer than %d bytes", MaxLine)})
		} else {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	if len(re.Errors) > 0 {
		return nil, re
	}
	return items, nil
}

func parseLine(b []byte) (Item, error) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return it, fmt.Errorf("not a valid evidence object: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return it, fmt.Errorf("more than one JSON value on the line (write one object per line)")
	}
	if err := it.Validate(); err != nil {
		return it, err
	}
	if it.Subject.Target == "" {
		it.Subject.Target = it.Target
	} else if it.Target == "" {
		it.Target = it.Subject.Target
	}
	return it, nil
}

// Validate checks the fields every item needs.
func (it *Item) Validate() error {
	var probs []string
	if it.Kind.Rank() == 0 {
		probs = append(probs, fmt.Sprintf("kind: %q is not declared, tool or lab", it.Kind))
	}
	if it.Source.Tool == "" && it.Source.Signer == "" {
		probs = append(probs, "source: needs a tool or a signer")
	}
	if it.Time.IsZero() {
		probs = append(probs, "time: missing (RFC 3339, e.g. 2026-11-22T10:00:00Z)")
	}
	if !checkID.MatchString(it.Check) {
		probs = append(probs, fmt.Sprintf("check: %q is not a check ID (lower-case letters, digits and dashes)", it.Check))
	}
	switch it.Result {
	case Pass, Fail, Error, Info:
	default:
		probs = append(probs, fmt.Sprintf("result: %q is not pass, fail, error or info", it.Result))
	}
	if it.TranscriptDigest != "" && !digest.MatchString(it.TranscriptDigest) {
		probs = append(probs, "transcript_digest: want sha256: and 64 lower-case hex digits")
	}
	if it.Subject.Target != "" && it.Target != "" && it.Subject.Target != it.Target {
		probs = append(probs, "target and subject.target disagree")
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "; "))
	}
	return nil
}

// Write writes items as JSONL, one object per line.
func Write(w io.Writer, items []Item) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			return fmt.Errorf("write evidence: %w", err)
		}
	}
	return nil
}
