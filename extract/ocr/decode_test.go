package ocr

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/shenbao/shenbao"
)

// scores builds a [T,classes] score matrix: each frame's map of class →
// probability, the rest of the mass on the blank.
func scores(classes int, frames ...map[int]float32) []float32 {
	s := make([]float32, len(frames)*classes)
	for f, m := range frames {
		rest := float32(1)
		for k, v := range m {
			s[f*classes+k] = v
			rest -= v
		}
		s[f*classes] += rest
	}
	return s
}

func TestDecode(t *testing.T) {
	classes := []string{"", "1", "2", "/", "／", "%", "．", ".", " ", "丶", "、", "(", "（"}
	p := newPPOCR(nil, classes, 1)
	for _, c := range []struct {
		name   string
		frames []map[int]float32
		text   string
		min    float64
		alts   int // alternatives of the first character
	}{
		{"repeats merge, blank separates", []map[int]float32{{1: 0.9}, {1: 0.95}, {}, {1: 0.8}, {2: 0.99}}, "112", 0.8, 0},
		// '/' and '／' are one character to NFKC: 0.45+0.4 beats '1' at 0.15.
		{"width forms merged", []map[int]float32{{3: 0.45, 4: 0.4, 1: 0.15}}, "/", 0.85, 1},
		// The forms write / % . and digits in ASCII only; Chinese
		// punctuation keeps its likelier form.
		{"ASCII form of a half-width-only character", []map[int]float32{{4: 0.5, 3: 0.3, 2: 0.2}}, "/", 0.8, 1},
		{"full-width form kept when likelier", []map[int]float32{{12: 0.5, 11: 0.3, 2: 0.2}}, "（", 0.8, 1},
		// The same character over frames via its two forms is one.
		{"forms across frames are one run", []map[int]float32{{7: 0.9}, {6: 0.9}}, ".", 0.9, 0},
		{"blank wins", []map[int]float32{{1: 0.3, 2: 0.3}}, "", 1, 0},
		{"spaces trimmed", []map[int]float32{{8: 0.9}, {}, {5: 0.7}, {}, {8: 0.9}}, "%", 0.7, 0},
		{"a wide gap kept", []map[int]float32{{1: 0.9}, {}, {}, {}, {}, {}, {}, {}, {2: 0.9}}, "1  2", 0.9, 0},
		{"a narrow gap dropped", []map[int]float32{{1: 0.9}, {}, {}, {}, {}, {}, {}, {2: 0.9}}, "12", 0.9, 0},
		{"the radical 丶 is 、", []map[int]float32{{9: 0.5, 10: 0.4}}, "、", 0.9, 0},
		// A 、 scored under the blank in a gap as wide as a writer's is
		// put in, its score the reading's least; a dot between digits
		// a narrow gap apart, or under the floor, is not.
		{"a mark under the blank in a wide gap", []map[int]float32{{1: 0.9}, {}, {}, {}, {10: 0.25}, {}, {}, {}, {2: 0.9}}, "1、2", 0.25, 0},
		{"a dot under the blank in a narrow gap", []map[int]float32{{1: 0.9}, {}, {7: 0.3}, {}, {2: 0.9}}, "12", 0.9, 0},
		{"a mark under the floor", []map[int]float32{{1: 0.9}, {}, {}, {}, {10: 0.1}, {}, {}, {}, {2: 0.9}}, "1  2", 0.9, 0},
		{"a mark after the last character", []map[int]float32{{1: 0.9}, {}, {}, {}, {10: 0.3}, {}, {}, {}, {}}, "1", 0.9, 0},
	} {
		r := p.decode(scores(len(classes), c.frames...))
		if r.Text != c.text || math.Abs(r.Min-c.min) > 1e-6 {
			t.Errorf("%s: read %q min %.3f, want %q %.3f", c.name, r.Text, r.Min, c.text, c.min)
		}
		if len(r.Chars) > 0 && len(r.Chars[0].Alts) != c.alts {
			t.Errorf("%s: alternatives %+v, want %d", c.name, r.Chars[0].Alts, c.alts)
		}
	}
}

