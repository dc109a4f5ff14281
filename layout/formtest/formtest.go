// Package formtest builds the Content a reader would make of a form, for
// the tests of layout and of the corrections stage.
package formtest

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// Cells is a table row of one cell per text, a column each.
func Cells(texts ...string) shenbao.Row {
	var r shenbao.Row
	for i, t := range texts {
		r.Cells = append(r.Cells, shenbao.Cell{Text: t, Col: i, Span: 1})
	}
	return r
}

// Lined is a table row of a label cell and a value cell read as lines,
// the cell's text their texts one per line, as a scan reads a cell.
func Lined(label string, lines ...shenbao.Line) shenbao.Row {
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	r := Cells(label, strings.Join(texts, "\n"))
	r.Cells[1].Lines = lines
	return r
}

// Merged is Cells after a first cell merged with the row above.
func Merged(texts ...string) shenbao.Row {
	r := Cells(append([]string{""}, texts...)...)
	r.Cells[0].Merged = true
	return r
}

// Para is a paragraph.
func Para(s string) shenbao.Block { return shenbao.Block{Text: s} }

// Table is a table of rows.
func Table(rows ...shenbao.Row) shenbao.Block {
	return shenbao.Block{Table: &shenbao.Table{Rows: rows}}
}

// Field returns the field id of fs, failing t when there is none.
func Field(t *testing.T, fs []shenbao.Field, id string) shenbao.Field {
	t.Helper()
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no field %s", id)
	return shenbao.Field{}
}
