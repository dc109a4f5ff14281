package scan

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/shenbao/shenbao/extract/roughen"
)

// labOption is one option box of a lab form: where its line starts (at
// the scan's dpi), and how a clerk marked it.
type labOption struct {
	x, y int
	pen  roughen.PenKind
	tick bool // marked by pen (pen says how); false: left empty
	n    int  // characters of the option's words; 0: six
	// solid: the box printed filled (■), the form's own tick.
	solid bool
	// kou: the option's first character is a closed square (口, 日,
	// 国), in ink, which a box search must not take for a box.
	kou bool
}

// labForm draws a form page at dpi: a table whose label column holds
// characters and whose value cells hold the options, each a printed box
// (its outline light gray, as a copy of a copy prints it) followed by
// the option's characters; a heading line of characters above them.
// The marked options get their pen marks in ink.
func labForm(dpi float64, w, h int, rows []int, heads []int, opts []labOption, ink color.RGBA, boxGray uint8, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	roughen.Fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
	rng := rand.New(rand.NewPCG(seed, 11))
	em := int(10.5 / 72 * dpi)
	black := color.RGBA{0, 0, 0, 255}
	rule := max(1.5, dpi/100)
	left, right, label := em*3, w-em*3, em*10
	for _, y := range rows {
		roughen.Line(img, image.Pt(left, y), image.Pt(right, y), rule, black)
	}
	for _, x := range []int{left, label, right} {
		roughen.Line(img, image.Pt(x, rows[0]), image.Pt(x, rows[len(rows)-1]), rule, black)
	}
	// char draws a stand-in for a Chinese character: strokes across and
	// down that close no square (土, 干, 士).
	char := func(x, y int) {
		s := em * 9 / 10
		sw := max(1.2, float64(em)/14)
		for _, f := range []float64{0.25, 0.55, 0.9} {
			if rng.IntN(3) > 0 {
				yy := y + int(f*float64(s))
				roughen.Line(img, image.Pt(x+s/10, yy), image.Pt(x+s*9/10, yy), sw, black)
			}
		}
		xx := x + s*(3+rng.IntN(4))/10
		roughen.Line(img, image.Pt(xx, y), image.Pt(xx, y+s), sw, black)
	}
	text := func(x, y, n int) {
		for i := 0; i < n; i++ {
			char(x+i*em, y)
		}
	}
	for i := 0; i+1 < len(rows); i++ {
		text(left+em, rows[i]+em/2, 4) // the row's label
	}
	for _, y := range heads {
		text(label+em/2, y, 12)
	}
	for _, o := range opts {
		s := em * 8 / 10
		box := image.Rect(o.x, o.y+em/10, o.x+s, o.y+em/10+s)
		gray := color.RGBA{boxGray, boxGray, boxGray, 255}
		square(img, box, max(1.0, float64(em)/18), gray)
		n := o.n
		if n == 0 {
			n = 6
		}
		text(o.x+em+em/8, o.y, n)
		if o.kou {
			// Over the stand-in first character: 口 a character wide.
			k := image.Rect(o.x+em+em/8+em/10, o.y+em/10, o.x+em+em/8+em*9/10, o.y+em*9/10)
			square(img, k, max(1.2, float64(em)/14), black)
		}
		switch {
		case o.solid:
			roughen.Fill(img, box, black)
		case o.tick:
			roughen.Pen(img, box, o.pen, ink, rng)
		}
	}
	return img
}

// square draws the outline of r in strokes w wide.
func square(img *image.RGBA, r image.Rectangle, w float64, c color.RGBA) {
	roughen.Line(img, r.Min, image.Pt(r.Max.X, r.Min.Y), w, c)
	roughen.Line(img, image.Pt(r.Max.X, r.Min.Y), r.Max, w, c)
	roughen.Line(img, r.Max, image.Pt(r.Min.X, r.Max.Y), w, c)
	roughen.Line(img, image.Pt(r.Min.X, r.Max.Y), r.Min, w, c)
}

