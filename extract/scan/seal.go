package scan

import (
	"image"
	"math"
	"sort"
)

// Seals (公章) are stamped on the declaration page over the signer's line,
// the department's prompt and the date. Red ink is mostly dropped with
// the colour (grayDropColour), but a JPEG'd or faded seal leaves dark red
// fragments, a gray copy keeps the seal as mid-gray ink, and a bitonal
// scan turns it black. Its ring and the characters round it then fill
// every row the seal spans, so the lines under it run together and are
// read as one. A seal is told by its shape: a ring of a seal's size,
// nearly closed. A seal lighter than print is erased by its level; of a
// black one the ring and star go, and inside it whatever stands on no
// text line of the page (clearSeal).

// A seal's parts as fractions of its radius: the star's points reach
// starR; its characters stand between innerText and the ring.
const (
	starR     = 0.34
	innerText = 0.5
)

// seal is a stamped ring found on a page, in pixels of the work image.
type seal struct {
	cx, cy, r float64
	// half is the half-width of the ring's stroke.
	half float64
	// black: the ring was as dark as print (a bitonal copy), so it was
	// erased with whatever strokes it crossed.
	black bool
}

// Seal diameters: official seals are 38–45 mm across, a department's up to
// 50; a copy enlarged or reduced moves them by a fifth.
const (
	sealMinMM = 30
	sealMaxMM = 66
)

// findSeals finds the seals on b (rules already erased) at dpi. Erasing
// a table's rule cuts a ring that crosses it, and a faded stamp breaks
// too, so the ring is looked for in arcs: large components lying along a
// circle of a seal's size, those of one circle put together.
func findSeals(b *bitmap, dpi float64) []seal {
	minD, maxD := int(sealMinMM/25.4*dpi), int(sealMaxMM/25.4*dpi)
	type arc struct {
		cx, cy, r float64
		pix       []image.Point
	}
	var arcs []arc
	for _, c := range bigComponents(b, minD/4) {
		if c.rect.Dx() > maxD+maxD/4 || c.rect.Dy() > maxD+maxD/4 {
			continue
		}
		cx, cy, r, ok := fitArc(c.pix, dpi)
		if !ok || 2*r < float64(minD)*0.8 || 2*r > float64(maxD)*1.2 {
			continue
		}
		arcs = append(arcs, arc{cx, cy, r, c.pix})
	}
	var out []seal
	used := make([]bool, len(arcs))
	for i := range arcs {
		if used[i] {
			continue
		}
		pix := arcs[i].pix
		for j := i + 1; j < len(arcs); j++ {
			a, o := arcs[i], arcs[j]
			if !used[j] && math.Hypot(a.cx-o.cx, a.cy-o.cy) < 0.15*a.r && math.Abs(a.r-o.r) < 0.15*a.r {
				used[j] = true
				pix = append(append([]image.Point(nil), pix...), o.pix...)
			}
		}
		if s, ok := ringOf(b, pix, arcs[i].cx, arcs[i].cy, arcs[i].r, dpi, minD, maxD); ok {
			out = append(out, s)
		}
	}
	return out
}

// fitArc fits a circle to the arc in pix and says whether there is one:
// a quarter of a circle or more along which ink runs in a thin band. A
// ring's characters and the lines it crosses join its component, so the
// fit starts from the whole component and from its box, is refined on
// the pixels near the circle, and the start that runs round most of its
// circle wins.
func fitArc(pix []image.Point, dpi float64) (cx, cy, r float64, ok bool) {
	band := math.Max(2, dpi/50)
	var r0 image.Rectangle
	for i, p := range pix {
		if i == 0 {
			r0 = image.Rect(p.X, p.Y, p.X+1, p.Y+1)
		}
		r0 = r0.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
	}
	mx, my := float64(r0.Min.X+r0.Max.X)/2, float64(r0.Min.Y+r0.Max.Y)/2
	type start struct{ cx, cy, r float64 }
	starts := []start{
		{mx, my, float64(min(r0.Dx(), r0.Dy())) / 2},
		{mx, my, float64(max(r0.Dx(), r0.Dy())) / 2},
	}
	if x, y, rr, ok := fitCircle(pix, nil); ok {
		starts = append(starts, start{x, y, rr})
	}
	best := 0
	for _, st := range starts {
		x, y, rr, good := st.cx, st.cy, st.r, true
		for range 4 {
			near := func(p image.Point) bool {
				return math.Abs(math.Hypot(float64(p.X)-x, float64(p.Y)-y)-rr) <= band*2
			}
			if x, y, rr, good = fitCircle(pix, near); !good {
				break
			}
		}
		if !good {
			continue
		}
		if n := arcSectors(pix, x, y, rr, band*2); n > best {
			best, cx, cy, r = n, x, y, rr
		}
	}
	return cx, cy, r, best >= arcSectorsMin
}

