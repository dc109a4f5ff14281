//go:build cgo

package extract_test

import (
	"encoding/json"
	"flag"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

var update = flag.Bool("update", false, "rewrite generated data (extract/ocr/quant_ranges.json)")

// calibrationDPIs are the resolutions the calibration reads its lines at:
// those scans come in.
var calibrationDPIs = []int{150, 200, 300}

// TestCalibratePPOCR measures the ranges PP-OCR's integer model is
// quantised by (extract/ocr/quant.go) on the value cells TestValueCells
// reads — the corpus's pages roughened as a copier does, and the lab's
// styles — at 150, 200 and 300 dpi, with the float model, and checks
// them against extract/ocr/quant_ranges.json (within 1 % of each range's
// width: float kernels differ between processors); -update rewrites it.
// Slow: SHENBAO_CELLS=1.
func TestCalibratePPOCR(t *testing.T) {
	if os.Getenv("SHENBAO_CELLS") != "1" {
		t.Skip("SHENBAO_CELLS=1 calibrates PP-OCR's integer model on value cells")
	}
	m := cellModels(t)
	all := valueCells(t)
	if len(all) == 0 {
		t.Skip("no digital applications in the corpus")
	}
	sets := cellSets(all, 300)
	lines := 0
	got, err := ocr.Calibrate(m, func(read func(*image.Gray, []image.Rectangle) error) error {
		for _, set := range sets {
			for _, dpi := range calibrationDPIs {
				for _, idx := range byPage(set.cells) {
					g := set.page(t, set.cells[idx[0]], dpi)
					rects := make([]image.Rectangle, len(idx))
					for k, i := range idx {
						rects[k] = cellRect(set.cells[i].box, dpi)
					}
					if err := read(g, rects); err != nil {
						return err
					}
					lines += len(rects)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calibrated on %d line readings (two passes)", lines)
	path := filepath.Join("ocr", "quant_ranges.json")
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Another processor's float kernels round differently: a range kept
	// is current when it is within 1 % of its width of the one measured.
	type ranges struct {
		Model  string                `json:"model"`
		Values map[string][2]float64 `json:"values"`
	}
	var g, w ranges
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	stale := g.Model != w.Model || len(g.Values) != len(w.Values)
	for name, r := range g.Values {
		k, ok := w.Values[name]
		tol := 0.01 * (r[1] - r[0])
		if !ok || math.Abs(k[0]-r[0]) > tol || math.Abs(k[1]-r[1]) > tol {
			t.Logf("%s: kept %v, measured %v", name, k, r)
			stale = true
		}
	}
	if stale {
		t.Errorf("%s differs from the ranges measured now: SHENBAO_CELLS=1 go test ./extract -run TestCalibratePPOCR -update", path)
	}
}
