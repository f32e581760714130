package declaration

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a declaration.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// Invalid reports every problem found in one declaration file.
type Invalid struct {
	File     string    `json:"file"`
	Problems []Problem `json:"problems"`
}

func (e *Invalid) add(line, col int, path, msg, hint string) {
	e.Problems = append(e.Problems, Problem{Line: line, Column: col, Path: path, Message: msg, Hint: hint})
}

func (e *Invalid) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i], e.Problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Format renders one problem as file:line:col: field.path: message (hint).
func (e *Invalid) Format(p Problem) string {
	var b strings.Builder
	b.WriteString(e.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString(" (" + p.Hint + ")")
	}
	return b.String()
}

func (e *Invalid) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = e.Format(p)
	}
	return strings.Join(lines, "\n")
}

// at returns the position of the field at path (JSON-pointer segments), falling
// back to the nearest enclosing field that exists.
func (d *Declaration) at(segs ...string) (line, col int) {
	for i := len(segs); i >= 0; i-- {
		if n := d.nodes[ptrOf(segs[:i])]; n != nil {
			return n.Line, n.Column
		}
	}
	return 0, 0
}

func (d *Declaration) problem(inv *Invalid, msg, hint string, segs ...string) {
	line, col := d.at(segs...)
	inv.add(line, col, fieldPath(segs), msg, hint)
}
