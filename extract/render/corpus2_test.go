//go:build cgo

package render_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao/extract/render"
)

// TestHeldOutScansOnTheirSheets measures, on the held-out scans of
// ../shared/corpus2 (skipped without it), what the scan path sees before
// any OCR: every page a scan, on an A4 sheet, at the resolution the
// manifest says it was scanned at, none refused — whatever page size its
// PDF declares (the 300-dpi bitonal ones declare 96 dpi). It reads the
// manifest's dpi only to check; nothing is tuned to it.
func TestHeldOutScansOnTheirSheets(t *testing.T) {
	dir := "../../../shared/corpus2"
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Skip("no ../shared/corpus2")
	}
	var m struct {
		Documents []struct {
			File   string  `json:"file"`
			Format string  `json:"format"`
			DPI    float64 `json:"dpi"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range m.Documents {
		if d.Format != "scan" {
			continue
		}
		n++
		t.Run(d.File, func(t *testing.T) {
			doc, err := render.Options{}.OpenFile(filepath.Join(dir, d.File))
			if err != nil {
				t.Fatal(err)
			}
			info, err := doc.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range info.Pages {
				sheet := math.Max(p.Width, p.Height) / p.Paper.Scale
				if !p.Paper.Scan || math.Abs(sheet-841.9) > 3 || math.Abs(p.Paper.DPI-d.DPI) > d.DPI/50 {
					t.Errorf("page %d (%.0f×%.0f pt): %v, sheet %.0f pt; want a scan on A4 at %g dpi", i+1, p.Width, p.Height, p.Paper, sheet, d.DPI)
				}
			}
		})
	}
	if n != 20 {
		t.Errorf("%d scans in the manifest, want 20", n)
	}
}