// labMarks scans a lab form as a clerk's office does (blurred, noised,
// a gray JPEG of quality q at dpi) and lays it out as the reader does at
// 200 dpi, without reading it: the marks found and decided.
func labMarks(img *image.RGBA, dpi float64, q int, seed uint64) (*page, float64) {
	var out image.Image = roughen.NoiseColour(roughen.BlurColour(img), 6, seed)
	out = roughen.JPEG(roughen.Gray(out), q)
	g := grayDropColour(out)
	f := 200 / dpi
	g = resize(g, f)
	flat := flatten(g, 50)
	bin := binarise(flat)
	pg := newPage(1, 200, nil)
	pg.gray, pg.bin = flat, bin
	hs, vs := findRules(bin, pg.p)
	tables := findTables(hs, vs, pg.p, bin.w)
	pg.clearRules(flat, bin, hs, vs, tables)
	pg.layout(tables)
	decideMarks(pg.marks)
	return pg, f
}

// labFound returns where option o's box lies on the page read at f
// times the lab's dpi, and the marks found over it.
func labFound(pg *page, o labOption, em int, f float64) (image.Rectangle, []*mark) {
	s := em * 8 / 10
	want := image.Rect(int(float64(o.x)*f), int(float64(o.y+em/10)*f), int(float64(o.x+s)*f), int(float64(o.y+em/10+s)*f))
	var found []*mark
	for _, m := range pg.marks {
		if in := m.rect.Intersect(want); 2*area(in) >= min(area(m.rect), area(want)) {
			found = append(found, m)
		}
	}
	return want, found
}

// Pen ticks on a 150-dpi gray copy, the field's hardest: large ticks
// whose foot falls below the box and whose stroke runs into the line
// above, over boxes printed light or so faint that only the pen mark is
// ink at the reading threshold, in stacked multi-choice options, in
// columns of options and in 是/否 rows; every box is found and decided,
// the ticks surely, and no character drawn as a square (口) is taken
// for a box.
func TestPenTicksAt150(t *testing.T) {
	dpi := 150.0
	em := int(10.5 / 72 * dpi)
	pitch := em * 23 / 20 // lines 1.15 em apart, as tight cells set them
	for _, tt := range []struct {
		name string
		ink  color.RGBA
		pen  roughen.PenKind
		q    int
		// boxGray: how dark the printed boxes are (0 black); 150 and
		// up is a light gray print, fainter than either threshold on
		// a 150-dpi copy.
		boxGray uint8
	}{
		{"large black ticks", roughen.BlackInk, roughen.PenTickLarge, 40, 90},
		{"large blue ticks", roughen.BlueInk, roughen.PenTickLarge, 35, 90},
		{"ticks", roughen.BlackInk, roughen.PenTick, 40, 90},
		{"crosses", roughen.BlueInk, roughen.PenCross, 40, 90},
		{"ticks on faint boxes", roughen.BlackInk, roughen.PenTick, 40, 160},
		{"large blue ticks on faint boxes", roughen.BlueInk, roughen.PenTickLarge, 35, 160},
		{"crosses on faint boxes", roughen.BlackInk, roughen.PenCross, 40, 170},
		{"fills on faint boxes", roughen.BlueInk, roughen.PenFill, 40, 160},
	} {
		for seed := uint64(1); seed <= 3; seed++ {
			label := em * 10
			x0 := label + em/2
			r0, r1, r2, r3 := 3*em, 3*em+6*pitch, 3*em+11*pitch, 3*em+14*pitch
			var opts []labOption
			// Stacked options, every one ticked, and one left empty;
			// some open with a character that is a square (口).
			for k := 1; k <= 4; k++ {
				opts = append(opts, labOption{x: x0, y: r0 + em/3 + k*pitch, pen: tt.pen, tick: k != 3, kou: k%2 == 0})
			}
			// Options in three columns.
			for k := 0; k < 6; k++ {
				opts = append(opts, labOption{x: x0 + (k%3)*em*9, y: r1 + em/3 + (1+k/3)*pitch, pen: tt.pen, tick: k != 0, kou: k == 1})
			}
			// 是/否 rows.
			opts = append(opts, labOption{x: x0, y: r2 + em/2, pen: tt.pen, tick: true, n: 1},
				labOption{x: x0 + 4*em, y: r2 + em/2, pen: tt.pen, n: 1},
				labOption{x: x0 + em*16, y: r2 + em/2, pen: tt.pen, n: 1},
				labOption{x: x0 + em*20, y: r2 + em/2, pen: tt.pen, tick: true, n: 1})
			img := labForm(dpi, int(8.27*dpi), r3+3*em, []int{r0, r1, r2, r3}, []int{r0 + em/3, r1 + em/3}, opts, tt.ink, tt.boxGray, seed)
			pg, f := labMarks(img, dpi, tt.q, seed)
			for i, o := range opts {
				want, found := labFound(pg, o, em, f)
				switch {
				case len(found) != 1:
					t.Errorf("%s seed %d: option %d (tick %v) at %v: %d marks", tt.name, seed, i, o.tick, want, len(found))
				case found[0].checked() != o.tick:
					t.Errorf("%s seed %d: option %d: checked %v (fill %.3f, conf %.2f), want %v", tt.name, seed, i, found[0].checked(), found[0].fill, found[0].conf, o.tick)
				case found[0].conf < 0.9 && !(found[0].faint && found[0].pen && found[0].conf >= faintPenSure):
					// A marked box found only at the faint
					// threshold is read, never sure on its own.
					t.Errorf("%s seed %d: option %d: right but unsure (fill %.3f, conf %.2f)", tt.name, seed, i, found[0].fill, found[0].conf)
				}
			}
			if testing.Verbose() {
				for _, m := range pg.marks {
					t.Logf("mark %v kind %d fill %.3f conf %.2f pen %v", m.rect, m.kind, m.fill, m.conf, m.pen)
				}
			}
			if len(pg.marks) != len(opts) {
				t.Errorf("%s seed %d: %d marks, want %d", tt.name, seed, len(pg.marks), len(opts))
			}
		}
	}
}

