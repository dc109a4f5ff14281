package scan

import (
	"image"
	"sort"
)

// seg is a ruling line: horizontal (y fixed, x0..x1) or vertical (x fixed,
// y0..y1), in work pixels; pos is its centre across, thick its width.
type seg struct {
	pos, a, b int // across position; from a to b along
	thick     int
}

// gridParams are the pixel sizes the grid finder works with, derived from
// the work resolution so that they mean the same on paper at any dpi.
type gridParams struct {
	minLenH int // shortest horizontal run taken for a rule: longer than
	// the strokes of several neighbouring characters joined by bridging
	minLenV int // shortest vertical run: a one-line row's height
	piece   int // shortest run kept as a piece of a rule before joining:
	// longer than a stroke of body text, shorter than what a faded
	// copy leaves between breaks
	bridge  int // gap inside a run that is bridged (broken, faded rules)
	tol     int // distance at which rules are taken to meet
	maxLine int // thickest rule; thicker ink is a filled mark, not a rule
	margin  int // a line this close to the page's edge is the copier's
	// border or the sheet's edge, not a rule: printed forms keep margins
}

func paramsFor(dpi float64) gridParams {
	mm := dpi / 25.4
	return gridParams{
		minLenH: int(10 * mm),
		minLenV: int(4.5 * mm),
		piece:   int(6 * mm),
		bridge:  int(0.25*mm) + 1,
		tol:     int(1.2*mm) + 1,
		maxLine: int(1.0*mm) + 2,
		margin:  int(4 * mm),
	}
}

// findRules extracts horizontal and vertical ruling lines: runs of ink
// longer than any stroke of text (after bridging tiny gaps), grouped over
// adjacent rows into lines. Vertical rules are found as the horizontal
// ones of the page transposed: a column walked down a row-major bitmap
// touches a new cache line at every pixel.
func findRules(b *bitmap, p gridParams) (hs, vs []seg) {
	hs = findHRules(b, p)
	vs = rules(b.transpose(), p.minLenV, p)
	return hs, vs
}

// findHRules extracts the horizontal ruling lines only.
func findHRules(b *bitmap, p gridParams) []seg {
	return rules(b, p.minLenH, p)
}

// transpose returns b with rows and columns swapped, copied in tiles so
// that both the reads and the writes stay within a few cache lines.
func (b *bitmap) transpose() *bitmap {
	const tile = 64
	t := &bitmap{w: b.h, h: b.w, pix: make([]bool, len(b.pix))}
	for y0 := 0; y0 < b.h; y0 += tile {
		for x0 := 0; x0 < b.w; x0 += tile {
			for y := y0; y < min(y0+tile, b.h); y++ {
				row := b.pix[y*b.w : y*b.w+b.w]
				for x := x0; x < min(x0+tile, b.w); x++ {
					t.pix[x*t.w+y] = row[x]
				}
			}
		}
	}
	return t
}

