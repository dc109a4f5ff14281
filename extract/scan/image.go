package scan

import (
	"image"
	"image/color"
	"math"
	"slices"
	"sort"
)

// grayDropColour converts a page to gray and whitens red ink. Seals (公章)
// are red and sit over text and cells. A pixel whose channels differ
// widely with red the brightest is a seal's and takes its red channel,
// near white, so the seal never reaches binarisation; other pixels keep
// their luminance. Blue and black pen stay ink: clerks tick options with
// them, and a blue cross over a box is the box's mark.
func grayDropColour(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return out
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			row := out.Pix[y*out.Stride:]
			for x := 0; x < b.Dx(); x++ {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				row[x] = dropColour(r, g, bl)
			}
		}
		return out
	case *image.RGBA:
		// Rendered pages are opaque, so premultiplied RGBA is plain RGB.
		fromRGBX(out, src.Pix, src.Stride, src.PixOffset(b.Min.X, b.Min.Y))
		return out
	case *image.NRGBA:
		fromRGBX(out, src.Pix, src.Stride, src.PixOffset(b.Min.X, b.Min.Y))
		return out
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			out.Pix[y*out.Stride+x] = dropColour(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
		}
	}
	return out
}

// fromRGBX converts 4-byte RGB(A) pixels starting at off. Rows are
// sliced to their length and walked four bytes at a time, so the loop
// carries no bounds checks.
func fromRGBX(out *image.Gray, pix []uint8, stride, off int) {
	w := out.Rect.Dx()
	for y := 0; y < out.Rect.Dy(); y++ {
		row := out.Pix[y*out.Stride : y*out.Stride+w]
		p := pix[off+y*stride : off+y*stride+4*w]
		for x := range row {
			q := p[4*x : 4*x+3 : 4*x+3]
			// A gray pixel is its own luminance (dropColour's weights
			// sum to 1000): most of a page is gray paper and print.
			if r, g, b := q[0], q[1], q[2]; r == g && g == b {
				row[x] = r
			} else {
				row[x] = dropColour(r, g, b)
			}
		}
	}
}

// chromaCut is the channel spread above which a pixel counts as coloured
// ink; JPEG chroma noise on black text stays well below it.
const chromaCut = 70

func dropColour(r, g, b uint8) uint8 {
	hi, lo := max(r, g, b), min(r, g, b)
	if r == hi && int(hi)-int(lo) > chromaCut {
		return hi
	}
	return uint8((299*int(r) + 587*int(g) + 114*int(b) + 500) / 1000)
}

// resize scales g by f with area averaging when shrinking and bilinear
// interpolation when enlarging.
func resize(g *image.Gray, f float64) *image.Gray {
	if math.Abs(f-1) < 0.01 {
		return g
	}
	w, h := int(math.Round(float64(g.Rect.Dx())*f)), int(math.Round(float64(g.Rect.Dy())*f))
	out := image.NewGray(image.Rect(0, 0, w, h))
	if f < 1 {
		// Box filter over the source footprint of each target pixel.
		// A column's footprint is the same on every row.
		inv := 1 / f
		xs0, xs1 := make([]int, w), make([]int, w)
		for x := range w {
			x0, x1 := int(float64(x)*inv), min(g.Rect.Dx(), int(float64(x+1)*inv))
			xs0[x], xs1[x] = x0, max(x1, x0+1)
		}
		for y := 0; y < h; y++ {
			y0, y1 := int(float64(y)*inv), min(g.Rect.Dy(), int(float64(y+1)*inv))
			y1 = max(y1, y0+1)
			for x := 0; x < w; x++ {
				x0, x1 := xs0[x], xs1[x]
				sum, n := 0, 0
				for yy := y0; yy < y1; yy++ {
					row := g.Pix[yy*g.Stride:]
					for xx := x0; xx < x1; xx++ {
						sum += int(row[xx])
						n++
					}
				}
				out.Pix[y*out.Stride+x] = uint8(sum / n)
			}
		}
		return out
	}
	warp(g, out, 1/f, 0, 0, 0, 1/f, 0)
	return out
}

