package scan

import (
	"image"
	"image/draw"
	"syscall"
	"testing"
)

// BenchmarkPageStages times the scan path's own per-page work (outside
// the OCR engines) on a page of tables scanned at 200 dpi, the work
// resolution: the stages of readPage one by one, each on what the stage
// before it made. Beside the wall time it reports the process's CPU
// time per operation (cpu-ns/op), which a loaded machine does not
// inflate.
//
//	go test ./extract/scan -run '^$' -bench PageStages -benchmem
func BenchmarkPageStages(b *testing.B) {
	img := decodePage(b, "cq2024_p6_200dpi_tables.jpg")
	rgba := image.NewRGBA(img.Bounds()) // as MuPDF renders a page
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	gray := grayDropColour(rgba)
	p := paramsFor(200)
	flat := flatten(gray, 200/4)
	whiteEdges(flat, p.margin)
	bin := binarise(flat)
	hs, vs := findRules(bin, p)
	small := resize(gray, 0.75)
	// erased is the page with its rules erased, as layout and the seal
	// finder see it.
	erased := func() *page {
		pg := newPage(1, 200, newPrintSet(nil))
		pg.gray, pg.bin = clone(flat), bin.clone()
		pg.clearRules(pg.gray, pg.bin, hs, vs, findTables(hs, vs, p, bin.w))
		return pg
	}
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"grayDropColour", func() { grayDropColour(rgba) }},
		{"flatten", func() { flatten(gray, 200/4) }},
		{"binarise", func() { binarise(flat) }},
		{"skewAngle", func() { skewAngle(bin) }},
		{"onSide", func() { onSide(bin) }},
		{"rotate", func() { rotate(flat, 0.37) }}, // a typical deskew
		{"resize150", func() { resize(small, 200.0/150) }},
		{"findRules", func() { findRules(bin, p) }},
		{"clearRules", func() { erased() }},
		{"clearSeals", func() {
			pg := erased()
			clearSeals(pg.gray, pg.bin, pg.light, 200, pg.em)
		}},
		{"layout", func() {
			pg := erased()
			pg.layout(findTables(hs, vs, p, bin.w))
		}},
		{"components", func() { components(bin, image.Rect(0, 0, bin.w, bin.h)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				c.run()
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's CPU time (user and system) so far, in
// nanoseconds: on a loaded machine the wall time of a benchmark measures
// the load, its CPU time the work.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestWarpAxesSameAsAffine holds the shortcut for scales to the pixel-by-
// pixel warp it replaces: the same page sampled, to the bit.
func TestWarpAxesSameAsAffine(t *testing.T) {
	g := loadPage(t, "gd2023_p10_200dpi_small_table.jpg")
	for _, c := range []struct{ f, shift float64 }{
		{200.0 / 150, 0}, {1.5, 0}, {200.0 / 96, 0}, {0.8, 0}, {1, 3.25}, {1.25, -7.5},
	} {
		w, h := int(float64(g.Rect.Dx())*c.f), int(float64(g.Rect.Dy())*c.f)
		a, b := image.NewGray(image.Rect(0, 0, w, h)), image.NewGray(image.Rect(0, 0, w, h))
		warpAxes(g, a, 1/c.f, 0, c.shift, 0, 1/c.f, -c.shift)
		warpAffine(g, b, 1/c.f, 0, c.shift, 0, 1/c.f, -c.shift)
		for i := range a.Pix {
			if a.Pix[i] != b.Pix[i] {
				t.Errorf("scale %v shift %v: pixel %d, %d: %d, want %d", c.f, c.shift, i%w, i/w, a.Pix[i], b.Pix[i])
				break
			}
		}
	}
}

// TestGrayPixelsKeepTheirLevel: fromRGBX takes a gray pixel's level as
// it is; dropColour must agree for every level.
func TestGrayPixelsKeepTheirLevel(t *testing.T) {
	for v := 0; v < 256; v++ {
		if got := dropColour(uint8(v), uint8(v), uint8(v)); got != uint8(v) {
			t.Errorf("dropColour(%d, %d, %d) = %d", v, v, v, got)
		}
	}
}