// arcSectorsMin is how many of 72 sectors an arc covers at least: a
// quarter of its circle. A block of text or a straight rule lies along no
// circle that far.
const arcSectorsMin = 18

// arcSectors counts the sectors of 72 round (cx, cy) that hold a pixel of
// pix within tol of radius r.
func arcSectors(pix []image.Point, cx, cy, r, tol float64) int {
	var hit [72]bool
	n := 0
	for _, p := range pix {
		dx, dy := float64(p.X)-cx, float64(p.Y)-cy
		if math.Abs(math.Hypot(dx, dy)-r) > tol {
			continue
		}
		k := int((math.Atan2(dy, dx)+math.Pi)/(2*math.Pi)*72) % 72
		if !hit[k] {
			hit[k] = true
			n++
		}
	}
	return n
}

// bigComp is a connected group of ink whose box reaches size on a side.
type bigComp struct {
	rect image.Rectangle
	pix  []image.Point
}

// bigComponents labels b's 8-connected ink and keeps the components at
// least size wide or tall, with their pixels.
func bigComponents(b *bitmap, size int) []bigComp {
	return componentsIn(b, image.Rect(0, 0, b.w, b.h), size)
}

// componentsIn labels the 8-connected ink of b that starts inside r
// (a component runs on past r) and keeps those at least size wide or
// tall, with their pixels.
func componentsIn(b *bitmap, r0 image.Rectangle, size int) []bigComp {
	r0 = r0.Intersect(image.Rect(0, 0, b.w, b.h))
	seen := make([]bool, len(b.pix))
	var out []bigComp
	// The stack holds points, not indices: a pixel's x and y from its
	// index cost two divisions.
	var stack, pix []image.Point
	for y0 := r0.Min.Y; y0 < r0.Max.Y; y0++ {
		for x0 := r0.Min.X; x0 < r0.Max.X; x0++ {
			i := y0*b.w + x0
			if !b.pix[i] || seen[i] {
				continue
			}
			seen[i] = true
			stack = append(stack[:0], image.Pt(x0, y0))
			pix = pix[:0]
			r := image.Rect(x0, y0, x0+1, y0+1)
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				x, y := p.X, p.Y
				pix = append(pix, p)
				r = r.Union(image.Rect(x, y, x+1, y+1))
				for yy := max(0, y-1); yy <= min(b.h-1, y+1); yy++ {
					for xx := max(0, x-1); xx <= min(b.w-1, x+1); xx++ {
						if k := yy*b.w + xx; b.pix[k] && !seen[k] {
							seen[k] = true
							stack = append(stack, image.Pt(xx, yy))
						}
					}
				}
			}
			if r.Dx() >= size || r.Dy() >= size {
				out = append(out, bigComp{rect: r, pix: append([]image.Point(nil), pix...)})
			}
		}
	}
	return out
}