// rules finds runs along each row of b (a line across which rules are
// looked for), then merges runs on neighbouring rows that overlap into
// one rule: pos is the row, a and b the columns.
func rules(b *bitmap, minLen int, p gridParams) []seg {
	m, n := b.w, b.h
	type run struct{ i, a, b int }
	var runs []run
	short := min(minLen, p.piece)
	for i := 0; i < n; i++ {
		start, last := -1, -1
		for j, ink := range b.pix[i*m : i*m+m] {
			if !ink {
				continue
			}
			if start >= 0 && j-last-1 <= p.bridge {
				last = j
				continue
			}
			if start >= 0 && last-start+1 >= short {
				runs = append(runs, run{i, start, last})
			}
			start, last = j, j
		}
		if start >= 0 && last-start+1 >= short {
			runs = append(runs, run{i, start, last})
		}
	}
	// Group runs of consecutive lines that overlap along j.
	type group struct {
		i0, i1, a, b int
		n            int
	}
	var open, done []group
	for _, r := range runs {
		merged := false
		for k := range open {
			g := &open[k]
			if r.i-g.i1 <= 1 && r.a <= g.b && r.b >= g.a {
				g.i1 = r.i
				g.a, g.b = min(g.a, r.a), max(g.b, r.b)
				g.n++
				merged = true
				break
			}
		}
		if !merged {
			open = append(open, group{r.i, r.i, r.a, r.b, 1})
		}
		// Retire groups that can no longer grow.
		k := 0
		for _, g := range open {
			if r.i-g.i1 > 1 {
				done = append(done, g)
			} else {
				open[k] = g
				k++
			}
		}
		open = open[:k]
	}
	done = append(done, open...)
	var out []seg
	for _, g := range done {
		thick := g.i1 - g.i0 + 1
		if thick > p.maxLine {
			continue
		}
		out = append(out, seg{pos: (g.i0 + g.i1) / 2, a: g.a, b: g.b, thick: thick})
	}
	// Join collinear pieces of one broken rule, in order along the rule,
	// only across a short gap; only then is a rule required to be long.
	// (Pieces a pixel apart across interleave along it: joining each to
	// whatever came before once made one rule of two, 400 px apart, and
	// split a column of labels.)
	sort.Slice(out, func(i, j int) bool {
		if out[i].a != out[j].a {
			return out[i].a < out[j].a
		}
		return out[i].pos < out[j].pos
	})
	var joined []seg
next:
	for _, s := range out {
		for k := len(joined) - 1; k >= 0; k-- {
			if j := &joined[k]; abs(j.pos-s.pos) <= 2 && s.a-j.b <= 4*p.bridge+2 {
				j.b = max(j.b, s.b)
				j.thick = max(j.thick, s.thick)
				continue next
			}
		}
		joined = append(joined, s)
	}
	k := 0
	for _, s := range joined {
		if s.pos < p.margin || s.pos >= n-p.margin {
			continue
		}
		// Long rules are kept even where text sits on them: the cover's
		// underlined blanks, which must be erased before reading.
		if l := s.b - s.a + 1; l >= minLen && (l >= 3*minLen || clean(s, b)) {
			joined[k] = s
			k++
		}
	}
	return joined[:k]
}

// clean reports whether a rule runs through white: a little beyond its
// edges on both sides there is ink along less than a third of its length
// (crossing rules and text touching a rule here and there). Strokes of a
// large heading that line up into a "rule" are embedded in their glyphs.
func clean(s seg, b *bitmap) bool {
	off := s.thick/2 + 3
	hit, tot := 0, 0
	above, below := s.pos-off, s.pos+off
	for j := s.a; j <= s.b; j++ {
		tot++
		if (above >= 0 && b.pix[above*b.w+j]) || (below < b.h && b.pix[below*b.w+j]) {
			hit++
		}
	}
	return 3*hit < tot
}