// warp fills dst by sampling src bilinearly at the affine map of each
// pixel centre (x, y) to (ax*x+bx*y+cx, ay*x+by*y+cy); outside is white.
// Along a row the source point moves by a constant step, so no pixel pays
// for a function call.
func warp(src, dst *image.Gray, ax, bx, cx, ay, by, cy float64) {
	if bx == 0 && ay == 0 {
		warpAxes(src, dst, ax, bx, cx, ay, by, cy)
		return
	}
	warpAffine(src, dst, ax, bx, cx, ay, by, cy)
}

// warpAffine is warp for any affine map, one pixel after the other.
func warpAffine(src, dst *image.Gray, ax, bx, cx, ay, by, cy float64) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	for y := 0; y < dst.Rect.Dy(); y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+dst.Rect.Dx()]
		fy := float64(y) + 0.5
		// Source coordinates of the row's first pixel centre, moved
		// by half a pixel to sample between source pixel centres.
		sx := ax*0.5 + bx*fy + cx - 0.5
		sy := ay*0.5 + by*fy + cy - 0.5
		for x := range row {
			// Truncation is floor here: negative coordinates are
			// caught by the -1 bound below.
			x0, y0 := int(sx+1)-1, int(sy+1)-1
			if x0 < 0 || y0 < 0 || x0+1 >= sw || y0+1 >= sh {
				row[x] = 255
			} else {
				fx, fy := sx-float64(x0), sy-float64(y0)
				o := y0*src.Stride + x0
				p0, p1 := float64(src.Pix[o]), float64(src.Pix[o+1])
				q0, q1 := float64(src.Pix[o+src.Stride]), float64(src.Pix[o+src.Stride+1])
				top := p0 + (p1-p0)*fx
				bot := q0 + (q1-q0)*fx
				row[x] = uint8(top + (bot-top)*fy + 0.5)
			}
			sx += ax
			sy += ay
		}
	}
}

// warpAxes is warp for a map along the axes (a scale and a shift, bx and
// ay zero): a row's source row is the same along it and a column's
// source columns the same on every row, so each is computed once, by the
// very operations warp does per pixel, and the pixels sampled are the
// same to the bit.
func warpAxes(src, dst *image.Gray, ax, bx, cx, ay, by, cy float64) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	w := dst.Rect.Dx()
	xs, fxs := make([]int, w), make([]float64, w)
	// The first pixel centre's source column, as warp finds it on every
	// row: bx*fy is a zero of bx's sign whatever the row's fy.
	sx := ax*0.5 + bx*0.5 + cx - 0.5
	for x := range w {
		x0 := int(sx+1) - 1
		if x0 < 0 || x0+1 >= sw {
			xs[x] = -1
		} else {
			xs[x], fxs[x] = x0, sx-float64(x0)
		}
		sx += ax
	}
	for y := 0; y < dst.Rect.Dy(); y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		sy := ay*0.5 + by*(float64(y)+0.5) + cy - 0.5
		y0 := int(sy+1) - 1
		if y0 < 0 || y0+1 >= sh {
			for x := range row {
				row[x] = 255
			}
			continue
		}
		fy := sy - float64(y0)
		p, q := src.Pix[y0*src.Stride:y0*src.Stride+sw], src.Pix[(y0+1)*src.Stride:(y0+1)*src.Stride+sw]
		for x := range row {
			x0 := xs[x]
			if x0 < 0 {
				row[x] = 255
				continue
			}
			fx := fxs[x]
			p0, p1 := float64(p[x0]), float64(p[x0+1])
			q0, q1 := float64(q[x0]), float64(q[x0+1])
			top := p0 + (p1-p0)*fx
			bot := q0 + (q1-q0)*fx
			row[x] = uint8(top + (bot-top)*fy + 0.5)
		}
	}
}

// rotate turns g by deg degrees counter-clockwise about its centre, keeping
// its size; small deskew angles lose only a white margin.
func rotate(g *image.Gray, deg float64) *image.Gray {
	if deg == 0 {
		return g
	}
	out := image.NewGray(g.Rect)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(g.Rect.Dx())/2, float64(g.Rect.Dy())/2
	// x' = cx + c(x-cx) - s(y-cy), y' = cy + s(x-cx) + c(y-cy)
	warp(g, out, c, -s, cx-c*cx+s*cy, s, c, cy-s*cx-c*cy)
	return out
}