// ringOf fits a circle to pix (the arcs of one circle, the first of them
// at cx, cy, r) and says whether the page holds a seal's ring there: a
// circle of a seal's diameter whose band holds ink round most of it.
func ringOf(b *bitmap, pix []image.Point, cx, cy, r, dpi float64, minD, maxD int) (seal, bool) {
	band := math.Max(2, dpi/50)
	ok := true
	for range 2 {
		if !ok {
			return seal{}, false
		}
		near := func(p image.Point) bool {
			return math.Abs(math.Hypot(float64(p.X)-cx, float64(p.Y)-cy)-r) <= band*2
		}
		cx, cy, r, ok = fitCircle(pix, near)
	}
	if !ok || 2*r < float64(minD) || 2*r > float64(maxD) {
		return seal{}, false
	}
	// Coverage: of 72 sectors, how many hold ink on the ring's band, on
	// the page itself (pieces too small to be arcs count).
	const sectors = 72
	n := 0
	var ds []float64
	for k := range sectors {
		hit := false
		a0 := 2 * math.Pi * float64(k) / sectors
		for a := a0; a < a0+2*math.Pi/sectors && !hit; a += 1 / r {
			for d := -band; d <= band; d++ {
				x, y := int(cx+(r+d)*math.Cos(a)), int(cy+(r+d)*math.Sin(a))
				if b.at(x, y) {
					hit = true
					break
				}
			}
		}
		if hit {
			n++
		}
	}
	// A seal stamped at the page's edge or faded on one side still shows
	// two thirds of its ring; a pen loop round an option is no circle of
	// this size.
	if n < sectors*2/3 {
		return seal{}, false
	}
	for _, p := range pix {
		if d := math.Abs(math.Hypot(float64(p.X)-cx, float64(p.Y)-cy) - r); d <= band*2 {
			ds = append(ds, d)
		}
	}
	// The stroke's half-width: where 90 % of the band's pixels lie.
	half := math.Max(1.5, quantile(ds, 0.9)+1)
	return seal{cx: cx, cy: cy, r: r, half: half}, true
}

// fitCircle fits a circle to the points of pix that keep holds (all when
// keep is nil) by least squares on x²+y²+Dx+Ey+F = 0.
func fitCircle(pix []image.Point, keep func(image.Point) bool) (cx, cy, r float64, ok bool) {
	var sx, sy, sxx, syy, sxy, sz, sxz, syz, n float64
	for _, p := range pix {
		if keep != nil && !keep(p) {
			continue
		}
		x, y := float64(p.X), float64(p.Y)
		z := x*x + y*y
		sx += x
		sy += y
		sxx += x * x
		syy += y * y
		sxy += x * y
		sz += z
		sxz += x * z
		syz += y * z
		n++
	}
	if n < 20 {
		return 0, 0, 0, false
	}
	// Normal equations of [x y 1]·[D E F] = -z.
	m := [3][4]float64{
		{sxx, sxy, sx, -sxz},
		{sxy, syy, sy, -syz},
		{sx, sy, n, -sz},
	}
	for i := range 3 {
		p := i
		for k := i + 1; k < 3; k++ {
			if math.Abs(m[k][i]) > math.Abs(m[p][i]) {
				p = k
			}
		}
		m[i], m[p] = m[p], m[i]
		if math.Abs(m[i][i]) < 1e-9 {
			return 0, 0, 0, false
		}
		for k := range 3 {
			if k == i {
				continue
			}
			f := m[k][i] / m[i][i]
			for j := i; j < 4; j++ {
				m[k][j] -= f * m[i][j]
			}
		}
	}
	d, e, f := m[0][3]/m[0][0], m[1][3]/m[1][1], m[2][3]/m[2][2]
	cx, cy = -d/2, -e/2
	r2 := cx*cx + cy*cy - f
	if r2 <= 0 {
		return 0, 0, 0, false
	}
	return cx, cy, math.Sqrt(r2), true
}

// quantile returns the q-quantile of v (v is sorted).
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	return v[int(q*float64(len(v)-1))]
}

