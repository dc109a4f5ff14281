package scan

import (
	"math"
	"sort"
	"strings"

	"github.com/shenbao/shenbao"
)

// stitch concatenates the pages' blocks and joins a table that runs on
// from one page to the next: the previous page ends with a table, the page
// starts with one, and both have the same outer width. A row cut by the
// page break (its first cell empty on the new page) is joined to the row
// it continues.
func stitch(pages []*pageOut) []shenbao.Block {
	var out []shenbao.Block
	for i, p := range pages {
		bs := p.blocks
		if i > 0 && len(bs) > 0 && len(out) > 0 && endsWithTable(pages[i-1]) {
			last := &out[len(out)-1]
			first := bs[0]
			if last.Table != nil && first.Table != nil && sameWidth(last.BBox, first.BBox) {
				// Cut rows show as open table edges; a blank label cell
				// says the same where the rules do not.
				cut := (pages[i-1].openBottom && p.openTop) || cutRow(first.Table.Rows[0])
				joinTables(last.Table, first.Table, cut)
				bs = bs[1:]
			}
		}
		out = append(out, bs...)
	}
	return out
}

func endsWithTable(p *pageOut) bool {
	return len(p.blocks) > 0 && p.blocks[len(p.blocks)-1].Table != nil
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
	if len(rows) > 0 && len(a.Rows) > 0 && cut {
		for _, c := range rows[0].Cells {
			if c.Merged || (c.Text == "" && len(c.Tables) == 0) {
				continue
			}
			if o := owner(a, c.Col); o != nil {
				o.Text = joinCut(o.Text, c.Text)
				o.Lines = append(o.Lines, c.Lines...)
				o.Tables = append(o.Tables, c.Tables...)
			}
		}
		rows = rows[1:]
	}
	a.Rows = append(a.Rows, rows...)
}

// cutRow: the label column is blank but some other cell holds text — the
// lower part of a row the page break cut.
func cutRow(r shenbao.Row) bool {
	if len(r.Cells) == 0 || r.Cells[0].Col != 0 || r.Cells[0].Merged || strings.TrimSpace(r.Cells[0].Text) != "" {
		return false
	}
	for _, c := range r.Cells[1:] {
		if c.Text != "" || len(c.Tables) > 0 {
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
