package label

import (
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"slices"
	"strings"

	goqr "github.com/piglig/go-qr"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Layout is what the printed label says, line by line.
type Layout struct {
	Tier     string   // "TIER 2"
	TierName string   // "Standard"
	Support  string   // "Security updates until 2033-01-31"
	Meets    []string // wrapped lines naming the schemes met
	Product  string
	LabelID  string
	QR       *goqr.QrCode
	// QRVersion is the QR symbol's version (1 to 40): smaller is easier to scan.
	QRVersion int
}

// SchemeName is how the printed label names a scheme; Kind (law, label,
// standard, guidance) orders the list so that laws come first.
type SchemeName struct {
	ID, Short, Kind string
}

var kindOrder = map[string]int{"law": 0, "label": 1, "standard": 2, "guidance": 3}

// NewLayout lays out a label. It lists the schemes met, laws first, in at most
// four lines, ending with "+N more" when they do not fit.
func NewLayout(p *Predicate, qrText string, schemes []SchemeName) (*Layout, error) {
	code, err := encodeQR(qrText)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	met := map[string]string{}
	for _, s := range p.Schemes {
		met[s.ID] = s.Level
	}
	ordered := slices.Clone(schemes)
	slices.SortStableFunc(ordered, func(a, b SchemeName) int { return kindOrder[a.Kind] - kindOrder[b.Kind] })
	var names []string
	for _, s := range ordered {
		level, ok := met[s.ID]
		if !ok {
			continue
		}
		n := s.Short
		if level != "" && !strings.HasSuffix(n, level) {
			n += " " + level
		}
		names = append(names, n)
	}
	return &Layout{Tier: fmt.Sprintf("TIER %d", p.Tier), TierName: p.TierName,
		Support: "Security updates until " + p.SupportEnd.String(), Meets: listLines("Meets: ", names, 44, 4),
		Product: p.Manufacturer + " " + p.Model, LabelID: p.LabelID, QR: code, QRVersion: qrVersion(code)}, nil
}

// listLines fills at most max lines of at most width characters with the
// items, comma-separated, and ends with "+N more" if some do not fit.
func listLines(lead string, items []string, width, max int) []string {
	for shown := len(items); shown >= 0; shown-- {
		text := lead + strings.Join(items[:shown], ", ")
		if shown < len(items) {
			text += fmt.Sprintf(" +%d more", len(items)-shown)
		}
		if lines := wrap(text, width); len(lines) <= max {
			return lines
		}
	}
	return nil
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

const (
	labelW = 320 // label width in SVG user units / PNG pixels at scale 1
	qrTop  = 200
)

func (l *Layout) height() int { return qrTop + l.qrSize() + 44 }

func (l *Layout) qrSize() int {
	n := l.QR.Size() + 8 // 4-module quiet zone each side
	return n * max(1, 232/n)
}

// SVG writes the label as a self-contained SVG: black on white, large tier.
func (l *Layout) SVG(w io.Writer) error {
	h := l.height()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%dmm" height="%dmm" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		labelW/4, h/4, labelW, h, html.EscapeString(l.Tier+", "+l.Support))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff" stroke="#000" stroke-width="4"/>`, labelW, h)
	fmt.Fprintf(&b, `<rect width="%d" height="34" fill="#000"/>`, labelW)
	text := func(x, y, size int, weight, s string) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-family="Helvetica, Arial, sans-serif" font-size="%d" font-weight="%s" fill="#000">%s</text>`,
			x, y, size, weight, html.EscapeString(s))
	}
	fmt.Fprintf(&b, `<text x="12" y="24" font-family="Helvetica, Arial, sans-serif" font-size="18" font-weight="bold" fill="#fff">IoT SECURITY LABEL</text>`)
	text(12, 76, 38, "bold", l.Tier)
	text(170, 76, 18, "bold", l.TierName)
	text(12, 106, 16, "bold", l.Support)
	for i, line := range l.Meets {
		text(12, 130+i*16, 12, "normal", line)
	}
	n := l.QR.Size()
	mod := l.qrSize() / (n + 8)
	x0 := (labelW - l.qrSize()) / 2
	var path strings.Builder
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if l.QR.Module(x, y) {
				fmt.Fprintf(&path, "M%d %dh%dv%dh-%dz", x0+(x+4)*mod, qrTop+(y+4)*mod, mod, mod, mod)
			}
		}
	}
	fmt.Fprintf(&b, `<path d="%s" fill="#000"/>`, path.String())
	text(12, qrTop+l.qrSize()+16, 12, "normal", l.Product)
	text(12, qrTop+l.qrSize()+34, 12, "bold", "Label "+l.LabelID+" - scan to check status")
	b.WriteString(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// PNG writes the label as a PNG, drawn at scale× with a bitmap font.
func (l *Layout) PNG(w io.Writer, scale int) error {
	h := l.height()
	img := image.NewGray(image.Rect(0, 0, labelW, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := image.NewUniform(color.Black)
	draw.Draw(img, image.Rect(0, 0, labelW, 34), black, image.Point{}, draw.Src)
	say := func(x, y int, c image.Image, s string, big bool) {
		d := &font.Drawer{Dst: img, Src: c, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		if !big {
			d.DrawString(s)
			return
		}
		// Double-size text: draw into a scratch image and scale it up.
		tmp := image.NewGray(image.Rect(0, 0, len(s)*7, 13))
		draw.Draw(tmp, tmp.Bounds(), image.White, image.Point{}, draw.Src)
		(&font.Drawer{Dst: tmp, Src: black, Face: basicfont.Face7x13, Dot: fixed.P(0, 10)}).DrawString(s)
		for yy := 0; yy < 13*3; yy++ {
			for xx := 0; xx < len(s)*7*3; xx++ {
				if tmp.GrayAt(xx/3, yy/3).Y < 128 {
					img.SetGray(x+xx, y-30+yy, color.Gray{})
				}
			}
		}
	}
	say(12, 22, image.White, "IoT SECURITY LABEL", false)
	say(12, 80, black, l.Tier, true)
	say(170, 72, black, l.TierName, false)
	say(12, 104, black, l.Support, false)
	for i, line := range l.Meets {
		say(12, 128+i*16, black, line, false)
	}
	n := l.QR.Size()
	mod := l.qrSize() / (n + 8)
	x0 := (labelW - l.qrSize()) / 2
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if l.QR.Module(x, y) {
				draw.Draw(img, image.Rect(x0+(x+4)*mod, qrTop+(y+4)*mod, x0+(x+5)*mod, qrTop+(y+5)*mod), black, image.Point{}, draw.Src)
			}
		}
	}
	say(12, qrTop+l.qrSize()+16, black, l.Product, false)
	say(12, qrTop+l.qrSize()+34, black, "Label "+l.LabelID+" - scan to check status", false)
	big := image.NewGray(image.Rect(0, 0, labelW*scale, h*scale))
	for y := 0; y < h*scale; y++ {
		for x := 0; x < labelW*scale; x++ {
			big.SetGray(x, y, img.GrayAt(x/scale, y/scale))
		}
	}
	return png.Encode(w, big)
}
