package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/iotlabel/iotlabel/impact"
)

// ImpactSVG draws what a catalog change would do as a horizontal bar chart: one bar per group, its
// length the number of labels, labelled with the move and its first cause.
func ImpactSVG(w io.Writer, s impact.Summary, title string) error {
	const (
		left, barMax, row, top = 420, 360, 34, 56
	)
	groups := s.Groups
	width, height := left+barMax+80, top+row*max(len(groups), 1)+40
	most := 1
	for _, g := range groups {
		most = max(most, g.Count)
	}
	var b bytes.Buffer
	esc := xmlText
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc(title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="16" y="26" font-size="16" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="16" y="44" fill="#555555">%d labels: %d unchanged, %d moved in %d ways, %d could not be compared</text>`+"\n",
		s.Labels, s.Unchanged, s.Labels-s.Unchanged-s.Failed, len(groups), s.Failed)
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="16" y="%d">No label changes.</text>`+"\n", top+20)
	}
	for i, g := range groups {
		y := top + i*row
		length := max(2, barMax*g.Count/most)
		colour := "#c0392b" // a loss
		if strings.HasPrefix(g.Move, "gains") || strings.HasPrefix(g.Move, "may now") || rises(g.Move) {
			colour = "#27ae60"
		}
		cause := ""
		if len(g.Causes) > 0 {
			cause = g.Causes[0]
			if len(g.Causes) > 1 {
				cause += fmt.Sprintf(" (+%d more)", len(g.Causes)-1)
			}
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-10, y+14, esc(g.Move))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#777777" font-size="11">%s</text>`+"\n", left-10, y+28, esc(cause))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="22" fill="%s"><title>%s</title></rect>`+"\n", left, y+4, length, colour, esc(fmt.Sprintf("%d labels", g.Count)))
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`+"\n", left+length+6, y+20, g.Count)
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// rises reports whether a tier move goes up.
func rises(move string) bool {
	var from, to int
	n, _ := fmt.Sscanf(move, "tier %d -> %d", &from, &to)
	return n == 2 && to > from
}
