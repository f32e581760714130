package catalog

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unknownKeys walks a decoded YAML node against the Go type it decodes into and
// calls report for every mapping key that matches no field, so that a typo in a
// catalog file is an error rather than a silently ignored line.
func unknownKeys(n *yaml.Node, t reflect.Type, report func(line int, key string, known []string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			unknownKeys(c, t, report)
		}
		return
	}
	switch t.Kind() {
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				unknownKeys(c, t.Elem(), report)
			}
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode || t == reflect.TypeFor[Date]() {
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				report(k.Line, k.Value, names)
				continue
			}
			unknownKeys(n.Content[i+1], ft, report)
		}
	}
}
