//go:build cgo

package render

import (
	"image"
	"os"
	"path/filepath"
	"testing"
)

// TestSheetGray: a scanned page whose image is gray is rendered in gray,
// and those are the colour render's pixels, each channel the same; a
// colour page still comes in colour (seals are told from ink by it).
func TestSheetGray(t *testing.T) {
	b, err := os.ReadFile("testdata/scan2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scan2.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLocal(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if img, _, err := l.Sheet(1, 150); err != nil {
		t.Fatal(err)
	} else if _, ok := img.(*image.RGBA); !ok {
		t.Errorf("colour page rendered as %T, want *image.RGBA", img)
	}
	for _, dpi := range []float64{150, 200} {
		img, p, err := l.Sheet(2, dpi)
		if err != nil {
			t.Fatal(err)
		}
		g, ok := img.(*image.Gray)
		if !ok {
			t.Fatalf("gray page at %g dpi rendered as %T, want *image.Gray", dpi, img)
		}
		c, err := l.RGBA(2, p.renderDPI(dpi))
		if err != nil {
			t.Fatal(err)
		}
		if g.Rect != c.Rect {
			t.Fatalf("at %g dpi: gray %v, colour %v", dpi, g.Rect, c.Rect)
		}
		differ := 0
		for y := 0; y < g.Rect.Dy(); y++ {
			for x := 0; x < g.Rect.Dx(); x++ {
				v, q := g.Pix[y*g.Stride+x], c.Pix[y*c.Stride+4*x:]
				if q[0] != v || q[1] != v || q[2] != v {
					differ++
				}
			}
		}
		if differ > 0 {
			t.Errorf("at %g dpi %d pixels differ from the colour render", dpi, differ)
		}
	}
}
