// Package declaration reads, validates and describes a manufacturer's
// declaration about one consumer IoT product: identity, markets, support period,
// vulnerability disclosure, passwords, updates, interfaces, data, ecosystem and
// per-requirement answers in the style of the EN 303 645 Annex B ICS.
//
// Declarations are YAML or JSON and follow the JSON Schema in schema.json
// (published as docs/declaration.schema.json). [Parse] reports every problem at
// once, each with its file, line, column and field path and, where possible, a
// hint; it never fills in a default that could change a verdict: an absent
// optional field means "not declared".
package declaration
