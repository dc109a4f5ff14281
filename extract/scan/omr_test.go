package scan

import (
	"image"
	"testing"
)

// The document's boxes split at the widest gap between the empty and the
// marked; a box far from the threshold is sure, one near it is not; a
// document of one population is decided by the priors.
func TestDecideMarks(t *testing.T) {
	tests := []struct {
		name  string
		fills []float64
		want  []bool     // checked
		sure  []bool     // confidence ≥ 0.9
		cut   [2]float64 // the threshold lies between
	}{
		{"printed ☑ at 150 dpi: faint ticks, clean empties",
			[]float64{0, 0.004, 0, 0.104, 0.11, 0.107, 0.002},
			[]bool{false, false, false, true, true, true, false},
			[]bool{true, true, true, true, true, true, true}, [2]float64{0.004, 0.104}},
		{"blurred empties and pen ticks",
			[]float64{0.03, 0.028, 0.035, 0.18, 0.3, 0.09},
			[]bool{false, false, false, true, true, true},
			[]bool{true, true, true, true, true, true}, [2]float64{0.035, 0.09}},
		{"every box empty", []float64{0, 0.01, 0.004, 0.02},
			[]bool{false, false, false, false}, []bool{true, true, true, true}, [2]float64{0.02, 1}},
		{"every box ticked (☒ throughout)", []float64{0.25, 0.246, 0.262},
			[]bool{true, true, true}, []bool{true, true, true}, [2]float64{0, 0.246}},
		// Ticked boxes read as empty were the field's one error: a
		// faint mark is taken, and left for a reviewer to confirm.
		{"a faint mark between the populations is taken, unsure",
			[]float64{0, 0.002, 0.001, 0.05, 0.2, 0.21},
			[]bool{false, false, false, true, true, true},
			[]bool{true, true, true, false, true, true}, [2]float64{0.002, 0.05}},
		{"a speck in one empty box does not split the empties",
			[]float64{0.02, 0.022, 0.03, 0.021, 0.25, 0.3},
			[]bool{false, false, false, false, true, true},
			[]bool{true, true, true, true, true, true}, [2]float64{0.03, 0.25}},
	}
	for _, tt := range tests {
		var ms []*mark
		for _, f := range tt.fills {
			ms = append(ms, &mark{kind: markEmpty, fill: f})
		}
		decideMarks(ms)
		for i, m := range ms {
			if m.checked() != tt.want[i] || (m.conf >= 0.9) != tt.sure[i] {
				t.Errorf("%s: box %d (fill %.3f): checked %v conf %.2f, want %v sure %v", tt.name, i, m.fill, m.checked(), m.conf, tt.want[i], tt.sure[i])
			}
		}
		if cut, _ := splitFills(tt.fills); cut < tt.cut[0] || cut > tt.cut[1] {
			t.Errorf("%s: threshold %.3f, want within %v", tt.name, cut, tt.cut)
		}
	}
	// Solid boxes and printed ticks are decided by their shape.
	solid := &mark{kind: markFilled, fill: 1}
	decideMarks([]*mark{solid})
	if !solid.checked() || solid.conf < 0.9 {
		t.Errorf("solid box: checked %v conf %.2f", solid.checked(), solid.conf)
	}
}

// A printed ☑ run into the option's first character on a blurred copy
// is one shape with it; the box that opens the shape is the mark.
func TestBoxRunIntoText(t *testing.T) {
	const em, y = 26, 20
	g, fill := whitePage(400, 80)
	drawMark(g, markBoxed, 20, y, em)
	// The option's first character, touching the box's right side.
	fill(image.Rect(20+em, y+12, 20+em+24, y+14), 0)
	fill(image.Rect(20+em+10, y+1, 20+em+12, y+25), 0)
	b := binarise(g)
	ms := findMarks(g, b, b, image.Rect(0, y-2, 400, y+em+2), em)
	if len(ms) != 1 || ms[0].rect.Min.X > 22 || ms[0].rect.Dx() > em+2 {
		t.Fatalf("marks %+v, want the box at x 20", ms)
	}
	all := []*mark{&ms[0], {kind: markEmpty}, {kind: markEmpty}}
	decideMarks(all)
	if !ms[0].checked() {
		t.Errorf("☑ run into 第: fill %.3f, not checked", ms[0].fill)
	}
}