// TestDecodeAlternatives: a character's alternatives are the other
// characters of its surest frame, likeliest first, the blank and
// negligible ones left out, their forms' scores summed as the winner's.
func TestDecodeAlternatives(t *testing.T) {
	classes := []string{"", "1", "7", "/", "／", "工"}
	p := newPPOCR(nil, classes, 1)
	r := p.decode(scores(len(classes), map[int]float32{1: 0.4, 5: 0.1, 2: 0.2, 3: 0.15, 4: 0.1}, map[int]float32{1: 0.7, 2: 0.25}))
	want := []Alt{{"7", 0.3}, {"/", 0.25}, {"工", 0.1}}
	if r.Text != "1" || len(r.Chars) != 1 || math.Abs(r.Chars[0].Prob-0.7) > 1e-6 {
		t.Fatalf("read %+v", r)
	}
	// The surest frame (0.7) gives the alternatives: 7 alone there.
	if got := r.Chars[0].Alts; len(got) != 1 || got[0].Text != "7" || math.Abs(got[0].Prob-0.25) > 1e-6 {
		t.Errorf("alternatives %+v, want 7 at 0.25", got)
	}
	// One frame: every other character, '/' and '／' as one.
	r = p.decode(scores(len(classes), map[int]float32{1: 0.35, 5: 0.1, 2: 0.3, 3: 0.15, 4: 0.1}))
	got := r.Chars[0].Alts
	if len(got) != len(want) {
		t.Fatalf("alternatives %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Text != want[i].Text || math.Abs(got[i].Prob-want[i].Prob) > 1e-6 {
			t.Errorf("alternative %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestTopClasses(t *testing.T) {
	row := []float32{0.1, 0.5, 0.05, 0.3, 0.02, 0.03}
	top := make([]int, 3)
	if n := topClasses(row, top); n != 3 || top[0] != 1 || top[1] != 3 || top[2] != 0 {
		t.Errorf("top %v", top[:n])
	}
	if n := topClasses(row[:2], top); n != 2 || top[0] != 1 || top[1] != 0 {
		t.Errorf("top of two %v", top[:n])
	}
	// Against a stable sort, ties and all: the first of equal values
	// ranks first, as the decoding has always had it.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		row := make([]float32, 1+rng.IntN(40))
		for i := range row {
			row[i] = float32(rng.IntN(8)) / 8
		}
		idx := make([]int, len(row))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] > row[idx[b]] })
		got := make([]int, 5)
		n := topClasses(row, got)
		if want := idx[:min(5, len(row))]; !slices.Equal(got[:n], want) {
			t.Fatalf("topClasses(%v) = %v, want %v", row, got[:n], want)
		}
	}
}

func TestPlanBatches(t *testing.T) {
	mk := func(ws ...int) []int { return ws }
	// Short lines all pad to recMinWidth: one batch; long ones apart. A
	// bound on columns (long lines) runs those past it alone, and lines of
	// 600 two to a run.
	for _, c := range []struct {
		maxCols int
		want    [][]int
	}{
		{0, [][]int{{2, 0, 3}, {6, 7, 8}, {1, 4}, {5}}},
		{batchCols, [][]int{{2, 0, 3}, {6, 7}, {8}, {1}, {4}, {5}}},
	} {
		if got := planBatches(mk(100, 2000, 50, 300, 2100, 5000, 600, 610, 620), c.maxCols); !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("batches of at most %d columns: %v, want %v", c.maxCols, got, c.want)
		}
	}
	if n := len(planBatches(mk(make([]int, 20)...), 0)); n != (20+batchMax-1)/batchMax {
		t.Errorf("20 lines in %d batches: want batches of at most %d", n, batchMax)
	}
}

