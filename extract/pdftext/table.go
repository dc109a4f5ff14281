package pdftext

import (
	"math"
	"sort"
)

// Tolerances in points. Word tables rendered by LibreOffice draw each rule
// 1 pt wide and start them half a point off the crossing rule.
const (
	joinTol  = 2.0 // a rule touches another within this distance
	clustTol = 1.5 // rule positions closer than this are one grid line
)

// A form's table has a few dozen columns at most; larger nets of rules are
// drawings.
const (
	maxGridCols  = 200
	maxGridUnits = 40000
)

// ptable is a table being assembled: cells address row bands (indices) and
// keep their x-extent, so that parts from several pages can be merged
// before grid columns are numbered.
type ptable struct {
	page                int
	x0, y0, x1, y1      float64
	bands               int
	cells               []*pcell
	topOpen, bottomOpen bool
	lastPage            int
	parent              *ptable
	depth               int
	xs, ys              []float64
	unit                [][]int // band × column → index into cells
	hsegs, vsegs        []seg
}

type pcell struct {
	r0, r1 int
	x0, x1 float64
	y0, y1 float64
	page   int
	glyphs []glyphBox
	lines  []line
	tables []*ptable
}

// findTables groups the page's rules into connected nets; each net that
// encloses an area is a table. Nets inside another net's box are nested
// tables.
func findTables(p *page) []*ptable {
	hs := mergeCollinear(p.hsegs, true)
	vs := mergeCollinear(p.vsegs, false)
	n := len(hs) + len(vs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Verticals sorted by x: each horizontal looks only at those within
	// its span.
	sort.Slice(vs, func(i, j int) bool { return vs[i].x0 < vs[j].x0 })
	for i, h := range hs {
		for j := sort.Search(len(vs), func(k int) bool { return vs[k].x0 >= h.x0-joinTol }); j < len(vs) && vs[j].x0 <= h.x1+joinTol; j++ {
			v := vs[j]
			if h.y0 < v.y0-joinTol || h.y0 > v.y1+joinTol {
				continue
			}
			a, b := find(i), find(len(hs)+j)
			if a != b {
				parent[a] = b
			}
		}
	}
	groups := map[int]*ptable{}
	var order []int
	for i := 0; i < n; i++ {
		r := find(i)
		t := groups[r]
		if t == nil {
			t = &ptable{page: p.num, lastPage: p.num, x0: math.Inf(1), y0: math.Inf(1), x1: math.Inf(-1), y1: math.Inf(-1)}
			groups[r] = t
			order = append(order, r)
		}
		var s seg
		if i < len(hs) {
			s = hs[i]
			t.hsegs = append(t.hsegs, s)
		} else {
			s = vs[i-len(hs)]
			t.vsegs = append(t.vsegs, s)
		}
		t.x0, t.y0 = math.Min(t.x0, s.x0), math.Min(t.y0, s.y0)
		t.x1, t.y1 = math.Max(t.x1, s.x1), math.Max(t.y1, s.y1)
	}
	var nets []*ptable
	for _, r := range order {
		nets = append(nets, splitInset(groups[r])...)
	}
	var tables []*ptable
	for _, t := range nets {
		xs := cluster(xsOf(t.vsegs))
		if len(xs) < 2 || len(t.hsegs) == 0 || t.x1-t.x0 < 30 || t.y1-t.y0 < 8 {
			continue // an underline, a drawn checkbox, a frame line
		}
		if ys := cluster(ysOf(t.hsegs)); len(xs) > maxGridCols || (len(xs)+1)*(len(ys)+1) > maxGridUnits {
			continue // hatching or a chart, not a form's table; bounds the grid work
		}
		tables = append(tables, t)
	}
	// Largest first, so that a net's container is already placed.
	sort.SliceStable(tables, func(i, j int) bool {
		return (tables[i].x1-tables[i].x0)*(tables[i].y1-tables[i].y0) > (tables[j].x1-tables[j].x0)*(tables[j].y1-tables[j].y0)
	})
	for i, t := range tables {
		for j := i - 1; j >= 0; j-- {
			o := tables[j]
			if t.x0 >= o.x0-joinTol && t.x1 <= o.x1+joinTol && t.y0 >= o.y0-joinTol && t.y1 <= o.y1+joinTol {
				if t.parent == nil || o.depth > t.parent.depth {
					t.parent = o
					t.depth = o.depth + 1
				}
			}
		}
	}
	for _, t := range tables {
		t.grid()
	}
	for _, t := range tables {
		if t.parent != nil {
			c := t.parent.cellAt((t.x0+t.x1)/2, (t.y0+t.y1)/2)
			if c == nil {
				t.parent = nil
				continue
			}
			c.tables = append(c.tables, t)
		}
	}
	return tables
}

// splitInset separates a table nested in a cell from the net of its
// container when the two touch: where a page break cuts the nested table,
// its vertical rules run into the container's closing rule. The nested
// table's horizontal rules reach neither side of the container's frame
// (a cell's margins inset it), which a row or column rule of the container
// always does on one side at least.
func splitInset(t *ptable) []*ptable {
	const inset = 3.0
	fx0, fx1 := math.Inf(1), math.Inf(-1)
	for _, v := range t.vsegs {
		fx0, fx1 = math.Min(fx0, v.x0), math.Max(fx1, v.x0)
	}
	var innerH, outerH []seg
	for _, h := range t.hsegs {
		if h.x0 > fx0+inset && h.x1 < fx1-inset {
			innerH = append(innerH, h)
		} else {
			outerH = append(outerH, h)
		}
	}
	if len(innerH) == 0 || len(outerH) == 0 {
		return []*ptable{t}
	}
	var innerV, outerV []seg
	for _, v := range t.vsegs {
		touches := false
		for _, h := range innerH {
			if v.x0 >= h.x0-joinTol && v.x0 <= h.x1+joinTol && h.y0 >= v.y0-joinTol && h.y0 <= v.y1+joinTol {
				touches = true
				break
			}
		}
		if touches && v.x0 > fx0+inset && v.x0 < fx1-inset {
			innerV = append(innerV, v)
		} else {
			outerV = append(outerV, v)
		}
	}
	if len(cluster(xsOf(innerV))) < 2 {
		return []*ptable{t}
	}
	mk := func(hs, vs []seg) *ptable {
		n := &ptable{page: t.page, lastPage: t.page, hsegs: hs, vsegs: vs, x0: math.Inf(1), y0: math.Inf(1), x1: math.Inf(-1), y1: math.Inf(-1)}
		for _, s := range append(append([]seg(nil), hs...), vs...) {
			n.x0, n.y0 = math.Min(n.x0, s.x0), math.Min(n.y0, s.y0)
			n.x1, n.y1 = math.Max(n.x1, s.x1), math.Max(n.y1, s.y1)
		}
		return n
	}
	return []*ptable{mk(outerH, outerV), mk(innerH, innerV)}
}

func xsOf(ss []seg) []float64 {
	var xs []float64
	for _, s := range ss {
		xs = append(xs, s.x0)
	}
	return xs
}

func ysOf(ss []seg) []float64 {
	var ys []float64
	for _, s := range ss {
		ys = append(ys, s.y0)
	}
	return ys
}

// cluster sorts positions and merges those within clustTol into their mean.
func cluster(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	var out []float64
	sum, n := s[0], 1.0
	for i := 1; i < len(s); i++ {
		if s[i]-s[i-1] <= clustTol {
			sum += s[i]
			n++
			continue
		}
		out = append(out, sum/n)
		sum, n = s[i], 1
	}
	return append(out, sum/n)
}

// nearest returns the index of the value of sorted grid closest to x.
func nearest(grid []float64, x float64) int {
	i := sort.SearchFloat64s(grid, x)
	if i == len(grid) || (i > 0 && x-grid[i-1] < grid[i]-x) {
		i--
	}
	return max(i, 0)
}

// mergeCollinear joins rules on the same line that touch or overlap:
// LibreOffice draws a border as one segment per cell.
func mergeCollinear(ss []seg, horizontal bool) []seg {
	type k struct{ pos, a, b float64 }
	var ks []k
	for _, s := range ss {
		if horizontal {
			ks = append(ks, k{s.y0, s.x0, s.x1})
		} else {
			ks = append(ks, k{s.x0, s.y0, s.y1})
		}
	}
	sort.Slice(ks, func(i, j int) bool {
		if math.Abs(ks[i].pos-ks[j].pos) > 0.5 {
			return ks[i].pos < ks[j].pos
		}
		return ks[i].a < ks[j].a
	})
	var out []k
	for _, x := range ks {
		if len(out) > 0 {
			l := &out[len(out)-1]
			if math.Abs(l.pos-x.pos) <= 0.5 && x.a <= l.b+joinTol {
				l.b = math.Max(l.b, x.b)
				continue
			}
		}
		out = append(out, x)
	}
	res := make([]seg, len(out))
	for i, x := range out {
		if horizontal {
			res[i] = seg{x.a, x.pos, x.b, x.pos}
		} else {
			res[i] = seg{x.pos, x.a, x.pos, x.b}
		}
	}
	return res
}

// covered reports whether a rule along pos covers the middle of [a, b].
func covered(ss []seg, horizontal bool, pos, a, b float64) bool {
	mid := (a + b) / 2
	for _, s := range ss {
		if horizontal {
			if math.Abs(s.y0-pos) <= clustTol && s.x0 <= mid && s.x1 >= mid {
				return true
			}
		} else if math.Abs(s.x0-pos) <= clustTol && s.y0 <= mid && s.y1 >= mid {
			return true
		}
	}
	return false
}

// grid splits the table box at every rule position and joins the grid
// units that no rule separates into cells (merged cells).
func (t *ptable) grid() {
	t.xs = cluster(append(xsOf(t.vsegs), t.x0, t.x1))
	t.ys = cluster(append(ysOf(t.hsegs), t.y0, t.y1))
	// The table box comes from its rules; its ends may be a rule's
	// half-width inside the outermost line.
	t.xs[0], t.xs[len(t.xs)-1] = math.Min(t.xs[0], t.x0), math.Max(t.xs[len(t.xs)-1], t.x1)
	nr, nc := len(t.ys)-1, len(t.xs)-1
	if nr < 1 {
		nr = 1
		t.ys = []float64{t.y0, t.y1}
	}
	t.bands = nr
	t.topOpen = !ruleAcross(t.hsegs, t.ys[0], t.x0, t.x1)
	t.bottomOpen = !ruleAcross(t.hsegs, t.ys[nr], t.x0, t.x1)
	// Rules bucketed by the grid line they lie on.
	vb := make([][]seg, len(t.xs))
	for _, v := range t.vsegs {
		if i := nearest(t.xs, v.x0); math.Abs(t.xs[i]-v.x0) <= clustTol {
			vb[i] = append(vb[i], v)
		}
	}
	hb := make([][]seg, len(t.ys))
	for _, h := range t.hsegs {
		if i := nearest(t.ys, h.y0); math.Abs(t.ys[i]-h.y0) <= clustTol {
			hb[i] = append(hb[i], h)
		}
	}
	id := make([]int, nr*nc)
	for i := range id {
		id[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for id[i] != i {
			id[i] = id[id[i]]
			i = id[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			id[ra] = rb
		}
	}
	for r := 0; r < nr; r++ {
		for c := 0; c < nc; c++ {
			if c+1 < nc && !covered(vb[c+1], false, t.xs[c+1], t.ys[r], t.ys[r+1]) {
				union(r*nc+c, r*nc+c+1)
			}
			if r+1 < nr && !covered(hb[r+1], true, t.ys[r+1], t.xs[c], t.xs[c+1]) {
				union(r*nc+c, (r+1)*nc+c)
			}
		}
	}
	cellOf := map[int]int{}
	t.unit = make([][]int, nr)
	for r := 0; r < nr; r++ {
		t.unit[r] = make([]int, nc)
		for c := 0; c < nc; c++ {
			root := find(r*nc + c)
			i, ok := cellOf[root]
			if !ok {
				i = len(t.cells)
				cellOf[root] = i
				t.cells = append(t.cells, &pcell{r0: r, r1: r, x0: t.xs[c], x1: t.xs[c+1], y0: t.ys[r], y1: t.ys[r+1], page: t.page})
			}
			pc := t.cells[i]
			pc.r1 = max(pc.r1, r)
			pc.x0, pc.x1 = math.Min(pc.x0, t.xs[c]), math.Max(pc.x1, t.xs[c+1])
			pc.y1 = math.Max(pc.y1, t.ys[r+1])
			t.unit[r][c] = i
		}
	}
}

// ruleAcross reports whether horizontal rules at y cover most of [a, b].
func ruleAcross(hs []seg, y, a, b float64) bool {
	cov := 0.0
	for _, s := range hs {
		if math.Abs(s.y0-y) <= clustTol {
			cov += math.Max(0, math.Min(s.x1, b)-math.Max(s.x0, a))
		}
	}
	return cov >= 0.5*(b-a)
}

func (t *ptable) contains(x, y float64) bool {
	return x >= t.x0 && x <= t.x1 && y >= t.y0 && y <= t.y1
}

func (t *ptable) cellAt(x, y float64) *pcell {
	if !t.contains(x, y) || len(t.cells) == 0 {
		return nil
	}
	r := sort.SearchFloat64s(t.ys, y) - 1
	c := sort.SearchFloat64s(t.xs, x) - 1
	r = min(max(r, 0), len(t.unit)-1)
	c = min(max(c, 0), len(t.unit[0])-1)
	return t.cells[t.unit[r][c]]
}
