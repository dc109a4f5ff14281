package pdftext

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
)

type document struct{ pages []*page }

// line is one printed line: glyphs sharing a baseline, left to right.
type line struct {
	text           string
	x0, y0, x1, y1 float64
	size           float64
	page           int
}

// item is a top-level thing on a page in reading order: a paragraph of
// lines or a table.
type item struct {
	y0, x0 float64
	page   int
	lines  []line
	table  *ptable
	margin bool // page number or running header: ignored for continuation
}

// Margins: a short line in the top 6 % or the bottom 12 % of a page is
// taken as a running header or footer (page numbers “—4—”).
const (
	headerFrac = 0.06
	footerFrac = 0.88
)

func (d *document) content() *shenbao.Content {
	c := &shenbao.Content{Format: shenbao.FormatPDFText, Blocks: []shenbao.Block{}}
	var out []*item
	var open *ptable // the table that ended the previous page
	for _, p := range d.pages {
		c.Pages = append(c.Pages, shenbao.PageSize{Width: round2(p.width), Height: round2(p.height)})
		its := pageItems(p)
		first := true
		var last *item
		for _, it := range its {
			if it.margin {
				out = append(out, it)
				continue
			}
			if first && it.table != nil && open != nil && continues(open, it.table) {
				open.append(it.table)
				last = &item{table: open}
				first = false
				continue
			}
			first = false
			out = append(out, it)
			last = it
		}
		open = nil
		if last != nil && last.table != nil {
			open = last.table
		}
	}
	for _, it := range out {
		if it.table != nil {
			tb := it.table.emit()
			c.Blocks = append(c.Blocks, shenbao.Block{Table: &tb, Page: it.table.page, BBox: &shenbao.Box{round2(it.table.x0), round2(it.table.y0), round2(it.table.x1), round2(it.table.y1)}})
			continue
		}
		b := shenbao.Block{Page: it.page}
		var bb shenbao.Box
		for i, l := range it.lines {
			lb := l.box()
			if i == 0 {
				bb = lb
				b.Text = l.text
				continue
			}
			bb = bb.Union(lb)
			b.Text = joinWrapped(b.Text, l.text)
		}
		b.BBox = &bb
		c.Blocks = append(c.Blocks, b)
	}
	return c
}

