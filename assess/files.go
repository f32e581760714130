package assess

import (
	"context"
	"time"

	"github.com/iotlabel/iotlabel/attest"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
	"github.com/iotlabel/iotlabel/trust"
)

// File is one input of an assessment as it arrived: a name that error
// messages use (a path, or "declaration" for a request body) and its bytes.
type File struct {
	Name string
	Data []byte
}

// Inputs are what AssessFiles turns into an assessment.
type Inputs struct {
	Declaration File
	// Parsed, when set, is Declaration already parsed (a registry's stored
	// form, declaration.FromStored); Declaration.Data is still what the
	// declaration digest covers. It is checked against the catalog as a
	// parsed file is.
	Parsed *declaration.Declaration
	// Evidence files hold JSONL items, signed attestations, or both as lines.
	Evidence []File
	// Trust verifies signed evidence; nil is an empty store, so signed
	// items count only as unsigned ones do.
	Trust *trust.Store
	// Held, when set, names the labels the product holds; it is called
	// with the parsed declaration. An error it returns is passed on as is.
	Held func(*declaration.Declaration) ([]Held, error)
	// AsOf is the day assessed; zero is the day of Now.
	AsOf catalog.Date
	// Now is the time signatures and trust-store entries are judged at.
	Now time.Time
}

// EvidenceFile is one evidence input as read.
type EvidenceFile struct {
	Name string
	// Digest is "sha256:<hex>" of the file's bytes.
	Digest string
	Items  []evidence.Item
	// Subjects are the verified attestations' subjects (none for JSONL).
	Subjects []attest.Subject
	// Unverified says why each attestation no trusted key signed was read
	// as unsigned.
	Unverified []string
}

// Result is an assessment with the inputs it was computed from.
type Result struct {
	Assessment  *Assessment
	Declaration *declaration.Declaration
	// DeclarationDigest is "sha256:<hex>" of the declaration's bytes.
	DeclarationDigest string
	Evidence          []EvidenceFile
}

// InputError is a fault in an assessment's inputs (a malformed declaration
// or evidence file, an answer the catalog does not know); its message names
// the file, line and field.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// AssessFiles parses and checks a declaration against the engine's catalog,
// reads the evidence files (verifying signed parts against in.Trust) and
// assesses them. This is the one path from submitted bytes to an assessment:
// the CLI, the registry, the demo and the benchmark seeder all take it.
func (e *Engine) AssessFiles(ctx context.Context, in Inputs) (*Result, error) {
	d := in.Parsed
	if d == nil {
		parsed, err := declaration.Parse(in.Declaration.Name, in.Declaration.Data)
		if err != nil {
			return nil, &InputError{err}
		}
		d = parsed
	}
	if err := d.Check(e.cat); err != nil {
		return nil, &InputError{err}
	}
	res := &Result{Declaration: d, DeclarationDigest: attest.Digest(in.Declaration.Data)}
	var items []evidence.Item
	for _, f := range in.Evidence {
		read, err := attest.ReadEvidence(ctx, f.Name, f.Data, in.Trust, in.Now)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &InputError{err}
		}
		res.Evidence = append(res.Evidence, EvidenceFile{Name: f.Name, Digest: attest.Digest(f.Data),
			Items: read.Items, Subjects: read.Subjects, Unverified: read.Unverified})
		items = append(items, read.Items...)
	}
	var held []Held
	if in.Held != nil {
		var err error
		if held, err = in.Held(d); err != nil {
			return nil, err
		}
	}
	asOf := in.AsOf
	if asOf.IsZero() {
		asOf = catalog.DateOf(in.Now)
	}
	res.Assessment = e.AssessHolding(d, items, held, asOf)
	return res, ctx.Err()
}

// Again assesses what an earlier AssessFiles read — its declaration and the
// evidence items of its files — with this engine's catalog, without reading
// the files again: how a proposed catalog is compared with the current one.
func (e *Engine) Again(r *Result, asOf catalog.Date) (*Assessment, error) {
	if err := r.Declaration.Check(e.cat); err != nil {
		return nil, &InputError{err}
	}
	var items []evidence.Item
	for _, f := range r.Evidence {
		items = append(items, f.Items...)
	}
	return e.AssessHolding(r.Declaration, items, nil, asOf), nil
}
