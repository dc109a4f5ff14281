//go:build cgo

package extract_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/pdftext"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/roughen"
)

// labStyle is how a lab copy's chosen options are marked and how it is
// scanned.
type labStyle struct {
	doc     string // the digital application of testdata/corpus it is made from
	name    string
	marks   []string // per chosen option, in turn: ☑ ☒ ■ √ (printed), pen:tick pen:cross pen:fill pen:circle pen:beside pen:large, faint:tick (a pen tick in a faint box)
	ink     color.RGBA
	dpi     float64
	mode    roughen.Mode
	quality int
	skew    float64 // degrees, alternating in sign by page
	blur    bool
	noise   float64
	seal    color.RGBA // zero: no seal
}

var labStyles = []labStyle{
	{doc: "nat2023_03_pdf", name: "150dpi-gray-pen-black", marks: []string{"pen:tick", "☑", "pen:cross", "pen:tick", "pen:fill"}, ink: roughen.BlackInk,
		dpi: 150, mode: roughen.ModeGray, quality: 40, skew: 2.5, blur: true, noise: 8, seal: color.RGBA{150, 150, 150, 255}},
	{doc: "gd2023_03_pdf", name: "200dpi-colour-pen-blue", marks: []string{"☒", "pen:cross", "■", "pen:tick", "√"}, ink: roughen.BlueInk,
		dpi: 200, mode: roughen.ModeColour, quality: 50, skew: -1.5, blur: true, noise: 6, seal: color.RGBA{215, 40, 45, 255}},
	// A scanner's black-and-white mode cuts sharp edges: no blur.
	{doc: "nat2022_04_pdf", name: "300dpi-bitonal", marks: []string{"√", "☒", "pen:tick", "■", "☑"}, ink: roughen.BlackInk,
		dpi: 300, mode: roughen.ModeBitonal, skew: 1, noise: 8},
	// Ticks drawn large and fast down a column of options, their foot
	// below the box and their stroke into the line above, on a light
	// 150-dpi gray JPEG: the field's hardest copies.
	{doc: "cq2024_03_pdf", name: "150dpi-gray-pen-large", marks: []string{"pen:large", "pen:large", "pen:cross", "pen:large", "pen:tick"}, ink: roughen.BlueInk,
		dpi: 150, mode: roughen.ModeGray, quality: 35, skew: 1.2, blur: true, noise: 6},
}