// Boxes printed in a light gray (lighter than the text, as forms set
// them) come out fainter than either threshold on a 150-dpi gray copy;
// the form's own ■ beside them is solid. The empty boxes are found in
// the space before their words, and decided surely.
func TestFaintBoxesAt150(t *testing.T) {
	dpi := 150.0
	em := int(10.5 / 72 * dpi)
	for _, boxGray := range []uint8{150, 170} {
		for seed := uint64(1); seed <= 3; seed++ {
			label := em * 10
			x0 := label + em/2
			rows := []int{3 * em}
			var opts []labOption
			for k := 0; k < 5; k++ {
				y := rows[len(rows)-1]
				// 是 ■否, ■是 否, and a third option on some rows.
				opts = append(opts, labOption{x: x0, y: y + em, solid: k%2 == 1, n: 1},
					labOption{x: x0 + 4*em, y: y + em, solid: k%2 == 0, n: 1})
				if k >= 3 {
					opts = append(opts, labOption{x: x0 + 8*em, y: y + em, n: 8})
				}
				rows = append(rows, y+3*em)
			}
			img := labForm(dpi, int(8.27*dpi), rows[len(rows)-1]+3*em, rows, nil, opts, roughen.BlackInk, boxGray, seed)
			pg, f := labMarks(img, dpi, 40, seed)
			for i, o := range opts {
				want, found := labFound(pg, o, em, f)
				switch {
				case len(found) != 1:
					t.Errorf("gray %d seed %d: option %d (solid %v) at %v: %d marks", boxGray, seed, i, o.solid, want, len(found))
				case found[0].checked() != o.solid || found[0].conf < 0.9:
					t.Errorf("gray %d seed %d: option %d: checked %v (fill %.3f, conf %.2f), want %v", boxGray, seed, i, found[0].checked(), found[0].fill, found[0].conf, o.solid)
				}
			}
		}
	}
}

