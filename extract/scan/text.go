package scan

import (
	"image"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shenbao/shenbao/extract/ocr"
)

// lineRects splits the ink of r into text lines: runs of rows holding ink,
// each trimmed to its ink columns. Runs shorter than minH are specks of
// noise; runs taller than maxH are lines that touch and are cut at the
// row with least ink.
func lineRects(b *bitmap, r image.Rectangle, mask []image.Rectangle, minH, maxH int) []image.Rectangle {
	r = r.Intersect(image.Rect(0, 0, b.w, b.h))
	if r.Empty() {
		return nil
	}
	inMask := func(x, y int) bool {
		for _, m := range mask {
			if (image.Point{x, y}).In(m) {
				return true
			}
		}
		return false
	}
	prof := make([]int, r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := b.pix[y*b.w:]
		n := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			if row[x] && (len(mask) == 0 || !inMask(x, y)) {
				n++
			}
		}
		prof[y-r.Min.Y] = n
	}
	var runs [][2]int
	start := -1
	for i := 0; i <= len(prof); i++ {
		on := i < len(prof) && prof[i] > 0
		if on && start < 0 {
			start = i
		}
		if !on && start >= 0 {
			// A one-row gap inside a line is noise in the gap, not a
			// line break — unless bridging it would make the run taller
			// than a line (stacked options leave one blank row).
			if i+1 < len(prof) && prof[i+1] > 0 && i+1-start < maxH*3/4 {
				continue
			}
			runs = append(runs, [2]int{start, i})
			start = -1
		}
	}
	runs = joinRowSlivers(runs, minH)
	runs = joinCaps(runs, minH, func(rn [2]int) (int, int) {
		x0, x1 := r.Max.X, r.Min.X
		for y := r.Min.Y + rn[0]; y < r.Min.Y+rn[1]; y++ {
			row := b.pix[y*b.w:]
			for x := r.Min.X; x < r.Max.X; x++ {
				if row[x] && (len(mask) == 0 || !inMask(x, y)) {
					x0, x1 = min(x0, x), max(x1, x+1)
				}
			}
		}
		return x0, x1
	})
	var split [][2]int
	for _, rn := range runs {
		for rn[1]-rn[0] > maxH {
			lo, hi := rn[0]+maxH/2, rn[1]-maxH/2
			cut := lo
			for y := lo; y < hi; y++ {
				if prof[y] < prof[cut] {
					cut = y
				}
			}
			if cut <= rn[0] || cut >= rn[1] {
				break
			}
			split = append(split, [2]int{rn[0], cut})
			rn[0] = cut
		}
		split = append(split, rn)
	}
	var out []image.Rectangle
	for _, rn := range split {
		if rn[1]-rn[0] < minH {
			continue
		}
		y0, y1 := r.Min.Y+rn[0], r.Min.Y+rn[1]
		x0, x1 := r.Max.X, r.Min.X
		n := 0
		for y := y0; y < y1; y++ {
			row := b.pix[y*b.w:]
			for x := r.Min.X; x < r.Max.X; x++ {
				if row[x] && (len(mask) == 0 || !inMask(x, y)) {
					x0, x1 = min(x0, x), max(x1, x+1)
					n++
				}
			}
		}
		// A line needs more ink than a few noise dots.
		if n < minH*2 || x1 <= x0 {
			continue
		}
		out = append(out, image.Rect(x0, y0, x1, y1))
	}
	return out
}

// component is a connected group of ink pixels.
type component struct {
	rect image.Rectangle
	n    int
}

// components labels the 8-connected ink of r.
func components(b *bitmap, r image.Rectangle) []component {
	r = r.Intersect(image.Rect(0, 0, b.w, b.h))
	w, h := r.Dx(), r.Dy()
	seen := make([]bool, w*h)
	var out []component
	var stack []image.Point
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if seen[y*w+x] || !b.pix[(r.Min.Y+y)*b.w+r.Min.X+x] {
				continue
			}
			c := component{rect: image.Rect(x, y, x+1, y+1)}
			seen[y*w+x] = true
			stack = append(stack[:0], image.Pt(x, y))
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				c.n++
				c.rect = c.rect.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						qx, qy := p.X+dx, p.Y+dy
						if qx < 0 || qy < 0 || qx >= w || qy >= h || seen[qy*w+qx] {
							continue
						}
						if b.pix[(r.Min.Y+qy)*b.w+r.Min.X+qx] {
							seen[qy*w+qx] = true
							stack = append(stack, image.Pt(qx, qy))
						}
					}
				}
			}
			c.rect = c.rect.Add(r.Min)
			out = append(out, c)
		}
	}
	return out
}

// isCJK reports whether r is a Han character or full-width punctuation
// (ocr.Wide), or a Chinese quote or option box, between which Chinese text
// has no spaces.
func isCJK(r rune) bool {
	return ocr.Wide(r) || r == '“' || r == '”' || r == '‘' || r == '’' || r == '□' || r == '☑'
}

// tidy removes the spaces Tesseract leaves between Chinese characters
// (and between a Chinese character and a digit or Latin letter, which
// typeset Chinese does not space either), keeping spaces between Latin
// words and runs of two or more spaces, which are gaps the writer made.
func tidy(s string) string {
	s = strings.TrimSpace(s)
	rs := []rune(s)
	var out []rune
	for i := 0; i < len(rs); i++ {
		if rs[i] != ' ' {
			out = append(out, rs[i])
			continue
		}
		j := i
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		if j-i == 1 && len(out) > 0 && j < len(rs) && (isCJK(out[len(out)-1]) || isCJK(rs[j])) {
			i = j - 1
			continue
		}
		out = append(out, rs[i:j]...)
		i = j - 1
	}
	return string(out)
}