// underline reports whether the horizontal rule s has nothing under it:
// a blank's underline, on which text may sit but under which nothing
// hangs (the strokes of a heading that line up have their glyphs' ink on
// both sides).
func underline(s seg, b *bitmap) bool {
	below, hit := s.pos+s.thick/2+3, 0
	for x := s.a; x <= s.b; x++ {
		if b.at(x, below) {
			hit++
		}
	}
	return 20*hit < s.b-s.a+1
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// gridTable is one ruled table on a page: its boundaries and its cells.
type gridTable struct {
	xs, ys []int // column and row boundaries, ascending
	cells  []gridCell
	rect   image.Rectangle
	// openTop, openBottom: the side rules run past the first or last
	// horizontal rule — a row cut by the page break.
	openTop, openBottom bool
}

// gridCell is a cell of the grid: grid rows r0..r1-1, columns c0..c1-1
// (merged cells span several), with its pixel rectangle.
type gridCell struct {
	r0, r1, c0, c1 int
	rect           image.Rectangle
}

// findTables groups rules that meet into tables and builds each table's
// cell grid. A group needs two vertical rules and a horizontal one (a
// table part cut by page breaks above and below has only its sides and
// one rule); lone rules (the cover page's underlines) are not tables.
func findTables(hs, vs []seg, p gridParams, pageW int) []gridTable {
	n := len(hs) + len(vs)
	u := newUnion(n)
	for i, h := range hs {
		for j, v := range vs {
			if v.pos >= h.a-p.tol && v.pos <= h.b+p.tol && h.pos >= v.a-p.tol && h.pos <= v.b+p.tol {
				u.join(i, len(hs)+j)
			}
		}
	}
	groups := map[int][]int{}
	for i := 0; i < n; i++ {
		groups[u.find(i)] = append(groups[u.find(i)], i)
	}
	var out []gridTable
	for _, g := range groups {
		var gh, gv []seg
		for _, i := range g {
			if i < len(hs) {
				gh = append(gh, hs[i])
			} else {
				gv = append(gv, vs[i-len(hs)])
			}
		}
		if len(gh) < 1 || len(gv) < 2 {
			continue
		}
		// A table nested in a frame touches the frame where a page
		// break cuts both; split it off so it nests instead of lending
		// the frame its columns.
		if ih, iv, oh, ov, ok := splitInner(gh, gv, p); ok {
			if t, ok := buildGrid(ih, iv, p); ok && 5*t.rect.Dx() >= 2*pageW {
				out = append(out, t)
				gh, gv = oh, ov
			}
		}
		// The form's tables span most of the page; anything narrower
		// is strokes of large text that happen to line up.
		if t, ok := buildGrid(gh, gv, p); ok && 5*t.rect.Dx() >= 2*pageW {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rect.Min.Y < out[j].rect.Min.Y })
	return out
}

// splitInner separates, within one group of connected rules, an inner
// table: horizontal rules that reach neither side of the outer frame (two
// or more of them) and the verticals strictly inside the frame that cross
// them. A plain table's row rules run from side to side, so it has none.
func splitInner(hs, vs []seg, p gridParams) (ih, iv, oh, ov []seg, ok bool) {
	left, right := vs[0].pos, vs[0].pos
	for _, v := range vs {
		left, right = min(left, v.pos), max(right, v.pos)
	}
	margin := p.tol
	for _, h := range hs {
		if h.a > left+margin && h.b < right-margin {
			ih = append(ih, h)
		} else {
			oh = append(oh, h)
		}
	}
	if len(ih) < 2 {
		return nil, nil, nil, nil, false
	}
	for _, v := range vs {
		inner := false
		if v.pos > left+margin && v.pos < right-margin {
			for _, h := range ih {
				if v.pos >= h.a-p.tol && v.pos <= h.b+p.tol && h.pos >= v.a-p.tol && h.pos <= v.b+p.tol {
					inner = true
					break
				}
			}
		}
		if inner {
			iv = append(iv, v)
		} else {
			ov = append(ov, v)
		}
	}
	if len(iv) < 2 || len(ov) < 2 {
		return nil, nil, nil, nil, false
	}
	return ih, iv, oh, ov, true
}

// cluster merges positions closer than tol into their mean.
func cluster(v []int, tol int) []int {
	sort.Ints(v)
	var out []int
	sum, n := 0, 0
	for i, x := range v {
		if i > 0 && x-v[i-1] > tol {
			out = append(out, sum/n)
			sum, n = 0, 0
		}
		sum += x
		n++
	}
	if n > 0 {
		out = append(out, sum/n)
	}
	return out
}

// covered reports whether the rules in ss at position pos (±tol) cover at
// least half of a..b. Half, not all, so that a broken or faded rule still
// separates its cells while a missing one (a merged cell) does not.
func covered(ss []seg, pos, a, b, tol int) bool {
	if b <= a {
		return false
	}
	var iv [][2]int
	for _, s := range ss {
		if abs(s.pos-pos) <= tol && s.b >= a && s.a <= b {
			iv = append(iv, [2]int{max(s.a, a), min(s.b, b)})
		}
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
	tot, end := 0, a
	for _, r := range iv {
		if r[1] <= end {
			continue
		}
		tot += r[1] - max(r[0], end)
		end = r[1]
	}
	return 2*tot >= b-a
}

func buildGrid(hs, vs []seg, p gridParams) (gridTable, bool) {
	var ypos, xpos []int
	for _, h := range hs {
		ypos = append(ypos, h.pos)
	}
	for _, v := range vs {
		xpos = append(xpos, v.pos)
	}
	ys, xs := cluster(ypos, p.tol), cluster(xpos, p.tol)
	if len(ys) < 1 || len(xs) < 2 {
		return gridTable{}, false
	}
	left, right := xs[0], xs[len(xs)-1]
	side := func(v seg) bool { return abs(v.pos-left) <= p.tol || abs(v.pos-right) <= p.tol }
	// An inner vertical must lie mostly between the first and last
	// horizontal rule: a heading's stroke that touches the top rule
	// from outside is no column boundary.
	if len(ys) >= 2 {
		kept := vs[:0:0]
		xpos = xpos[:0]
		for _, v := range vs {
			if side(v) || min(v.b, ys[len(ys)-1])-max(v.a, ys[0]) >= p.minLenV/2 {
				kept = append(kept, v)
				xpos = append(xpos, v.pos)
			}
		}
		vs, xs = kept, cluster(xpos, p.tol)
	}
	// A row cut by a page break has its side rules but no closing rule on
	// this page: where the frame's sides run on past the first or last
	// horizontal rule, the page edge of the table is a row boundary.
	top, bottom := ys[0], ys[len(ys)-1]
	for _, v := range vs {
		if side(v) {
			top, bottom = min(top, v.a), max(bottom, v.b)
		}
	}
	openTop, openBottom := ys[0]-top > p.minLenV/2, bottom-ys[len(ys)-1] > p.minLenV/2
	if openTop {
		ys = append([]int{top}, ys...)
	}
	if openBottom {
		ys = append(ys, bottom)
	}
	if len(ys) < 2 || ys[len(ys)-1]-ys[0] < 2*p.minLenV || xs[len(xs)-1]-xs[0] < 2*p.minLenH {
		// Too small for a form table: strokes of a large heading.
		return gridTable{}, false
	}
	nr, nc := len(ys)-1, len(xs)-1
	// A form table is framed: both sides ruled over most of its height.
	if !covered(vs, xs[0], ys[0], ys[nr], p.tol) || !covered(vs, xs[nc], ys[0], ys[nr], p.tol) {
		return gridTable{}, false
	}
	// Union atomic cells across missing borders.
	id := func(r, c int) int { return r*nc + c }
	u := newUnion(nr * nc)
	for r := 0; r < nr; r++ {
		for c := 0; c < nc; c++ {
			if c+1 < nc && !covered(vs, xs[c+1], ys[r], ys[r+1], p.tol) {
				u.join(id(r, c), id(r, c+1))
			}
			if r+1 < nr && !covered(hs, ys[r+1], xs[c], xs[c+1], p.tol) {
				u.join(id(r, c), id(r+1, c))
			}
		}
	}
	// Drop empty margins: rows or columns outside the outer frame (a rule
	// that overshoots) become cells no border closes; keep what the
	// frame encloses.
	type span struct{ r0, r1, c0, c1 int }
	spans := map[int]*span{}
	var order []int
	for r := 0; r < nr; r++ {
		for c := 0; c < nc; c++ {
			k := u.find(id(r, c))
			s, ok := spans[k]
			if !ok {
				s = &span{r, r + 1, c, c + 1}
				spans[k] = s
				order = append(order, k)
			}
			s.r0, s.r1 = min(s.r0, r), max(s.r1, r+1)
			s.c0, s.c1 = min(s.c0, c), max(s.c1, c+1)
		}
	}
	t := gridTable{xs: xs, ys: ys, rect: image.Rect(xs[0], ys[0], xs[nc], ys[nr]), openTop: openTop, openBottom: openBottom}
	for _, k := range order {
		s := spans[k]
		t.cells = append(t.cells, gridCell{
			r0: s.r0, r1: s.r1, c0: s.c0, c1: s.c1,
			rect: image.Rect(xs[s.c0], ys[s.r0], xs[s.c1], ys[s.r1]),
		})
	}
	sort.Slice(t.cells, func(i, j int) bool {
		if t.cells[i].r0 != t.cells[j].r0 {
			return t.cells[i].r0 < t.cells[j].r0
		}
		return t.cells[i].c0 < t.cells[j].c0
	})
	return t, true
}

// eraseRules whitens the rules in g and b so that OCR and ink measures see
// only text and marks, and clears the same pixels in the bitmaps also
// (binarised from g at other thresholds). b, where the rules were found,
// tells a rule's body and fringe from the glyphs touching it.
func eraseRules(g *image.Gray, b *bitmap, hs, vs []seg, also ...*bitmap) {
	clearPx := func(x, y int) {
		if x >= 0 && y >= 0 && x < b.w && y < b.h {
			b.pix[y*b.w+x] = false
			g.Pix[y*g.Stride+x] = 255
			for _, o := range also {
				o.pix[y*o.w+x] = false
			}
		}
	}
	for _, h := range hs {
		top, bot := ruleBody(b, h)
		for x := h.a; x <= h.b; x++ {
			// Beside the rule's body, clear its fringe but not a glyph
			// that touches it (text on an underlined blank): ink that
			// runs on for two rows is a stroke, not the rule's edge.
			y0, y1 := edge(b, x, top, -1), edge(b, x, bot, 1)
			for y := y0; y <= y1; y++ {
				clearPx(x, y)
			}
		}
	}
	for _, v := range vs {
		half := v.thick/2 + 2
		for y := v.a; y <= v.b; y++ {
			for x := v.pos - half; x <= v.pos+half; x++ {
				clearPx(x, y)
			}
		}
	}
}

// ruleBody returns the rows of the horizontal rule h that hold ink along
// nearly all its length: the rule itself, without the strokes of glyphs
// that rest on it, even along most of a short blank.
func ruleBody(b *bitmap, h seg) (top, bot int) {
	n := h.b - h.a + 1
	count := func(y int) int {
		c := 0
		for x := h.a; x <= h.b; x++ {
			if b.at(x, y) {
				c++
			}
		}
		return c
	}
	full := func(y int) bool { return 4*count(y) >= 3*n }
	seed, most := h.pos, -1
	for y := h.pos - h.thick/2; y <= h.pos+h.thick/2; y++ {
		if c := count(y); c > most {
			seed, most = y, c
		}
	}
	if !full(seed) {
		// A broken or faint rule: its rows as found.
		return h.pos - h.thick/2, h.pos + h.thick/2
	}
	top, bot = seed, seed
	for top > h.pos-h.thick && full(top-1) {
		top--
	}
	for bot < h.pos+h.thick && full(bot+1) {
		bot++
	}
	return top, bot
}

// edge returns the last row to clear beyond the rule's body row y, going
// in direction dir (-1 up, +1 down) at column x: two rows of fringe where
// they are white or the ink stops, none where a stroke runs on from the
// rule.
func edge(b *bitmap, x, y, dir int) int {
	one, two := b.at(x, y+dir), b.at(x, y+2*dir)
	switch {
	case one && two:
		return y
	case one || two:
		return y + dir
	}
	return y + 2*dir
}

// union is a disjoint-set forest.
type union []int

func newUnion(n int) union {
	u := make(union, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u union) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u union) join(a, b int) { u[u.find(b)] = u.find(a) }