// Tentative marks (a cell whose every box holds ink) open options only if
// the words after them open printed phrases.
func TestPrintOpens(t *testing.T) {
	ps := newPrintSet([]string{"开展了质量诊断服务", "是", "否"})
	for _, tt := range []struct {
		read string
		want bool
	}{
		{"开展了质量诊", true}, {"是", true}, {"否", true}, {"家级专精特新", false}, {"", false},
	} {
		if got := ps.opens(tt.read); got != tt.want {
			t.Errorf("opens(%q) = %v, want %v", tt.read, got, tt.want)
		}
	}
	if !(*printSet)(nil).opens("国家") {
		t.Error("without print every reading opens one")
	}
}

// A pen tick or cross run just past its box makes a shape a little
// larger than the box and no longer closed at its edges: the box inside
// is found and decided by its ink. A character built round a box (由:
// a stem rising from the middle of its top) is not taken for one.
func TestOverrunBox(t *testing.T) {
	const em, y = 28, 20
	e := float64(em)
	for _, tt := range []struct {
		name   string
		draw   func(g *image.Gray, x int)
		want   bool
		marked bool
	}{
		{"tick just past the top right", func(g *image.Gray, x int) {
			drawMark(g, markEmpty, x, y, em)
			fx, fy := float64(x), float64(y)
			penStroke(g, fx+0.15*e, fy+0.5*e, fx+0.4*e, fy+0.85*e)
			penStroke(g, fx+0.4*e, fy+0.85*e, fx+1.12*e, fy-0.12*e)
		}, true, true},
		{"cross just past the corners", func(g *image.Gray, x int) {
			drawMark(g, markEmpty, x, y, em)
			fx, fy := float64(x), float64(y)
			penStroke(g, fx-0.12*e, fy-0.12*e, fx+1.12*e, fy+1.12*e)
			penStroke(g, fx+1.12*e, fy-0.12*e, fx-0.12*e, fy+1.12*e)
		}, true, true},
		{"由: a box with a stem from its top's middle", func(g *image.Gray, x int) {
			drawMark(g, markEmpty, x, y+em/3, em*2/3+2)
			fx, fy := float64(x), float64(y)
			penStroke(g, fx+e/3, fy, fx+e/3, fy+e)
			penStroke(g, fx, fy+0.66*e, fx+0.66*e, fy+0.66*e)
		}, false, false},
	} {
		g, _ := whitePage(300, 80)
		tt.draw(g, 20)
		b := binarise(g)
		ms := findMarks(g, b, b, image.Rect(0, y-em/3, 300, y+em+em/3), em)
		if (len(ms) == 1) != tt.want {
			t.Errorf("%s: marks %+v, want one: %v", tt.name, ms, tt.want)
			continue
		}
		if !tt.want {
			continue
		}
		all := []*mark{&ms[0], {kind: markEmpty}, {kind: markEmpty}, {kind: markEmpty, fill: 0.3}}
		decideMarks(all)
		if ms[0].checked() != tt.marked {
			t.Errorf("%s: fill %.3f, checked %v", tt.name, ms[0].fill, ms[0].checked())
		}
	}
}

// A line cut in two across its box (a pen tick rising from it made it
// too tall) is put back together; the same box found from both halves is
// kept once, whole.
func TestCutLineJoined(t *testing.T) {
	box := image.Rect(10, 100, 36, 126)
	rects := []image.Rectangle{image.Rect(10, 60, 200, 84), image.Rect(10, 88, 200, 112), image.Rect(10, 112, 200, 130), image.Rect(10, 150, 200, 176)}
	found := [][]mark{nil, {{kind: markEmpty, rect: image.Rect(12, 100, 26, 112), pen: true}}, {{kind: markEmpty, rect: box}}, {{kind: markEmpty, rect: image.Rect(10, 150, 36, 176)}}}
	found = dropOverlapping(found)
	if len(found[1]) != 0 || len(found[2]) != 1 {
		t.Fatalf("after dropping: %+v", found)
	}
	rects, found = joinCutLines(rects, found)
	want := []image.Rectangle{image.Rect(10, 60, 200, 84), image.Rect(10, 88, 200, 130), image.Rect(10, 150, 200, 176)}
	if len(rects) != len(want) || len(found) != len(want) {
		t.Fatalf("lines %v, want %v", rects, want)
	}
	for i := range want {
		if rects[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, rects[i], want[i])
		}
	}
	if len(found[1]) != 1 || found[1][0].rect != box {
		t.Errorf("the joined line's marks %+v, want the box", found[1])
	}
}

