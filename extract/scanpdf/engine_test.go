//go:build cgo

package scanpdf_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// TestEngineOfLines: every line of a scan read with Tesseract alone (as
// on a machine without the PP-OCR models) names tesseract as its
// recogniser; with both engines, where the models are installed, values
// are read again by PP-OCR — some lines name ppocr or both — and no line
// is left without one.
func TestEngineOfLines(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of a page, twice")
	}
	data, err := os.ReadFile("../../testdata/scan/form_g4_96dpi.pdf")
	if err != nil {
		t.Fatal(err)
	}
	engines := func(o scanpdf.Options) map[string]int {
		c, err := scanpdf.Reader{Opts: o}.Read(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		var walk func(ts []shenbao.Table)
		walk = func(ts []shenbao.Table) {
			for _, tb := range ts {
				for _, r := range tb.Rows {
					for _, cell := range r.Cells {
						for _, l := range cell.Lines {
							n[l.Engine]++
						}
						walk(cell.Tables)
					}
				}
			}
		}
		for _, b := range c.Blocks {
			if b.Table != nil {
				walk([]shenbao.Table{*b.Table})
			}
		}
		return n
	}
	got := engines(scanpdf.Options{Engine: ocr.EngineTesseract})
	if got[ocr.EngineTesseract] == 0 || len(got) != 1 {
		t.Errorf("Tesseract alone: lines per engine %v, want tesseract only", got)
	}
	dir := ocr.FindModels(ocr.ModelDirs(""))
	if dir == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	got = engines(scanpdf.Options{Engine: ocr.EngineBoth, Models: dir})
	if got[""] > 0 || got[ocr.EngineBoth]+got[ocr.EnginePPOCR] == 0 {
		t.Errorf("both engines: lines per engine %v, want some read by PP-OCR and none without an engine", got)
	}
	t.Logf("both engines: lines per engine %v", got)
}