func TestPackLines(t *testing.T) {
	mk := func(ws ...int) []lineCrop {
		var out []lineCrop
		for _, w := range ws {
			out = append(out, lineCrop{r: image.Rect(0, 0, w, recHeight)})
		}
		return out
	}
	// 300 and 2000 are read alone (no line and a gap fit beside them in
	// recMinWidth); the others, widest first, each in the first line it
	// fits: 150 opens one, which 100 joins (150+32+100 = 282), 140 the
	// next, with 90 (262), and 60 finds room in neither and opens the last.
	got := packLines(mk(300, 100, 150, 90, 60, 140, 2000))
	want := []packed{{[]int{0}, 300}, {[]int{6}, 2000}, {[]int{2, 1}, 150 + packGap + 100}, {[]int{5, 3}, 140 + packGap + 90}, {[]int{4}, 60}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("packed %v, want %v", got, want)
	}
	// Every crop is in exactly one line, none wider than recMinWidth
	// unless alone.
	seen := map[int]int{}
	for _, r := range packLines(mk(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170)) {
		if len(r.crops) > 1 && r.width > recMinWidth {
			t.Errorf("line %v wider than %d", r, recMinWidth)
		}
		for _, c := range r.crops {
			seen[c]++
		}
	}
	for i := 0; i < 17; i++ {
		if seen[i] != 1 {
			t.Errorf("crop %d packed %d times", i, seen[i])
		}
	}
}

// TestPrepareRows: crops packed into one input line are set left to
// right, packGap of paper between them, 0 after the last.
func TestPrepareRows(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 200, 48))
	for i := range g.Pix {
		g.Pix[i] = 0 // all ink: a crop's columns read -1
	}
	crops := []lineCrop{{r: image.Rect(0, 0, 50, 48), clip: g.Rect}, {r: image.Rect(100, 0, 170, 48), clip: g.Rect}}
	data, w, spans := prepareRows(g, crops, []packed{{crops: []int{0, 1}, width: 50 + packGap + 70}})
	if w != recMinWidth || fmt.Sprint(spans) != fmt.Sprint([][][2]int{{{0, 50}, {50 + packGap, 50 + packGap + 70}}}) {
		t.Fatalf("width %d spans %v", w, spans)
	}
	for _, c := range []struct {
		x    int
		want float32
	}{{0, -1}, {49, -1}, {50, 1}, {50 + packGap - 1, 1}, {50 + packGap, -1}, {50 + packGap + 69, -1}, {50 + packGap + 70, 0}} {
		for ch := 0; ch < 3; ch++ {
			if v := data[ch*recHeight*w+20*w+c.x]; v != c.want {
				t.Errorf("channel %d column %d: %v, want %v", ch, c.x, v, c.want)
			}
		}
	}
	// 40 frames over 320 pixels: frame f's centre is at 8f+4.
	for _, c := range [][2]int{{0, 0}, {4, 0}, {5, 1}, {60, 7}, {61, 8}, {316, 39}, {317, 40}, {400, 40}} {
		if f := frameAt(c[0], recMinWidth, 40); f != c[1] {
			t.Errorf("frameAt(%d): %d, want %d", c[0], f, c[1])
		}
	}
}

func TestPrepareBatch(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 200, 40))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for x := 50; x < 60; x++ {
		for y := 10; y < 30; y++ {
			g.Pix[y*200+x] = 0
		}
	}
	c := lineCrop{r: image.Rect(40, 0, 80, 40), clip: image.Rect(40, 0, 200, 40)}
	data, w := prepareBatch(g, []lineCrop{c})
	if w != recMinWidth || len(data) != 3*recHeight*w {
		t.Fatalf("width %d, %d values", w, len(data))
	}
	// 40×40 → 48×48: paper 1, ink -1, padding 0, the channels equal.
	at := func(ch, x, y int) float32 { return data[ch*recHeight*w+y*w+x] }
	if at(0, 1, 1) != 1 || at(0, 18, 24) != -1 || at(0, 100, 24) != 0 || at(2, 18, 24) != -1 {
		t.Errorf("paper %v ink %v pad %v", at(0, 1, 1), at(0, 18, 24), at(0, 100, 24))
	}
	// Outside the clip is paper, though the page has ink there.
	c = lineCrop{r: image.Rect(40, 0, 80, 40), clip: image.Rect(62, 0, 80, 40)}
	data, _ = prepareBatch(g, []lineCrop{c})
	if v := data[24*w+18]; v != 1 {
		t.Errorf("clipped ink read %v", v)
	}
}