// TestScanLab makes scans of digital applications of the corpus in the
// lab (extract/roughen) — the chosen options marked in the field's
// printed styles and by pen, black and blue, over or past the box; seals
// in red and in gray; 150-dpi gray JPEG, 200-dpi colour, 300-dpi bitonal;
// skew, blur, noise — reads them through the production scan path and
// requires, on the options of their first pages, the ticks' floors: right
// ≥ labRight, straight through (right, confidence ≥ 0.9) ≥ labSure, and no
// wrong tick at confidence ≥ 0.9.
// It takes minutes, so it runs only with SHENBAO_LAB=1 (make bench);
// LAB_DOCS=name limits the documents; LAB_KEEP=dir keeps the copies.
func TestScanLab(t *testing.T) {
	if os.Getenv("SHENBAO_LAB") != "1" {
		t.Skip("SHENBAO_LAB=1 runs it (three short scans, minutes)")
	}
	ex := newExtractor()
	if ex.Scan == nil {
		t.Skip("no scan engine")
	}
	docs, err := corpus.Load("../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]corpus.Doc{}
	for _, d := range docs {
		byName[strings.TrimSuffix(filepath.Base(d.Path), ".pdf")] = d
	}
	var n, right, sure, wrongSure int
	for i, st := range labStyles {
		d, ok := byName[st.doc]
		if !ok {
			t.Fatalf("%s: not in testdata/corpus", st.doc)
		}
		if !strings.Contains(st.doc, os.Getenv("LAB_DOCS")) {
			continue
		}
		data := labCopy(t, d.Path, st, uint64(i+1), labPages)
		name := strings.TrimSuffix(filepath.Base(d.Path), ".pdf") + "_" + st.name + ".pdf"
		rep, ok := readCopy(t, ex, name, data, os.Getenv("LAB_KEEP"))
		if !ok {
			continue
		}
		s := corpus.Compare(rep, d)
		if !s.Edition {
			t.Errorf("%s: edition %s", name, rep.Edition.ID)
			continue
		}
		got := map[string]shenbao.Checkbox{}
		for _, c := range rep.Checkboxes {
			got[c.Section+"|"+c.Group+"|"+c.Option] = c
		}
		for _, tb := range d.Truth.Checkboxes {
			if tb.Page < 1 || tb.Page > labPages {
				continue
			}
			n++
			c, ok := got[tb.Section+"|"+tb.FullGroup()+"|"+tb.Option]
			switch {
			case ok && c.Checked == tb.Checked:
				right++
				if c.Confidence >= 0.9 {
					sure++
				} else {
					t.Logf("%s: %s/%s %v, unsure (%.2f)", name, tb.FullGroup(), tb.Option, c.Checked, c.Confidence)
				}
			case ok:
				if c.Confidence >= 0.9 {
					wrongSure++
				}
				t.Logf("%s: %s/%s read %v (%.2f), want %v", name, tb.FullGroup(), tb.Option, c.Checked, c.Confidence, tb.Checked)
			default:
				t.Logf("%s: %s/%s not reported", name, tb.FullGroup(), tb.Option)
			}
		}
	}
	if n == 0 {
		t.Fatal("no lab copies read")
	}
	t.Logf("lab ticks: %d, right %d (%.1f %%), straight through %d (%.1f %%), wrong at ≥ 0.9: %d",
		n, right, 100*float64(right)/float64(n), sure, 100*float64(sure)/float64(n), wrongSure)
	// The floors are what the lab measures (caf1e35: 65 of 77 right, 55
	// straight through, none wrong at 0.9; a267778: 75 right, 74
	// straight through — 26/25 of 27 at 150 dpi, 22/22 of 23 at 200,
	// 27/27 at 300 — none wrong at 0.9), a tick's worth under it for
	// OCR's variation under load; issue 19 asks 99.5 % and 98 %. Raise
	// them as the reader gets there.
	if float64(right) < labRight*float64(n) {
		t.Errorf("ticks right %d of %d, floor %.0f %%", right, n, 100*labRight)
	}
	if float64(sure) < labSure*float64(n) {
		t.Errorf("ticks straight through %d of %d, floor %.0f %%", sure, n, 100*labSure)
	}
	if wrongSure > 0 {
		t.Errorf("%d wrong ticks at confidence ≥ 0.9, want 0", wrongSure)
	}
}

// readCopy reads a scan made by a test, first keeping it in the
// directory keep when one is named, to look at.
func readCopy(t *testing.T, ex *extract.Extractor, name string, data []byte, keep string) (*shenbao.Report, bool) {
	t.Helper()
	if keep != "" {
		if err := os.WriteFile(filepath.Join(keep, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ex.Extract(context.Background(), name, data)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil, false
	}
	return rep, true
}

// Floors of TestScanLab.
const (
	labRight = 0.95
	labSure  = 0.93
)

// labPages is how many pages of each application the lab scans: the
// cover, from which the edition is told, and the first pages of options
// (一、基本情况 with its seventeen boxes).
const labPages = 5

// labCopy renders the first pages of the digital PDF at path as a scan in
// style st: each
// chosen option's printed ☑ turned into the style's next mark, the pages
// skewed, blurred and noised, a seal on the last, stored as the
// style's scanner stores pages.
func labCopy(t *testing.T, path string, st labStyle, seed uint64, maxPages int) []byte {
	t.Helper()
	boxes := glyphBoxes(textLayer(t, path))
	doc, err := render.OpenLocal(path, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	rng := rand.New(rand.NewPCG(seed, 7))
	var pages []roughen.Page
	k := 0
	last := min(doc.Pages(), maxPages)
	for p := 1; p <= last; p++ {
		img, err := doc.RGBA(p, st.dpi)
		if err != nil {
			t.Fatal(err)
		}
		px := st.dpi / 72
		for _, gb := range boxes[p] {
			r := image.Rect(int(gb.box[0]*px), int(gb.box[1]*px), int(gb.box[2]*px), int(gb.box[3]*px))
			if !gb.checked {
				continue
			}
			labMark(img, r, st.marks[k%len(st.marks)], st.ink, rng)
			k++
		}
		out, _ := labScan(img, st, p, p == last, seed, rng)
		pages = append(pages, roughen.Page{Img: out, Mode: st.mode, Quality: st.quality})
	}
	pdf, err := roughen.ScanPDF(pages, st.dpi)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// textLayer reads the text layer of the digital PDF at path.
func textLayer(t *testing.T, path string) *shenbao.Content {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pdftext.Read(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// labScan does to page p of a copy (its last when last) what the lab's
// style st does past the marks: a seal on the last page, the page turned
// (by st.skew, the other way and less on even pages), blurred, noised. It
// returns the page and the angle it was turned by.
func labScan(img *image.RGBA, st labStyle, p int, last bool, seed uint64, rng *rand.Rand) (image.Image, float64) {
	if last && st.seal.A != 0 {
		b := img.Rect
		roughen.Seal(img, float64(b.Dx())*0.65, float64(b.Dy())*0.6, float64(b.Dx())*0.11, st.seal, rng)
	}
	deg := st.skew
	if p%2 == 0 {
		deg = -deg * 0.7
	}
	var out image.Image = img
	if deg != 0 {
		out = roughen.SkewColour(img, deg)
	}
	if st.blur {
		out = roughen.BlurColour(out)
	}
	if st.noise > 0 {
		out = roughen.NoiseColour(out, st.noise, seed+uint64(p))
	}
	return out, deg
}

// labMark draws mark m for the printed mark at r (its glyph's cell):
// printed styles replace the glyph, pen styles print an empty box in its
// place and draw over it.
func labMark(img *image.RGBA, r image.Rectangle, m string, ink color.RGBA, rng *rand.Rand) {
	s := r.Dy()
	// The box inside the glyph's cell: square, a little inside it.
	box := image.Rect(r.Min.X+s/10, r.Min.Y+s/10, r.Min.X+s*9/10, r.Min.Y+s*9/10)
	inner := box.Inset(max(2, s/8))
	black := color.RGBA{0, 0, 0, 255}
	drawBox := func(c color.RGBA) {
		roughen.Erase(img, box.Inset(-s/10))
		w := max(1.5, float64(s)/14)
		roughen.Line(img, box.Min, image.Pt(box.Max.X, box.Min.Y), w, c)
		roughen.Line(img, image.Pt(box.Max.X, box.Min.Y), box.Max, w, c)
		roughen.Line(img, box.Max, image.Pt(box.Min.X, box.Max.Y), w, c)
		roughen.Line(img, image.Pt(box.Min.X, box.Max.Y), box.Min, w, c)
	}
	outline := func() { drawBox(black) }
	switch m {
	case "☑": // as printed (☑, or √ where the form prints that)
	case "☒":
		outline()
		roughen.Line(img, inner.Min, inner.Max, float64(s)/14, black)
		roughen.Line(img, image.Pt(inner.Max.X, inner.Min.Y), image.Pt(inner.Min.X, inner.Max.Y), float64(s)/14, black)
	case "■":
		roughen.Erase(img, box.Inset(-s/10))
		roughen.Fill(img, box, black)
	case "√":
		roughen.Erase(img, box.Inset(-s/10))
		roughen.Line(img, image.Pt(box.Min.X, box.Min.Y+s/2), image.Pt(box.Min.X+s/3, box.Max.Y), float64(s)/12, black)
		roughen.Line(img, image.Pt(box.Min.X+s/3, box.Max.Y), image.Pt(box.Max.X, box.Min.Y-s/8), float64(s)/12, black)
	case "pen:tick", "pen:cross", "pen:fill", "pen:circle", "pen:beside", "pen:large":
		outline() // the empty box the clerk marks
		roughen.Pen(img, box, penKinds[m], ink, rng)
	case "faint:tick":
		// A copy whose boxes came out faint (a light toner, a form
		// printed in gray), ticked by pen.
		drawBox(color.RGBA{175, 175, 175, 255})
		roughen.Pen(img, box, roughen.PenTick, ink, rng)
	default:
		panic(fmt.Sprintf("lab mark %q", m))
	}
}

var penKinds = map[string]roughen.PenKind{
	"pen:tick": roughen.PenTick, "pen:cross": roughen.PenCross, "pen:fill": roughen.PenFill,
	"pen:circle": roughen.PenCircle, "pen:beside": roughen.PenTickBeside, "pen:large": roughen.PenTickLarge,
}

type glyphBox struct {
	box     shenbao.Box
	checked bool
}

// glyphBoxes finds, per page, the printed mark glyphs (☑, √, □ …) of the option
// lines of a digital PDF: a line's characters are set at an even advance,
// so a glyph's cell is its share of the line's width.
func glyphBoxes(c *shenbao.Content) map[int][]glyphBox {
	out := map[int][]glyphBox{}
	var walk func(ts []shenbao.Table)
	walk = func(ts []shenbao.Table) {
		for _, t := range ts {
			for _, r := range t.Rows {
				for _, cell := range r.Cells {
					for _, l := range cell.Lines {
						rs := []rune(l.Text)
						if len(rs) == 0 {
							continue
						}
						adv := (l.BBox[2] - l.BBox[0]) / float64(len(rs))
						for k, ch := range rs {
							st := shenbao.MarkState(ch)
							if st == 0 {
								continue
							}
							x := l.BBox[0] + float64(k)*adv
							out[l.Page] = append(out[l.Page], glyphBox{shenbao.Box{x, l.BBox[1], x + (l.BBox[3] - l.BBox[1]), l.BBox[3]}, st > 0})
						}
					}
					walk(cell.Tables)
				}
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Table != nil {
			walk([]shenbao.Table{*b.Table})
		}
	}
	return out
}
