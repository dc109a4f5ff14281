package scan

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shenbao/shenbao/extract/roughen"
)

// sealPage draws a 200-dpi page region with two lines of "text" (blocks
// of strokes an em apart), a seal of radius rad at (cx, cy) in ink, and
// returns it prepared as readPage prepares a page: gray with colour
// dropped, flattened, binarised.
func sealPage(t *testing.T, ink color.RGBA, cx, cy, rad float64, seal bool, extra func(*image.RGBA)) (*image.Gray, *bitmap, *bitmap) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1400, 1000))
	roughen.Fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
	black := color.RGBA{20, 20, 20, 255}
	// Two lines of characters, 30 px high, each character three strokes.
	for _, y := range []int{400, 520} {
		for x := 200; x < 1150; x += 40 {
			roughen.Line(img, image.Pt(x, y), image.Pt(x+28, y), 3, black)
			roughen.Line(img, image.Pt(x+14, y-12), image.Pt(x+14, y+16), 3, black)
			roughen.Line(img, image.Pt(x, y+16), image.Pt(x+28, y+16), 3, black)
		}
	}
	if seal {
		roughen.OfficialSeal(img, cx, cy, rad, ink, rand.New(rand.NewPCG(5, 5)))
	}
	if extra != nil {
		extra(img)
	}
	g := flatten(grayDropColour(roughen.BlurColour(img)), 50)
	return g, binarise(g), binariseAt(g, markCut)
}

func TestClearSeals(t *testing.T) {
	const cx, cy, rad = 1000.0, 470.0, 170.0
	for _, tc := range []struct {
		name string
		ink  color.RGBA
		// found: whether the seal is left for clearSeals to find; a
		// light pink one goes with the colour, all but its blurred edge.
		found, maybe bool
	}{
		{"red", color.RGBA{215, 40, 45, 255}, true, false},
		{"pink", color.RGBA{235, 120, 130, 255}, false, true},
		{"gray", color.RGBA{150, 150, 150, 255}, true, false},
		{"near-black", color.RGBA{20, 20, 20, 255}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, b, light := sealPage(t, tc.ink, cx, cy, rad, true, nil)
			em := 29 // 10.5 pt at 200 dpi
			seals := clearSeals(g, b, light, 200, em)
			switch {
			case !tc.found && len(seals) == 0:
			case len(seals) != 1 || !tc.found && !tc.maybe:
				t.Fatalf("found %d seals: %+v", len(seals), seals)
			case tc.maybe:
			case math.Hypot(seals[0].cx-cx, seals[0].cy-cy) > 6 || math.Abs(seals[0].r-rad) > 6:
				s := seals[0]
				t.Errorf("seal at %.0f,%.0f r %.0f, want %.0f,%.0f r %.0f", s.cx, s.cy, s.r, cx, cy, rad)
			}
			// The ring and the star are gone: no ink left on the ring
			// away from the lines, nor at the centre above them.
			for a := 0.0; a < 2*math.Pi; a += 0.05 {
				x, y := int(cx+rad*math.Cos(a)), int(cy+rad*math.Sin(a))
				if (y < 370 || y > 550) && b.at(x, y) {
					t.Errorf("ring ink left at %d,%d", x, y)
					break
				}
			}
			// The lines' characters inside the seal stay: each row of
			// characters under it still holds ink at every character.
			for _, y := range []int{400, 520} {
				for x := 880; x < 1150; x += 40 {
					if !b.at(x+14, y+4) && !b.at(x+13, y+4) && !b.at(x+15, y+4) {
						t.Errorf("character at %d,%d erased", x, y)
					}
				}
			}
		})
	}
}

// TestClearSealsLeavesPages: a page with no seal — text, a pen loop
// round an option, a table's frame — has nothing erased.
func TestClearSealsLeavesPages(t *testing.T) {
	g, b, light := sealPage(t, color.RGBA{}, 0, 0, 0, false, func(img *image.RGBA) {
		roughen.Pen(img, image.Rect(300, 600, 330, 630), roughen.PenCircle, roughen.BlueInk, rand.New(rand.NewPCG(1, 2)))
		k := color.RGBA{0, 0, 0, 255}
		roughen.Line(img, image.Pt(100, 300), image.Pt(1300, 300), 2, k)
		roughen.Line(img, image.Pt(100, 700), image.Pt(1300, 700), 2, k)
		roughen.Line(img, image.Pt(100, 300), image.Pt(100, 700), 2, k)
		roughen.Line(img, image.Pt(1300, 300), image.Pt(1300, 700), 2, k)
	})
	before := append([]bool(nil), b.pix...)
	if seals := clearSeals(g, b, light, 200, 29); len(seals) != 0 {
		t.Errorf("found seals %+v on a page without one", seals)
	}
	for i := range before {
		if before[i] != b.pix[i] {
			t.Fatalf("ink erased at %d,%d", i%b.w, i/b.w)
		}
	}
}
