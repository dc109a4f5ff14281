package scan

import (
	"image"
	"sort"
)

// markKind is what sits in an option's box position.
type markKind int

const (
	markNone   markKind = iota
	markEmpty           // □
	markBoxed           // a box with ink inside: ☑, ☒, a pen tick in the box
	markFilled          // ■
	markTick            // √ printed or written instead of the box
)

// mark is an option box (or tick) found on a text line.
type mark struct {
	kind markKind
	rect image.Rectangle
	// fill is the ink inside the box, inset past its outline: the mean
	// darkness of the gray page there (0 paper, 1 black), so that a thin
	// printed tick blurred to gray still counts by how much ink it is.
	fill float64
	// pen: the box was found inside a larger shape (a pen mark drawn
	// past it); such a box alone does not make a cell one of options.
	pen bool
	// conf is how sure the decision is (decideMarks).
	conf float64
	// tentative: the box stands only if the text after it opens a
	// printed phrase (see layLines).
	tentative bool
	// faint: the box was found only at the faint threshold
	// (faintBoxes); such a box alone does not make a cell one of
	// options either.
	faint bool
}

// findMarks looks for option boxes along one text line. em is the line's
// character height. A box is a square component about one character tall
// whose outline is closed on all four sides, or a solid square; a tick is
// a √-shaped component in a box position (line start or after a gap).
//
// Components and outlines are taken from light, binarised loosely so that
// a hairline outline stays closed; fill measures from b, binarised as for
// reading, so that a small dense character does not become a solid box.
func findMarks(g *image.Gray, b, light *bitmap, line image.Rectangle, em int) []mark {
	return findMarksIn(g, b, light, line, line, em, em)
}

// findMarksIn is findMarks with the shapes taken whole from band, a
// region around the line: a pen tick rising from its box makes the line
// so tall that it is cut in two across the box. Only shapes whose middle
// lies on the line count, so that the boxes of the lines above and below
// (stacked options) neither count here nor take a box's place. bodyEm is
// the body text's character size, which a line made taller by a pen
// mark does not show.
func findMarksIn(g *image.Gray, b, light *bitmap, band, line image.Rectangle, em, bodyEm int) []mark {
	comps := components(light, band.Inset(-2))
	sort.Slice(comps, func(i, j int) bool { return comps[i].rect.Min.X < comps[j].rect.Min.X })
	var out []mark
	prevRight := band.Min.X - em
	for _, c := range comps {
		w, h := c.rect.Dx(), c.rect.Dy()
		if mid := (c.rect.Min.Y + c.rect.Max.Y) / 2; w < 3 || h < 3 || band != line && (mid < line.Min.Y || mid >= line.Max.Y) {
			continue
		}
		gapBefore := c.rect.Min.X - prevRight
		if c.rect.Max.X > prevRight {
			prevRight = max(prevRight, c.rect.Max.X)
		}
		fe := float64(em)
		atSlot := gapBefore > em/4
		if !atSlot || float64(h) < 0.55*fe || float64(w) < 0.3*fe {
			continue
		}
		if float64(h) > 1.45*fe || float64(w) > 1.3*fe {
			n := len(out)
			if float64(max(w, h)) <= 2.5*fe {
				out = appendPenBox(out, g, light, c.rect, em)
			}
			if len(out) == n {
				out = appendOpeningBox(out, g, light, c.rect, em)
			}
			continue
		}
		asp := float64(w) / float64(h)
		// Boxes are square and about one character tall; a printed √
		// is narrower and rises above the line's characters.
		square := asp >= 0.75 && asp <= 1.33 && float64(h) <= 1.3*fe
		solid := inkFraction(b, c.rect)
		switch {
		case square && solid > 0.85:
			out = append(out, mark{kind: markFilled, rect: c.rect, fill: 1})
		case square && closedOutline(light, c.rect):
			out = append(out, mark{kind: markEmpty, rect: c.rect, fill: boxInk(g, c.rect)})
		case asp >= 0.35 && (tickShaped(b, c.rect) || tickShaped(light, c.rect)):
			// A printed √ at 150 dpi is a gray hairline: its shape
			// shows at the looser threshold.
			out = append(out, mark{kind: markTick, rect: c.rect, fill: 1})
		case square && 4*gapBefore >= 3*em && hasOverrunBox(light, c.rect, em, bodyEm):
			// A box with a pen tick or cross run just past it: too
			// small a shape to be a pen mark drawn well past its box,
			// no longer closed at its own edges. It opens its line or
			// stands after a space, as options do; in running text,
			// after a comma, it is a character.
			box, _ := boxWithin(light, c.rect, em)
			out = append(out, mark{kind: markEmpty, rect: box, fill: boxInk(g, box), pen: true})
		case float64(max(w, h)) > 1.1*fe:
			// A box with a pen tick rising from it, on a line the
			// tick itself made taller. (Searching every shape for a
			// box found the 口 of 品 and 图 on lines cut in two.) Or
			// one a pen crossed just past its corners, or ticked with
			// its foot below it: the box opens the shape, which opens
			// its line or stands after a space, as options do (in
			// running text, 品 or 建 blurred with a stroke of the line
			// below holds a square too).
			n := len(out)
			out = appendPenBox(out, g, light, c.rect, em)
			if len(out) == n && 4*gapBefore >= 3*em {
				out = appendOpeningBox(out, g, light, c.rect, em)
			}
		}
	}
	return out
}

