package report

import (
	"encoding/json"
	"io"

	"github.com/iotlabel/iotlabel/assess"
)

// JSON writes the assessment as indented JSON; the field names are a stable
// contract documented in docs/formats.md.
func JSON(w io.Writer, a *assess.Assessment) error { return writeJSON(w, a) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