// TestPrepareBatchAspect: lines of a batch keep their aspect — each
// scaled to 48 pixels high and ⌈48·w/h⌉ wide, as PaddleOCR's
// resize_norm_img — and are padded with 0 to the widest of the batch.
func TestPrepareBatchAspect(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 400, 40))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	wide := lineCrop{r: image.Rect(0, 0, 250, 20), clip: g.Rect}  // 12.5:1 → 600
	short := lineCrop{r: image.Rect(0, 20, 55, 40), clip: g.Rect} // 2.75:1 → 132
	odd := lineCrop{r: image.Rect(300, 0, 333, 40), clip: g.Rect} // 0.825:1 → ⌈39.6⌉ = 40
	data, w := prepareBatch(g, []lineCrop{wide, short, odd})
	if w != 600 || len(data) != 3*3*recHeight*w {
		t.Fatalf("batch width %d, %d values; want 600", w, len(data))
	}
	plane := recHeight * w
	for i, rw := range []int{600, 132, 40} {
		for _, y := range []int{0, recHeight - 1} {
			if v := data[i*3*plane+y*w+rw-1]; v != 1 {
				t.Errorf("line %d: column %d is %v, want paper (1)", i, rw-1, v)
			}
			if rw < w {
				if v := data[i*3*plane+y*w+rw]; v != 0 {
					t.Errorf("line %d: column %d is %v, want padding (0)", i, rw, v)
				}
			}
		}
	}
}

