// Package examples embeds the shipped example declarations and evidence, so that
// `iotlabel serve --demo` works from any directory.
package examples

import "embed"

// Files holds examples/*/declaration.yaml and examples/*/evidence.jsonl.
//
//go:embed */declaration.yaml */evidence.jsonl
var Files embed.FS