// appendPenBox adds the option box found inside r, a shape larger than
// any character: a pen mark drawn well past its box (a tick running out
// of it, a cross over it) joins the box into one. What is inside the box
// decides, as for any box. (Inside shapes of a character's size it would
// find the box-like part of 由 or 集.)
func appendPenBox(out []mark, g *image.Gray, light *bitmap, r image.Rectangle, em int) []mark {
	box, ok := boxWithin(light, r, em)
	// A tick leaves its box up and to the right, and so does a cross;
	// characters blurred together with a box-like one (、集) spread left
	// and down.
	if !ok || box.Min.Y-r.Min.Y < em/4 || r.Max.X-box.Max.X < em/4 {
		return out
	}
	return append(out, mark{kind: markEmpty, rect: box, fill: boxInk(g, box), pen: true})
}

// hasOverrunBox reports whether r, a shape about a box's size whose
// outline is not closed, is a box with pen strokes run just past two of
// its edges or more (a tick leaves up and right, a cross at every
// corner): a closed box of three quarters of bodyEm or more inside it
// makes up two thirds of it each way, and the ink outside the box lies
// off its middle, toward its corners.
// A character built round a box (由, 申, 电) sends its stem out through
// the middle of a side; one that is a box (日, 国) is closed itself.
func hasOverrunBox(light *bitmap, r image.Rectangle, em, bodyEm int) bool {
	box, ok := boxWithin(light, r, em)
	// A printed box is about a body character wide; the squares inside
	// characters (the 口 of 品, a bold 图) are smaller.
	if !ok || 4*box.Dx() < 3*bodyEm || 3*box.Dx() < 2*r.Dx() || 3*box.Dy() < 2*r.Dy() {
		return false
	}
	past := 0
	for _, d := range []int{box.Min.X - r.Min.X, r.Max.X - box.Max.X, box.Min.Y - r.Min.Y, r.Max.Y - box.Max.Y} {
		if d >= 2 {
			past++
		}
	}
	if past < 2 {
		return false
	}
	// How far off the box's middle, across, the ink outside it lies.
	mid := box.Min.X + box.Max.X
	off, n := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if light.at(x, y) && !image.Pt(x, y).In(box) {
				off += abs(2*x - mid)
				n++
			}
		}
	}
	// Mean distance at least 0.4 of the box's width: a bar across the
	// top (面, 西) averages 0.3 at most.
	return n > 0 && 10*off >= 8*n*box.Dx()
}

// appendOpeningBox adds the option box that opens r, a shape wider or
// taller than a box: a printed box run into the option's first character
// on a blurred copy (☑第), or a pen tick drawn from the box up into the
// text. The box must stand at the shape's left end; a mark rising above
// it by a quarter em is a pen's.
func appendOpeningBox(out []mark, g *image.Gray, light *bitmap, r image.Rectangle, em int) []mark {
	box, ok := boxWithin(light, image.Rect(r.Min.X, r.Min.Y, min(r.Max.X, r.Min.X+em*3/2), r.Max.Y), em)
	if !ok || box.Min.X-r.Min.X > em/4 {
		return out
	}
	return append(out, mark{kind: markEmpty, rect: box, fill: middleInk(g, box), pen: box.Min.Y-r.Min.Y >= em/4})
}

// boxWithin finds an option box inside r, a shape larger than a box: a
// square about a character wide whose four sides are straight runs of
// ink, closed as closedOutline requires. Pen strokes are slanted and make
// no such runs.
func boxWithin(b *bitmap, r image.Rectangle, em int) (image.Rectangle, bool) {
	if sq := squaresWithin(b, r, em, false); len(sq) > 0 {
		return sq[0], true
	}
	return image.Rectangle{}, false
}