// rotate90 turns g by quarter turns clockwise (1, 2 or 3).
func rotate90(g *image.Gray, quarters int) *image.Gray {
	quarters = ((quarters % 4) + 4) % 4
	if quarters == 0 {
		return g
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var out *image.Gray
	if quarters == 2 {
		out = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := g.Pix[y*g.Stride+x]
			switch quarters {
			case 1:
				out.Pix[x*out.Stride+(h-1-y)] = v
			case 2:
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = v
			case 3:
				out.Pix[(w-1-x)*out.Stride+y] = v
			}
		}
	}
	return out
}

// flatten divides each pixel by an estimate of the paper's local
// brightness, so that a copier's uneven lighting (a dark edge, a bright
// centre) leaves a white background everywhere and one global threshold
// serves the whole page. The background is the bright percentile of
// coarse blocks, interpolated bilinearly between block centres.
func flatten(g *image.Gray, block int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bw, bh := (w+block-1)/block, (h+block-1)/block
	bg := make([]float64, bw*bh)
	var hist [256]int
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			hist = [256]int{}
			n := 0
			for y := by * block; y < min(h, (by+1)*block); y++ {
				row := g.Pix[y*g.Stride:]
				for x := bx * block; x < min(w, (bx+1)*block); x++ {
					hist[row[x]]++
					n++
				}
			}
			// The 90th percentile ignores specks of noise yet stays
			// on paper in blocks that are mostly text.
			k, acc := 255, 0
			for ; k > 0; k-- {
				acc += hist[k]
				if acc*10 >= n {
					break
				}
			}
			bg[by*bw+bx] = math.Max(float64(k), 60)
		}
	}
	// Blocks filled by a solid table line or a heavy mark read dark; take
	// the brightest neighbour so those do not darken their surroundings.
	sm := make([]float64, len(bg))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			m := bg[by*bw+bx]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if yy, xx := by+dy, bx+dx; yy >= 0 && yy < bh && xx >= 0 && xx < bw {
						m = math.Max(m, bg[yy*bw+xx])
					}
				}
			}
			sm[by*bw+bx] = m
		}
	}
	// Bilinear weights between block centres: per column once, and per
	// row the blocks' backgrounds blended vertically, so a pixel costs
	// one horizontal blend and a division.
	blend := func(v, n int) (int, int, float64) {
		f := (float64(v)+0.5)/float64(block) - 0.5
		i0 := clampInt(int(math.Floor(f)), 0, n-1)
		return i0, clampInt(i0+1, 0, n-1), max(0, min(1, f-float64(i0)))
	}
	cx0, cx1, ctx := make([]int, w), make([]int, w), make([]float64, w)
	for x := range w {
		cx0[x], cx1[x], ctx[x] = blend(x, bw)
	}
	ri := make([]float64, bw)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1, ty := blend(y, bh)
		for bx := range ri {
			ri[bx] = sm[y0*bw+bx]*(1-ty) + sm[y1*bw+bx]*ty
		}
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		orow := out.Pix[y*out.Stride : y*out.Stride+w]
		for x, p := range row {
			b0 := ri[cx0[x]]
			b := b0 + (ri[cx1[x]]-b0)*ctx[x]
			orow[x] = uint8(min(255, float64(p)*255/b))
		}
	}
	return out
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(hi, v))
}

// bitmap is a binary image: true is ink.
type bitmap struct {
	w, h int
	pix  []bool
}

func (b *bitmap) clone() *bitmap {
	return &bitmap{w: b.w, h: b.h, pix: slices.Clone(b.pix)}
}

// clone returns a copy of g.
func clone(g *image.Gray) *image.Gray {
	return &image.Gray{Pix: slices.Clone(g.Pix), Stride: g.Stride, Rect: g.Rect}
}

func (b *bitmap) at(x, y int) bool {
	return x >= 0 && y >= 0 && x < b.w && y < b.h && b.pix[y*b.w+x]
}

// inkCut is the flattened gray level below which a pixel is ink. After
// flatten the paper is 255 and printed text is far below this.
const inkCut = 150

func binarise(g *image.Gray) *bitmap { return binariseAt(g, inkCut) }

