package scan

import (
	"fmt"
	"image"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao/extract/ocr"
)

// checkDigits compares a number OCR read in r with the ink there. Printed
// digits stand apart, so each is one connected shape of full height, and a
// decimal point is a small dot on the baseline between two of them — a
// dot Tesseract often drops (3.95 read as 395) or takes for a digit (3.33
// read as 3233). When the shapes account for the text but for the point,
// it returns the text with the point where the dot is: the ink's reading,
// which is put into the digit model's reading (assemble.go), a second
// reading the corrections stage's digit_model rule weighs; a first reading
// keeps its text (the ink_point rule that put the point back into it was
// retired, see docs/corrections.md). When the shapes do not
// account for the text at all (11.79 read as 79), the reading is not to be
// trusted.
//
// s must be digits with at most one point. It returns the text as the ink
// reads it and whether the ink agrees with s; ok is also true when the ink
// cannot say (touching digits, marks that are neither digit nor dot).
func checkDigits(b *bitmap, r image.Rectangle, s string) (string, bool) {
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return s, true
	}
	ink, known := numberInk(b, r)
	if !known {
		return s, true
	}
	digits, inner, touching := ink.digits, ink.dots, ink.touching
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

// numberUnit is a number followed by its unit in Chinese (7.50亿元,
// 0.76吨/万元, 13 个).
var numberUnit = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) ?(\p{Han}[\p{Han}/]*)$`)

// numberThenUnit returns the number that opens a reading followed by its
// unit, and how many ems the unit is wide (a Chinese character one, a
// slash half).
func numberThenUnit(s string) (num string, ems float64, ok bool) {
	m := numberUnit.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	for _, r := range m[2] {
		if r == '/' {
			ems += 0.5
		} else {
			ems++
		}
	}
	return m[1], ems, true
}

// beforeUnit returns r cut before its last glyph when that glyph stands
// apart (a space before it) and is about a character wide: the 个 after a
// count ("13 个"), which the digit model would read as one more digit. ok
// is false when r does not end so. Two digits look the same to it: the
// caller knows from the first reading that the piece ends with a word.
func beforeUnit(b *bitmap, r image.Rectangle, em int) (image.Rectangle, bool) {
	return beforeWords(b, r, em, 1)
}

// beforeWords returns r cut before the words that end it, ems wide (2
// for 亿元), when they stand apart from the glyph before them and the
// first of them stands taller than it: a Chinese character is taller
// than digits, two digits as wide as one (the 31 of 11.31) are not.
func beforeWords(b *bitmap, r image.Rectangle, em int, ems float64) (image.Rectangle, bool) {
	runs := inkRuns(b, r, em/6)
	if len(runs) < 2 {
		return r, false
	}
	end := runs[len(runs)-1].Max.X
	for j := len(runs) - 1; j > 0; j-- {
		w := float64(end - runs[j].Min.X)
		if w > 1.3*ems*float64(em) {
			break
		}
		if w < 0.5*ems*float64(em) || 20*inkHeight(b, runs[j]) < 23*inkHeight(b, runs[j-1]) {
			continue
		}
		cut := r
		cut.Max.X = runs[j-1].Max.X + (runs[j].Min.X-runs[j-1].Max.X)/2
		return cut, true
	}
	return r, false
}

// inkHeight is the height of the ink in r.
func inkHeight(b *bitmap, r image.Rectangle) int {
	top, bottom := r.Max.Y, r.Min.Y
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if b.pix[y*b.w+x] {
				top, bottom = min(top, y), max(bottom, y+1)
				break
			}
		}
	}
	return max(0, bottom-top)
}

// inkRuns splits r into the runs of its inked columns, bridging gaps of
// up to gap columns (the gaps inside a glyph); each run keeps r's height.
func inkRuns(b *bitmap, r image.Rectangle, gap int) []image.Rectangle {
	r = r.Intersect(image.Rect(0, 0, b.w, b.h))
	var runs []image.Rectangle
	for x := r.Min.X; x < r.Max.X; x++ {
		ink := false
		for y := r.Min.Y; y < r.Max.Y && !ink; y++ {
			ink = b.pix[y*b.w+x]
		}
		if !ink {
			continue
		}
		if n := len(runs); n > 0 && x-runs[n-1].Max.X <= gap {
			runs[n-1].Max.X = x + 1
			continue
		}
		runs = append(runs, image.Rect(x, r.Min.Y, x+1, r.Max.Y))
	}
	return runs
}

// dateGroups splits a date written with spaces (2024 年 3 月 16 日) into its
// six glyph groups at the five widest gaps, which must be clearly wider
// than any other (a 1 stands further from its neighbour than other
// digits do, but not as far as a space).
func dateGroups(b *bitmap, r image.Rectangle, em int) ([]image.Rectangle, bool) {
	runs := inkRuns(b, r, em/10)
	if len(runs) < 6 {
		return nil, false
	}
	gaps := make([]int, len(runs)-1)
	for i := range gaps {
		gaps[i] = runs[i+1].Min.X - runs[i].Max.X
	}
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	cut := sorted[4]
	if cut < em/4 || (len(sorted) > 5 && sorted[5]+em/12 >= cut) {
		return nil, false
	}
	groups := []image.Rectangle{runs[0]}
	for i, g := range gaps {
		if g >= cut {
			groups = append(groups, runs[i+1])
			continue
		}
		groups[len(groups)-1].Max.X = runs[i+1].Max.X
	}
	return groups, len(groups) == 6
}

var (
	dateRE   = regexp.MustCompile(`^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$`)
	digitsRE = regexp.MustCompile(`^\d+$`)
)

// dateLike: a line that reads as a date, well or badly.
func dateLike(s string) bool {
	return strings.Contains(s, "年") && strings.ContainsAny(s, "月日") && strings.ContainsAny(s, "0123456789") &&
		utf8.RuneCountInString(strings.ReplaceAll(s, " ", "")) <= 16
}

// composeDate makes a date of the digit readings of its year, month and
// day, when each reads as one and they make a calendar date.
//
// This is reading, not correcting, and so stays in the reader: the digits
// are read again, each in its own box, by the digit model, and joined
// with the 年 月 日 the form prints between them — as PP-OCR's reading of
// a value takes Tesseract's place (witness.go). It puts in no character
// that was not read from the ink or printed by the form, and where a clean
// reading of the line says otherwise the caller leaves the date doubted
// for a reviewer. Mending a misread 月 or 日 in a line's own reading
// (2023年6月12介) is the corrections stage's date_marks rule.
func composeDate(parts []ocr.Result) (string, float64, bool) {
	var v [3]string
	conf := 1.0
	for k, r := range parts {
		if len(r.Lines) != 1 {
			return "", 0, false
		}
		v[k] = strings.ReplaceAll(r.Lines[0].Text, " ", "")
		conf = min(conf, r.Lines[0].Low)
		if !digitsRE.MatchString(v[k]) {
			return "", 0, false
		}
	}
	y, _ := strconv.Atoi(v[0])
	m, _ := strconv.Atoi(v[1])
	d, _ := strconv.Atoi(v[2])
	if len(v[0]) != 4 || y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", 0, false
	}
	return fmt.Sprintf("%d年%d月%d日", y, m, d), conf, true
}

// printedNumber is the ink of a printed number: its digits' shapes and the
// dots between them, left to right.
type printedNumber struct {
	digits, dots []image.Rectangle
	height       int // the tallest shape's
	// touching: two digits run together into one shape, so the shapes
	// cannot be counted against a text.
	touching bool
}

// numberInk finds the shapes of a number printed in r. Printed digits
// stand apart, each one connected shape of full height; a decimal point is
// a small dot on the baseline between two of them. known is false when r
// holds something else too (a mark that is neither), or nothing of a
// number's size.
func numberInk(b *bitmap, r image.Rectangle) (printedNumber, bool) {
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
		return printedNumber{}, false
	}
	sort.Slice(comps, func(i, j int) bool { return comps[i].rect.Min.X < comps[j].rect.Min.X })
	p := printedNumber{height: hmax}
	base := 0
	for _, c := range comps {
		if c.rect.Dy()*10 >= hmax*6 {
			p.digits = append(p.digits, c.rect)
			base = max(base, c.rect.Max.Y)
		}
	}
	// Dots: small marks on the baseline; only those in the gap between
	// two digits, with paper on either side, can be a point — a point
	// is set with room of its own. The others are specks (a copier's
	// noise under a digit or inside the usual gap read 955 as 9.55).
	for _, c := range comps {
		d := c.rect
		switch {
		case d.Dy()*10 >= hmax*6:
		case d.Dy()*10 <= hmax*4 && d.Dx()*10 <= hmax*4 && base-d.Max.Y <= hmax/4:
			if pointGap(p.digits, d) {
				p.dots = append(p.dots, d)
			}
		default:
			return printedNumber{}, false // a mark the test does not know
		}
	}
	// Two digits that touch are one shape, wider than any digit is tall
	// times 0.85.
	for _, d := range p.digits {
		p.touching = p.touching || d.Dx()*20 > hmax*17
	}
	return p, true
}

// pointGap says whether d stands in the gap between two neighbouring
// digits, clear of both.
func pointGap(digits []image.Rectangle, d image.Rectangle) bool {
	for i := 1; i < len(digits); i++ {
		if a, c := digits[i-1], digits[i]; d.Min.X > a.Max.X && d.Max.X < c.Min.X {
			return true
		}
	}
	return false
}

// digitReading is a piece's reading by the digit model and the part of
// the piece it read.
type digitReading struct {
	line ocr.TextLine
	rect image.Rectangle
}

// unitOrJunk: a reading that may hide a number followed by its unit — one
// that ends with a Chinese character (13 个, 3个), or holds no digit at all
// (五区Y). A clean number is never cut: "100" would lose its "00".
func unitOrJunk(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.Is(unicode.Han, r) || !strings.ContainsAny(s, "0123456789")
}

// brokenNumber: digits with up to three other characters among or around
// them (95汉8, 本到7, ZES5).
func brokenNumber(s string) bool {
	digits, other := 0, 0
	for _, r := range strings.ReplaceAll(s, " ", "") {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(".,%", r):
		default:
			other++
		}
	}
	return digits > 0 && other > 0 && other <= 3
}