// squaresWithin finds the squares boxWithin looks for in r: the largest,
// or with all, every one.
func squaresWithin(b *bitmap, r image.Rectangle, em int, all bool) (found []image.Rectangle) {
	lo, hi := em*11/20, em*13/10
	// run returns the longest run of ink along a row (horizontal) or a
	// column, and where it starts.
	// A hairline outline on a rough copy breaks for a pixel here and
	// there; a run goes on across one such gap.
	run := func(at int, horiz bool) (int, int) {
		best, bestAt, n, gap := 0, 0, 0, 0
		a, z := r.Min.Y, r.Max.Y
		if horiz {
			a, z = r.Min.X, r.Max.X
		}
		for i := a; i < z; i++ {
			ink := horiz && b.at(i, at) || !horiz && b.at(at, i)
			if !ink {
				if gap++; gap > 1 {
					n = 0
				}
				continue
			}
			if n > 0 {
				n += gap
			}
			gap = 0
			if n++; n > best {
				best, bestAt = n, i-n+1
			}
		}
		return best, bestAt
	}
	// A straight run: where, where it starts, how long. A pen stroke
	// through a corner (a cross) runs on from a side: the side's run
	// then starts before the corner, and still covers the side.
	type side struct{ pos, from, n int }
	var rows, cols []side
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if n, at := run(y, true); n >= lo {
			rows = append(rows, side{y, at, n})
		}
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		if n, at := run(x, false); n >= lo {
			cols = append(cols, side{x, at, n})
		}
	}
	covers := func(s side, corner int) bool { return s.from <= corner+3 && s.from+s.n >= corner+lo }
	// The largest such square: a pen stroke across the box closes
	// smaller squares with two of its sides.
	var best image.Rectangle
	for _, top := range rows {
		for _, bot := range rows {
			size := bot.pos - top.pos
			if size < lo || size > hi || size <= best.Dy()-1 && !all {
				continue
			}
			for _, l := range cols {
				if !covers(l, top.pos) || !covers(top, l.pos) {
					continue
				}
				box := image.Rect(l.pos, top.pos, l.pos+size+1, bot.pos+1)
				if box.Max.X <= r.Max.X && closedOutline(b, box) {
					if all {
						found = append(found, box)
						continue
					}
					best = box
					break
				}
			}
		}
	}
	if !best.Empty() {
		found = append(found, best)
	}
	return found
}