// markCut is the looser threshold option boxes are found with: a box's
// outline is a hairline that a copier renders light gray, and a break
// in it turns the box into strokes of a character.
const markCut = 200

func binariseAt(g *image.Gray, cut uint8) *bitmap {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	b := &bitmap{w: w, h: h, pix: make([]bool, w*h)}
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		out := b.pix[y*w : y*w+w]
		for x, v := range row {
			out[x] = v < cut
		}
	}
	return b
}

// skewAngle estimates the page's skew in degrees (positive: content
// rotated counter-clockwise) by maximising the sharpness of the horizontal
// projection of ink sheared by each candidate angle. Table rules and text
// baselines make the projection peak only at the true angle; a coarse
// scan then two refinements reach a few hundredths of a degree.
func skewAngle(b *bitmap) float64 {
	// Sample ink points; a few hundred thousand are plenty. Columns
	// only are skipped: skipping rows would leave every other bin of
	// the unsheared projection empty and make 0° win on aliasing.
	// A point is kept as its offset from the centre column (dx) and
	// its row: the shear needs nothing else.
	type pt struct{ dx, y float64 }
	var pts []pt
	step := 1
	if b.w*b.h > 1_500_000 {
		step = 2
	}
	cx := float64(b.w) / 2
	for y := 0; y < b.h; y++ {
		row := b.pix[y*b.w : y*b.w+b.w]
		for x := 0; x < len(row); x += step {
			if row[x] {
				pts = append(pts, pt{float64(x) - cx, float64(y)})
			}
		}
	}
	if len(pts) < 100 {
		return 0
	}
	// Counts and their squares are integers: summed as integers they
	// are exact, as the float sums they replace were (far below 2^53).
	hist := make([]int, b.h+b.w)
	score := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(hist)
		off := float64(b.w) / 2
		for _, p := range pts {
			i := int(p.y - p.dx*t + off)
			if i >= 0 && i < len(hist) {
				hist[i]++
			}
		}
		s := 0
		for _, v := range hist {
			s += v * v
		}
		return float64(s)
	}
	best, bestS := 0.0, -1.0
	try := func(lo, hi, st float64) {
		for a := lo; a <= hi+1e-9; a += st {
			if s := score(a); s > bestS {
				best, bestS = a, s
			}
		}
	}
	try(-5, 5, 0.25)
	c := best
	try(c-0.25, c+0.25, 0.05)
	c = best
	try(c-0.05, c+0.05, 0.01)
	return best
}

// quarterTurn says whether the page's text runs vertically, i.e. the page
// lies on its side: the ink profile across text lines alternates between
// lines and gaps, along them it does not. It returns true when the column
// profile is the more strongly modulated one.
func onSide(b *bitmap) bool {
	rows := make([]float64, b.h)
	cols := make([]int, b.w)
	for y := 0; y < b.h; y++ {
		n := 0
		for x, ink := range b.pix[y*b.w : y*b.w+b.w] {
			if ink {
				n++
				cols[x]++
			}
		}
		rows[y] = float64(n)
	}
	fc := make([]float64, b.w)
	for x, n := range cols {
		fc[x] = float64(n)
	}
	return modulation(fc) > 1.3*modulation(rows)
}

// modulation is the mean absolute difference between neighbouring values
// of a smoothed profile, relative to its mean: high for line/gap patterns.
func modulation(p []float64) float64 {
	if len(p) < 8 {
		return 0
	}
	sm := make([]float64, len(p))
	for i := range p {
		s, n := 0.0, 0
		for j := max(0, i-1); j <= min(len(p)-1, i+1); j++ {
			s += p[j]
			n++
		}
		sm[i] = s / float64(n)
	}
	mean, d := 0.0, 0.0
	for i, v := range sm {
		mean += v
		if i > 0 {
			d += math.Abs(v - sm[i-1])
		}
	}
	if mean == 0 {
		return 0
	}
	return d / mean
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// whiteEdges whitens a band of m pixels along the four edges of g, where a
// printed form has only margin.
func whiteEdges(g *image.Gray, m int) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		if y < m || y >= h-m {
			for x := range row {
				row[x] = 255
			}
			continue
		}
		for x := 0; x < min(m, w); x++ {
			row[x], row[w-1-x] = 255, 255
		}
	}
}
