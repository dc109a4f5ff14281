//go:build cgo

package ocr

import (
	"context"
	"image"
	"math"
	"testing"
)

// TestQuantRecGraph: the ranges built in were measured on the installed
// model and cover every value quantised, and the integer model reads the
// cells of rows.png and packed_cells.png (a 150-dpi lab copy's lone
// digits, numbers, short names) as the float one does, as sure within
// 0.1 — each cell alone and all of them as the scan path reads a page's
// values.
func TestQuantRecGraph(t *testing.T) {
	m := testModels(t)
	ranges, ok := embeddedRanges(m.Rec)
	if !ok {
		t.Fatal("quant_ranges.json was not measured on the installed model: SHENBAO_CELLS=1 go test ./extract -run TestCalibratePPOCR -update")
	}
	folded, _, err := foldRecGraph(m.Rec)
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseGraph(folded)
	if err != nil {
		t.Fatal(err)
	}
	targets := g.quantTargets()
	for _, name := range targets {
		if _, ok := ranges[name]; !ok {
			t.Errorf("no range for %s", name)
		}
	}
	q, n, err := quantRecGraph(folded, ranges)
	if err != nil {
		t.Fatal(err)
	}
	// PP-OCRv4: 16 pointwise convolutions of its last stages (their
	// squeeze-and-excite ones among them) and 9 constant products.
	if n < 20 {
		t.Errorf("quantised %d operators", n)
	}
	if err := checkRecModel(q, len(m.Classes)); err != nil {
		t.Errorf("quantised model: %v", err)
	}
	float, err := NewPPOCR(m, PPOCROptions{Runs: 1, Float: true})
	if err != nil {
		t.Fatal(err)
	}
	defer float.Close()
	integer, err := NewPPOCR(m, PPOCROptions{Runs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer integer.Close()
	for _, page := range []struct {
		file  string
		rects []image.Rectangle
	}{
		{"rows.png", rectsOf(cells)},
		{"packed_cells.png", packedRects()},
	} {
		img := loadGray(t, page.file)
		var worst float64
		compare := func(label string, rects []image.Rectangle) {
			a, err := float.Read(context.Background(), img, rects)
			if err != nil {
				t.Fatal(err)
			}
			b, err := integer.Read(context.Background(), img, rects)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				if len(a[i]) != len(b[i]) {
					t.Errorf("%s %s %v: %d lines on integers, %d in float", page.file, label, rects[i], len(b[i]), len(a[i]))
					continue
				}
				for k := range a[i] {
					d := math.Abs(a[i][k].Min - b[i][k].Min)
					// Sureness decides what a reviewer sees: a reading that
					// moves by more than a tenth is not the same.
					if a[i][k].Text != b[i][k].Text || d > 0.1 {
						t.Errorf("%s %s %v: %q (%.3f) on integers, %q (%.3f) in float", page.file, label, rects[i], b[i][k].Text, b[i][k].Min, a[i][k].Text, a[i][k].Min)
					}
					worst = max(worst, d)
				}
			}
		}
		compare("together", page.rects)
		for _, r := range page.rects {
			compare("alone", []image.Rectangle{r})
		}
		t.Logf("%s: least character probability moved by up to %.3f", page.file, worst)
	}
}

func rectsOf(cs []struct {
	rect image.Rectangle
	mode Mode
	want string
}) []image.Rectangle {
	var out []image.Rectangle
	for _, c := range cs {
		if c.mode != Digits {
			out = append(out, c.rect)
		}
	}
	return out
}

func packedRects() []image.Rectangle {
	var out []image.Rectangle
	for _, c := range packedCells {
		out = append(out, c.rect)
	}
	return out
}