func inkFraction(b *bitmap, r image.Rectangle) float64 {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if b.at(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(max(1, r.Dx()*r.Dy()))
}

// closedOutline reports whether each side of r is at least 80 % ink within
// a band a few pixels wide: a box glyph, unlike a character, is closed.
func closedOutline(b *bitmap, r image.Rectangle) bool {
	band := max(2, r.Dx()/8)
	side := func(x0, y0, x1, y1 int, horiz bool) float64 {
		hit, n := 0, 0
		if horiz {
			for x := x0; x < x1; x++ {
				n++
				for y := y0; y < y1; y++ {
					if b.at(x, y) {
						hit++
						break
					}
				}
			}
		} else {
			for y := y0; y < y1; y++ {
				n++
				for x := x0; x < x1; x++ {
					if b.at(x, y) {
						hit++
						break
					}
				}
			}
		}
		if n == 0 {
			return 0
		}
		return float64(hit) / float64(n)
	}
	return side(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+band, true) >= 0.8 &&
		side(r.Min.X, r.Max.Y-band, r.Max.X, r.Max.Y, true) >= 0.8 &&
		side(r.Min.X, r.Min.Y, r.Min.X+band, r.Max.Y, false) >= 0.8 &&
		side(r.Max.X-band, r.Min.Y, r.Max.X, r.Max.Y, false) >= 0.8
}

// boxInk is the mean darkness of g inside the box r, inset past its
// outline: 0 on clean paper, 1 where the box is black inside.
func boxInk(g *image.Gray, r image.Rectangle) float64 {
	in := r.Inset(max(2, (r.Dx()+2)/6)).Intersect(g.Rect)
	if in.Empty() {
		return 0
	}
	sum := 0
	for y := in.Min.Y; y < in.Max.Y; y++ {
		row := g.Pix[y*g.Stride:]
		for x := in.Min.X; x < in.Max.X; x++ {
			if v := int(row[x]); v < paperLevel {
				sum += paperLevel - v
			}
		}
	}
	return float64(sum) / float64(paperLevel*in.Dx()*in.Dy())
}

// middleInk is boxInk over the middle of the box r (its middle third
// each way), for a box found inside a shape other ink joins to it: a
// mark made in a box crosses its middle (a tick's stroke, a cross, a
// printed ☑), while a stroke run in from a neighbour's mark — a large
// tick of the option below rising into it — stops short of it.
func middleInk(g *image.Gray, r image.Rectangle) float64 {
	return boxInk(g, r.Inset(r.Dx()/3-max(2, (r.Dx()+2)/6)))
}

// paperLevel is the flattened gray level counted as paper: the copier's
// noise on white stays above it.
const paperLevel = 230

// tickShaped tests the √ shape on a 3×3 division of r: the upper-left and
// upper-middle are empty (every Chinese character has ink there), the
// upper-right and the bottom middle hold ink.
func tickShaped(b *bitmap, r image.Rectangle) bool {
	var f [3][3]float64
	for j := 0; j < 3; j++ {
		for i := 0; i < 3; i++ {
			c := image.Rect(r.Min.X+i*r.Dx()/3, r.Min.Y+j*r.Dy()/3, r.Min.X+(i+1)*r.Dx()/3, r.Min.Y+(j+1)*r.Dy()/3)
			n := 0
			for y := c.Min.Y; y < c.Max.Y; y++ {
				for x := c.Min.X; x < c.Max.X; x++ {
					if b.at(x, y) {
						n++
					}
				}
			}
			if a := c.Dx() * c.Dy(); a > 0 {
				f[j][i] = float64(n) / float64(a)
			}
		}
	}
	return f[0][0] < 0.02 && f[0][1] < 0.04 && f[0][2] > 0.04 && (f[2][1] > 0.04 || f[2][0] > 0.04)
}

func (m mark) checked() bool {
	return m.kind == markBoxed || m.kind == markFilled || m.kind == markTick
}

func (m mark) glyph() string {
	if m.checked() {
		return "☑"
	}
	return "□"
}

// dropOverlapping removes, from the marks found per line, a mark that
// overlaps a larger one by half its area or more: a line cut in two by a
// pen tick rising from its box finds the box from both halves, once
// whole and once as a smaller square closed by the tick's stroke.
func dropOverlapping(found [][]mark) [][]mark {
	type at struct{ line, k int }
	var all []at
	for i, ms := range found {
		for k := range ms {
			all = append(all, at{i, k})
		}
	}
	drop := map[at]bool{}
	for _, a := range all {
		ra := found[a.line][a.k].rect
		for _, b := range all {
			rb := found[b.line][b.k].rect
			if a == b || drop[b] {
				continue
			}
			in := ra.Intersect(rb)
			if area(rb) > area(ra) || area(rb) == area(ra) && (b.line < a.line || b.line == a.line && b.k < a.k) {
				if 2*area(in) >= area(ra) {
					drop[a] = true
					break
				}
			}
		}
	}
	if len(drop) == 0 {
		return found
	}
	out := make([][]mark, len(found))
	for i, ms := range found {
		for k, m := range ms {
			if !drop[at{i, k}] {
				out[i] = append(out[i], m)
			}
		}
	}
	return out
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// joinCutLines puts back together a line that was cut in two across its
// option box — a pen tick rising from the box makes the line too tall —
// when the box was kept by one half: the other half, markless, reaches
// into the box's height, and holds the tops (or feet) of the option's
// characters, which read as neither part alone.
func joinCutLines(rects []image.Rectangle, found [][]mark) ([]image.Rectangle, [][]mark) {
	// join makes line i of i and j, next to it, their marks in order.
	join := func(i, j int) {
		rects[i] = rects[i].Union(rects[j])
		ms := append(append([]mark(nil), found[i]...), found[j]...)
		sort.SliceStable(ms, func(a, b int) bool { return ms[a].rect.Min.X < ms[b].rect.Min.X })
		found[i] = ms
		rects = append(rects[:j], rects[j+1:]...)
		found = append(found[:j], found[j+1:]...)
	}
	for i := 0; i < len(rects); i++ {
		for _, m := range found[i] {
			if j := i - 1; j >= 0 && straddle(found[j], m, rects[i].Min.Y) && m.rect.Min.Y < rects[i].Min.Y-1 && rects[j].Max.Y > m.rect.Min.Y {
				join(i, j)
				i--
				break
			}
			if j := i + 1; j < len(rects) && straddle(found[j], m, rects[i].Max.Y) && m.rect.Max.Y > rects[i].Max.Y+1 && rects[j].Min.Y < m.rect.Max.Y {
				join(i, j)
				break
			}
		}
	}
	return rects, found
}

// straddle reports whether every mark of ms stands across the row y
// beside m, in m's row: a line holding no mark of its own, or only boxes
// it shares with the line it was cut from (a row of options each crossed
// past its box is cut across them all, and each half keeps some). Boxes
// of stacked options, a row above or below m, are another line's.
func straddle(ms []mark, m mark, y int) bool {
	for _, k := range ms {
		over := min(k.rect.Max.Y, m.rect.Max.Y) - max(k.rect.Min.Y, m.rect.Min.Y)
		if k.rect.Min.Y >= y-1 || k.rect.Max.Y <= y+1 || 2*over < min(k.rect.Dy(), m.rect.Dy()) {
			return false
		}
	}
	return true
}

// joinSlivers joins two thin lines one above the other with almost no
// gap between them into one when an option box stands across the gap: a
// character whose halves stand apart (否: 不 over 口) on a faint copy
// cuts its line into two slivers, of which neither holds the middle of
// the box beside it.
func joinSlivers(light *bitmap, rects []image.Rectangle, em int) []image.Rectangle {
	var out []image.Rectangle
	for _, r := range rects {
		if n := len(out); n > 0 {
			p := out[n-1]
			u := p.Union(r)
			if 4*p.Dy() < 3*em && 4*r.Dy() < 3*em && r.Min.Y-p.Max.Y <= em/5 && 10*u.Dy() <= 12*em &&
				r.Min.X < p.Max.X && p.Min.X < r.Max.X && boxAcross(light, image.Rect(u.Min.X-2*em, u.Min.Y-2, u.Max.X+2, u.Max.Y+2), p.Max.Y, r.Min.Y, em) {
				out[n-1] = u
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// boxAcross reports whether a square about a character tall, closed or
// with a pen mark run just past it, stands in r across the rows from top
// to bottom. r reaches left of the lines: a faint box is not part of
// the line it opens.
func boxAcross(light *bitmap, r image.Rectangle, top, bottom, em int) bool {
	for _, c := range components(light, r) {
		w, h := c.rect.Dx(), c.rect.Dy()
		if 5*h >= 3*em && 4*w >= 3*h && 3*w <= 4*h && c.rect.Min.Y < top && c.rect.Max.Y > bottom &&
			(closedOutline(light, c.rect) || hasOverrunBox(light, c.rect, em, em)) {
			return true
		}
	}
	return false
}

// dropTrailingMark drops the last of a line's marks when it ends the
// line with no room for words after it and another mark opens the line:
// an option is a box and its words, and a "mark" after the last option's
// words is the top of a pen tick rising from that option's box, or ink
// past the line's end. Left, it runs into the next line's mark (☑ □否)
// and turns that option's empty box into a tick.
func dropTrailingMark(ms []mark, line image.Rectangle, em int) []mark {
	if n := len(ms); n > 1 && line.Max.X-ms[n-1].rect.Max.X <= em/2 {
		return ms[:n-1]
	}
	return ms
}

// alignedBoxes looks again for option boxes on the lines of a cell
// (rects, their marks found) where the cell's other boxes stand, the way
// an OMR reader looks where its template puts them: stacked options
// share their boxes' column. A pen mark from the line below or above
// run into a box joins it to a shape no box search by shape takes — a
// tick's foot left of it, a stroke entering it from below — but its
// four straight sides stand where the column says. Found there, the box
// is decided by its ink like any other. It is a pen box: alone it does
// not make the cell one of options.
func alignedBoxes(g *image.Gray, light *bitmap, r image.Rectangle, rects []image.Rectangle, found [][]mark) {
	type column struct{ x, s int }
	var cols []column
	for _, ms := range found {
	next:
		for _, m := range ms {
			if m.kind != markEmpty {
				continue
			}
			for _, c := range cols {
				if abs(c.x-m.rect.Min.X) <= c.s/3 {
					continue next
				}
			}
			cols = append(cols, column{m.rect.Min.X, m.rect.Dy()})
		}
	}
	for i, lr := range rects {
		for _, c := range cols {
			taken := false
			for _, m := range found[i] {
				if m.rect.Min.X < c.x+c.s && c.x < m.rect.Max.X {
					taken = true
				}
			}
			if taken || lr.Max.X < c.x+c.s {
				continue
			}
			w := image.Rect(c.x-c.s/3, lr.Min.Y-c.s/2, c.x+c.s*4/3, lr.Max.Y+c.s/2).Intersect(r)
			box, ok := boxWithin(light, w, c.s)
			if !ok {
				continue
			}
			if mid := (box.Min.Y + box.Max.Y) / 2; mid < lr.Min.Y || mid >= lr.Max.Y ||
				abs(box.Min.X-c.x) > c.s/4 || 5*abs(box.Dy()-c.s) > c.s {
				continue
			}
			if boxTaken(found, box) {
				continue // a line cut across it holds it already
			}
			if !hollow(light, box) {
				continue
			}
			found[i] = append(found[i], mark{kind: markEmpty, rect: box, fill: middleInk(g, box), pen: true})
			sort.Slice(found[i], func(a, b int) bool { return found[i][a].rect.Min.X < found[i][b].rect.Min.X })
		}
	}
}

// boxTaken reports whether a mark of any line covers half of r or more.
func boxTaken(found [][]mark, r image.Rectangle) bool {
	for _, ms := range found {
		for _, m := range ms {
			if 2*area(m.rect.Intersect(r)) >= min(area(r), area(m.rect)) {
				return true
			}
		}
	}
	return false
}

// faintCut is the level boxes printed in light gray are found at (a form
// sets its boxes lighter than its text, and a copy fades them further):
// lighter than markCut, darker than the paper a flattened copy leaves.
const faintCut = 228

// faintBoxes adds to ms, the marks of line lr of a value cell r, the
// option boxes printed too faint for either threshold: before each run
// of the line's words (its start, and after a gap of most of an em), in
// the space there with no ink at the reading threshold b, a closed
// square about a character wide at the faint one. Characters are ink at
// the reading threshold, so a faint square where there is none is print
// too light to read — a box. faint is the page at faintCut.
func faintBoxes(g *image.Gray, b, faint *bitmap, r, lr image.Rectangle, em int, ms []mark) []mark {
	for _, x := range inkStarts(b, lr, (3*em+3)/4) {
		w := image.Rect(max(r.Min.X, x-em*3/2), max(r.Min.Y, lr.Min.Y-em/4), x, min(r.Max.Y, lr.Max.Y+em/4))
		if w.Dx() < em*2/3 {
			continue
		}
		box, ok := boxWithin(faint, w, em)
		if !ok || 5*box.Dx() < 3*em || x-box.Max.X > em/2 {
			continue
		}
		// A faint box is printed on clean paper: its inside is empty
		// at the faint threshold. On a noisy copy the faint threshold
		// takes the noise too, and squares are found in it anywhere.
		if inkFraction(faint, box.Inset(max(2, box.Dx()/5))) > 0.05 {
			continue
		}
		if mid := (box.Min.Y + box.Max.Y) / 2; mid < lr.Min.Y || mid >= lr.Max.Y || boxTaken([][]mark{ms}, box) {
			continue
		}
		// Found only empty: a faint square holding ink is no clean
		// box but gray strokes (a character's, a copy's shadow).
		if f := boxInk(g, box); f < clearlyEmpty {
			ms = append(ms, mark{kind: markEmpty, rect: box, fill: f, faint: true})
		}
	}
	sort.SliceStable(ms, func(a, b int) bool { return ms[a].rect.Min.X < ms[b].rect.Min.X })
	return ms
}

// faintMarkedBoxes adds to ms, the marks of line lr of a value cell r,
// the option boxes printed too faint for either threshold that faintBoxes
// cannot find in the space before their words: one a clerk marked in
// pen (the tick, cross or scribble is ink at the reading threshold, and
// opens the line's run of ink itself), and one a neighbour's large tick
// runs into. At each run of ink's start (the line's start, or after a
// gap of an em) it looks for the shape it knows: a closed square
// about a character wide at the faint threshold, its left side within
// two thirds of an em of where the ink starts (a cross starts past the
// box's corner, a tick inside it). What tells it from a character drawn as a square
// (口, 日, 国) is its outline: a character's strokes are ink at the
// reading threshold all along, a faint box's are not, but where a pen
// stroke crosses them. The ink inside decides the box, as for any other
// (decideMarks).
func faintMarkedBoxes(g *image.Gray, b, faint *bitmap, r, lr image.Rectangle, em int, ms []mark) []mark {
	// A line two lines tall (a tick rising from the row of options
	// joins it to the heading above) has its runs looked for in each
	// band of an em too: the heading's words run on over the gaps
	// between the options.
	//
	// The gap before a pen mark is an em at least: the blank between
	// options, and the box's own edge before the mark in it. After a
	// comma (，) the blank is less, and a dense character there blurs
	// into a square at the faint threshold.
	starts := inkStarts(b, lr, em)
	if 2*lr.Dy() > 3*em {
		for y := lr.Min.Y; y < lr.Max.Y-em+em/2; y += em / 2 {
			y := min(y, lr.Max.Y-em) // the last band ends with the line
			starts = append(starts, inkStarts(b, image.Rect(lr.Min.X, y, lr.Max.X, y+em), em)...)
		}
		sort.Ints(starts)
	}
	for _, x := range starts {
		w := image.Rect(x-em*3/2, lr.Min.Y-em/2, x+em*3/2, lr.Max.Y+em/2).Intersect(r)
		ms = faintSquares(g, b, faint, w, lr, x, em, ms)
	}
	sort.SliceStable(ms, func(a, b int) bool { return ms[a].rect.Min.X < ms[b].rect.Min.X })
	return ms
}

// faintSquares adds to ms the faint option box in the window w for a run
// of ink starting at x on line lr (see faintMarkedBoxes), and those
// above and below it: a tick rising from the box below joins two
// stacked options into one line.
func faintSquares(g *image.Gray, b, faint *bitmap, w, lr image.Rectangle, x, em int, ms []mark) []mark {
	if 5*w.Dy() < 3*em {
		return ms
	}
	// Of the squares there, the box's outline is the one least ink at
	// the reading threshold: a cross's strokes close squares of their
	// own with the faint box's sides, beside it.
	var box image.Rectangle
	least := 2.0
	for _, sq := range squaresWithin(faint, w, em, true) {
		if o := outlineInk(b, sq); 5*sq.Dx() >= 3*em && (o < least-0.02 || o < least+0.02 && sq.Dx() > box.Dx()) {
			box, least = sq, o
		}
	}
	if box.Empty() {
		return ms
	}
	ms = faintSquares(g, b, faint, image.Rect(w.Min.X, w.Min.Y, w.Max.X, box.Min.Y+1), lr, x, em, ms)
	ms = faintSquares(g, b, faint, image.Rect(w.Min.X, box.Max.Y-1, w.Max.X, w.Max.Y), lr, x, em, ms)
	// The box stands where the run starts: the ink is its mark (a
	// cross starts past its corner, a tick inside it), or the option's
	// words start just after it.
	if box.Min.X-x > em*2/3 || x-box.Max.X > em/2 {
		return ms
	}
	if mid := (box.Min.Y + box.Max.Y) / 2; mid < lr.Min.Y || mid >= lr.Max.Y {
		return ms
	}
	// A cross's strokes close squares of their own with a faint box's
	// sides, beside the box: a square overlapping a box found at all
	// is one of those, not a box of its own (options do not overlap;
	// a large tick's shape reaches into the box above its own).
	for _, m := range ms {
		if m.kind != markTick && 5*area(m.rect.Intersect(box)) >= area(box) {
			return ms
		}
	}
	// A pen mark crosses a faint box's outline in a few places (at most
	// two fifths of it in the lab, a cross at 170 gray); a square of a
	// character's blurred strokes is ink along more of it.
	if least > outlineMost {
		return ms
	}
	// An empty box must be clean inside at the faint threshold, as
	// for faintBoxes, or the square is the copy's noise. A square solid
	// inside at the faint threshold but not with ink is the blur round a
	// dense character's strokes (建 after a comma), not a box with a mark
	// in it: a tick or a cross leaves the box's corners paper, and a box
	// scribbled full is ink.
	in := box.Inset(max(2, box.Dx()/5))
	if f, k := inkFraction(faint, in), inkFraction(b, in); k == 0 && f > 0.05 || f > 0.95 && k < 0.7 {
		return ms
	}
	return append(ms, mark{kind: markEmpty, rect: box, fill: middleInk(g, box), pen: true, faint: true})
}

// inkStarts lists where, along line lr, runs of ink at b begin: at the
// line's start, and after a gap of minGap or more, as options do.
func inkStarts(b *bitmap, lr image.Rectangle, minGap int) []int {
	var starts []int
	gap := minGap // the line's start counts as after a gap
	for x := lr.Min.X; x < lr.Max.X; x++ {
		ink := false
		for y := lr.Min.Y; y < lr.Max.Y && !ink; y++ {
			ink = b.at(x, y)
		}
		if !ink {
			gap++
			continue
		}
		if gap >= minGap {
			starts = append(starts, x)
		}
		gap = 0
	}
	return starts
}

// outlineMost is the most of a faint box's outline outlineInk finds ink
// at the reading threshold: a character's square measures more (0.47 at
// least in the lab), a faint box crossed by a pen at most 0.39.
const outlineMost = 0.42

// outlineInk is the share of r's outline (each side a band a sixth of
// its width deep: a character's blurred stroke may lie a pixel or two
// inside the square its faint rim makes) that is ink at b, over all four
// sides.
func outlineInk(b *bitmap, r image.Rectangle) float64 {
	hit, n := 0, 0
	d := 2
	at := func(x0, y0, x1, y1 int) {
		n++
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if b.at(x, y) {
					hit++
					return
				}
			}
		}
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		at(x, r.Min.Y, x+1, r.Min.Y+d)
		at(x, r.Max.Y-d, x+1, r.Max.Y)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		at(r.Min.X, y, r.Min.X+d, y+1)
		at(r.Max.X-d, y, r.Max.X, y+1)
	}
	return float64(hit) / float64(max(n, 1))
}

// splitStacked cuts in two a line that holds two option boxes one above
// the other: a large pen tick rising from an option's box into the
// option above joins their lines into one, and the boxes of stacked
// options stand in one column. The cut runs midway between the boxes;
// each mark goes with the half that holds its middle. (Left whole, the
// upper box would stand right after the lower one's mark, with no room
// for words, and be taken for the option's first character.)
func splitStacked(rects []image.Rectangle, found [][]mark) ([]image.Rectangle, [][]mark) {
	for i := 0; i < len(rects); i++ {
		cut := -1
		for a := range found[i] {
			for b := range found[i] {
				// Stacked: in one column, b's middle below a's by
				// two thirds of the smaller mark or more (a tick
				// rising from the lower box overlaps the upper).
				ra, rb := found[i][a].rect, found[i][b].rect
				ma, mb := (ra.Min.Y+ra.Max.Y)/2, (rb.Min.Y+rb.Max.Y)/2
				if 3*(mb-ma) >= 2*min(ra.Dy(), rb.Dy()) && ra.Min.X < rb.Max.X && rb.Min.X < ra.Max.X {
					cut = (ma + mb) / 2
				}
			}
		}
		if cut <= rects[i].Min.Y || cut >= rects[i].Max.Y {
			continue
		}
		up, down := rects[i], rects[i]
		up.Max.Y, down.Min.Y = cut, cut
		var mu, md []mark
		for _, m := range found[i] {
			if (m.rect.Min.Y+m.rect.Max.Y)/2 < cut {
				mu = append(mu, m)
			} else {
				md = append(md, m)
			}
		}
		rects = append(rects[:i], append([]image.Rectangle{up, down}, rects[i+1:]...)...)
		found = append(found[:i], append([][]mark{mu, md}, found[i+1:]...)...)
	}
	return rects, found
}

// ringSides is, for each side of the square r found at b (top, bottom,
// left, right), the share of it that is a box's outline and nothing
// more: walking in from the side (its corners left out, where a cross's
// strokes and the other sides meet), the ink that starts at the side
// ends within a fifth of the square. A printed box is such a thin ring,
// but where a mark crosses it; a character's strokes join the square
// they make and run on into it (the 三 of 聿 from its sides, its 丨 from
// top to bottom).
func ringSides(b *bitmap, r image.Rectangle) [4]float64 {
	w := min(r.Dx(), r.Dy())
	thick, skip := max(3, w/5), max(2, w/5)
	// thin walks from the side point (x, y) inward by (dx, dy).
	thin := func(x, y, dx, dy int) bool {
		d := 0
		for d < 2 && !b.at(x+d*dx, y+d*dy) {
			d++
		}
		for d < w && b.at(x+d*dx, y+d*dy) {
			d++
		}
		return d <= thick+2
	}
	var hit, n [4]int
	for x := r.Min.X + skip; x < r.Max.X-skip; x++ {
		n[0]++
		n[1]++
		if thin(x, r.Min.Y, 0, 1) {
			hit[0]++
		}
		if thin(x, r.Max.Y-1, 0, -1) {
			hit[1]++
		}
	}
	for y := r.Min.Y + skip; y < r.Max.Y-skip; y++ {
		n[2]++
		n[3]++
		if thin(r.Min.X, y, 1, 0) {
			hit[2]++
		}
		if thin(r.Max.X-1, y, -1, 0) {
			hit[3]++
		}
	}
	var out [4]float64
	for i := range out {
		out[i] = float64(hit[i]) / float64(max(n[i], 1))
	}
	return out
}

// hollow reports whether the square r found at b is a box's outline
// round a hollow: on three of its sides at least, for half their length
// or more, the outline is a thin line (ringSides). A mark in the box
// crosses a side or two for part of their length (a tick's foot, a
// cross's strokes near the corners); in the square a dense character
// holds (the 聿 of 建 on a 150-dpi copy), or that two digits or a
// seal's characters close, strokes join three sides or four.
func hollow(b *bitmap, r image.Rectangle) bool {
	n := 0
	for _, s := range ringSides(b, r) {
		if s >= 0.5 {
			n++
		}
	}
	return n >= 3
}

// keepGroupedPens drops from found, the marks of one cell's lines rects, the
// pen-marked faint boxes (faintMarkedBoxes, with ink inside) that stand
// in no option group. Options come in groups printed alike — a single choice holds
// one mark and its other boxes empty, 是 stands beside 否 — so a
// pen-marked faint box is kept only in line with a box of the same cell
// found empty without a pen mark (printed dark enough to threshold, or faint
// and clean inside: a character's square holds its strokes), or with a pen-marked box kept so: as large within a
// third (a cross's strokes enlarge the square found), in its column (options stacked) or on its row. A cell of
// text or prose holds no such box: what passes for a pen-marked box
// there is a character at a line's start (口, 国, a dense 建 blurred at
// the faint threshold), and those stand in one column with each other,
// never with an empty box. Nor is a box holding ink an anchor: a printed
// ■ or ☑ is black as its group's empty boxes are, so a faint square in
// its column is a wrapped line's first character (注 of 注册 under a ■ on
// a 150-dpi copy), and a square a pen stroke runs out of (appendOpeningBox)
// is as often a character run into the next. Dropped before the lines
// are read, they cost no reading of a line in pieces.
func keepGroupedPens(rects []image.Rectangle, found [][]mark, em int) {
	var kept []image.Rectangle
	var pens []*mark
	for i := range found {
		for k := range found[i] {
			switch m := &found[i][k]; {
			case m.faint && m.pen && m.fill >= clearlyEmpty:
				pens = append(pens, m)
			case m.kind == markEmpty && !(m.pen && m.fill >= clearlyEmpty):
				kept = append(kept, m.rect)
			}
		}
	}
	near := func(a, b int) bool { return 2*abs(a-b) <= em }
	alike := func(a, b int) bool { return 3*abs(a-b) <= max(a, b) }
	inLine := func(r image.Rectangle) bool {
		for _, a := range kept {
			if alike(a.Dx(), r.Dx()) && alike(a.Dy(), r.Dy()) &&
				(near(a.Min.X, r.Min.X) || near((a.Min.Y+a.Max.Y)/2, (r.Min.Y+r.Max.Y)/2)) {
				return true
			}
		}
		return false
	}
	// A group ticked but for one box reaches the rest through its
	// ticked boxes: the second row of a grid of options, its one empty
	// box in the first.
	keep := map[*mark]bool{}
	for grew := true; grew; {
		grew = false
		for _, m := range pens {
			if !keep[m] && inLine(m.rect) {
				keep[m], grew = true, true
				kept = append(kept, m.rect)
			}
		}
	}
	// A group ticked throughout has no empty box to stand beside: its
	// boxes are a column of two or more, each opening its line, and
	// they open most of the lines that start there (an option's words
	// wrap past its box). Squares after a gap inside lines open none. The
	// characters opening a cell's lines of prose that pass for such
	// boxes open few of them. Their cell has no box of its own, so its
	// marks stay tentative: they stand only if the words after them
	// open the form's printed options (layLines, marksStand).
	for _, m := range pens {
		if keep[m] {
			continue
		}
		var col []*mark
		for _, o := range pens {
			if !keep[o] && near(o.rect.Min.X, m.rect.Min.X) && alike(o.rect.Dx(), m.rect.Dx()) {
				col = append(col, o)
			}
		}
		opening := 0
		for _, lr := range rects {
			if lr.Min.X >= m.rect.Min.X-em/2 && lr.Min.X < m.rect.Max.X {
				opening++
			}
		}
		if len(col) >= 2 && opening >= len(col) && 3*len(col) >= 2*opening {
			for _, o := range col {
				keep[o] = true
			}
		}
	}
	for i, ms := range found {
		out := ms[:0]
		for k := range ms {
			if m := &ms[k]; !(m.faint && m.pen && m.fill >= clearlyEmpty) || keep[m] {
				out = append(out, *m)
			}
		}
		found[i] = out
	}
}
