package scan

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// stitch concatenates the pages' blocks and joins a table that runs on
// from one page to the next: the previous page ends with a table (its
// page number below aside), the page starts with one, and both have the
// same outer width. A row cut by the page break (its first cell empty on
// the new page) is joined to the row it continues.
func stitch(pages []*pageOut) []shenbao.Block {
	var out []shenbao.Block
	open := -1 // the index in out of the table that ended the previous page
	for i, p := range pages {
		bs := p.blocks
		start, joined := len(out), false
		if open >= 0 && len(bs) > 0 {
			first := bs[0]
			if first.Table != nil && len(first.Table.Rows) > 0 && sameWidth(out[open].BBox, first.BBox) {
				// Cut rows show as open table edges; a blank label cell
				// says the same where the rules do not.
				cut := (pages[i-1].openBottom && p.openTop) || cutRow(first.Table.Rows[0])
				joinTables(out[open].Table, first.Table, cut)
				bs, joined = bs[1:], true
			}
		}
		out = append(out, bs...)
		k := lastContent(p)
		switch {
		case k < 0 || p.blocks[k].Table == nil:
			open = -1
		case k == 0 && joined:
			// The page held only the rest of the joined table, which
			// may run on again.
		case joined:
			open = start + k - 1
		default:
			open = start + k
		}
	}
	return out
}

// lastContent is the index of the page's last block that is not its page
// number (a short line in the bottom margin), or -1.
func lastContent(p *pageOut) int {
	for k := len(p.blocks) - 1; k >= 0; k-- {
		b := p.blocks[k]
		footer := b.Table == nil && b.BBox != nil && b.BBox[1] > p.size.Height-72 && utf8.RuneCountInString(b.Text) <= 12
		if !footer {
			return k
		}
	}
	return -1
}

// sameWidth: outer edges within 3 % of an A4 width (18 pt).
func sameWidth(a, b *shenbao.Box) bool {
	if a == nil || b == nil {
		return false
	}
	return math.Abs(a[0]-b[0]) < 18 && math.Abs(a[2]-b[2]) < 18
}

func joinTables(a, b *shenbao.Table, cut bool) {
	regrid(a, b)
	rows := b.Rows
	if len(rows) > 0 && len(a.Rows) > 0 {
		if cut && continues(a, rows[0]) {
			for _, c := range rows[0].Cells {
				if c.Merged || empty(c) {
					continue
				}
				if o := owner(a, c.Col); o != nil {
					o.Text = joinCut(o.Text, c.Text)
					o.Lines = append(o.Lines, c.Lines...)
					o.Tables = append(o.Tables, c.Tables...)
				}
			}
			rows = rows[1:]
		} else if cs := rows[0].Cells; len(cs) > 0 && cs[0].Col == 0 && empty(cs[0]) {
			// A new row under a label cell the page break cut: the
			// label spans it, as a merged cell within a page does.
			cs[0].Merged = true
		}
	}
	a.Rows = append(a.Rows, rows...)
}

// continues: every cell of r that holds text lies under a cell of a's last
// rows of the same columns, as the rest of a cut row does. A new row
// under a cut label cell is laid out otherwise (one cell where the row
// above had two).
func continues(a *shenbao.Table, r shenbao.Row) bool {
	for _, c := range r.Cells {
		if c.Merged || empty(c) {
			continue
		}
		if o := owner(a, c.Col); o == nil || o.Span != c.Span {
			return false
		}
	}
	return true
}

func empty(c shenbao.Cell) bool { return c.Text == "" && len(c.Tables) == 0 }

// cutRow: the label column is blank but some other cell holds text — the
// lower part of a row the page break cut.
func cutRow(r shenbao.Row) bool {
	if len(r.Cells) == 0 || r.Cells[0].Col != 0 || r.Cells[0].Merged || strings.TrimSpace(r.Cells[0].Text) != "" {
		return false
	}
	for _, c := range r.Cells[1:] {
		if !empty(c) {
			return true
		}
	}
	return false
}

// owner is the cell of a's last rows that holds column col's content.
func owner(a *shenbao.Table, col int) *shenbao.Cell {
	for r := len(a.Rows) - 1; r >= 0; r-- {
		for i := range a.Rows[r].Cells {
			c := &a.Rows[r].Cells[i]
			if c.Col == col && !c.Merged {
				return c
			}
			if c.Col == col {
				break
			}
		}
	}
	return nil
}

func joinCut(a, b string) string {
	if a == "" {
		return b
	}
	if strings.HasPrefix(b, "☑") || strings.HasPrefix(b, "□") {
		return a + "\n" + b
	}
	return a + b
}

// regrid gives the cells of both parts columns from one set of
// boundaries, the union of both pages' rules, so that Col and Span mean the
// same above and below the page break.
func regrid(ts ...*shenbao.Table) {
	var xs []float64
	for _, t := range ts {
		for _, r := range t.Rows {
			for _, c := range r.Cells {
				if c.BBox != nil {
					xs = append(xs, c.BBox[0], c.BBox[2])
				}
			}
		}
	}
	sort.Float64s(xs)
	var bounds []float64
	for _, x := range xs {
		if len(bounds) == 0 || x-bounds[len(bounds)-1] > 4 {
			bounds = append(bounds, x)
		}
	}
	nearest := func(x float64) int {
		best := 0
		for i, b := range bounds {
			if math.Abs(b-x) < math.Abs(bounds[best]-x) {
				best = i
			}
		}
		return best
	}
	for _, t := range ts {
		for ri := range t.Rows {
			for ci := range t.Rows[ri].Cells {
				c := &t.Rows[ri].Cells[ci]
				if c.BBox == nil {
					continue
				}
				c.Col = nearest(c.BBox[0])
				c.Span = max(1, nearest(c.BBox[2])-c.Col)
			}
		}
	}
}