func (l line) box() shenbao.Box {
	return shenbao.Box{round2(l.x0), round2(l.y0), round2(l.x1), round2(l.y1)}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// joinWrapped joins a paragraph's wrapped lines: Chinese text wraps
// anywhere and takes no space, Latin text wraps at a space.
func joinWrapped(a, b string) string {
	ra, _ := lastRune(a)
	rb, _ := firstRune(b)
	if ra > 0x2E7F && rb > 0x2E7F {
		return a + b
	}
	return a + " " + b
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

// pageItems lays one page out: tables with their cells' lines, and the
// paragraphs outside tables, sorted top to bottom.
func pageItems(p *page) []*item {
	tables := findTables(p)
	byDepth := append([]*ptable(nil), tables...)
	sort.SliceStable(byDepth, func(i, j int) bool { return byDepth[i].depth > byDepth[j].depth })
	var free []glyphBox
	for _, g := range p.glyphs {
		cx, cy := (g.x0+g.x1)/2, (g.y0+g.y1)/2
		placed := false
		for _, t := range byDepth {
			if c := t.cellAt(cx, cy); c != nil {
				c.glyphs = append(c.glyphs, g)
				placed = true
				break
			}
		}
		if !placed {
			free = append(free, g)
		}
	}
	var its []*item
	for _, t := range tables {
		for _, c := range t.cells {
			c.lines = buildLines(c.glyphs, p.num)
			c.glyphs = nil
		}
		if t.parent == nil {
			its = append(its, &item{y0: t.y0, x0: t.x0, page: p.num, table: t})
		}
	}
	for _, para := range paragraphs(buildLines(free, p.num)) {
		l := para[0]
		last := para[len(para)-1]
		its = append(its, &item{y0: l.y0, x0: l.x0, page: p.num, lines: para,
			margin: len(para) == 1 && len([]rune(l.text)) <= 24 && (l.y0 > footerFrac*p.height || last.y1 < headerFrac*p.height)})
	}
	sort.SliceStable(its, func(i, j int) bool {
		if math.Abs(its[i].y0-its[j].y0) > 1 {
			return its[i].y0 < its[j].y0
		}
		return its[i].x0 < its[j].x0
	})
	return its
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x2E80 && r <= 0x2FFF)
}

// buildLines groups glyphs by baseline and joins each line left to right,
// putting a space where the gap is wider than 0.18 em. Producers such as
// LibreOffice do not draw space glyphs; a space is only a gap (0.25 em in
// Latin fonts), while glyphs of one word abut or kern closer.
func buildLines(gs []glyphBox, pg int) []line {
	var keep []glyphBox
	for _, g := range gs {
		if strings.TrimSpace(g.text) != "" {
			keep = append(keep, g)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	sort.SliceStable(keep, func(i, j int) bool {
		return (keep[i].y0 + keep[i].y1) < (keep[j].y0 + keep[j].y1)
	})
	var groups [][]glyphBox
	start := 0
	for i := 1; i <= len(keep); i++ {
		if i < len(keep) {
			c0 := (keep[start].y0 + keep[start].y1) / 2
			ci := (keep[i].y0 + keep[i].y1) / 2
			h := math.Max(keep[start].y1-keep[start].y0, keep[i].y1-keep[i].y0)
			if ci-c0 < 0.45*h {
				continue
			}
		}
		groups = append(groups, keep[start:i])
		start = i
	}
	var out []line
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool { return g[i].x0 < g[j].x0 })
		var b strings.Builder
		l := line{x0: g[0].x0, y0: g[0].y0, x1: g[0].x1, y1: g[0].y1, page: pg}
		var prev *glyphBox
		for i := range g {
			cur := &g[i]
			if prev != nil {
				// Fake bold draws a glyph twice with a small offset.
				if cur.text == prev.text && cur.x0-prev.x0 < 0.3*cur.size {
					continue
				}
				gap := cur.x0 - prev.x1
				sz := math.Max(cur.size, prev.size)
				if gap > 0.18*sz {
					b.WriteByte(' ')
				}
			}
			b.WriteString(cur.text)
			l.x0, l.y0 = math.Min(l.x0, cur.x0), math.Min(l.y0, cur.y0)
			l.x1, l.y1 = math.Max(l.x1, cur.x1), math.Max(l.y1, cur.y1)
			l.size = math.Max(l.size, cur.size)
			prev = cur
		}
		l.text = b.String()
		out = append(out, l)
	}
	return out
}

// paragraphs joins wrapped lines outside tables: a line that runs to the
// right edge of the text and is followed closely by a line of the same
// size that starts no further right continues into it. Closely is within
// the gap of 1.5 line spacing (about 1.2 em), which the cover's lines use:
// a cover value too long for its line (…经济技术开发区管理委员会 / （筹）)
// wraps under its label, and its tail belongs to it.
func paragraphs(ls []line) [][]line {
	right := 0.0
	for _, l := range ls {
		right = math.Max(right, l.x1)
	}
	var out [][]line
	for i, l := range ls {
		if i > 0 {
			prev := ls[i-1]
			n := len(out) - 1
			if prev.x1 >= right-1.5*prev.size && l.y0-prev.y1 < 1.3*prev.size &&
				math.Abs(l.size-prev.size) < 0.15*prev.size && l.x0 <= out[n][0].x0+0.5*l.size && l.x0 >= out[n][0].x0-4*l.size {
				out[n] = append(out[n], l)
				continue
			}
		}
		out = append(out, []line{l})
	}
	return out
}

// continues reports whether t, first on its page, carries on the table
// that ended the previous page: same outer edges, one page later.
func continues(prev, t *ptable) bool {
	return t.page == prev.lastPage+1 && math.Abs(prev.x0-t.x0) < 3 && math.Abs(prev.x1-t.x1) < 3
}

// append adds the rows of t, the part of the same table on the next page.
// A row cut by the page break (no bottom rule before it or no top rule
// after it) is joined back into one: the cells of t's first band continue
// the cells of the last band they overlap.
func (prev *ptable) append(t *ptable) {
	cut := prev.bottomOpen || t.topOpen || splitRow(prev, t)
	off := prev.bands
	if cut {
		off = prev.bands - 1
	}
	var tail []*pcell
	for _, c := range prev.cells {
		if c.r1 == prev.bands-1 {
			tail = append(tail, c)
		}
	}
	if !cut && repeatedHeader(prev, t) {
		// Word's "repeat header row": the page's copy of row 1 is drawn
		// again; the document has it once.
		var rest []*pcell
		for _, c := range t.cells {
			if c.r0 > 0 {
				c.r0--
				c.r1--
				rest = append(rest, c)
			}
		}
		t.cells = rest
		t.bands--
	}
	for _, c := range t.cells {
		if cut && c.r0 == 0 {
			if m := bestOverlap(tail, c); m != nil {
				m.r1 = max(m.r1, c.r1+off)
				m.lines = append(m.lines, c.lines...)
				ts := c.tables
				// A table nested in the cut cell is cut with it.
				if n := len(m.tables); n > 0 && len(ts) > 0 && continues(m.tables[n-1], ts[0]) {
					m.tables[n-1].append(ts[0])
					ts = ts[1:]
				}
				m.tables = append(m.tables, ts...)
				continue
			}
		}
		if !cut && c.r0 == 0 && len(c.lines) == 0 && len(c.tables) == 0 {
			// A vertically merged cell that runs on past the break is drawn
			// again, empty and closed, on the next page; it stays one cell
			// (Word's vMerge) when either part spans several rows or it is
			// a label (first column). An empty value cell stays a cell.
			if m := sameColumns(tail, c); m != nil && (m.r1 > m.r0 || c.r1 > c.r0 || math.Abs(c.x0-t.x0) < 3) {
				m.r1 = c.r1 + off
				continue
			}
		}
		c.r0 += off
		c.r1 += off
		prev.cells = append(prev.cells, c)
	}
	prev.bands = off + t.bands
	prev.lastPage = t.lastPage
	prev.bottomOpen = t.bottomOpen
}

// splitRow recognises a row cut by the page break when the producer closed
// both parts with rules (LibreOffice does): the last band before the break
// and the first after it have the same cells, and either the row is one
// full-width cell with text on both parts (the plan section), or the
// leftmost (label) cell has text on one part only while both label parts
// are single bands (a label spanning several rows is Word's vMerge and is
// handled as such).
func splitRow(prev, t *ptable) bool {
	var tail, head []*pcell
	for _, c := range prev.cells {
		if c.r1 == prev.bands-1 {
			tail = append(tail, c)
		}
	}
	for _, c := range t.cells {
		if c.r0 == 0 {
			head = append(head, c)
		}
	}
	if len(tail) == 0 || len(tail) != len(head) {
		return false
	}
	sort.Slice(tail, func(i, j int) bool { return tail[i].x0 < tail[j].x0 })
	sort.Slice(head, func(i, j int) bool { return head[i].x0 < head[j].x0 })
	for i := range tail {
		if math.Abs(tail[i].x0-head[i].x0) >= 3 || math.Abs(tail[i].x1-head[i].x1) >= 3 {
			return false
		}
	}
	full := func(c *pcell) bool { return len(c.lines) > 0 || len(c.tables) > 0 }
	if len(tail) == 1 {
		return tail[0].r0 == tail[0].r1 && head[0].r0 == head[0].r1 && full(tail[0]) && full(head[0])
	}
	l, h := tail[0], head[0]
	if l.r0 != l.r1 || h.r0 != h.r1 || full(l) == full(h) {
		return false
	}
	// The label's text on one part only is also what a label merged down
	// over the next row looks like when that row starts the page (方向
	// 主导产业 over two indicators): there the other cells hold their own
	// complete texts on both parts. A row cut by the break carries a
	// cell's text over it, and that text runs to the cell's edge before
	// the break (a line wraps there) — unless the break falls between
	// paragraphs, which the next row's own texts cannot tell apart.
	both := false
	for i := 1; i < len(tail); i++ {
		if full(tail[i]) && full(head[i]) {
			if wrapped(tail[i]) {
				return true
			}
			both = true
		}
	}
	return !both
}

// wrapped reports whether c's last line fills the cell's width, as a line
// that wraps into the next does: no room was left for another character
// beside the cell's padding (about half an em each side).
func wrapped(c *pcell) bool {
	if len(c.lines) == 0 {
		return false
	}
	l := c.lines[len(c.lines)-1]
	return (c.x1-c.x0)-(l.x1-l.x0) < 2.5*l.size
}

func repeatedHeader(prev, t *ptable) bool {
	var first, head []*pcell
	for _, c := range prev.cells {
		if c.r0 == 0 {
			first = append(first, c)
		}
	}
	for _, c := range t.cells {
		if c.r0 == 0 {
			if c.r1 != 0 {
				return false
			}
			head = append(head, c)
		}
	}
	if t.bands < 2 || len(first) == 0 || len(first) != len(head) {
		return false
	}
	for i := range first {
		a, b := first[i], head[i]
		if math.Abs(a.x0-b.x0) >= 3 || math.Abs(a.x1-b.x1) >= 3 || cellText(a) != cellText(b) || cellText(a) == "" {
			return false
		}
	}
	return true
}

func cellText(c *pcell) string {
	var b strings.Builder
	for _, l := range c.lines {
		b.WriteString(l.text)
	}
	return b.String()
}

func sameColumns(cs []*pcell, c *pcell) *pcell {
	for _, x := range cs {
		if math.Abs(x.x0-c.x0) < 3 && math.Abs(x.x1-c.x1) < 3 {
			return x
		}
	}
	return nil
}

func bestOverlap(cs []*pcell, c *pcell) *pcell {
	var best *pcell
	bo := 0.0
	for _, x := range cs {
		o := math.Min(x.x1, c.x1) - math.Max(x.x0, c.x0)
		if o > bo && o >= 0.5*math.Min(x.x1-x.x0, c.x1-c.x0) {
			best, bo = x, o
		}
	}
	return best
}

// emit numbers the grid columns (every distinct cell edge of the whole
// table, all pages) and writes rows the way the docx reader does: a cell
// in its first row, a Merged placeholder in each row it continues into.
func (t *ptable) emit() shenbao.Table {
	var edges []float64
	for _, c := range t.cells {
		edges = append(edges, c.x0, c.x1)
	}
	cols := cluster(edges)
	rows := make([][]shenbao.Cell, t.bands)
	for _, c := range t.cells {
		col := nearest(cols, c.x0)
		span := max(nearest(cols, c.x1)-col, 1)
		cell := shenbao.Cell{Col: col, Span: span, Page: c.page,
			BBox: &shenbao.Box{round2(c.x0), round2(c.y0), round2(c.x1), round2(c.y1)}}
		var texts []string
		for _, l := range c.lines {
			texts = append(texts, l.text)
			cell.Lines = append(cell.Lines, shenbao.Line{Text: l.text, Page: l.page, BBox: l.box(), Confidence: 1})
		}
		cell.Text = strings.Join(texts, "\n")
		for _, in := range c.tables {
			cell.Tables = append(cell.Tables, in.emit())
		}
		if c.r0 < 0 || c.r0 >= t.bands {
			continue
		}
		rows[c.r0] = append(rows[c.r0], cell)
		for r := c.r0 + 1; r <= c.r1 && r < t.bands; r++ {
			rows[r] = append(rows[r], shenbao.Cell{Col: col, Span: span, Merged: true})
		}
	}
	tb := shenbao.Table{Rows: []shenbao.Row{}}
	for _, r := range rows {
		if len(r) == 0 {
			continue
		}
		sort.SliceStable(r, func(i, j int) bool { return r[i].Col < r[j].Col })
		tb.Rows = append(tb.Rows, shenbao.Row{Cells: r})
	}
	return tb
}