// TestSplitStacked: a line holding two boxes one above the other (a
// large tick joined two stacked options) is cut between them, each
// mark with its half; boxes side by side, or a box and the tick rising
// from it, leave the line whole.
func TestSplitStacked(t *testing.T) {
	box := func(x, y int) mark { return mark{kind: markEmpty, rect: image.Rect(x, y, x+24, y+24)} }
	for _, tc := range []struct {
		name  string
		line  image.Rectangle
		marks []mark
		want  []image.Rectangle
	}{
		{"stacked", image.Rect(0, 190, 400, 253), []mark{box(5, 191), box(5, 223)},
			[]image.Rectangle{image.Rect(0, 190, 400, 219), image.Rect(0, 219, 400, 253)}},
		// A tick's shape rising from the lower box overlaps the upper.
		{"stacked, tick overlapping", image.Rect(0, 190, 400, 256), []mark{box(5, 191), {kind: markTick, rect: image.Rect(0, 208, 30, 254)}},
			[]image.Rectangle{image.Rect(0, 190, 400, 217), image.Rect(0, 217, 400, 256)}},
		{"side by side", image.Rect(0, 190, 400, 220), []mark{box(5, 192), box(200, 193)},
			[]image.Rectangle{image.Rect(0, 190, 400, 220)}},
		{"box and its own tick", image.Rect(0, 180, 400, 220), []mark{box(5, 192), {kind: markTick, rect: image.Rect(3, 181, 40, 216)}},
			[]image.Rectangle{image.Rect(0, 180, 400, 220)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rects, found := splitStacked([]image.Rectangle{tc.line}, [][]mark{tc.marks})
			if len(rects) != len(tc.want) {
				t.Fatalf("lines %v, want %v", rects, tc.want)
			}
			n := 0
			for i := range rects {
				if rects[i] != tc.want[i] {
					t.Errorf("line %d %v, want %v", i, rects[i], tc.want[i])
				}
				for _, m := range found[i] {
					if mid := (m.rect.Min.Y + m.rect.Max.Y) / 2; mid < rects[i].Min.Y || mid >= rects[i].Max.Y {
						t.Errorf("mark %v kept by line %v", m.rect, rects[i])
					}
					n++
				}
			}
			if n != len(tc.marks) {
				t.Errorf("%d marks kept, want %d", n, len(tc.marks))
			}
		})
	}
}

// TestKeepGroupedPens: a pen-marked faint box stands only in line with
// a box of its cell found without a pen mark (or one kept so), of about
// its size, or in a column of its likes opening most of the lines that
// start there (a group ticked throughout); alone, or a few of them
// opening lines of prose, it is dropped. Other marks are never touched.
func TestKeepGroupedPens(t *testing.T) {
	const em = 30
	sq := func(x, y, s int) image.Rectangle { return image.Rect(x, y, x+s, y+s) }
	pen := func(x, y int) mark {
		return mark{kind: markEmpty, rect: sq(x, y, 24), fill: 0.3, faint: true, pen: true}
	}
	empty := func(x, y int) mark { return mark{kind: markEmpty, rect: sq(x, y, 24), fill: 0.01, faint: true} }
	clean := func(x, y int) mark { // found by faintMarkedBoxes, nothing in it
		return mark{kind: markEmpty, rect: sq(x, y, 24), fill: 0.01, faint: true, pen: true}
	}
	for _, tc := range []struct {
		name  string
		lines [][]mark
		want  []int // marks kept per line
	}{
		{"是/否 on a row", [][]mark{{pen(100, 10), empty(220, 12)}}, []int{2}},
		{"stacked, one empty", [][]mark{{pen(100, 10)}, {clean(102, 50)}, {pen(101, 90)}}, []int{1, 1, 1}},
		{"a grid ticked but for one box", [][]mark{{empty(100, 10), pen(400, 10)}, {pen(100, 50), pen(400, 52)}}, []int{2, 2}},
		{"alone in a cell of text", [][]mark{{}, {pen(100, 50)}, {}}, []int{0, 0, 0}},
		{"a group ticked throughout", [][]mark{{pen(100, 10)}, {pen(100, 50)}, {pen(101, 90)}}, []int{1, 1, 1}},
		{"a column inside lines", [][]mark{{pen(400, 10)}, {pen(400, 50)}}, []int{0, 0}},
		{"a few line openings of prose", [][]mark{{pen(100, 10)}, {}, {pen(101, 90)}, {}, {}, {}}, []int{0, 0, 0, 0, 0, 0}},
		{"beside a box of another size", [][]mark{{pen(100, 10), {kind: markEmpty, rect: sq(300, 10, 60), fill: 0.01}}}, []int{1}},
		{"off the empty box's row and column", [][]mark{{empty(100, 10)}, {pen(300, 60)}}, []int{1, 0}},
		{"a tick is no anchor", [][]mark{{{kind: markTick, rect: sq(100, 10, 24)}, pen(300, 10)}}, []int{1}},
		// Nor a box holding ink: a wrapped line's first character under
		// a printed ■, a square a stroke runs up out of (appendOpeningBox).
		{"under a printed ■", [][]mark{{{kind: markFilled, rect: sq(100, 10, 24)}}, {pen(102, 50)}, {{kind: markFilled, rect: sq(100, 90, 24)}}}, []int{1, 0, 1}},
		{"beside a ☑", [][]mark{{{kind: markBoxed, rect: sq(100, 10, 24), fill: 0.4}, pen(300, 10)}}, []int{1}},
		{"beside a square a stroke runs out of", [][]mark{{{kind: markEmpty, rect: sq(100, 10, 24), fill: 0.3, pen: true}, pen(300, 10)}}, []int{1}},
		{"beside a clean square a stroke runs out of", [][]mark{{{kind: markEmpty, rect: sq(100, 10, 24), fill: 0.01, pen: true}, pen(300, 10)}}, []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rects []image.Rectangle
			for i, ms := range tc.lines {
				// Every line opens at 100: with a pen mark inside
				// its box there, or with words.
				r := image.Rect(100, 10+40*i, 900, 40+40*i)
				if len(ms) > 0 && ms[0].rect.Min.X <= 110 {
					r.Min.X = ms[0].rect.Min.X + 4
				}
				rects = append(rects, r)
			}
			keepGroupedPens(rects, tc.lines, em)
			for i, ms := range tc.lines {
				if len(ms) != tc.want[i] {
					t.Errorf("line %d: %d marks kept, want %d", i, len(ms), tc.want[i])
				}
			}
		})
	}
}

