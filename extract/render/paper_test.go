package render

import (
	"math"
	"slices"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

// scanned is one image of w×h pixels placed over a whole page of pw×ph pt.
func scanned(pw, ph float64, w, h int) placed {
	return placed{n: 1, area: pw * ph, w: w, h: h, box: [4]float64{0, 0, pw, ph}}
}

// declared is the page size a file declares for w×h pixels at dpi.
func declared(w, h int, dpi float64) (float64, float64) {
	return float64(w) * 72 / dpi, float64(h) * 72 / dpi
}

// TestPaperOf: a scanned page's sheet and resolution come from its
// image's pixels, whatever resolution its file declares; digital pages
// are left as declared.
func TestPaperOf(t *testing.T) {
	const a4w, a4h = 2481, 3508 // A4 at 300 dpi
	tests := []struct {
		name      string
		w, h      float64
		im        placed
		scan      bool
		dpi       float64
		scaleNear float64
	}{
		{"A4 300 dpi, declared right", 595.44, 841.92, scanned(595.44, 841.92, a4w, a4h), true, 300, 1},
		{"A4 300 dpi, declared at 96", 1860.75, 2631, scanned(1860.75, 2631, a4w, a4h), true, 300, 3.125},
		{"A4 300 dpi, declared at 72", 2481, 3508, scanned(2481, 3508, a4w, a4h), true, 300, 4.17},
		{"A4 200 dpi, declared at 300", 396.96, 561.28, scanned(396.96, 561.28, 1654, 2339), true, 200, 0.667},
		{"A4 150 dpi, declared at 300", 297.6, 420.96, scanned(297.6, 420.96, 1240, 1754), true, 150, 0.5},
		{"A4 150 dpi, declared at 96", 930, 1315.5, scanned(930, 1315.5, 1240, 1754), true, 150, 1.56},
		{"A3 300 dpi, declared right", 841.92, 1190.64, scanned(841.92, 1190.64, a4h, 4961), true, 300, 1},
		{"Letter 300 dpi, declared at 96", 1912.5, 2475, scanned(1912.5, 2475, 2550, 3300), true, 300, 3.125},
		{"A4 landscape 300 dpi, declared at 96", 2631, 1860.75, scanned(2631, 1860.75, a4h, a4w), true, 300, 3.125},
		{"fax 204×196 dpi on A4", 612, 792, scanned(612, 792, 1728, 2156), true, 203.3, 1},
		// Scanners that write a page as strips: the largest strip tells
		// the resolution, together they cover the page.
		{"four strips of a 300 dpi page", 595.44, 841.92, placed{n: 4, area: 595.44 * 841.92, w: a4w, h: 877, box: [4]float64{0, 0, 595.44, 210.48}}, true, 300, 1},
		{"a photo on a digital page", 595, 842, placed{n: 1, area: 300 * 200, w: 1200, h: 800, box: [4]float64{100, 100, 400, 300}}, false, 0, 1},
		{"no image", 595, 842, placed{}, false, 0, 1},
		// Its text is drawn at the declared size: that size is real.
		{"a digital page over a coarse background picture", 1860.75, 2631, placed{vector: 120, n: 1, area: 1860.75 * 2631, w: 100, h: 141, box: [4]float64{0, 0, 1860.75, 2631}}, false, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := paperOf(tt.w, tt.h, tt.im)
			if p.Scan != tt.scan || math.Abs(p.DPI-tt.dpi) > 0.5 || math.Abs(p.Scale-tt.scaleNear) > 0.01*tt.scaleNear {
				t.Errorf("paper = %+v, want scan %v at %g dpi, scale %g", p, tt.scan, tt.dpi, tt.scaleNear)
			}
			if err := p.check(1, filetype.Limits{}); err != nil {
				t.Errorf("refused: %v", err)
			}
			if !p.Scan {
				return
			}
			// The sheet is what it is: declared sizes that are a sheet's stay,
			// others become A4 or Letter.
			sheet := math.Max(tt.w, tt.h) / p.Scale
			if !slices.ContainsFunc([]float64{841.92, 792, 1190.64}, func(s float64) bool { return math.Abs(s-sheet) < 3 }) {
				t.Errorf("sheet's long side %.1f pt is no A4, Letter or A3", sheet)
			}
		})
	}
}

// TestPaperCheck: pages refused at their own pixels, with typed,
// bilingual errors; a page declared huge but holding a normal scan is not.
func TestPaperCheck(t *testing.T) {
	tests := []struct {
		name string
		w, h float64
		im   placed
		want string
	}{
		{"1×1 image over an A4 page", 595, 842, scanned(595, 842, 1, 1), shenbao.EINVALID},
		{"40×56 px over an A4 page (5 dpi)", 595, 842, scanned(595, 842, 40, 56), shenbao.EINVALID},
		{"100,000 px wide", 595, 842, scanned(595, 842, 100000, 1000), shenbao.ETOOLARGE},
		{"15,000×15,000 px", 842, 842, scanned(842, 842, 15000, 15000), shenbao.ETOOLARGE},
		{"a huge photo on a digital page", 595, 842, placed{n: 1, area: 100, w: 19000, h: 19000, box: [4]float64{0, 0, 10, 10}}, shenbao.ETOOLARGE},
		{"300 dpi declared at 96: fine", 1860.75, 2631, scanned(1860.75, 2631, 2481, 3508), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := paperOf(tt.w, tt.h, tt.im).check(3, filetype.Limits{})
			if got := shenbao.ErrorCode(err); got != tt.want {
				t.Fatalf("code %q (%v), want %q", got, err, tt.want)
			}
			if err != nil && !bilingual(shenbao.ErrorMessage(err)) {
				t.Errorf("message not bilingual: %q", shenbao.ErrorMessage(err))
			}
		})
	}
}

func bilingual(msg string) bool {
	han, latin := false, false
	for _, r := range msg {
		han = han || r >= 0x4e00 && r <= 0x9fff
		latin = latin || r >= 'a' && r <= 'z'
	}
	return han && latin
}
