package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"

	"github.com/iotlabel/iotlabel/catalog"
)

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// CoverageSVG draws the framework as the policy reports describe it: schemes
// down, lifecycle phases across, each cell shaded by its mandatory
// requirements and labelled mandatory/recommended; a cell a scheme leaves
// without a mandatory requirement while it has some elsewhere is outlined in
// red, and so are the phases thinly covered across all schemes.
func CoverageSVG(w io.Writer, c *catalog.Catalog, cov catalog.Coverage) error {
	const left, top, cw, ch = 230, 70, 104, 30
	most := 1
	for _, s := range cov.Schemes {
		for _, p := range s.Phases {
			most = max(most, p.Mandatory)
		}
	}
	rows := len(cov.Schemes) + 1
	width, height := left+cw*len(catalog.Phases)+20, top+ch*rows+70
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	title := fmt.Sprintf("Where the schemes' requirements fall in the product lifecycle (catalog %s)", c.Version)
	fmt.Fprintf(&b, `<title>%s</title><rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n", xmlText(title))
	fmt.Fprintf(&b, `<text x="12" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", xmlText(title))
	for i, p := range catalog.Phases {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text>`+"\n", left+i*cw+cw/2, top-10, p)
	}
	cellAt := func(row, col int, pc catalog.PhaseCount, all bool) {
		x, y := left+col*cw, top+row*ch
		shade := 245 - 190*pc.Mandatory/most
		if all {
			shade = 235
		}
		stroke, sw := "#ffffff", 1
		if pc.Thin {
			stroke, sw = "#c0392b", 3
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="rgb(%d,%d,255)" stroke="%s" stroke-width="%d"><title>%d mandatory, %d recommended%s</title></rect>`+"\n",
			x+1, y+1, cw-2, ch-2, shade, shade, stroke, sw, pc.Mandatory, pc.Recommended, map[bool]string{true: " (thin)", false: ""}[pc.Thin])
		colour := "#000000"
		if shade < 140 {
			colour = "#ffffff"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%d / %d</text>`+"\n", x+cw/2, y+ch/2+4, colour, pc.Mandatory, pc.Recommended)
	}
	for r, s := range cov.Schemes {
		name := s.Scheme
		if sc := c.Scheme(s.Scheme); sc != nil {
			name = sc.Short
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, top+r*ch+ch/2+4, xmlText(name))
		for i, p := range s.Phases {
			cellAt(r, i, p, false)
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-weight="bold">all schemes</text>`+"\n", left-8, top+len(cov.Schemes)*ch+ch/2+4)
	for i, p := range cov.Totals {
		cellAt(len(cov.Schemes), i, p, true)
	}
	fmt.Fprintf(&b, `<text x="12" y="%d" fill="#555555">Cells: mandatory / recommended requirements by primary phase; darker = more mandatory. Red outline: no mandatory</text>`+"\n", top+rows*ch+24)
	fmt.Fprintf(&b, `<text x="12" y="%d" fill="#555555">requirement in that phase though the scheme has some elsewhere; on the last row, a phase under half an even share.</text>`+"\n", top+rows*ch+40)
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// CoverageHTML writes one self-contained page: the chart and the same numbers
// as a table, for people who cannot see the colours.
func CoverageHTML(w io.Writer, c *catalog.Catalog, cov catalog.Coverage) error {
	var svg bytes.Buffer
	if err := CoverageSVG(&svg, c, cov); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lifecycle coverage, catalog %s</title>\n", xmlText(c.Version))
	b.WriteString("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}.thin{outline:2px solid #c0392b}</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>Lifecycle coverage of the schemes (catalog %s)</h1>\n", xmlText(c.Version))
	b.Write(svg.Bytes())
	b.WriteString("<table><caption>Mandatory / recommended requirements by primary phase</caption>\n<tr><th>scheme</th>")
	for _, p := range catalog.Phases {
		fmt.Fprintf(&b, "<th>%s</th>", p)
	}
	b.WriteString("<th>total</th></tr>\n")
	row := func(name string, ps []catalog.PhaseCount, total string) {
		fmt.Fprintf(&b, "<tr><td>%s</td>", xmlText(name))
		for _, p := range ps {
			class, mark := "", ""
			if p.Thin {
				class, mark = ` class="thin"`, " (thin)"
			}
			fmt.Fprintf(&b, "<td%s>%d / %d%s</td>", class, p.Mandatory, p.Recommended, mark)
		}
		fmt.Fprintf(&b, "<td>%s</td></tr>\n", total)
	}
	for _, s := range cov.Schemes {
		row(s.Scheme, s.Phases, fmt.Sprint(s.Total))
	}
	row("all schemes", cov.Totals, "")
	b.WriteString("</table>\n</body></html>\n")
	_, err := w.Write(b.Bytes())
	return err
}
