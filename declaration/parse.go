package declaration

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// Schema is the JSON Schema (draft 2020-12) of version-1 declarations.
//
//go:embed schema.json
var Schema []byte

const schemaURL = "https://github.com/iotlabel/iotlabel/schemas/declaration-v1.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

var rawSchema = sync.OnceValue(func() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(Schema, &m); err != nil {
		panic(err) // schema.json is checked by tests
	}
	return m
})

// MaxSize is the largest declaration Parse accepts.
const MaxSize = 4 << 20

// Parse reads a YAML or JSON declaration. On failure the error is an *Invalid
// listing every problem found; name is used in its messages.
func Parse(name string, data []byte) (*Declaration, error) {
	inv := &Invalid{File: name}
	if len(data) > MaxSize {
		inv.add(0, 0, "", fmt.Sprintf("file is %d bytes; declarations are limited to %d", len(data), MaxSize), "")
		return nil, inv
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlLine(err)
		inv.add(line, 0, "", "not valid YAML or JSON: "+msg, "check indentation and quoting near this line")
		return nil, inv
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		inv.add(1, 1, "", "file is empty", "run `iotlabel declaration init` for a template")
		return nil, inv
	}
	root := doc.Content[0]
	nodes := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	budget := maxNodes
	value, err := toJSON(root, "", nodes, keys, 0, &budget)
	if err != nil {
		inv.add(root.Line, root.Column, "", err.Error(), "")
		return nil, inv
	}
	sch, err := compiled()
	if err != nil {
		return nil, fmt.Errorf("compile declaration schema: %w", err)
	}
	if err := sch.Validate(value); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate %s: %w", name, err)
		}
		schemaProblems(inv, ve, nodes, keys)
		inv.sort()
		return nil, inv
	}
	d := &Declaration{File: name, nodes: nodes}
	if err := root.Decode(d); err != nil {
		line, msg := yamlLine(err)
		inv.add(line, 0, "", msg, "")
		return nil, inv
	}
	d.checkConsistency(inv)
	if len(inv.Problems) > 0 {
		inv.sort()
		return nil, inv
	}
	return d, nil
}

func yamlLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 0
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		// yaml.v3 reports "did not find expected …" parser errors at the line
		// before the one that holds the problem; point at the real line.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	}
	return line, msg
}

const (
	maxDepth = 64
	// maxNodes bounds the values a declaration may expand to, so that YAML
	// aliases cannot multiply a small file into billions of nodes.
	maxNodes = 100_000
)

// toJSON converts a YAML node into the plain JSON value the schema validator
// expects (so an unquoted 2030-12-31 stays a string and 0x17 an integer),
// recording each value's node under its JSON pointer and each key's node.
func toJSON(n *yaml.Node, ptr string, nodes, keys map[string]*yaml.Node, depth int, budget *int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("line %d: nesting deeper than %d levels", n.Line, maxDepth)
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("line %d: more than %d values (are YAML aliases expanding too far?)", n.Line, maxNodes)
	}
	nodes[ptr] = n
	switch n.Kind {
	case yaml.AliasNode:
		return toJSON(n.Alias, ptr, nodes, keys, depth+1, budget)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping keys must be plain text", k.Line)
			}
			p := ptr + "/" + escapePtr(k.Value)
			keys[p] = k
			v, err := toJSON(n.Content[i+1], p, nodes, keys, depth+1, budget)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := toJSON(c, ptr+"/"+strconv.Itoa(i), nodes, keys, depth+1, budget)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				return json.Number(n.Value), nil
			}
			return json.Number(strconv.FormatInt(i, 10)), nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// fieldPath turns instance-location segments into a readable path such as
// product.firmware_versions[0] or answers["5.1-4"].support.
func fieldPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		switch {
		case isIndex(s):
			b.WriteString("[" + s + "]")
		case plainKey.MatchString(s):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			b.WriteString("[" + strconv.Quote(s) + "]")
		}
	}
	return b.String()
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && s != ""
}

func ptrOf(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString("/" + escapePtr(s))
	}
	return b.String()
}

// leaves collects the innermost validation errors, which name the real problems.
func leaves(ve *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(out, ve)
	}
	for _, c := range ve.Causes {
		out = leaves(c, out)
	}
	return out
}

