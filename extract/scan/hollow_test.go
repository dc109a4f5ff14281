package scan

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shenbao/shenbao/extract/roughen"
)

// hollowShape draws one shape for TestHollow into img at (x, y), a
// square of side s (a character's size at the lab's dpi).
type hollowShape func(img *image.RGBA, x, y, s int, rng *rand.Rand)

// boxShape draws an option box of side s·8/10 printed in gray, marked by pen
// (or left empty with mark < 0).
func boxShape(gray uint8, mark roughen.PenKind, ink color.RGBA) hollowShape {
	return func(img *image.RGBA, x, y, s int, rng *rand.Rand) {
		b := image.Rect(x, y, x+s*8/10, y+s*8/10)
		square(img, b, max(1.0, float64(s)/18), color.RGBA{gray, gray, gray, 255})
		if mark >= 0 {
			roughen.Pen(img, b, mark, ink, rng)
		}
	}
}

// denseShape draws a character built round a square whose strokes cross it
// (the 聿 of 建, 書, 畫): the square closed, strokes across it from side
// to side and one down through it.
func denseShape(img *image.RGBA, x, y, s int, _ *rand.Rand) {
	k := color.RGBA{0, 0, 0, 255}
	w := max(1.5, float64(s)/12)
	q := image.Rect(x, y, x+s*85/100, y+s*85/100)
	square(img, q, w, k)
	for _, f := range []int{1, 2, 3} {
		yy := q.Min.Y + f*q.Dy()/4
		roughen.Line(img, image.Pt(q.Min.X, yy), image.Pt(q.Max.X, yy), w, k)
	}
	mx := (q.Min.X + q.Max.X) / 2
	roughen.Line(img, image.Pt(mx, q.Min.Y-s/10), image.Pt(mx, q.Max.Y+s/10), w, k)
}

// digitsShape draws two round digits side by side (00, 80, 60), as a
// table's figures stand: together about a character's size.
func digitsShape(inner bool) hollowShape {
	return func(img *image.RGBA, x, y, s int, _ *rand.Rand) {
		k := color.RGBA{0, 0, 0, 255}
		w := max(1.5, float64(s)/10)
		rx, ry := float64(s)/4.6, float64(s)/2.3
		for i := 0; i < 2; i++ {
			cx, cy := float64(x)+rx+float64(i)*(2*rx+float64(s)/12), float64(y)+ry
			ellipse := func(cy, ry float64) {
				for a := 0; a < 24; a++ {
					t0, t1 := float64(a)*math.Pi/12, float64(a+1)*math.Pi/12
					roughen.Line(img, image.Pt(int(cx+rx*math.Cos(t0)), int(cy+ry*math.Sin(t0))),
						image.Pt(int(cx+rx*math.Cos(t1)), int(cy+ry*math.Sin(t1))), w, k)
				}
			}
			ellipse(cy, ry)
			if inner && i == 0 { // 8: two loops
				roughen.Line(img, image.Pt(int(cx-rx), int(cy)), image.Pt(int(cx+rx), int(cy)), w, k)
			}
		}
	}
}

// sealShape draws the lab's official seal (a bitonal copy prints it black)
// so that a square of the option box's size can be found in its ring of
// characters only.
func sealShape(img *image.RGBA, x, y, s int, rng *rand.Rand) {
	roughen.OfficialSeal(img, float64(x+s/2), float64(y+s/2), float64(s)*2.2, color.RGBA{0, 0, 0, 255}, rng)
}

// hollow tells a box's outline from the square inside other ink by its
// geometry: printed boxes, empty, with a pen mark in them or run past
// them, stay boxes at the mark threshold alignedBoxes looks at, and
// boxes printed too faint for it stay boxes at the faint threshold when
// a large tick overruns them; a dense character's square, two digits
// and a seal's characters are not boxes at either. (At the faint
// threshold a small tick's halo joins two sides of its box, which is
// why faintMarkedBoxes does not ask for a hollow box.)
func TestHollow(t *testing.T) {
	dpi := 150.0
	em := int(10.5 / 72 * dpi)
	for _, tt := range []struct {
		name  string
		draw  hollowShape
		level uint8 // the threshold looked at
		box   bool
	}{
		{"empty box", boxShape(90, -1, roughen.BlackInk), markCut, true},
		{"ticked box", boxShape(90, roughen.PenTick, roughen.BlackInk), markCut, true},
		{"box ticked large, overrun", boxShape(90, roughen.PenTickLarge, roughen.BlueInk), markCut, true},
		{"crossed box", boxShape(90, roughen.PenCross, roughen.BlueInk), markCut, true},
		{"light box ticked large, overrun, faint threshold", boxShape(130, roughen.PenTickLarge, roughen.BlueInk), faintCut, true},
		{"faint box, faint threshold", boxShape(160, -1, roughen.BlackInk), faintCut, true},
		{"faint box ticked large, faint threshold", boxShape(160, roughen.PenTickLarge, roughen.BlueInk), faintCut, true},
		{"dense character", denseShape, markCut, false},
		{"dense character, faint threshold", denseShape, faintCut, false},
		{"two zeros", digitsShape(false), markCut, false},
		{"eight and zero, faint threshold", digitsShape(true), faintCut, false},
		{"seal", sealShape, markCut, false},
	} {
		for seed := uint64(1); seed <= 4; seed++ {
			rng := rand.New(rand.NewPCG(seed, 5))
			size := 8 * em
			img := image.NewRGBA(image.Rect(0, 0, size, size))
			roughen.Fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
			x := size/2 - em/2
			tt.draw(img, x, x, em, rng)
			// Copied as labMarks copies: a 150-dpi gray JPEG, read at 200.
			var out image.Image = roughen.NoiseColour(roughen.BlurColour(img), 6, seed)
			out = roughen.JPEG(roughen.Gray(out), 40)
			f := 200 / dpi
			g := flatten(resize(grayDropColour(out), f), 50)
			b := binariseAt(g, tt.level)
			e := int(float64(em) * f)
			// Where a box of the column would be looked for: about it,
			// a third of a box each way.
			at := int(float64(x) * f)
			win := image.Rect(at-e/3, at-e/2, at+e*4/3, at+e*3/2)
			sq, found := boxWithin(b, win, e)
			if got := found && hollow(b, sq); got != tt.box {
				t.Errorf("%s seed %d: box %v (square %v found %v, sides %.2f), want %v", tt.name, seed, got, sq, found, ringSides(b, sq), tt.box)
			}
			if !tt.box && found {
				t.Logf("%s seed %d: square %v not hollow: sides %.2f", tt.name, seed, sq, ringSides(b, sq))
			}
		}
	}
}
