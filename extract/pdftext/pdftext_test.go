package pdftext

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

var update = flag.Bool("update", false, "rewrite golden files and the fuzz seed corpus")

func readBytes(t testing.TB, b []byte) (*shenbao.Content, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Read(ctx, bytes.NewReader(b), int64(len(b)))
}

func readFile(t testing.TB, path string) *shenbao.Content {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := readBytes(t, b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// render is the reviewable form of a Content used by the golden files.
func render(c *shenbao.Content) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FORMAT %s PAGES %d\n", c.Format, len(c.Pages))
	for _, bl := range c.Blocks {
		if bl.Table != nil {
			fmt.Fprintf(&b, "TABLE p%d\n", bl.Page)
			renderTable(&b, bl.Table, "")
			continue
		}
		fmt.Fprintf(&b, "P p%d: %s\n", bl.Page, bl.Text)
	}
	return b.String()
}

func renderTable(b *strings.Builder, t *shenbao.Table, ind string) {
	for _, r := range t.Rows {
		fmt.Fprintf(b, "%s  ROW\n", ind)
		for _, c := range r.Cells {
			if c.Merged {
				fmt.Fprintf(b, "%s    [%d+%d merged]\n", ind, c.Col, c.Span)
				continue
			}
			pages := map[int]bool{}
			for _, l := range c.Lines {
				pages[l.Page] = true
			}
			fmt.Fprintf(b, "%s    [%d+%d p%d lines=%d pages=%d] %q\n", ind, c.Col, c.Span, c.Page, len(c.Lines), len(pages), c.Text)
			for i := range c.Tables {
				fmt.Fprintf(b, "%s      TABLE\n", ind)
				renderTable(b, &c.Tables[i], ind+"      ")
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

var formFiles = []string{"nat2024_04_pdf.pdf", "nat2023_04_pdf.pdf"}

// mergedAfterDigital is how many rows continue the 数字化新模式新业态推广
// label in each form, across a page break in both.
var mergedAfterDigital = map[string]int{"nat2024_04_pdf.pdf": 4, "nat2023_04_pdf.pdf": 1}

func TestGolden(t *testing.T) {
	for _, name := range append(formFiles, "nat2024_summary_2.pdf") {
		t.Run(name, func(t *testing.T) {
			c := readFile(t, filepath.Join("testdata", name))
			golden(t, filepath.Join("testdata", strings.TrimSuffix(name, ".pdf")+".golden.txt"), render(c))
		})
	}
	// One full JSON golden keeps the geometry (boxes, pages, lines) under
	// review too.
	t.Run("json", func(t *testing.T) {
		c := readFile(t, filepath.Join("testdata", "nat2024_summary_2.pdf"))
		js, err := json.MarshalIndent(c, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "nat2024_summary_2.golden.json"), string(js)+"\n")
	})
}

// tableAfter returns the first table block following the paragraph that
// starts with heading.
func tableAfter(c *shenbao.Content, heading string) *shenbao.Table {
	seen := false
	for _, b := range c.Blocks {
		if b.Table == nil && strings.HasPrefix(strings.ReplaceAll(b.Text, " ", ""), heading) {
			seen = true
		}
		if seen && b.Table != nil {
			return b.Table
		}
	}
	return nil
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func findRow(t *shenbao.Table, text string) int {
	for i, r := range t.Rows {
		for _, c := range r.Cells {
			if strings.Contains(squash(c.Text), text) {
				return i
			}
		}
	}
	return -1
}

func TestFormStructure(t *testing.T) {
	for _, name := range formFiles {
		t.Run(name, func(t *testing.T) {
			c := readFile(t, filepath.Join("testdata", name))

			t.Run("years header", func(t *testing.T) {
				tb := tableAfter(c, "二、主导产业情况")
				if tb == nil {
					t.Fatal("no table after 二、主导产业情况")
				}
				r := tb.Rows[0].Cells
				if len(r) != 4 || r[0].Text == "" {
					t.Fatalf("header row: %d cells %+v", len(r), r)
				}
				for i, cell := range r[1:] {
					if !strings.HasSuffix(squash(cell.Text), "年") || cell.Col != i+1 || cell.Span != 1 {
						t.Errorf("year cell %d: %+v", i, cell)
					}
				}
			})

			t.Run("standards grid", func(t *testing.T) {
				tb := tableAfter(c, "三、")
				i := findRow(tb, "类别")
				if i < 0 {
					t.Fatal("no 类别 row")
				}
				head := tb.Rows[i].Cells
				if len(head) != 10 {
					t.Fatalf("类别 row has %d cells", len(head))
				}
				for k, body := range []string{"国际", "国家", "行业", "团体"} {
					r := tb.Rows[i+1+k].Cells
					if len(r) != 10 || !r[0].Merged || r[0].Col != head[0].Col || squash(r[1].Text) != body {
						t.Errorf("row %s: %+v", body, r)
					}
					for j := 1; j < len(r); j++ {
						if r[j].Col != head[j].Col {
							t.Errorf("row %s cell %d at col %d, header at %d", body, j, r[j].Col, head[j].Col)
						}
					}
				}
			})

			t.Run("count and names", func(t *testing.T) {
				n := 0
				walkCells(c, func(cell shenbao.Cell) {
					if strings.HasPrefix(squash(cell.Text), "数量：") {
						n++
						if !strings.Contains(cell.Text, "名称") {
							t.Errorf("count cell without names: %q", cell.Text)
						}
					}
				})
				if n < 3 {
					t.Errorf("found %d 数量/名称 cells", n)
				}
			})

			t.Run("plan", func(t *testing.T) {
				tb := tableAfter(c, "八、")
				if tb == nil || len(tb.Rows) != 1 || len(tb.Rows[0].Cells) != 1 {
					t.Fatalf("plan table is not one cut-and-merged cell: %+v", tb)
				}
				cell := tb.Rows[0].Cells[0]
				pages := map[int]bool{}
				for _, l := range cell.Lines {
					pages[l.Page] = true
				}
				if len(pages) < 2 {
					t.Errorf("plan cell lines on %d pages", len(pages))
				}
				if len(cell.Tables) != 1 {
					t.Fatalf("plan cell has %d inner tables", len(cell.Tables))
				}
				in := cell.Tables[0]
				var hdr []string
				for _, x := range in.Rows[0].Cells {
					hdr = append(hdr, squash(x.Text))
				}
				if len(hdr) != 4 || hdr[0] != "方向" || hdr[1] != "指标" || !strings.HasSuffix(hdr[2], "基准值") || !strings.HasSuffix(hdr[3], "目标值") {
					t.Errorf("inner header %q", hdr)
				}
				if len(in.Rows) < 9 {
					t.Errorf("inner table has %d rows", len(in.Rows))
				}
				inner := map[string]bool{}
				for _, r := range in.Rows {
					for _, x := range r.Cells {
						for _, l := range x.Lines {
							inner[l.Text] = true
						}
					}
				}
				for _, l := range cell.Lines {
					if inner[l.Text] {
						t.Errorf("inner table line %q also in the plan text", l.Text)
					}
				}
			})

			t.Run("vmerge across page", func(t *testing.T) {
				tb := tableAfter(c, "四、")
				i := findRow(tb, "数字化新模式新业态推广")
				if i < 0 {
					t.Fatal("no 数字化新模式 row")
				}
				n := mergedAfterDigital[name]
				if i+n >= len(tb.Rows) {
					t.Fatalf("table ends after row %d", i)
				}
				for k := i + 1; k <= i+n; k++ {
					if !tb.Rows[k].Cells[0].Merged {
						t.Errorf("row %d: label cell not merged: %+v", k, tb.Rows[k].Cells[0])
					}
				}
			})
		})
	}
}

func walkCells(c *shenbao.Content, f func(shenbao.Cell)) {
	var walk func(t *shenbao.Table)
	walk = func(t *shenbao.Table) {
		for _, r := range t.Rows {
			for _, cell := range r.Cells {
				f(cell)
				for i := range cell.Tables {
					walk(&cell.Tables[i])
				}
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Table != nil {
			walk(b.Table)
		}
	}
}

func TestGeometry(t *testing.T) {
	cols := []float64{70, 240, 520}
	plan := []float64{70, 150, 290, 410, 520}
	// 50 glyphs of 5.25 pt from x 245: the line ends 10 pt short of the
	// cell's right rule at 520, where a wrapped line ends.
	const wrappedLine = "last line on page one, runs on to the cell's edge."
	tests := []struct {
		name  string
		pages []testPage
		check func(t *testing.T, c *shenbao.Content)
	}{{
		name: "cjk through ToUnicode and symbol font",
		pages: []testPage{{content: text(100, 700, "中文") +
			"BT /F2 10.5 Tf 100 680 Td (R) Tj 20 0 Td <a3> Tj ET\n" + text(100, 660, "filler text of the page")}},
		check: func(t *testing.T, c *shenbao.Content) {
			if c.Blocks[0].Text != "中文" {
				t.Errorf("first line %q", c.Blocks[0].Text)
			}
			if c.Blocks[1].Text != "☑ □" {
				t.Errorf("symbol line %q", c.Blocks[1].Text)
			}
		},
	}, {
		// LibreOffice without Wingdings 2: OpenSymbol draws the marks and
		// the text keeps the symbol codes U+F052 (R ☑), U+F054 (T ☒),
		// U+F0A3 (£ □); a private-use code that is no mark stays as it is.
		name: "symbol codes of a lost symbol font",
		pages: []testPage{{content: "BT /F4 10.5 Tf 100 700 Td <01> Tj 20 0 Td <02> Tj 20 0 Td <03> Tj 20 0 Td <04> Tj ET\n" +
			text(100, 660, "filler text of the page")}},
		check: func(t *testing.T, c *shenbao.Content) {
			if c.Blocks[0].Text != "☑ ☒ □ \uf041" {
				t.Errorf("symbol line %q", c.Blocks[0].Text)
			}
		},
	}, {
		// LibreOffice draws a symbol no font of the machine has with a
		// stand-in glyph shared by ☑ and □ (its ToUnicode says U+F0A3),
		// and names the character only in the marked content's
		// /ActualText; the glyphs after the first inside such a span add
		// no text.
		name: "actual text of a marked-content span",
		pages: []testPage{{content: "BT /F4 10.5 Tf 100 700 Td <03> Tj ET\n" +
			"/Span << /ActualText <FEFFF052> >> BDC BT /F4 10.5 Tf 120 700 Td <03> Tj ET EMC\n" +
			"/Span << /MCID 3 >> BDC BT /F4 10.5 Tf 140 700 Td <03> Tj ET EMC\n" +
			"/Span << /ActualText (ab) >> BDC " + text(160, 700, "xyz") + " EMC\n" +
			text(100, 660, "filler text of the page")}},
		check: func(t *testing.T, c *shenbao.Content) {
			if c.Blocks[0].Text != "□ ☑ □ ab" {
				t.Errorf("marked line %q", c.Blocks[0].Text)
			}
		},
	}, {
		name: "type0 font and borders drawn as filled rectangles",
		pages: []testPage{{content: filledGrid(cols, []float64{700, 680, 660}) +
			"BT /F3 10.5 Tf 80 686 Td <00010002> Tj ET " + text(250, 686, "Value one") +
			"BT /F3 10.5 Tf 80 666 Td <0003000400030004> Tj ET " + text(250, 666, "Value two")}},
		check: func(t *testing.T, c *shenbao.Content) {
			tb := c.Blocks[0].Table
			if tb == nil || len(tb.Rows) != 2 {
				t.Fatalf("got %s", render(c))
			}
			if got := []string{tb.Rows[0].Cells[0].Text, tb.Rows[1].Cells[0].Text, tb.Rows[1].Cells[1].Text}; got[0] != "集群" || got[1] != "1212" || got[2] != "Value two" {
				t.Errorf("cells %q", got)
			}
		},
	}, {
		name:  "pdf 2.0 header",
		pages: []testPage{{content: text(100, 700, "a PDF 2.0 document with text")}},
		check: func(t *testing.T, c *shenbao.Content) {
			if c.Blocks[0].Text != "a PDF 2.0 document with text" {
				t.Errorf("got %q", c.Blocks[0].Text)
			}
		},
	}, {
		name: "inline image between texts",
		pages: []testPage{{content: text(100, 700, "before the inline image") +
			"q 10 0 0 10 100 600 cm BI /W 4 /H 4 /BPC 8 /CS /G ID \x00\xff(\x01)\x02>>\x03 EI Q\n" +
			text(100, 500, "after the inline image")}},
		check: func(t *testing.T, c *shenbao.Content) {
			if len(c.Blocks) != 2 || c.Blocks[1].Text != "after the inline image" {
				t.Errorf("got %s", render(c))
			}
		},
	}, {
		name: "spaces from gaps",
		pages: []testPage{{content: "BT /F1 10 Tf 100 700 Td " + enc("AB") + " Tj 15 0 Td " + enc("CD") + " Tj 10 0 Td " + enc("EF") + " Tj ET\n" +
			text(100, 600, "some more text to pass the text threshold")}},
		check: func(t *testing.T, c *shenbao.Content) {
			// AB ends at 110; CD starts at 115 (gap 0.5 em), EF right after CD.
			if c.Blocks[0].Text != "AB CDEF" {
				t.Errorf("got %q", c.Blocks[0].Text)
			}
		},
	}, {
		name:  "coordinates from top-left of crop box",
		pages: []testPage{{box: "0 0 600 800", content: text(100, 700, "Hello world, a line of text")}},
		check: func(t *testing.T, c *shenbao.Content) {
			b := c.Blocks[0].BBox
			// Ascent 0.8 em above the baseline, descent 0.2 em below.
			if b == nil || b[0] != 100 || b[1] != round2(800-700-0.8*10.5) || b[3] != round2(800-700+0.2*10.5) {
				t.Errorf("bbox %v", b)
			}
			if c.Pages[0] != (shenbao.PageSize{Width: 600, Height: 800}) {
				t.Errorf("page size %v", c.Pages[0])
			}
		},
	}, {
		name: "rotated page",
		pages: []testPage{{rotate: 90, box: "0 0 600 800",
			// Text drawn turned by 90°, so that it reads left to right on
			// the rotated page.
			content: "BT /F1 10 Tf 0 1 -1 0 300 100 Tm " + enc("Rotated text line here, long enough") + " Tj ET\n"}},
		check: func(t *testing.T, c *shenbao.Content) {
			if c.Pages[0] != (shenbao.PageSize{Width: 800, Height: 600}) {
				t.Errorf("page size %v", c.Pages[0])
			}
			b := c.Blocks[0]
			if b.Text != "Rotated text line here, long enough" || b.BBox[0] != 100 {
				t.Errorf("block %q %v", b.Text, b.BBox)
			}
		},
	}, {
		name: "row cut by page break is merged",
		pages: []testPage{{content: grid(cols, []float64{700, 680, 120}, false, true) +
			text(80, 686, "Label A") + text(250, 686, "Value A") +
			text(80, 666, "Long label") + text(250, 666, "first part") + text(250, 130, "last line on page one")},
			{content: grid(cols, []float64{780, 740, 700}, true, false) +
				text(250, 766, "second part") + text(80, 726, "Label C") + text(250, 726, "Value C")}},
		check: func(t *testing.T, c *shenbao.Content) {
			var tables []*shenbao.Table
			for _, b := range c.Blocks {
				if b.Table != nil {
					tables = append(tables, b.Table)
				}
			}
			if len(tables) != 1 || len(tables[0].Rows) != 3 {
				t.Fatalf("want one table of 3 rows, got %s", render(c))
			}
			r := tables[0].Rows[1].Cells
			if r[1].Text != "first part\nlast line on page one\nsecond part" || r[0].Text != "Long label" {
				t.Errorf("cut row: %q", []string{r[0].Text, r[1].Text})
			}
			if r[1].Lines[2].Page != 2 {
				t.Errorf("continued line page %d", r[1].Lines[2].Page)
			}
		},
	}, {
		// The value's last line before the break fills the cell: the
		// text wraps there and carries on over the page.
		name: "row cut by page break with both parts closed",
		pages: []testPage{{content: grid(cols, []float64{700, 680, 120}, false, false) +
			text(80, 686, "Label A") + text(250, 686, "Value A") +
			text(80, 666, "Long label") + text(250, 666, "first part") + text(245, 130, wrappedLine)},
			{content: grid(cols, []float64{780, 740, 700}, false, false) +
				text(250, 766, "second part") + text(80, 726, "Label C") + text(250, 726, "Value C")}},
		check: func(t *testing.T, c *shenbao.Content) {
			tb := c.Blocks[0].Table
			if tb == nil || len(tb.Rows) != 3 {
				t.Fatalf("want one table of 3 rows, got %s", render(c))
			}
			if r := tb.Rows[1].Cells; r[1].Text != "first part\n"+wrappedLine+"\nsecond part" {
				t.Errorf("cut row: %q", r[1].Text)
			}
		},
	}, {
		// A label merged down over two rows (方向 主导产业 over two
		// indicators) when the page breaks between them: the label's text
		// on one part only, as in a cut row, but every other cell holds its
		// own text on both parts, none wrapped. The rows stay two.
		name: "label merged down over the row that starts the next page",
		pages: []testPage{{content: grid(plan, []float64{700, 680, 130}, false, false) +
			text(75, 686, "Dir") + text(160, 686, "Indicator") + text(300, 686, "Base") + text(420, 686, "Target") +
			text(75, 136, "Main") + text(160, 136, "Growth") + text(300, 136, "14.83%") + text(420, 136, "6.47%") +
			text(250, 60, "- 13 -")},
			{content: grid(plan, []float64{780, 760, 740}, false, false) +
				text(160, 766, "Firms") + text(300, 766, "35") + text(420, 766, "53") +
				text(75, 746, "Other") + text(160, 746, "R&D") + text(300, 746, "2.45") + text(420, 746, "3.47")}},
		check: func(t *testing.T, c *shenbao.Content) {
			var tb *shenbao.Table
			for _, b := range c.Blocks {
				if b.Table != nil && tb == nil {
					tb = b.Table
				}
			}
			if tb == nil || len(tb.Rows) != 4 {
				t.Fatalf("want one table of 4 rows, got %s", render(c))
			}
			r1, r2 := tb.Rows[1].Cells, tb.Rows[2].Cells
			if r1[2].Text != "14.83%" || r1[3].Text != "6.47%" || r2[1].Text != "Firms" || r2[2].Text != "35" || !r2[0].Merged {
				t.Errorf("rows glued or lost: %s", render(c))
			}
		},
	}, {
		// Word's "repeat header row" draws row 1 again on the next page,
		// under a running header; a page number ends the first page. The
		// document has the header once and its rows in order.
		name: "repeated header row and running lines between the parts",
		pages: []testPage{{content: grid(plan, []float64{700, 680, 660}, false, false) +
			text(75, 686, "Dir") + text(160, 686, "Indicator") + text(300, 686, "Base") + text(420, 686, "Target") +
			text(75, 666, "Main") + text(160, 666, "Growth") + text(300, 666, "14.83%") + text(420, 666, "6.47%") +
			text(280, 40, "- 12 -")},
			{content: text(200, 815, "Running head") + grid(plan, []float64{780, 760, 740}, false, false) +
				text(75, 766, "Dir") + text(160, 766, "Indicator") + text(300, 766, "Base") + text(420, 766, "Target") +
				text(75, 746, "Other") + text(160, 746, "Firms") + text(300, 746, "35") + text(420, 746, "53")}},
		check: func(t *testing.T, c *shenbao.Content) {
			var tables []*shenbao.Table
			for _, b := range c.Blocks {
				if b.Table != nil {
					tables = append(tables, b.Table)
				}
			}
			if len(tables) != 1 || len(tables[0].Rows) != 3 {
				t.Fatalf("want one table of 3 rows, got %s", render(c))
			}
			r1, r2 := tables[0].Rows[1].Cells, tables[0].Rows[2].Cells
			if r1[2].Text != "14.83%" || r2[0].Text != "Other" || r2[2].Text != "35" {
				t.Errorf("rows glued or lost: %s", render(c))
			}
		},
	}, {
		name: "label spanning rows across a page break",
		pages: []testPage{{content: grid(cols, []float64{700, 680, 120}, false, false) +
			text(80, 686, "Label A") + text(250, 686, "Value A") +
			text(80, 666, "Group label") + text(250, 130, "a long value at the page bottom")},
			{content: grid([]float64{70, 240, 380, 520}, []float64{780, 740}, false, false) +
				text(250, 766, "sub label") + text(390, 766, "sub value")}},
		check: func(t *testing.T, c *shenbao.Content) {
			tb := c.Blocks[0].Table
			if tb == nil || len(tb.Rows) != 3 {
				t.Fatalf("want one table of 3 rows, got %s", render(c))
			}
			r := tb.Rows[2].Cells
			if len(r) != 3 || !r[0].Merged || r[1].Text != "sub label" || r[1].Col != 1 || r[2].Col != 2 {
				t.Errorf("continued row %+v", r)
			}
			if tb.Rows[1].Cells[1].Span != 2 {
				t.Errorf("value cell above spans %d columns", tb.Rows[1].Cells[1].Span)
			}
		},
	}, {
		name: "merged cells and nested table",
		pages: []testPage{{content: grid(cols, []float64{700, 680, 660}, false, false) +
			// A rule only under the first column: the second column's
			// cell spans both rows.
			"q 1 w 70 500 m 520 500 l S Q q 1 w 70 700 m 70 500 l S Q q 1 w 520 700 m 520 500 l S Q\n" +
			text(80, 686, "A") + text(250, 686, "B") + text(80, 666, "C") + text(250, 666, "D") +
			// Nested 2×2 table inset in the big cell below.
			grid([]float64{80, 200, 510}, []float64{640, 620, 600}, false, false) +
			text(90, 626, "k1") + text(210, 626, "v1") + text(90, 606, "k2") + text(210, 606, "v2") +
			text(80, 560, "text after the inner table")},
		},
		check: func(t *testing.T, c *shenbao.Content) {
			tb := c.Blocks[0].Table
			if tb == nil || len(tb.Rows) != 3 {
				t.Fatalf("got %s", render(c))
			}
			big := tb.Rows[2].Cells[0]
			if big.Span != 2 || len(big.Tables) != 1 || big.Text != "text after the inner table" {
				t.Fatalf("big cell %+v", big)
			}
			in := big.Tables[0]
			if len(in.Rows) != 2 || in.Rows[1].Cells[1].Text != "v2" {
				t.Errorf("inner %+v", in)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := buildPDF(tc.pages)
			if strings.HasPrefix(tc.name, "pdf 2.0") {
				copy(b, "%PDF-2.0")
			}
			c, err := readBytes(t, b)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

// manyPages builds a PDF of n pages sharing one content stream; count is
// what the page tree claims.
func manyPages(n, count int) []byte {
	w := &pdfWriter{}
	c := w.stream("", "BT /F1 12 Tf 100 700 Td (x) Tj ET")
	pagesID := w.add("")
	kids := make([]string, n)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", w.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 100 100] /Contents %d 0 R >>", pagesID, c)))
	}
	w.set(pagesID, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), count))
	return w.bytes(w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesID)))
}

func hostile(t testing.TB) map[string]struct {
	data []byte
	code string
} {
	form, err := os.ReadFile(filepath.Join("testdata", "nat2024_summary_2.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	small := buildPDF([]testPage{{content: text(100, 700, "a small but valid document")}})
	badXref := bytes.Replace(small, []byte("startxref\n"), []byte("startxref\n9"), 1)
	garbledXref := append([]byte(nil), small...)
	if i := bytes.LastIndex(garbledXref, []byte("xref\n0 ")); i > 0 {
		copy(garbledXref[i+5:], "zz qq\n##########")
	}
	w := &pdfWriter{}
	cyc := w.add("")
	w.set(cyc, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", cyc))
	cyclic := w.bytes(w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", cyc)))
	imageOnly := buildPDF([]testPage{{content: "q 500 0 0 700 50 50 cm 0 0 m 1 1 l S Q"}})
	pua := buildPDF([]testPage{{content: "BT /F1 10 Tf 100 700 Td <0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f> Tj ET" + text(100, 600, "p.1")}})
	bomb := func() []byte {
		w := &pdfWriter{}
		// 40 MiB of operators compressed would be the real attack; an
		// uncompressed stream over a lowered limit tests the same path.
		c := w.stream("", strings.Repeat("0 0 m 1 1 l S\n", 1<<12))
		p := w.add("")
		pg := w.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 100 100] /Contents %d 0 R >>", p, c))
		w.set(p, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", pg))
		return w.bytes(w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", p)))
	}()
	var hatch strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&hatch, "10 %d.5 m 590 %d.5 l %d.25 10 m %d.25 830 l ", 10+i%800, 10+i%800, 10+i%580, 10+i%580)
	}
	hatch.WriteString("S")
	hatched := buildPDF([]testPage{{content: hatch.String()}})
	enc1, err1 := os.ReadFile(filepath.Join("testdata", "encrypted_rc4.pdf"))
	enc2, err2 := os.ReadFile(filepath.Join("testdata", "encrypted_aes256.pdf"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return map[string]struct {
		data []byte
		code string
	}{
		"empty":                {nil, shenbao.EINVALID},
		"text file":            {[]byte("这不是 PDF，只是一个改了扩展名的文本文件。\nnot a pdf\n"), shenbao.EINVALID},
		"truncated":            {form[:len(form)/2], shenbao.EINVALID},
		"truncated tail":       {form[:len(form)-40], shenbao.EINVALID},
		"bad startxref":        {badXref, shenbao.EINVALID},
		"garbled xref":         {garbledXref, shenbao.EINVALID},
		"cyclic page tree":     {cyclic, shenbao.EINVALID},
		"5000 pages":           {manyPages(5000, 5000), shenbao.ETOOLARGE},
		"page count lies":      {manyPages(600, 1), shenbao.ETOOLARGE},
		"no text layer":        {imageOnly, shenbao.ENEEDSOCR},
		"private-use mojibake": {pua, shenbao.ENEEDSOCR},
		"encrypted rc4":        {enc1, shenbao.EENCRYPTED},
		"encrypted aes256":     {enc2, shenbao.EENCRYPTED},
		"content over a limit": {bomb, shenbao.ETOOLARGE},
		"dense hatching":       {hatched, shenbao.ENEEDSOCR},
	}
}

func TestHostile(t *testing.T) {
	for name, tc := range hostile(t) {
		t.Run(name, func(t *testing.T) {
			opt := Options{}
			if name == "content over a limit" {
				opt.MaxStreamBytes = 16 << 10
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := ReadOptions(ctx, bytes.NewReader(tc.data), int64(len(tc.data)), opt)
			if got := shenbao.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (err %v, content %v)", got, tc.code, err, c != nil)
			}
			if msg := shenbao.ErrorMessage(err); !strings.Contains(msg, "/ ") {
				t.Errorf("message is not bilingual: %q", msg)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", formFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Read(ctx, bytes.NewReader(b), int64(len(b)))
	if shenbao.ErrorCode(err) != shenbao.ETIMEOUT {
		t.Fatalf("got %v", err)
	}
}