// Two slivers of one line (否 on a faint copy: 不 over 口, apart) are
// joined when an option box stands across the gap between them, and two
// lines of text without one are left apart.
func TestJoinSlivers(t *testing.T) {
	const em = 28
	for _, tt := range []struct {
		name string
		box  bool
		want int // lines after
	}{{"a box across the gap", true, 1}, {"no box", false, 2}} {
		g, fill := whitePage(200, 80)
		if tt.box {
			drawMark(g, markEmpty, 10, 20, em-2)
		}
		fill(image.Rect(50, 20, 70, 32), 0) // the upper half of 否
		fill(image.Rect(50, 34, 70, 46), 0) // its lower half
		b := binarise(g)
		rects := []image.Rectangle{image.Rect(50, 20, 70, 32), image.Rect(50, 34, 70, 46)}
		if got := joinSlivers(b, rects, em); len(got) != tt.want {
			t.Errorf("%s: lines %v, want %d", tt.name, got, tt.want)
		}
	}
}

// A mark ending a line after another mark's option words is dropped; a
// line of two options, each with its words, keeps both.
func TestDropTrailingMark(t *testing.T) {
	line := image.Rect(10, 0, 200, 30)
	opts := []mark{{rect: image.Rect(10, 2, 36, 28)}, {rect: image.Rect(90, 2, 116, 28)}}
	if got := dropTrailingMark(opts, line, 28); len(got) != 2 {
		t.Errorf("☑是 □否: %d marks, want 2", len(got))
	}
	tail := []mark{{rect: image.Rect(10, 2, 36, 28)}, {rect: image.Rect(180, 2, 198, 28)}}
	if got := dropTrailingMark(tail, line, 28); len(got) != 1 {
		t.Errorf("☑是 and a mark at the line's end: %d marks, want 1", len(got))
	}
	lone := []mark{{rect: image.Rect(175, 2, 198, 28)}}
	if got := dropTrailingMark(lone, line, 28); len(got) != 1 {
		t.Errorf("a lone mark: %d marks, want 1", len(got))
	}
}

// TestFaintPenNeverSure: a marked box found only at the faint threshold
// (a dense character blurred into a square passes for one) is read as
// marked but not sure on its own; a printed box with the same ink, and a
// faint box read empty, keep their confidence.
func TestFaintPenNeverSure(t *testing.T) {
	ms := []*mark{
		{kind: markEmpty, fill: 0.01}, {kind: markEmpty, fill: 0.0}, {kind: markEmpty, fill: 0.02},
		{kind: markEmpty, fill: 0.3, faint: true, pen: true}, // 0: faint, marked
		{kind: markEmpty, fill: 0.3},                         // 1: printed, marked
		{kind: markEmpty, fill: 0.0, faint: true, pen: true}, // 2: faint, empty
	}
	decideMarks(ms)
	for i, want := range []struct {
		checked bool
		sure    bool
	}{{true, false}, {true, true}, {false, true}} {
		m := ms[3+i]
		if m.checked() != want.checked || (m.conf >= 0.9) != want.sure || m.conf < faintPenSure {
			t.Errorf("mark %d: checked %v conf %.2f, want checked %v sure %v", i, m.checked(), m.conf, want.checked, want.sure)
		}
	}
}

// One clear box opens a cell to marks only in company: a second box, or a
// tick or a faint box on its line or in its column. Alone it is as likely
// a long answer's 国 at a line's start, and the cell's marks are tentative.
func TestGroupedBox(t *testing.T) {
	const em = 29
	box := func(x, y int) image.Rectangle { return image.Rect(x, y, x+em*3/4, y+em*3/4) }
	for _, c := range []struct {
		name          string
		boxes, others []image.Rectangle
		want          bool
	}{
		{"是 and 否 both empty", []image.Rectangle{box(100, 100), box(220, 100)}, nil, true},
		{"a group's two empty boxes stacked", []image.Rectangle{box(100, 100), box(100, 140)}, nil, true},
		{"the empty one beside a tick on its line", []image.Rectangle{box(100, 100)}, []image.Rectangle{box(220, 102)}, true},
		{"the empty one under ticks in its column", []image.Rectangle{box(100, 180)}, []image.Rectangle{box(104, 100), box(98, 140)}, true},
		{"one box alone", []image.Rectangle{box(100, 100)}, nil, false},
		{"one box and a mark elsewhere", []image.Rectangle{box(100, 100)}, []image.Rectangle{box(400, 300)}, false},
		{"no box", nil, []image.Rectangle{box(100, 100), box(100, 140)}, false},
	} {
		if got := groupedBox(c.boxes, c.others, em); got != c.want {
			t.Errorf("%s: grouped %v, want %v", c.name, got, c.want)
		}
	}
}