// percentWitness is Tesseract's reading of a value as it is held against
// PP-OCR's (agrees): with its habits with the per-cent sign undone, so
// that "14.509%6" witnesses PP-OCR's "14.50%", and how much such a
// witness is worth (1 when nothing was undone). It is a comparison, not a
// repair: the value is PP-OCR's reading. Values themselves are repaired
// only by the corrections stage (package correct: percent_shadow), where
// every change is recorded.
func percentWitness(s string) (string, float64) {
	if percentAsDigits.MatchString(s) {
		return percentAsDigits.ReplaceAllString(s, "$1%"), 0.5
	}
	c := 1.0
	if percentMisread.MatchString(s) {
		s, c = percentMisread.ReplaceAllString(s, "$1%"), 0.8
	}
	if percentQuote.MatchString(s) {
		s, c = percentQuote.ReplaceAllString(s, "$1$2$3%"), 0.8
	}
	return s, c
}

// Tesseract's per-cent habits (see correct's percent_shadow): the sign read as "9%6", "96%", "%6" or "9%" after a
// two-decimal number, as the digits 96 after one, and "%。" read as "%“"
// (a 9 before it dropped only where the number then has two digits).
var (
	percentMisread  = regexp.MustCompile(`(\d\.\d\d)(?:9%6|96%|%6|9%)`)
	percentAsDigits = regexp.MustCompile(`^(-?\d+\.\d\d)96$`)
	percentQuote    = regexp.MustCompile(`(^|[^\d.])(\d\d)9%“|(\d)%“`)
)

// numericLike reports whether OCR text looks like a number cell's content,
// so that it is read again with the numeric whitelist.
func numericLike(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" || len([]rune(s)) > 24 {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(".,%-+。，", r):
		default:
			return false
		}
	}
	return digits > 0
}

func sortRects(rs []image.Rectangle) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Min.Y < rs[j].Min.Y })
}

// joinCaps joins a run too short to be a line (under minH, a speck by
// itself) to the run up to minH above or below it when its ink lies within
// that run's columns and the two make no more than a line (4 minH): the
// bar of a 5 or the base of a 2 that blur and a low resolution broke off
// a digit, the thin stroke between lost in the binarising (a gap of five
// rows in a 150-dpi copy's 5 at the work resolution). Dropped as a speck,
// it left the digit's bowl to be read alone, as D or 口, by both
// recognisers alike. The run joined is a digit's body, shorter than
// three minH: a line of Chinese, or of an option's box with a pen tick
// rising from it, is taller and keeps its slivers apart as before (the
// marks are measured on its rows). A rule's remnant runs wider than the
// text beside it and stays apart. cols is a run's inked columns.
func joinCaps(runs [][2]int, minH int, cols func([2]int) (int, int)) [][2]int {
	gap := minH
	out := slices.Clone(runs)
	for i := 0; i < len(out); i++ {
		rn := out[i]
		if rn[1]-rn[0] >= minH {
			continue
		}
		x0, x1 := cols(rn)
		within := func(j int) bool {
			o := out[j]
			if o[1]-o[0] < minH || o[1]-o[0] >= 3*minH || max(o[1], rn[1])-min(o[0], rn[0]) > 4*minH {
				return false
			}
			ox0, ox1 := cols(o)
			return x0 >= ox0-minH/2 && x1 <= ox1+minH/2
		}
		switch {
		case i+1 < len(out) && out[i+1][0]-rn[1] <= gap && within(i+1):
			out[i+1][0] = rn[0]
		case i > 0 && rn[0]-out[i-1][1] <= gap && within(i-1):
			out[i-1][1] = rn[1]
		default:
			continue
		}
		out = slices.Delete(out, i, i+1)
		i--
	}
	return out
}

// joinRowSlivers joins runs of inked rows that are each shorter than half a
// line and stand closer than a stroke's width, into what they are: one
// glyph that blur and a low resolution broke across (the bowl of a 5 come
// apart from its bar), which read apart as two lines of nonsense (口, E口).
// minH is a quarter of a line's height; two lines of text are each taller
// than half a line, and a line apart from the next by more than this.
// Two runs under three quarters of a line each (no line of Chinese) that
// together make a character's height, a little over a line, are joined
// too: a 150-dpi copy's 个 whose stem's top was lost under its apex, read
// apart as A and F, or a 等 come apart between its 土 and 寸 (垒, 守).
func joinRowSlivers(runs [][2]int, minH int) [][2]int {
	if len(runs) < 2 {
		return runs
	}
	out := runs[:1:1]
	for _, rn := range runs[1:] {
		last := &out[len(out)-1]
		a, b, both := last[1]-last[0], rn[1]-rn[0], rn[1]-last[0]
		if rn[0]-last[1] <= minH/2+1 && (a < 2*minH && b < 2*minH && both <= 4*minH || a < 3*minH && b < 3*minH && both <= 4*minH+minH/2) {
			last[1] = rn[1]
			continue
		}
		out = append(out, rn)
	}
	return out
}