func TestSplitLines(t *testing.T) {
	g, fill := inkedPaper(300, 120)
	fill(image.Rect(10, 10, 200, 40)) // line 1
	fill(image.Rect(10, 60, 90, 90))  // line 2
	fill(image.Rect(95, 92, 99, 96))  // a dot under line 2: joins it
	var ls []image.Rectangle
	for _, l := range splitLines(g, g.Rect) {
		ls = append(ls, l.r)
	}
	if len(ls) != 2 || ls[0].Min.Y > 10 || ls[0].Max.Y < 40 || ls[1].Max.Y < 96 || ls[1].Max.X < 99 {
		t.Errorf("lines %v", ls)
	}
	// A line's crop runs half its height of paper past its end, a fifth
	// before it, above and below: a full stop closing it is read.
	if l := ls[0]; l.Min.X != 10-6 || l.Max.X != 200+15 || l.Min.Y != 10-6 || l.Max.Y != 40+6 {
		t.Errorf("line 1 of ink (10,10)-(200,40) cropped as %v, want (4,4)-(215,46)", l)
	}
	// A box drawn round a lone digit: its edges bound the line, they are
	// not read.
	fill(image.Rect(220, 20, 280, 22)) // top
	fill(image.Rect(220, 78, 280, 80)) // bottom
	fill(image.Rect(220, 20, 222, 80)) // left
	fill(image.Rect(278, 20, 280, 80)) // right
	fill(image.Rect(245, 40, 255, 60)) // the digit
	box := splitLines(g, image.Rect(215, 15, 285, 85))
	if len(box) != 1 || box[0].r.Min.Y < 30 || box[0].r.Max.Y > 70 || box[0].clip != image.Rect(222, 22, 278, 78) {
		t.Errorf("boxed digit: %+v", box)
	}
	// A cell's rule the crop cuts through at its bottom edge, dark in
	// part only (too light to be a rule row): not the digit's, whose
	// crop ends where the digit does. A dot under a line at the crop's
	// edge still joins it.
	r0, rule := inkedPaper(40, 40)
	rule(image.Rect(15, 10, 25, 28)) // the digit
	rule(image.Rect(0, 38, 40, 40))  // the rule, dark over 70 % of the crop
	for y := 38; y < 40; y++ {
		for x := 20; x < 32; x++ {
			r0.Pix[y*40+x] = 200
		}
	}
	if ls := splitLines(r0, r0.Rect); len(ls) != 1 || ls[0].r.Max.Y > 28+10 {
		t.Errorf("a digit over a cut rule: %+v, want one line ending near 28", ls)
	}
	rule(image.Rect(22, 37, 26, 40)) // and a dot at the edge, under the digit
	if ls := splitLines(r0, image.Rect(0, 0, 40, 40)); len(ls) != 1 {
		t.Errorf("a digit over a cut rule and a dot: %+v", ls)
	}
	if ls := splitLines(g, image.Rect(290, 0, 300, 120)); ls != nil {
		t.Errorf("paper split into %v", ls)
	}

	// A piece cut to its ink (a scan's): a 1 closing or opening it is
	// inked down the crop's height as a rule is, but it runs no further
	// than the text beside it: it is read, and the clip runs a little
	// past the piece, where the blurred stroke's edge lies.
	h, ink := inkedPaper(200, 60)
	ink(image.Rect(20, 20, 23, 40))   // 1
	ink(image.Rect(30, 21, 42, 39))   // 0, a blurred row shorter
	ink(image.Rect(50, 20, 53, 40))   // 1
	ink(image.Rect(100, 20, 103, 40)) // a lone 1, three pixels wide
	for y := 22; y < 38; y++ {
		h.Pix[y*200+99], h.Pix[y*200+103] = 180, 180 // its blurred edges
	}
	// A lone digit come apart across its middle (a 6's arc from its
	// bowl, three rows apart) is one line; two lines of two characters,
	// as far apart, stay two.
	ink(image.Rect(140, 10, 152, 19)) // the arc
	ink(image.Rect(140, 22, 152, 32)) // the bowl
	if ls := splitLines(h, image.Rect(136, 6, 156, 36)); len(ls) != 1 {
		t.Errorf("a digit come apart: %d lines, want 1", len(ls))
	}
	ink(image.Rect(160, 10, 178, 19))
	ink(image.Rect(160, 22, 178, 31))
	if ls := splitLines(h, image.Rect(158, 6, 199, 36)); len(ls) != 2 {
		t.Errorf("two short lines: %d lines, want 2", len(ls))
	}
	for _, tt := range []struct {
		name string
		r    image.Rectangle
	}{
		{"101", image.Rect(20, 20, 53, 40)},
		{"a lone 1", image.Rect(99, 20, 104, 40)},
	} {
		ls := splitLines(h, tt.r)
		if len(ls) != 1 || ls[0].r.Min.X > tt.r.Min.X || ls[0].r.Max.X < tt.r.Max.X ||
			ls[0].clip.Min.X >= tt.r.Min.X || ls[0].clip.Max.X <= tt.r.Max.X {
			t.Errorf("%s in %v: %+v, want one line over it all, clipped past it", tt.name, tt.r, ls)
		}
	}
}

// A scan's piece is cut where its binarised ink ends: a ） closing the
// line in ink lighter than that (a 150-dpi copy) lies past it, and the
// crop runs on to take it — never into a rule, and not from a crop with
// paper around its ink.
func TestSplitLinesFaintTail(t *testing.T) {
	g, ink := inkedPaper(120, 40)
	glyphs := func(ink func(image.Rectangle)) { // 18.62%
		for x := 10; x < 50; x += 8 {
			ink(image.Rect(x, 10, x+5, 30))
		}
	}
	glyphs(ink)
	light := func(r image.Rectangle) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.Pix[y*120+x] = 170 // lighter than midway, darker than faint
			}
		}
	}
	light(image.Rect(55, 9, 58, 31)) // ）, eight pixels past the %
	piece := image.Rect(10, 10, 47, 30)
	ls := splitLines(g, piece)
	if len(ls) != 1 || ls[0].clip.Max.X < 58 || ls[0].r.Max.X < 58 {
		t.Errorf("a faint ） past the piece: %+v, want the crop and clip past 58", ls)
	}
	// With paper after the ink inside the crop, the crop ends at its ink.
	if ls := splitLines(g, image.Rect(6, 6, 50, 34)); len(ls) != 1 || ls[0].clip.Max.X != 50 {
		t.Errorf("a crop with paper round its ink: %+v, want the clip at 50", ls)
	}
	// A rule past the piece bounds it: the ） beyond is not taken.
	h, ink2 := inkedPaper(120, 40)
	glyphs(ink2)
	ink2(image.Rect(50, 0, 52, 40)) // the cell's rule
	for y := 9; y < 31; y++ {
		for x := 53; x < 56; x++ {
			h.Pix[y*120+x] = 170
		}
	}
	if ls := splitLines(h, piece); len(ls) != 1 || ls[0].clip.Max.X > 50 {
		t.Errorf("a rule past the piece: %+v, want the clip before 50", ls)
	}
}

