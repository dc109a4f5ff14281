package scan

import (
	"image"
	"testing"
)

// drawShapes puts ink shapes on a bitmap left to right: 'D' a digit
// (10×20), 'W' two digits touching (22×20), '.' a point on the baseline
// (4×4), ',' a speck of noise (1×1), ' ' a gap.
func drawShapes(spec string) (*bitmap, image.Rectangle) {
	b := &bitmap{w: 200, h: 40, pix: make([]bool, 200*40)}
	fill := func(r image.Rectangle) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				b.pix[y*b.w+x] = true
			}
		}
	}
	x := 10
	for _, c := range spec {
		switch c {
		case 'D':
			fill(image.Rect(x, 10, x+10, 30))
			x += 14
		case 'W':
			fill(image.Rect(x, 10, x+22, 30))
			x += 26
		case '.':
			fill(image.Rect(x, 26, x+4, 30))
			x += 8
		case ',':
			fill(image.Rect(x, 18, x+1, 19))
			x += 4
		}
	}
	return b, image.Rect(5, 5, x+5, 35)
}

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		ink, read, want string
		ok              bool
	}{
		{"D.DD", "395", "3.95", true},    // point dropped
		{"D.DD", "3233", "3.33", true},   // point read as a digit
		{"DD.DD", "7927", "79.27", true}, // point dropped
		{"DD.DD", "12.37", "12.37", true},
		{"DD.DD", "123.7", "123.7", false}, // point in the wrong place
		{"D.DD", "9", "9", false},          // digits lost
		{"DD.DD", "79", "79", false},
		{"DDD", "558", "558", true},
		{"D,DD", "558", "558", true}, // a speck is no point
		{"DDD", "58", "58", false},
		{"W.DD", "1237", "1237", false}, // touching digits: the point cannot be placed
		{"WD", "558", "558", true},      // touching digits: fewer shapes than digits is fine
		{"DD", "12%", "12%", true},      // not a plain number: no opinion
		{"", "", "", true},
	}
	for _, tt := range tests {
		b, r := drawShapes(tt.ink)
		got, ok := checkDigits(b, r, tt.read)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ink %q read %q: got %q ok=%v, want %q ok=%v", tt.ink, tt.read, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzCheckDigits(f *testing.F) {
	for _, s := range []string{"395", "3.95", "", "1.2.3", "٣"} {
		f.Add("D.DD", s)
	}
	f.Fuzz(func(t *testing.T, ink, s string) {
		if len(ink) > 6 {
			return
		}
		b, r := drawShapes(ink)
		got, _ := checkDigits(b, r.Intersect(image.Rect(0, 0, b.w, b.h)), s)
		if len(got) > len(s)+1 {
			t.Fatalf("checkDigits(%q) grew to %q", s, got)
		}
	})
}
