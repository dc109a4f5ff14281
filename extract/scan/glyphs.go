package scan

import (
	"image"
	"math"
	"strings"
)

// A form's numbers are printed in one typeface, so on one page every 6
// looks like every other 6. Where the two readers (the Chinese model with
// the digit whitelist and the digit model) disagree about a number, or
// are unsure of it, its digits are held against the digits of the numbers
// on the same page that were read surely: each printed shape goes to the
// digit whose sure shapes it is nearest, when it is clearly nearer to them
// than to any other digit's.

// shapeW and shapeH are the grid a digit's ink is sampled on; shapeH is
// the digit's height, its width scaled alike, so that a 1 stays narrow.
const shapeW, shapeH = 14, 20

type shape [shapeW * shapeH]float32

// shapeOf samples the ink of b in d onto the grid, centred across.
func shapeOf(b *bitmap, d image.Rectangle) shape {
	var s shape
	if d.Dy() <= 0 || d.Dx() <= 0 {
		return s
	}
	f := float64(shapeH) / float64(d.Dy())
	off := (float64(shapeW) - float64(d.Dx())*f) / 2
	var area [shapeW * shapeH]float32
	for y := d.Min.Y; y < d.Max.Y; y++ {
		gy := min(shapeH-1, int(float64(y-d.Min.Y)*f))
		for x := d.Min.X; x < d.Max.X; x++ {
			gx := int(off + float64(x-d.Min.X)*f)
			if gx < 0 || gx >= shapeW {
				continue
			}
			area[gy*shapeW+gx]++
			if b.at(x, y) {
				s[gy*shapeW+gx]++
			}
		}
	}
	for i := range s {
		if area[i] > 0 {
			s[i] /= area[i]
		}
	}
	return s
}

func distance(a, b *shape) float64 {
	var d float64
	for i := range a {
		v := float64(a[i] - b[i])
		d += v * v
	}
	return d
}

// digitBank holds the shapes of the digits read surely on a page.
type digitBank struct {
	shapes [10][]shape
	height int // the median height of the numbers they come from
}

// add files the digits of a number read surely as s in r, when the ink
// holds exactly its digits, apart.
func (bk *digitBank) add(b *bitmap, r image.Rectangle, s string) {
	ink, ok := numberInk(b, r)
	ds := strings.ReplaceAll(s, ".", "")
	if !ok || ink.touching || len(ink.digits) != len(ds) || strings.Count(s, ".") != len(ink.dots) {
		return
	}
	for k, d := range ink.digits {
		n := int(ds[k] - '0')
		if len(bk.shapes[n]) < 40 {
			bk.shapes[n] = append(bk.shapes[n], shapeOf(b, d))
		}
	}
}

// classes is how many digits the bank has shapes of.
func (bk *digitBank) classes() int {
	n := 0
	for _, s := range bk.shapes {
		if len(s) > 0 {
			n++
		}
	}
	return n
}

// nearest returns the digit whose shapes are nearest to s, how near, and
// how near the next digit's are.
func (bk *digitBank) nearest(s *shape) (digit int, best, next float64) {
	digit, best, next = -1, math.Inf(1), math.Inf(1)
	for n, shapes := range bk.shapes {
		d := math.Inf(1)
		for i := range shapes {
			d = min(d, distance(s, &shapes[i]))
		}
		switch {
		case d < best:
			digit, best, next = n, d, best
		case d < next:
			next = d
		}
	}
	return digit, best, next
}

// Thresholds on the squared distance between two shapes sampled on the
// grid (the number of cells, of 280, that disagree, ink against paper):
// a shape is told only when it is near the sure shapes of its digit and
// clearly farther from every other digit's.
const (
	shapeNear   = 40
	shapeMargin = 1.5
)

// read reads the number printed in r by its shapes alone. ok is false when
// the ink is not a number's, or any of its digits is not clearly one.
func (bk *digitBank) read(b *bitmap, r image.Rectangle) (string, bool) {
	ink, known := numberInk(b, r)
	if !known || ink.touching || len(ink.dots) > 1 || len(ink.digits) == 0 {
		return "", false
	}
	var sb strings.Builder
	for k, d := range ink.digits {
		if len(ink.dots) == 1 && k > 0 && ink.digits[k-1].Max.X <= ink.dots[0].Min.X && d.Min.X >= ink.dots[0].Max.X {
			sb.WriteByte('.')
		}
		s := shapeOf(b, d)
		n, best, next := bk.nearest(&s)
		if n < 0 || best > shapeNear || next < best*shapeMargin {
			return "", false
		}
		sb.WriteByte(byte('0' + n))
	}
	return sb.String(), true
}

// plainNumber: digits with at most one point inside.
func plainNumber(s string) bool {
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return false
	}
	return s[0] != '.' && s[len(s)-1] != '.'
}

// judgeNumbers reads by their shapes (digitBank) the numbers of the page
// whose readings disagree or are unsure, and takes that reading for both
// when it is clear. A number so decided stays doubtful (at most
// judgedConf): it is the likelier value for a reviewer to confirm, not a
// sure one.
func (pg *page) judgeNumbers() {
	var bk digitBank
	plain := func(s string) string { return strings.TrimRight(strings.ReplaceAll(s, " ", ""), "+-") }
	for i, r := range pg.res {
		if pg.fromPrint[i] || len(r.Lines) != 1 || r.Lines[0].Conf < 0.9 {
			continue
		}
		t := plain(r.Lines[0].Text)
		if d, ok := pg.digits[i]; !plainNumber(t) || ok && plain(d.line.Text) != t {
			continue
		}
		bk.add(pg.bin, pg.pieces[i].Rect, t)
	}
	if bk.classes() < 3 {
		return // too few sure numbers on the page to tell digits apart
	}
	for i, r := range pg.res {
		if pg.fromPrint[i] || len(r.Lines) != 1 {
			continue
		}
		l := &pg.res[i].Lines[0]
		t := plain(l.Text)
		d, hasD := pg.digits[i]
		dt := plain(d.line.Text)
		disputed := hasD && dt != t
		rect := pg.pieces[i].Rect
		if hasD {
			rect = d.rect // cut before a unit, where it was
		}
		if !plainNumber(t) && !(hasD && plainNumber(dt)) {
			continue
		}
		if !disputed && l.Conf >= judgeBelow {
			continue
		}
		g, ok := bk.read(pg.bin, rect)
		if !ok {
			// A count's unit (71 个) in the piece is no digit.
			if cut, unit := beforeUnit(pg.bin, rect, pg.em); unit {
				g, ok = bk.read(pg.bin, cut)
			}
		}
		if !ok || g == t && !disputed {
			continue
		}
		if plainNumber(t) {
			l.Text, l.Conf, l.Low = g, min(l.Conf, judgedConf), min(l.Low, judgedConf)
		}
		// A cell read as words (否, 行业) keeps them: which reading
		// counts is the mapper's to say, by the row's type.
		if hasD {
			d.line.Text, d.line.Conf, d.line.Low = g, min(d.line.Conf, judgedConf), min(d.line.Low, judgedConf)
			pg.digits[i] = d
		}
	}
}

const (
	// judgeBelow: a number read with less confidence is held against
	// the page's shapes even where the readers agree.
	judgeBelow = 0.8
	// judgedConf caps the confidence of a number decided by its shapes.
	judgedConf = 0.6
)