// A full-width 。 closing a long answer may stand half an em or more
// past the character before it, and on a 150-dpi copy it is lighter than
// midway: an answer's line is read to it where the piece, cut at the
// page's binarised ink, holds it (up to an em past the ink), and where
// the piece ends before it (up to three quarters of an em, as a value's
// line, the short last line of an answer read as values are). A light
// mark further off is not the line's, nor one more than a quarter of an
// em past a value's ink inside its piece.
func TestSplitLinesLightStop(t *testing.T) {
	for _, c := range []struct {
		name     string
		reach    lineReach
		mark     image.Rectangle
		inPiece  bool
		wantPast bool // the crop reaches past the mark
	}{
		{"answer: 。 in the piece, 13 pixels past the ink (line 20 high)", answerReach, image.Rect(60, 14, 64, 26), true, true},
		{"answer: a mark in the piece an em and more past the ink", answerReach, image.Rect(72, 14, 76, 26), true, false},
		{"answer: 。 past the piece, 12 pixels past the ink", answerReach, image.Rect(59, 14, 63, 26), false, true},
		{"answer: a mark past the piece, 17 pixels past the ink", answerReach, image.Rect(64, 14, 68, 26), false, false},
		{"value: 。 in the piece, 13 pixels past the ink", valueReach, image.Rect(60, 14, 64, 26), true, false},
		{"value: 。 past the piece, 12 pixels past the ink", valueReach, image.Rect(59, 14, 63, 26), false, true},
		{"value: a mark past the piece, 17 pixels past the ink", valueReach, image.Rect(64, 14, 68, 26), false, false},
		{"value: ） past the piece, 8 pixels past the ink", valueReach, image.Rect(55, 9, 58, 31), false, true},
	} {
		g, ink := inkedPaper(120, 40)
		for x := 10; x < 47; x += 8 {
			ink(image.Rect(x, 10, x+5, 30))
		}
		for y := c.mark.Min.Y; y < c.mark.Max.Y; y++ {
			for x := c.mark.Min.X; x < c.mark.Max.X; x++ {
				g.Pix[y*120+x] = 150
			}
		}
		piece := image.Rect(10, 10, 47, 30)
		if c.inPiece {
			piece.Max.X = c.mark.Max.X
		}
		ls := splitLinesWith(g, piece, c.reach)
		if len(ls) != 1 {
			t.Fatalf("%s: %d lines, want 1", c.name, len(ls))
		}
		past := ls[0].r.Max.X >= c.mark.Max.X && ls[0].clip.Max.X >= c.mark.Max.X
		if past != c.wantPast {
			t.Errorf("%s: crop %v clip %v, want past the mark at %d: %v", c.name, ls[0].r, ls[0].clip, c.mark.Max.X, c.wantPast)
		}
	}
}

// inkedPaper is a white page w×h and a pen that inks a rectangle of it.
func inkedPaper(w, h int) (*image.Gray, func(image.Rectangle)) {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g, func(r image.Rectangle) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.Pix[y*w+x] = 20
			}
		}
	}
}

