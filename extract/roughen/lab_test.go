package roughen

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ledongthuc/pdf"
)

func white(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	Fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
	return img
}

// inkIn counts the pixels of r darker than mid-gray.
func inkIn(img *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if (int(c.R)+int(c.G)+int(c.B))/3 < 128 {
				n++
			}
		}
	}
	return n
}

// Every pen mark puts ink inside the box it marks, in the pen's colour;
// ticks and crosses run out of it, a circle goes round it and leaves its
// middle clean.
func TestPen(t *testing.T) {
	box := image.Rect(100, 100, 130, 130)
	for _, tt := range []struct {
		name      string
		k         PenKind
		inside    bool // ink in the box's middle
		outside   bool // ink beyond the box
		ink       color.RGBA
		wantColor func(c color.RGBA) bool
	}{
		{"tick", PenTick, true, true, BlackInk, func(c color.RGBA) bool { return c.B < 100 }},
		{"cross", PenCross, true, false, BlueInk, func(c color.RGBA) bool { return c.B > c.R+50 }},
		{"fill", PenFill, true, false, BlackInk, func(c color.RGBA) bool { return c.R < 100 }},
		{"circle", PenCircle, false, true, BlueInk, func(c color.RGBA) bool { return c.B > c.R+50 }},
		{"tick beside", PenTickBeside, true, true, BlackInk, func(c color.RGBA) bool { return c.R < 100 }},
		{"large tick", PenTickLarge, true, true, BlackInk, func(c color.RGBA) bool { return c.R < 100 }},
	} {
		for seed := uint64(1); seed <= 5; seed++ {
			img := white(300, 250)
			Pen(img, box, tt.k, tt.ink, rand.New(rand.NewPCG(seed, 1)))
			in := inkIn(img, box.Inset(6))
			all := inkIn(img, img.Rect)
			out := all - inkIn(img, box)
			if (in > 0) != tt.inside {
				t.Errorf("%s seed %d: %d ink pixels inside, want some: %v", tt.name, seed, in, tt.inside)
			}
			if tt.outside && out == 0 {
				t.Errorf("%s seed %d: no ink outside the box", tt.name, seed)
			}
			found := false
			for y := 0; y < 250 && !found; y++ {
				for x := 0; x < 300 && !found; x++ {
					c := img.RGBAAt(x, y)
					found = (int(c.R)+int(c.G)+int(c.B))/3 < 128 && tt.wantColor(c)
				}
			}
			if !found {
				t.Errorf("%s seed %d: no ink of the pen's colour", tt.name, seed)
			}
		}
	}
}

// Colour and bitonal pages come back from the PDF with their own colour
// space and depth, at the size the dpi gives them.
func TestScanPDFModes(t *testing.T) {
	img := white(200, 100)
	Seal(img, 100, 50, 40, color.RGBA{215, 40, 45, 255}, rand.New(rand.NewPCG(1, 1)))
	Line(img, image.Pt(10, 90), image.Pt(190, 90), 2, color.RGBA{0, 0, 0, 255})
	b, err := ScanPDF([]Page{{Img: img, Mode: ModeColour, Quality: 60}, {Img: img, Mode: ModeBitonal}, {Img: img, Mode: ModeGray, Quality: 20}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("reading the PDF back: %v", err)
	}
	for i, want := range []struct {
		cs   string
		bits int64
	}{{"DeviceRGB", 8}, {"DeviceGray", 1}, {"DeviceGray", 8}} {
		p := r.Page(i + 1)
		im := p.Resources().Key("XObject").Key("Im0")
		if cs, bits := im.Key("ColorSpace").Name(), im.Key("BitsPerComponent").Int64(); cs != want.cs || bits != want.bits {
			t.Errorf("page %d: %s %d bits, want %s %d", i+1, cs, bits, want.cs, want.bits)
		}
		if w := p.V.Key("MediaBox").Index(2).Float64(); w != 144 {
			t.Errorf("page %d: %.0f pt wide, want 144", i+1, w)
		}
	}
	// Black-and-white keeps the rule black and the paper white.
	g := Bitonal(img, bitonalLevel)
	if g.GrayAt(100, 90).Y != 0 || g.GrayAt(5, 5).Y != 255 {
		t.Errorf("bitonal: rule %d, paper %d", g.GrayAt(100, 90).Y, g.GrayAt(5, 5).Y)
	}
}

// An official seal is a ring of the radius asked, a solid star at its
// centre, and characters round its upper part, none below its centre's
// lower third: dates and names under it stay legible on a test's copy.
func TestOfficialSeal(t *testing.T) {
	red := color.RGBA{215, 40, 45, 255}
	img := white(400, 400)
	OfficialSeal(img, 200, 200, 150, red, rand.New(rand.NewPCG(3, 1)))
	inked := func(x, y int) bool { return img.RGBAAt(x, y).G < 200 }
	for a := 0.0; a < 2*math.Pi; a += 0.1 {
		if x, y := 200+int(150*math.Cos(a)), 200+int(150*math.Sin(a)); !inked(x, y) {
			t.Errorf("ring not inked at %d,%d", x, y)
		}
	}
	if !inked(200, 200) || !inked(200, 180) {
		t.Error("no star at the centre")
	}
	chars := 0
	for y := 60; y < 130; y++ {
		for x := 100; x < 300; x++ {
			if inked(x, y) {
				chars++
			}
		}
	}
	if chars < 300 {
		t.Errorf("%d inked pixels of characters round the top, want them", chars)
	}
	for y := 300; y < 340; y++ {
		for x := 170; x < 230; x++ {
			if inked(x, y) {
				t.Fatalf("ink at %d,%d: the bottom of a seal holds no characters", x, y)
			}
		}
	}
}