// clearSeals finds the seals of the page (g and b with their rules
// erased; light is b's fainter twin) and erases what is the seal's own:
// its ring, its star, and inside it everything that stands on no line of
// text. The lines under a seal are those with ink beside it on the same
// rows, or in its lower part, below the characters round its top. Ink
// of a text line inside the seal is kept, with whatever seal ink touches
// it: the recogniser reads a line with some clutter, not lines run into
// one. It returns the seals found.
func clearSeals(g *image.Gray, b, light *bitmap, dpi float64, em int) []seal {
	// A red seal whitened with its colour, or a gray one, is faint ink:
	// its ring is looked for at the faint threshold; a bitonal copy's is
	// black there too.
	// Looked for at half the resolution: the ring stays a ring, and a
	// page with none costs a quarter.
	seals := distinctSeals(findSeals(pooledInk(g, faintCut), dpi/2))
	for i := range seals {
		s := &seals[i]
		s.cx, s.cy, s.r = 2*s.cx+0.5, 2*s.cy+0.5, 2*s.r
		s.half = ringHalf(g, *s, dpi)
		s.black = clearSeal(g, b, light, *s, em)
	}
	return seals
}

// pooledInk is g's ink below cut at half its resolution: a pixel is ink
// when any of the four it stands for is.
func pooledInk(g *image.Gray, cut uint8) *bitmap {
	w, h := g.Rect.Dx()/2, g.Rect.Dy()/2
	b := &bitmap{w: w, h: h, pix: make([]bool, w*h)}
	for y := 0; y < h; y++ {
		r0, r1 := g.Pix[2*y*g.Stride:2*y*g.Stride+2*w], g.Pix[(2*y+1)*g.Stride:(2*y+1)*g.Stride+2*w]
		row := b.pix[y*w : y*w+w]
		for x := range row {
			a, c := r0[2*x:2*x+2:2*x+2], r1[2*x:2*x+2:2*x+2]
			row[x] = min(a[0], a[1], c[0], c[1]) < cut
		}
	}
	return b
}

// ringHalf measures the half-width of s's stroke on g: where 90 % of the
// ink near its circle lies.
func ringHalf(g *image.Gray, s seal, dpi float64) float64 {
	band := math.Max(4, dpi/25)
	var ds []float64
	for y := max(0, int(s.cy-s.r-band)); y < min(g.Rect.Dy(), int(s.cy+s.r+band)+1); y++ {
		for x := max(0, int(s.cx-s.r-band)); x < min(g.Rect.Dx(), int(s.cx+s.r+band)+1); x++ {
			d := math.Abs(math.Hypot(float64(x)-s.cx, float64(y)-s.cy) - s.r)
			if d <= band && g.Pix[y*g.Stride+x] < faintCut {
				ds = append(ds, d)
			}
		}
	}
	return math.Max(1.5, quantile(ds, 0.9)+1)
}