// A cell of text (a plan's answer) whose line opens with a faint square
// a pen marked — a character's blurred halo, or a stray tick over a
// lone printed square — holds no option group: no mark is read there,
// on a 150-dpi gray copy, while the options of the cell below, one
// empty, are read as before. (A box scribbled full is ink at the
// reading threshold, a ■ wherever it stands: not the faint reader's.)
func TestFaintPenAloneInText(t *testing.T) {
	dpi := 150.0
	em := int(10.5 / 72 * dpi)
	pitch := em * 23 / 20
	label := em * 10
	x0 := label + em/2
	r0, r1, r2 := 3*em, 3*em+6*pitch, 3*em+10*pitch
	for _, pk := range []roughen.PenKind{roughen.PenTick, roughen.PenTickLarge, roughen.PenCross} {
		for seed := uint64(1); seed <= 3; seed++ {
			text := labOption{x: x0, y: r0 + em/3 + 2*pitch, pen: pk, tick: true, n: 20}
			group := []labOption{
				{x: x0, y: r1 + em/2, pen: pk, tick: true, n: 3},
				{x: x0 + 8*em, y: r1 + em/2, pen: pk, n: 3},
			}
			opts := append([]labOption{text}, group...)
			img := labForm(dpi, int(8.27*dpi), r2+3*em, []int{r0, r1, r2}, []int{r0 + em/3, r0 + em/3 + pitch, r0 + em/3 + 3*pitch}, opts, roughen.BlackInk, 160, seed)
			pg, f := labMarks(img, dpi, 40, seed)
			if _, found := labFound(pg, text, em, f); len(found) != 0 {
				t.Errorf("pen %d seed %d: %d marks in the text cell, want none", pk, seed, len(found))
			}
			for i, o := range group {
				if _, found := labFound(pg, o, em, f); len(found) != 1 || found[0].checked() != o.tick {
					t.Errorf("pen %d seed %d: option %d (tick %v): %d marks", pk, seed, i, o.tick, len(found))
				}
			}
		}
	}
}
