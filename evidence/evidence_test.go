package evidence_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iotlabel/iotlabel/evidence"
)

const good = `{"kind":"tool","source":{"tool":"iotlabel probe","version":"0.1.0"},"time":"2026-11-20T09:14:05Z","subject":{"product":"LV-IC2"},"check":"default-credentials","result":"fail","target":"192.0.2.10:23","protocol":"telnet","username":"root","detail":"logged in"}
{"kind":"lab","source":{"signer":"Example Lab"},"time":"2026-11-01T00:00:00Z","subject":{"product":"LV-IC2","target":"192.0.2.10:443"},"check":"penetration-test","result":"pass","detail":"no findings"}
`

func TestReadAndWriteRoundTrip(t *testing.T) {
	items, err := evidence.Read("e.jsonl", strings.NewReader(good+"\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Subject.Target != "192.0.2.10:23" || items[1].Target != "192.0.2.10:443" {
		t.Fatalf("items = %+v", items)
	}
	var buf bytes.Buffer
	if err := evidence.Write(&buf, items); err != nil {
		t.Fatal(err)
	}
	again, err := evidence.Read("again.jsonl", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(items, again); diff != "" {
		t.Errorf("round trip (-first +second):\n%s", diff)
	}
	if items[0].Ref() != again[0].Ref() || !strings.HasPrefix(items[0].Ref(), "ev-") || items[0].Ref() == items[1].Ref() {
		t.Errorf("refs are not stable and distinct: %s %s %s", items[0].Ref(), again[0].Ref(), items[1].Ref())
	}
}

func TestReadReportsEveryBadLine(t *testing.T) {
	in := strings.Join([]string{
		`{"kind":"tool","source":{"tool":"t"},"time":"2026-11-20T09:00:00Z","check":"exposed-telnet","result":"pass","detail":""}`,
		`{"kind":"tool","source":{"tool":"t"},"time":"2026-11-20T09:00:00Z","check":"Exposed Telnet","result":"failed","detail":""}`,
		`not json`,
		`{"kind":"human","source":{},"check":"x","result":"pass","detail":"","extra":1}`,
		`{"kind":"tool","source":{"tool":"t"},"time":"2026-11-20T09:00:00Z","check":"x","result":"pass","detail":""} {}`,
	}, "\n")
	items, err := evidence.Read("e.jsonl", strings.NewReader(in))
	var re *evidence.ReadError
	if !errors.As(err, &re) || items != nil {
		t.Fatalf("Read = %v, %v; want a *ReadError and no items", items, err)
	}
	var lines []int
	for _, e := range re.Errors {
		lines = append(lines, e.Line)
	}
	if diff := cmp.Diff([]int{2, 3, 4, 5}, lines); diff != "" {
		t.Errorf("bad lines (-want +got):\n%s", diff)
	}
	msg := err.Error()
	for _, want := range []string{
		`e.jsonl:2: check: "Exposed Telnet" is not a check ID`, `result: "failed" is not pass, fail, error or info`,
		`e.jsonl:3: not a valid evidence object`, `e.jsonl:4: not a valid evidence object: unknown field "extra"`,
		`e.jsonl:5: more than one JSON value`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestValidateFields(t *testing.T) {
	in := `{"kind":"human","source":{},"check":"x","result":"pass","detail":"","transcript_digest":"md5:1"}`
	_, err := evidence.Read("e.jsonl", strings.NewReader(in))
	for _, want := range []string{`kind: "human"`, "source: needs a tool or a signer", "time: missing", "transcript_digest"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestLongLine(t *testing.T) {
	in := `{"detail":"` + strings.Repeat("x", evidence.MaxLine) + `"}`
	if _, err := evidence.Read("e.jsonl", strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long line: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"kind":"tool"}`))
	f.Add([]byte("\n\n{}\n[]\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := evidence.Read("fuzz.jsonl", bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := range items {
			if err := items[i].Validate(); err != nil {
				t.Fatalf("Read returned an invalid item: %v", err)
			}
			_ = items[i].Ref()
		}
		var buf bytes.Buffer
		if err := evidence.Write(&buf, items); err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.Read("again.jsonl", &buf); err != nil {
			t.Fatalf("written evidence does not read back: %v", err)
		}
	})
}