func schemaProblems(inv *Invalid, ve *jsonschema.ValidationError, nodes, keys map[string]*yaml.Node) {
	for _, e := range leaves(ve, nil) {
		segs := e.InstanceLocation
		ptr := ptrOf(segs)
		n := nodes[ptr]
		line, col := 0, 0
		if n != nil {
			line, col = n.Line, n.Column
		}
		path := fieldPath(segs)
		switch k := e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			known := schemaProperties(e.SchemaURL)
			for _, p := range k.Properties {
				kl, kc := line, col
				if kn := keys[ptr+"/"+escapePtr(p)]; kn != nil {
					kl, kc = kn.Line, kn.Column
				}
				hint := "remove it"
				if strings.ContainsAny(p, " ,") {
					hint = "this looks like part of a text value: quote the whole value, e.g. detail: \"a, b\""
				} else if s := catalog.Closest(p, known); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				} else if len(known) > 0 {
					hint = "allowed here: " + strings.Join(known, ", ")
				}
				inv.add(kl, kc, fieldPath(append(append([]string{}, segs...), p)), "unknown field", hint)
			}
		case *kind.Required:
			for _, m := range k.Missing {
				inv.add(line, col, fieldPath(append(append([]string{}, segs...), m)), "required field is missing", "add it; see `iotlabel declaration init`")
			}
		case *kind.Type:
			hint := ""
			if k.Got == "number" && strings.Contains(strings.Join(k.Want, ","), "string") {
				hint = "quote the value so it stays text, e.g. \"" + nodeValue(n) + "\""
			}
			inv.add(line, col, path, fmt.Sprintf("must be %s, not %s", strings.Join(k.Want, " or "), k.Got), hint)
		case *kind.Enum:
			var want []string
			for _, w := range k.Want {
				want = append(want, fmt.Sprint(w))
			}
			hint := "one of: " + strings.Join(want, ", ")
			if s := catalog.Closest(fmt.Sprint(k.Got), want); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			inv.add(line, col, path, fmt.Sprintf("%q is not an allowed value", fmt.Sprint(k.Got)), hint)
		case *kind.Const:
			inv.add(line, col, path, fmt.Sprintf("must be %q", fmt.Sprint(k.Want)), "")
		case *kind.Format:
			inv.add(line, col, path, fmt.Sprintf("%q is not a valid %s", fmt.Sprint(k.Got), k.Want), formatHint(k.Want))
		case *kind.Pattern:
			inv.add(line, col, path, fmt.Sprintf("%q has the wrong form", k.Got), patternHint(segs))
		case *kind.Minimum:
			inv.add(line, col, path, fmt.Sprintf("must be at least %s", ratString(k.Want)), "")
		case *kind.Maximum:
			inv.add(line, col, path, fmt.Sprintf("must be at most %s", ratString(k.Want)), "")
		case *kind.MinItems:
			inv.add(line, col, path, fmt.Sprintf("needs at least %d item(s)", k.Want), "")
		case *kind.MinLength:
			inv.add(line, col, path, "must not be empty", "")
		case *kind.UniqueItems:
			inv.add(line, col, path, fmt.Sprintf("items %d and %d are the same", k.Duplicates[0], k.Duplicates[1]), "list each value once")
		default:
			inv.add(line, col, path, e.ErrorKind.LocalizedString(nil), "")
		}
	}
}

func nodeValue(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(2)
}

func formatHint(f string) string {
	switch f {
	case "date":
		return "write dates as YYYY-MM-DD, e.g. 2030-12-31"
	case "uri":
		return "write a full URL, e.g. https://example.com/security"
	case "email":
		return "write an address such as security@example.com"
	}
	return ""
}

func patternHint(segs []string) string {
	p := strings.Join(segs, "/")
	switch {
	case strings.HasPrefix(p, "markets/"):
		return "use a market code such as GB, EU, US or US-CA"
	case p == "disclosure/contact":
		return "give an e-mail address or an https:// URL"
	case strings.HasSuffix(p, "url") || strings.HasSuffix(p, "_at") || strings.HasSuffix(p, "website"):
		return "use an http:// or https:// URL"
	case p == "manufacturer/country":
		return "use a two-letter ISO country code such as GB"
	}
	return ""
}

// schemaProperties returns the property names allowed by the schema object at
// schemaURL (which points at the keyword "additionalProperties").
func schemaProperties(schemaURL string) []string {
	_, frag, _ := strings.Cut(schemaURL, "#")
	frag = strings.TrimSuffix(frag, "/additionalProperties")
	var cur any = rawSchema()
	for _, seg := range strings.Split(strings.Trim(frag, "/"), "/") {
		if seg == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[unescapePtr(seg)]
	}
	m, _ := cur.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
