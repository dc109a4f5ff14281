package layout

import (
	"testing"

	"github.com/shenbao/shenbao"
)

// TestCellEngine: a value is as well read as its weakest line: one line
// read by Tesseract alone makes the value Tesseract's; text layers name
// no engine.
func TestCellEngine(t *testing.T) {
	for _, c := range []struct {
		engines []string
		want    string
	}{
		{[]string{"both"}, "both"},
		{[]string{"both", "ppocr"}, "ppocr"},
		{[]string{"ppocr", "both"}, "ppocr"},
		{[]string{"both", "tesseract", "ppocr"}, "tesseract"},
		{[]string{""}, ""},
		{nil, ""},
	} {
		cell := &shenbao.Cell{}
		for _, e := range c.engines {
			cell.Lines = append(cell.Lines, shenbao.Line{Text: "x", Engine: e})
		}
		if got := cellEngine(cell); got != c.want {
			t.Errorf("%v: %q, want %q", c.engines, got, c.want)
		}
	}
}