func TestParseDict(t *testing.T) {
	c, err := parseDict([]byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"))
	if err != nil || len(c) != 12 || c[0] != "" || c[1] != "a" || c[11] != " " {
		t.Errorf("classes %q, %v", c, err)
	}
	for _, bad := range []string{"a\nb\n", "a\n\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"} {
		if _, err := parseDict([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// onnxModel builds a minimal ONNX model: a graph of one input and one
// output of the given shapes (0 a free dimension), and an initializer
// listed among the inputs as old exporters do.
func onnxModel(in, out []int64) []byte {
	vi := valueInfoBytes
	var init []byte
	init = protowire.AppendTag(init, 8, protowire.BytesType)
	init = protowire.AppendString(init, "w")
	init = protowire.AppendTag(init, 9, protowire.BytesType)
	init = protowire.AppendBytes(init, make([]byte, 64))
	var g []byte
	g = protowire.AppendTag(g, 5, protowire.BytesType)
	g = protowire.AppendBytes(g, init)
	g = protowire.AppendTag(g, 11, protowire.BytesType)
	g = protowire.AppendBytes(g, vi("x", in))
	g = protowire.AppendTag(g, 11, protowire.BytesType)
	g = protowire.AppendBytes(g, vi("w", []int64{8}))
	g = protowire.AppendTag(g, 12, protowire.BytesType)
	g = protowire.AppendBytes(g, vi("y", out))
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType)
	m = protowire.AppendVarint(m, 8)
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	return protowire.AppendBytes(m, g)
}

func TestCheckRecModel(t *testing.T) {
	good := onnxModel([]int64{0, 3, 48, 0}, []int64{0, 0, 12})
	if err := checkRecModel(good, 12); err != nil {
		t.Fatalf("good model: %v", err)
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"truncated", good[:len(good)-3]},
		{"no graph", []byte{8, 8}},
		{"other height", onnxModel([]int64{0, 3, 32, 0}, []int64{0, 0, 12})},
		{"gray input", onnxModel([]int64{0, 1, 48, 0}, []int64{0, 0, 12})},
		{"other classes", onnxModel([]int64{0, 3, 48, 0}, []int64{0, 0, 13})},
		{"map output", onnxModel([]int64{0, 3, 0, 0}, []int64{0, 1, 0, 0})},
	} {
		if err := checkRecModel(c.b, 12); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// FuzzCheckRecModel: any bytes are refused or accepted, never a panic.
func FuzzCheckRecModel(f *testing.F) {
	f.Add(onnxModel([]int64{0, 3, 48, 0}, []int64{0, 0, 12}))
	f.Add([]byte{0x3a, 0x05, 0x5a, 0x03, 0x0a, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = checkRecModel(b, 12)
	})
}

func TestResolveEngine(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		mode, dir, engine, code string
	}{
		{"tesseract", empty, "tesseract", ""},
		{"", "", "", ""}, // depends on the machine: checked below
		{"both", empty, "", shenbao.ENOTINSTALLED},
		{"ppocr", empty, "", shenbao.ENOTINSTALLED},
		{"", empty, "", shenbao.ENOTINSTALLED}, // a folder given must hold them
		{"paddle", "", "", "usage"},
	} {
		eng, _, err := ResolveEngine(c.mode, c.dir, "")
		if c.mode == "" && !ppocrBuilt {
			// A build without cgo cannot run PP-OCR: by default it reads
			// with Tesseract alone, whatever models lie about.
			c.engine, c.code = EngineTesseract, ""
		}
		if c.mode == "" && c.dir == "" {
			want := EngineTesseract
			if FindModels(ModelDirs("")) != "" && ppocrBuilt {
				want = EngineBoth
			}
			if err != nil || eng != want {
				t.Errorf("default: %q, %v; want %q", eng, err, want)
			}
			continue
		}
		if eng != c.engine || shenbao.ErrorCode(err) != c.code {
			t.Errorf("%q in %q: %q, %v; want %q, code %q", c.mode, c.dir, eng, err, c.engine, c.code)
		}
	}
	// A machine without the models: the default is Tesseract alone, no
	// error; asking for PP-OCR says how to install them.
	for _, c := range []struct{ mode, engine, code string }{
		{"", EngineTesseract, ""},
		{EngineBoth, "", shenbao.ENOTINSTALLED},
		{EnginePPOCR, "", shenbao.ENOTINSTALLED},
	} {
		eng, dir, err := resolveIn(c.mode, "", []string{empty, filepath.Join(empty, "nowhere")})
		if eng != c.engine || dir != "" || shenbao.ErrorCode(err) != c.code {
			t.Errorf("no models, %q: %q %q, %v; want %q, code %q", c.mode, eng, dir, err, c.engine, c.code)
		}
		if err != nil && !strings.Contains(shenbao.ErrorMessage(err), "make models") {
			t.Errorf("no models, %q: the message does not say how to install them: %v", c.mode, err)
		}
	}
}

// runsModel answers every run with blank frames and records each run's
// lines and width.
type runsModel struct {
	classes int
	mu      sync.Mutex
	runs    [][2]int64 // lines, width
}

func (m *runsModel) run(_ []float32, dims []int64) ([]float32, []int64, error) {
	m.mu.Lock()
	m.runs = append(m.runs, [2]int64{dims[0], dims[3]})
	m.mu.Unlock()
	t := dims[3] / 8
	out := make([]float32, dims[0]*t*int64(m.classes))
	for i := 0; i < len(out); i += m.classes {
		out[i] = 1 // the blank
	}
	return out, []int64{dims[0], t, int64(m.classes)}, nil
}

// TestReadLongRunsAlone: Read batches three long lines of like width in
// one run, as it does the values; ReadLong runs each alone.
func TestReadLongRunsAlone(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 1400, 300))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var rects []image.Rectangle
	for k := 0; k < 3; k++ {
		y := 20 + 90*k
		// A line of 40 characters' ink, 28 pixels high.
		for c := 0; c < 40; c++ {
			for yy := y; yy < y+28; yy++ {
				for xx := 20 + 32*c; xx < 20+32*c+18; xx++ {
					g.SetGray(xx, yy, color.Gray{0})
				}
			}
		}
		rects = append(rects, image.Rect(10, y-8, 1310, y+36))
	}
	for _, c := range []struct {
		name string
		read func(*PPOCR) func(context.Context, *image.Gray, []image.Rectangle) ([][]Reading, error)
		want []int64 // lines of each run
	}{
		{"Read", func(p *PPOCR) func(context.Context, *image.Gray, []image.Rectangle) ([][]Reading, error) {
			return p.Read
		}, []int64{3}},
		{"ReadLong", func(p *PPOCR) func(context.Context, *image.Gray, []image.Rectangle) ([][]Reading, error) {
			return p.ReadLong
		}, []int64{1, 1, 1}},
	} {
		m := &runsModel{classes: 3}
		p := newPPOCR(m, []string{"blank", "一", "二"}, 1)
		if _, err := c.read(p)(context.Background(), g, rects); err != nil {
			t.Fatal(err)
		}
		var lines []int64
		for _, r := range m.runs {
			lines = append(lines, r[0])
			// Read whole: the line's height scaled to recHeight makes
			// it 1624 columns wide, ReadLong narrows that (longNarrow).
			want := int64(1624)
			if c.name == "ReadLong" {
				want = int64(math.Ceil(1624 * longNarrow))
			}
			if r[1] != want {
				t.Errorf("%s: a run %d columns wide, want %d", c.name, r[1], want)
			}
		}
		if !slices.Equal(lines, c.want) {
			t.Errorf("%s: runs of %v lines, want %v", c.name, lines, c.want)
		}
	}
}

// BenchmarkTopClasses is one frame of the decoding: the model's 6625
// classes, one sure.
func BenchmarkTopClasses(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	row := make([]float32, 6625)
	for i := range row {
		row[i] = rng.Float32() * 1e-4
	}
	row[1234], row[55] = 0.9, 0.05
	var top [topK]int
	for b.Loop() {
		topClasses(row, top[:])
	}
}
