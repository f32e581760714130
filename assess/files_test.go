package assess_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/evidence"
)

func readExample(t *testing.T, path string) assess.File {
	t.Helper()
	b, err := os.ReadFile("../examples/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return assess.File{Name: path, Data: b}
}

// TestAssessFiles: the one path from submitted bytes gives what the engine
// gives on the parsed inputs, names the file and line of a fault, and tells a
// fault in the inputs from a cancelled request.
func TestAssessFiles(t *testing.T) {
	e := engine(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	decl := readExample(t, "camera-contradiction/declaration.yaml")
	ev := readExample(t, "camera-contradiction/evidence.jsonl")

	var heldFor string
	res, err := e.AssessFiles(context.Background(), assess.Inputs{Declaration: decl, Evidence: []assess.File{ev}, Now: now,
		Held: func(d *declaration.Declaration) ([]assess.Held, error) { heldFor = d.Product.Model; return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	items, err := evidence.Read(ev.Name, strings.NewReader(string(ev.Data)))
	if err != nil {
		t.Fatal(err)
	}
	want := e.Assess(example(t, "camera-contradiction"), items, asOf)
	if res.Assessment.Digest != want.Digest || res.Assessment.AsOf != asOf {
		t.Errorf("AssessFiles gave digest %s as of %s; the engine gives %s as of %s", res.Assessment.Digest, res.Assessment.AsOf, want.Digest, asOf)
	}
	if heldFor != res.Declaration.Product.Model || heldFor == "" {
		t.Errorf("Held was called for %q, want the parsed declaration's model %q", heldFor, res.Declaration.Product.Model)
	}
	if len(res.Evidence) != 1 || len(res.Evidence[0].Items) != len(items) || !strings.HasPrefix(res.Evidence[0].Digest, "sha256:") ||
		!strings.HasPrefix(res.DeclarationDigest, "sha256:") {
		t.Errorf("inputs not reported: %+v, declaration %q", res.Evidence, res.DeclarationDigest)
	}

	bad := assess.File{Name: "bad.jsonl", Data: append(append([]byte{}, ev.Data...), []byte(`{"kind":"tool","check":`+"\n")...)}
	_, err = e.AssessFiles(context.Background(), assess.Inputs{Declaration: decl, Evidence: []assess.File{bad}, Now: now})
	var ie *assess.InputError
	line := strings.Count(string(ev.Data), "\n") + 1
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "bad.jsonl:") || !strings.Contains(err.Error(), ":"+strconv.Itoa(line)) {
		t.Errorf("a broken evidence line %d: got %v, want an InputError naming bad.jsonl:%d", line, err, line)
	}
	_, err = e.AssessFiles(context.Background(), assess.Inputs{Declaration: assess.File{Name: "d.yaml", Data: []byte("schema: nope\n")}, Now: now})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "d.yaml") {
		t.Errorf("a broken declaration: got %v, want an InputError naming d.yaml", err)
	}
	heldErr := errors.New("registry down")
	_, err = e.AssessFiles(context.Background(), assess.Inputs{Declaration: decl, Now: now,
		Held: func(*declaration.Declaration) ([]assess.Held, error) { return nil, heldErr }})
	if !errors.Is(err, heldErr) || errors.As(err, &ie) {
		t.Errorf("Held's error: got %v, want it passed on as is", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.AssessFiles(ctx, assess.Inputs{Declaration: decl, Evidence: []assess.File{ev}, Now: now})
	if !errors.Is(err, context.Canceled) || errors.As(err, &ie) {
		t.Errorf("cancelled: got %v, want context.Canceled and no InputError", err)
	}
}

// TestStoredDeclarationAssessesTheSame: a registry's stored parsed form gives
// the assessment the bytes give, digest for digest, for every example and for
// a declaration whose stored form carries a contradiction the catalog check
// must still catch.
func TestStoredDeclarationAssessesTheSame(t *testing.T) {
	e := engine(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	names := []string{"router-tier2", "smart-plug-tier1", "camera-default-password", "camera-contradiction", "doorbell-support-ending", "sensor-non-updateable"}
	for _, name := range names {
		decl := readExample(t, name+"/declaration.yaml")
		from, err := e.AssessFiles(context.Background(), assess.Inputs{Declaration: decl, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		parsed, ok := declaration.FromStored(decl.Name, from.Declaration.Stored())
		if !ok {
			t.Fatalf("%s: stored form refused", name)
		}
		stored, err := e.AssessFiles(context.Background(), assess.Inputs{Declaration: decl, Parsed: parsed, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if stored.Assessment.Digest != from.Assessment.Digest || stored.DeclarationDigest != from.DeclarationDigest {
			t.Errorf("%s: digest from the stored form %s, from the bytes %s", name, stored.Assessment.Digest, from.Assessment.Digest)
		}
	}
	d, _ := declaration.FromStored("d", []byte(`{"format":1,"declaration":{"schema":"iotlabel/declaration/v1","markets":["XX"],"product":{"category":"camera"}}}`))
	if _, err := e.AssessFiles(context.Background(), assess.Inputs{Declaration: assess.File{Name: "d"}, Parsed: d, Now: now}); err == nil || !strings.Contains(err.Error(), `market "XX"`) {
		t.Errorf("stored form with an unknown market: %v", err)
	}
}