// distinctSeals drops a seal found twice (the two edges of a thick ring).
func distinctSeals(ss []seal) []seal {
	var out []seal
next:
	for _, s := range ss {
		for i, o := range out {
			if math.Hypot(s.cx-o.cx, s.cy-o.cy) < 0.3*o.r {
				if s.r > o.r {
					out[i].r = s.r
				}
				out[i].half = math.Max(o.half, s.half+math.Abs(s.r-o.r))
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// clearSeal erases s and says whether its ring was black.
func clearSeal(g *image.Gray, b, light *bitmap, s seal, em int) bool {
	w, h := b.w, b.h
	outer := s.r + s.half + 2
	disc := image.Rect(int(s.cx-outer), int(s.cy-outer), int(s.cx+outer)+1, int(s.cy+outer)+1).Intersect(image.Rect(0, 0, w, h))
	if disc.Empty() {
		return false
	}
	dist := func(x, y int) float64 { return math.Hypot(float64(x)-s.cx, float64(y)-s.cy) }
	// The ring's band first: nothing of a line survives in it but the
	// few pixels where a stroke crosses it.
	// A red seal whitened with its colour or a gray one is lighter than
	// print: there only what is lighter than print is erased, and a
	// date's digits under the ring stay whole. A black seal (bitonal)
	// loses its ring whole, and the rest is told by where it stands.
	inner := s.r - s.half - 1
	var levels []float64
	for y := disc.Min.Y; y < disc.Max.Y; y++ {
		for x := disc.Min.X; x < disc.Max.X; x++ {
			if v := g.Pix[y*g.Stride+x]; v < faintCut && math.Abs(dist(x, y)-s.r) <= s.half {
				levels = append(levels, float64(v))
			}
		}
	}
	cut := uint8(0)
	if m := quantile(levels, 0.5); m >= 110 {
		cut = uint8(max(100, m-12))
	}
	// Print has a dark core; its blurred edge may be as light as the
	// seal, and is kept with the stroke it belongs to.
	protect := make([]bool, disc.Dx()*disc.Dy())
	if cut > 0 {
		for _, c := range componentsIn(b, disc, 0) {
			dark := false
			for _, p := range c.pix {
				if g.Pix[p.Y*g.Stride+p.X] < cut-25 {
					dark = true
					break
				}
			}
			if !dark {
				continue
			}
			for _, p := range c.pix {
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						if q := image.Pt(p.X+dx, p.Y+dy); q.In(disc) {
							protect[(q.Y-disc.Min.Y)*disc.Dx()+q.X-disc.Min.X] = true
						}
					}
				}
			}
		}
	}
	for y := disc.Min.Y; y < disc.Max.Y; y++ {
		for x := disc.Min.X; x < disc.Max.X; x++ {
			if protect[(y-disc.Min.Y)*disc.Dx()+x-disc.Min.X] {
				continue
			}
			// A light seal's ink is lighter than print everywhere: all of
			// it goes, ring, star and characters.
			if d := dist(x, y); (math.Abs(d-s.r) <= s.half+1 || cut > 0 && d <= outer) && g.Pix[y*g.Stride+x] >= cut {
				whiten(g, b, light, x, y)
			}
		}
	}
	// The star: the seal's one large shape at its centre. What of it
	// lies within its radius goes; a character it touches keeps the rest.
	for _, c := range componentsIn(b, disc, 0) {
		mx, my := float64(c.rect.Min.X+c.rect.Max.X)/2, float64(c.rect.Min.Y+c.rect.Max.Y)/2
		if math.Hypot(mx-s.cx, my-s.cy) < 0.3*s.r && c.rect.Dx() > int(0.25*s.r) && c.rect.Dy() > int(0.25*s.r) &&
			c.rect.Dx() < int(0.9*s.r) && c.rect.Dy() < int(0.9*s.r) {
			for _, p := range c.pix {
				if dist(p.X, p.Y) <= starR*s.r && g.Pix[p.Y*g.Stride+p.X] >= cut {
					whiten(g, b, light, p.X, p.Y)
				}
			}
		}
	}
	// Text rows: ink beside the seal (from four radii left to two right),
	// in its lower part, or near its centre, inside the characters round
	// its top.
	band := make([]bool, disc.Dy())
	lower := s.cy + 0.45*s.r
	x0, x1 := max(0, int(s.cx-4*s.r)), min(w, int(s.cx+2*s.r))
	for y := disc.Min.Y; y < disc.Max.Y; y++ {
		n := 0
		row := b.pix[y*w:]
		for x := x0; x < x1; x++ {
			if !row[x] {
				continue
			}
			d := dist(x, y)
			if d > outer || float64(y) > lower && d < inner || d < innerText*s.r {
				n++
			}
		}
		band[y-disc.Min.Y] = n >= 2
	}
	// Rows of a line run unbroken; a speck's row alone is no line.
	minRun := max(2, em/4)
	for i := 0; i < len(band); {
		if !band[i] {
			i++
			continue
		}
		j := i
		for j < len(band) && band[j] {
			j++
		}
		if j-i < minRun {
			for k := i; k < j; k++ {
				band[k] = false
			}
		}
		i = j
	}
	// A line's characters follow one another closely; the seal's own
	// characters on the line's rows stand apart from it. So ink inside
	// the seal on a line's rows is kept where it reaches ink of a line
	// seen beside the seal or in its lower part, and so on from what is
	// kept, within an em and a half. A character of the seal touching
	// the line keeps only its part on the line's rows.
	type part struct {
		c          bigComp
		kept, seed bool
	}
	around := image.Rect(x0, disc.Min.Y, x1, disc.Max.Y)
	rows := &bitmap{w: w, h: h, pix: make([]bool, len(b.pix))}
	for y := around.Min.Y; y < around.Max.Y; y++ {
		if band[y-disc.Min.Y] {
			copy(rows.pix[y*w+around.Min.X:y*w+around.Max.X], b.pix[y*w+around.Min.X:y*w+around.Max.X])
		}
	}
	var parts []*part
	for _, c := range componentsIn(rows, around, 0) {
		mx, my := float64(c.rect.Min.X+c.rect.Max.X)/2, float64(c.rect.Min.Y+c.rect.Max.Y)/2
		d := math.Hypot(mx-s.cx, my-s.cy)
		seed := d > outer || my > lower || d < innerText*s.r
		parts = append(parts, &part{c: c, kept: seed, seed: seed})
	}
	gap := em * 3 / 2
	for grown := true; grown; {
		grown = false
		for _, p := range parts {
			if p.kept {
				continue
			}
			for _, q := range parts {
				if !q.kept || p.c.rect.Max.Y <= q.c.rect.Min.Y || q.c.rect.Max.Y <= p.c.rect.Min.Y {
					continue
				}
				// Specks (what is left of the seal's characters) are
				// kept beside a line but carry it no further.
				if p.c.rect.Inset(-gap).Overlaps(q.c.rect) && (q.seed || max(q.c.rect.Dx(), q.c.rect.Dy()) >= em/2) {
					p.kept, grown = true, true
					break
				}
			}
		}
	}
	keep := make([]bool, disc.Dx()*disc.Dy())
	for _, pt := range parts {
		if !pt.kept {
			continue
		}
		for _, p := range pt.c.pix {
			// Kept with its anti-aliased edge.
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					if q := image.Pt(p.X+dx, p.Y+dy); q.In(disc) {
						keep[(q.Y-disc.Min.Y)*disc.Dx()+q.X-disc.Min.X] = true
					}
				}
			}
		}
	}
	for y := disc.Min.Y; y < disc.Max.Y; y++ {
		for x := disc.Min.X; x < disc.Max.X; x++ {
			if dist(x, y) <= outer && !keep[(y-disc.Min.Y)*disc.Dx()+x-disc.Min.X] {
				whiten(g, b, light, x, y)
			}
		}
	}
	return cut == 0
}

