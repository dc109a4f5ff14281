package roughen

import (
	"bytes"
	"image"
	"testing"

	"github.com/ledongthuc/pdf"
)

func page(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for x := w / 4; x < 3*w/4; x++ {
		g.Pix[(h/2)*g.Stride+x] = 0 // a rule across the middle
	}
	return g
}

// The PDF opens with another reader, with its pages at the size the dpi
// gives them.
func TestPDF(t *testing.T) {
	b, err := PDF([]*image.Gray{page(200, 300), page(300, 200)}, 100, 50)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("reading the PDF back: %v", err)
	}
	if n := r.NumPage(); n != 2 {
		t.Fatalf("%d pages, want 2", n)
	}
	box := r.Page(2).V.Key("MediaBox")
	if w, h := box.Index(2).Float64(), box.Index(3).Float64(); w != 216 || h != 144 {
		t.Errorf("page 2 is %.0f×%.0f pt, want 216×144", w, h)
	}
}

// A skew by 0° changes nothing; a skew by 2° moves the ends of a rule
// across the page by its length times tan 2°.
func TestSkew(t *testing.T) {
	g := page(400, 200)
	if s := Skew(g, 0); !bytes.Equal(s.Pix, g.Pix) {
		t.Fatal("skew by 0° changed the page")
	}
	s := Skew(g, 2)
	row := func(x int) int {
		for y := 0; y < 200; y++ {
			if s.GrayAt(x, y).Y < 128 {
				return y
			}
		}
		return -1
	}
	left, right := row(110), row(290)
	if d := left - right; d < 5 || d > 7 {
		t.Errorf("rule rows %d (left) and %d (right): a drop of %d px, want 6 (180 px × tan 2°)", left, right, d)
	}
}
