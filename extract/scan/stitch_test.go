package scan

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

func stitchTable(y0 float64, rows ...[]string) shenbao.Block {
	t := &shenbao.Table{}
	for i, r := range rows {
		var cells []shenbao.Cell
		x := 67.0
		for j, text := range r {
			w := 130.0
			if j > 0 {
				w = (527 - 197) / float64(len(r)-1)
			}
			y := y0 + 20*float64(i)
			cells = append(cells, shenbao.Cell{Text: text, Col: j, Span: 1, Page: 1, BBox: &shenbao.Box{x, y, x + w, y + 20}})
			x += w
		}
		t.Rows = append(t.Rows, shenbao.Row{Cells: cells})
	}
	return shenbao.Block{Table: t, BBox: &shenbao.Box{67, y0, 527, y0 + 20*float64(len(rows))}}
}

func footer(text string) shenbao.Block {
	return shenbao.Block{Text: text, BBox: &shenbao.Box{282, 790, 314, 797}}
}

// TestStitchAcrossPageNumber: a table cut by the page break is joined to
// its rest on the next page even though the page's last block read is its
// page number (— 8 —, read as 一), and a page holding only the rest of the
// table lets it run on to the third.
func TestStitchAcrossPageNumber(t *testing.T) {
	a4 := shenbao.PageSize{Width: 595, Height: 842}
	pages := []*pageOut{
		{size: a4, blocks: []shenbao.Block{
			{Text: "四、数字化升级情况", BBox: &shenbao.Box{63, 77, 206, 92}},
			stitchTable(110, []string{"数字化新模式新业态推广情况", "智能制造…应用情况", "近年来…"}),
			footer("一"),
		}},
		{size: a4, blocks: []shenbao.Block{
			stitchTable(72, []string{"", "集群已开展的数字化新模式新业态推广工作：\n☑开展了智能制造"}),
			footer("— 9 —"),
		}},
		{size: a4, blocks: []shenbao.Block{
			stitchTable(72, []string{"", "(注：多选需提供佐证材料)"}, []string{"企业上云比例(%)", "48.00"}),
		}},
	}
	blocks := stitch(pages)
	var tables []*shenbao.Table
	for _, b := range blocks {
		if b.Table != nil {
			tables = append(tables, b.Table)
		}
	}
	if len(tables) != 1 {
		t.Fatalf("%d tables, want the three parts joined into one", len(tables))
	}
	rows := tables[0].Rows
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (the label's two rows, then 企业上云比例)", len(rows))
	}
	// The options are a row of their own under the cut label cell (one
	// cell where the row above has two), and the note below continues it.
	if c := rows[1].Cells[0]; !c.Merged {
		t.Errorf("the options' row does not continue the label cell: %+v", c)
	}
	if got := rows[1].Cells[1].Text; !strings.Contains(got, "☑开展了智能制造") || !strings.Contains(got, "多选需提供佐证材料") {
		t.Errorf("options' row: %q, want the options and the note cut off below", got)
	}
	if got := rows[0].Cells[1].Text; got != "智能制造…应用情况" {
		t.Errorf("the row above the break changed: %q", got)
	}
}

// TestStitchRowWithoutCells: a continuation whose first row has no cells
// (a grid the page break left empty) is appended, not a crash.
func TestStitchRowWithoutCells(t *testing.T) {
	a := stitchTable(110, []string{"企业上云比例(%)", "48.00"}).Table
	joinTables(a, &shenbao.Table{Rows: []shenbao.Row{{}}}, false)
	if len(a.Rows) != 2 {
		t.Errorf("%d rows, want 2", len(a.Rows))
	}
}
