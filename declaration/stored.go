package declaration

import "encoding/json"

// storedFormat numbers the layout Stored writes; bump it when a field's
// meaning changes, so that forms written before are parsed again from the
// original bytes instead.
const storedFormat = 1

type stored struct {
	Format      int          `json:"format"`
	Declaration *Declaration `json:"declaration"`
}

// Stored returns the parsed declaration as JSON, for a registry to keep beside
// the original bytes: [FromStored] reads it back many times faster than Parse
// reads YAML. It carries no positions, so problems found later (Check) name
// fields without lines.
func (d *Declaration) Stored() []byte {
	b, err := json.Marshal(stored{storedFormat, d})
	if err != nil {
		panic(err) // a Declaration always marshals
	}
	return b
}

// FromStored reads what Stored wrote, under name. It reports false for any
// other input — empty, another format, or JSON that does not decode — and
// the caller parses the original bytes instead.
func FromStored(name string, b []byte) (*Declaration, bool) {
	var s stored
	if len(b) == 0 || json.Unmarshal(b, &s) != nil || s.Format != storedFormat || s.Declaration == nil {
		return nil, false
	}
	s.Declaration.File = name
	return s.Declaration, true
}
