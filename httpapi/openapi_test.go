package httpapi_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIDoc is the document the server serves, parsed for the checks below.
type openAPIDoc struct {
	raw      []byte
	Paths    map[string]map[string]json.RawMessage `json:"paths"`
	compiler *jsonschema.Compiler
}

const docURL = "https://registry.invalid/openapi.json"

func loadOpenAPI(t *testing.T, e *env) *openAPIDoc {
	t.Helper()
	status, body, h := e.do(t, "GET", "/openapi.json", "", nil)
	if status != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", status, h.Get("Content-Type"))
	}
	d := &openAPIDoc{raw: []byte(body)}
	if err := json.Unmarshal(d.raw, d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.raw))
	if err != nil {
		t.Fatal(err)
	}
	d.compiler = jsonschema.NewCompiler()
	if err := d.compiler.AddResource(docURL, inst); err != nil {
		t.Fatal(err)
	}
	return d
}

// template finds the documented path that a concrete request path matches,
// preferring literal segments over {parameters}.
func (d *openAPIDoc) template(path string) string {
	path, _, _ = strings.Cut(path, "?")
	best, bestLiterals := "", -1
	segs := strings.Split(path, "/")
	for tmpl := range d.Paths {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i, s := range ts {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			case s == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = tmpl, literals
		}
	}
	return best
}

// pointer escapes tokens into a JSON pointer fragment.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, t := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// checkResponse fails the test unless the response is documented for the
// request and its JSON body matches the documented schema.
func (d *openAPIDoc) checkResponse(t *testing.T, method, path string, status int, body string) {
	t.Helper()
	tmpl := d.template(path)
	op, ok := d.Paths[tmpl][strings.ToLower(method)]
	if tmpl == "" || !ok {
		t.Errorf("%s %s is not in openapi.json", method, path)
		return
	}
	var o struct {
		Responses map[string]struct {
			Ref     string                     `json:"$ref"`
			Content map[string]json.RawMessage `json:"content"`
		} `json:"responses"`
	}
	json.Unmarshal(op, &o)
	code := strconv.Itoa(status)
	resp, ok := o.Responses[code]
	if !ok {
		t.Errorf("%s %s: status %d is not documented for %s", method, path, status, tmpl)
		return
	}
	loc := pointer("paths", tmpl, strings.ToLower(method), "responses", code, "content", "application/json", "schema")
	if resp.Ref != "" {
		loc = resp.Ref + "/content/application~1json/schema"
	} else if _, ok := resp.Content["application/json"]; !ok {
		return // not a JSON response (HTML pages)
	}
	sch, err := d.compiler.Compile(docURL + loc)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return // documented JSON without a schema, e.g. openapi.json itself
		}
		t.Fatalf("compile %s: %v", loc, err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Errorf("%s %s: body is not JSON: %v", method, path, err)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s %s -> %d does not match openapi.json:\n%v\nbody: %.300s", method, path, status, err, body)
	}
}