// sealCapConf is the most a reading crossed by a black seal's ring can be
// sure of: the ring was erased with the strokes under it, and a character
// missing a stroke reads as another with the recogniser sure of it.
const sealCapConf = 0.85

// sealCap lowers the confidence of a piece that a black seal's ring
// crosses, or that reaches its star, to sealCapConf.
func (pg *page) sealCap(piece int, conf, low float64) (float64, float64) {
	r := pg.pieces[piece].Rect
	for _, s := range pg.seals {
		if !s.black {
			continue
		}
		// The nearest and farthest points of r from the seal's centre.
		nx := math.Max(float64(r.Min.X), math.Min(s.cx, float64(r.Max.X)))
		ny := math.Max(float64(r.Min.Y), math.Min(s.cy, float64(r.Max.Y)))
		fx := math.Max(math.Abs(float64(r.Min.X)-s.cx), math.Abs(float64(r.Max.X)-s.cx))
		fy := math.Max(math.Abs(float64(r.Min.Y)-s.cy), math.Abs(float64(r.Max.Y)-s.cy))
		// The ring crosses r, or r reaches the star.
		if near, far := math.Hypot(nx-s.cx, ny-s.cy), math.Hypot(fx, fy); near <= s.r+s.half && far >= s.r-s.half || near <= starR*s.r {
			conf, low = math.Min(conf, sealCapConf), math.Min(low, sealCapConf)
		}
	}
	return conf, low
}

// whiten makes the pixel at x, y paper in g and its bitmaps.
func whiten(g *image.Gray, b, light *bitmap, x, y int) {
	g.Pix[y*g.Stride+x] = 255
	b.pix[y*b.w+x] = false
	if light != nil {
		light.pix[y*light.w+x] = false
	}
}
