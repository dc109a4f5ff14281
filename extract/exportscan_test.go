//go:build cgo

package extract_test

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/roughen"
)

// Floors of TestOfficeExportScans: what the scan path reaches now on the
// 200-dpi image copies of the LibreOffice exports, so that it cannot slip
// back (the issue asks ≥ 99 % of values and ≥ 99.5 % of ticks). Most ticks
// missed are ☑ (the CJK font's glyph LibreOffice draws) in multi-choice
// groups with every option ticked, read as all empty at confidence about
// 0.1 (the scan path's mark decision, issue 19 item 2); the ■ exports lose
// none. Values missed are mostly summary tables' names.
var exportScanFloors = map[bool]struct{ fields, boxes float64 }{
	false: {0.99, 0.88},  // the first application (cq2024_01): 127/128, 71/80
	true:  {0.974, 0.90}, // every Word file of both corpora: 2141/2196, 1028/1137
}

// TestOfficeExportScans renders the office exports of TestOfficeExports at
// 200 dpi, wraps them as image-only PDFs (gray JPEG, quality 90, as a
// copier's scan-to-PDF) and reads them through the scan path. With
// SHENBAO_SCANS=1 it reads every Word file's export and requires the floors
// above over the set; otherwise only the first application's, for its
// edition and the floors. The tick-style variants are left out: they test
// the text layer, and on paper LibreOffice's Wingdings 2 symbols may be one
// stand-in glyph for tick and box alike, which no image can tell apart.
// SCAN_MISSES=1 lists what each got wrong.
func TestOfficeExportScans(t *testing.T) {
	ex := newExtractor()
	if ex.Scan == nil || ex.PDFText == nil {
		t.Skip("no scan engine")
	}
	all := os.Getenv("SHENBAO_SCANS") == "1"
	cases := officeExports(t, exportSet{plain: true, first: !all})
	sheet := newScoreSheet()
	var total corpus.Score
	for _, c := range cases {
		if c.cover != nil {
			continue // the truth does not hold for lengthened values
		}
		name := strings.ReplaceAll(c.name, "/", "_") + "_200dpi.pdf"
		data := imageCopy(t, c.pdf, 200)
		rep, err := ex.Extract(context.Background(), name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rep.Format != "pdf-scan" {
			t.Errorf("%s: read as %s, want pdf-scan", name, rep.Format)
		}
		s := corpus.Compare(rep, c.doc)
		sheet.add(c.doc.EditionID(), "img200", s)
		total.Add(s)
		if !s.Edition {
			t.Errorf("%s: edition not recognised", name)
		}
		if os.Getenv("SCAN_MISSES") != "" {
			t.Logf("%s:\n  %s", name, strings.Join(s.Misses, "\n  "))
		}
	}
	t.Log(sheet.String())
	floor := exportScanFloors[all]
	if f := ratio(total.FieldsOK, total.Fields); f < floor.fields {
		t.Errorf("values right %d/%d = %.2f %%, floor %.1f %%", total.FieldsOK, total.Fields, 100*f, 100*floor.fields)
	}
	if b := ratio(total.BoxesOK, total.Boxes); b < floor.boxes {
		t.Errorf("ticks right %d/%d = %.2f %%, floor %.1f %%", total.BoxesOK, total.Boxes, 100*b, 100*floor.boxes)
	}
	t.Logf("values right %d/%d, ticks right %d/%d, wrong at confidence ≥ %.1f: %d", total.FieldsOK, total.Fields, total.BoxesOK, total.Boxes, corpus.ReviewThreshold, total.ConfidentWrong)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// imageCopy renders a PDF page by page at dpi and returns it as an
// image-only PDF of those pages.
func imageCopy(t *testing.T, pdf []byte, dpi float64) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	pages := renderPages(t, path, dpi, func(_ int, g *image.Gray) *image.Gray { return g })
	data, err := roughen.PDF(pages, dpi, 90)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// renderPages renders every page of the PDF at path at dpi in gray and
// returns them as page(n, image) makes them.
func renderPages(t *testing.T, path string, dpi float64, page func(n int, g *image.Gray) *image.Gray) []*image.Gray {
	t.Helper()
	doc, err := render.OpenLocal(path, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	var pages []*image.Gray
	for n := 1; n <= doc.Pages(); n++ {
		g, err := doc.Gray(n, dpi)
		if err != nil {
			t.Fatal(fmt.Errorf("page %d: %w", n, err))
		}
		pages = append(pages, page(n, g))
	}
	return pages
}
