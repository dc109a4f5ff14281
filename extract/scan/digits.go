package scan

import (
	"image"
	"sort"
	"strings"
)

// checkDigits compares a number OCR read in r with the ink there. Printed
// digits stand apart, so each is one connected shape of full height, and a
// decimal point is a small dot on the baseline between two of them — a
// dot Tesseract often drops (3.95 read as 395) or takes for a digit (3.33
// read as 3233). When the shapes account for the text but for the point,
// the point is put back where the dot is; when they do not account for
// the text at all (11.79 read as 79), the reading is not to be trusted.
//
// s must be digits with at most one point. It returns the text, repaired
// or not, and whether the ink agrees with it; ok is also true when the ink
// cannot say (touching digits, marks that are neither digit nor dot).
func checkDigits(b *bitmap, r image.Rectangle, s string) (string, bool) {
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return s, true
	}
	var comps []component
	hmax := 0
	for _, c := range components(b, r) {
		if c.n < 3 || (c.rect.Dx() < 2 && c.rect.Dy() < 2) {
			continue // a speck of the copier's noise
		}
		comps = append(comps, c)
		hmax = max(hmax, c.rect.Dy())
	}
	if hmax < 6 {
		return s, true
	}
	sort.Slice(comps, func(i, j int) bool { return comps[i].rect.Min.X < comps[j].rect.Min.X })
	var digits []image.Rectangle
	base := 0
	for _, c := range comps {
		if c.rect.Dy()*10 >= hmax*6 {
			digits = append(digits, c.rect)
			base = max(base, c.rect.Max.Y)
		}
	}
	// Dots: small marks on the baseline; only those between the first
	// and the last digit can be a point, the others are specks.
	var inner []image.Rectangle
	for _, c := range comps {
		d := c.rect
		switch {
		case d.Dy()*10 >= hmax*6:
		case d.Dy()*10 <= hmax*4 && d.Dx()*10 <= hmax*4 && base-d.Max.Y <= hmax/4:
			if d.Min.X > digits[0].Max.X && d.Max.X < digits[len(digits)-1].Min.X {
				inner = append(inner, d)
			}
		default:
			return s, true // a mark the test does not know: no opinion
		}
	}
	// Two digits that touch are one shape, wider than any digit is tall
	// times 0.85; then the shapes cannot be counted against the text.
	touching := false
	for _, d := range digits {
		touching = touching || d.Dx()*20 > hmax*17
	}
	n := len(s) - strings.Count(s, ".") // s is ASCII
	point := strings.Contains(s, ".")
	switch {
	case len(inner) > 1:
		return s, true
	case len(inner) == 0 && touching:
		return s, len(digits) < n
	case len(inner) == 0:
		// No dot between the digits: a point read is one the ink
		// hides (touching a digit); digits must match one for one.
		return s, len(digits) == n
	case touching:
		return s, point
	}
	dot := inner[0]
	left := 0
	for _, d := range digits {
		if d.Max.X <= dot.Min.X {
			left++
		}
	}
	ds := strings.ReplaceAll(s, ".", "")
	switch {
	case point:
		return s, strings.Index(s, ".") == left && len(digits) == n
	case len(digits) == n && left > 0 && left < n:
		// The point was dropped.
		return ds[:left] + "." + ds[left:], true
	case len(digits) == n-1 && left > 0 && left < n-1:
		// The point was read as a digit.
		return ds[:left] + "." + ds[left+1:], true
	}
	return s, false
}
