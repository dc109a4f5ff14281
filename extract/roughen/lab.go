package roughen

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// The scan lab: what clerks do to a form before it is scanned — ticks,
// crosses, circles and fills drawn by pen over or beside the printed
// boxes, seals stamped over text — and what scanners make of it: colour,
// gray or bitonal pages at any dpi. Everything is drawn from a seed, so
// the same seed gives the same copy.

// PenKind is the shape a clerk draws to choose an option.
type PenKind int

const (
	PenTick   PenKind = iota // √ from inside the box up past its top right
	PenCross                 // × over the box, often past its corners
	PenCircle                // a loop around the box and the option's first characters
	PenFill                  // the box scribbled full
	// PenTickBeside is a tick drawn beside the box rather than in it:
	// its foot left of the box or over its left side, its long stroke
	// rising across the box or past it.
	PenTickBeside
	// PenTickLarge is a tick drawn large and fast, as clerks tick a
	// column of options: its foot below the box's bottom left, its long
	// stroke crossing the box and running up into the line above.
	PenTickLarge
)

// Ink colours of pens.
var (
	BlackInk = color.RGBA{25, 25, 35, 255}
	BlueInk  = color.RGBA{30, 45, 150, 255}
)

// Pen draws one pen mark of kind k for the box at r (pixels) on img, in
// ink c, its stroke width and shape varied by rng: widths from 1.5 to 4 px
// at 200 dpi, scaled with the box; ticks and crosses run past the box by
// up to half its size.
func Pen(img *image.RGBA, r image.Rectangle, k PenKind, c color.RGBA, rng *rand.Rand) {
	s := float64(r.Dx())
	x, y := float64(r.Min.X), float64(r.Min.Y)
	w := s * (0.06 + 0.1*rng.Float64())
	j := func(v float64) float64 { return v + (rng.Float64()-0.5)*0.2*s }
	switch k {
	case PenTick:
		over := 0.2 + 0.6*rng.Float64() // how far the long stroke runs out
		mx, my := j(x+0.4*s), j(y+0.85*s)
		stroke(img, j(x+0.1*s), j(y+0.45*s), mx, my, w, c)
		stroke(img, mx, my, j(x+(1+over*0.6)*s), j(y-over*s), w, c)
	case PenCross:
		over := 0.3 * rng.Float64()
		stroke(img, j(x-over*s), j(y-over*s), j(x+(1+over)*s), j(y+(1+over)*s), w, c)
		stroke(img, j(x+(1+over)*s), j(y-over*s), j(x-over*s), j(y+(1+over)*s), w, c)
	case PenCircle:
		cx, cy := x+s*(1+rng.Float64()), y+0.5*s
		rx, ry := s*(1.6+0.6*rng.Float64()), s*(0.8+0.2*rng.Float64())
		prev := [2]float64{cx + rx, cy}
		for a := 0.0; a <= 2.15*math.Pi; a += 0.1 {
			p := [2]float64{cx + rx*math.Cos(a), cy + ry*math.Sin(a)}
			stroke(img, prev[0], prev[1], p[0], p[1], w, c)
			prev = p
		}
	case PenTickBeside:
		dx := -0.5 + 0.4*rng.Float64() // where the tick's foot stands, left of the box
		mx, my := j(x+dx*s), j(y+0.9*s)
		stroke(img, mx-0.3*s, my-0.4*s, mx, my, w, c)
		stroke(img, mx, my, j(x+(0.7+0.5*rng.Float64())*s), j(y-0.3*s), w, c)
	case PenTickLarge:
		mx, my := j(x+0.15*s), y+(1.1+0.2*rng.Float64())*s
		stroke(img, j(x-0.15*s), j(y+0.6*s), mx, my, w*1.3, c)
		stroke(img, mx, my, j(x+(0.95+0.3*rng.Float64())*s), y-(0.35+0.3*rng.Float64())*s, w*1.3, c)
	case PenFill:
		for t := 0.15; t < 0.9; t += 0.12 {
			stroke(img, j(x+0.1*s), y+t*s, j(x+0.9*s), y+(t+0.1)*s, w*1.5, c)
		}
	}
}

// stroke draws a line w pixels wide from (x0,y0) to (x1,y1) in c, its
// edge softened as ink on paper.
func stroke(img *image.RGBA, x0, y0, x1, y1, w float64, c color.RGBA) {
	n := int(math.Hypot(x1-x0, y1-y0)) + 1
	rad := math.Max(0.7, w/2)
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		px, py := x0+(x1-x0)*t, y0+(y1-y0)*t
		for yy := int(py - rad - 1); yy <= int(py+rad+1); yy++ {
			for xx := int(px - rad - 1); xx <= int(px+rad+1); xx++ {
				if !image.Pt(xx, yy).In(img.Rect) {
					continue
				}
				d := math.Hypot(float64(xx)-px, float64(yy)-py)
				a := math.Max(0, math.Min(1, rad+0.5-d))
				if a == 0 {
					continue
				}
				o := img.RGBAAt(xx, yy)
				// Ink darkens what is under it, never lightens it.
				mix := func(under, ink uint8) uint8 {
					v := float64(under)*(1-a) + float64(ink)*a
					return uint8(math.Min(float64(under), v))
				}
				img.SetRGBA(xx, yy, color.RGBA{mix(o.R, c.R), mix(o.G, c.G), mix(o.B, c.B), 255})
			}
		}
	}
}

// Erase paints r white: the printed mark inside a box taken out, to draw
// a clerk's mark or another printed style in its place.
func Erase(img *image.RGBA, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if image.Pt(x, y).In(img.Rect) {
				img.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
}

// Seal stamps a seal of radius rad centred at (cx, cy): a ring, a star and
// an arc of strokes standing for its characters, in c (red, or gray on a
// gray copy), letting the print under it show through darker.
func Seal(img *image.RGBA, cx, cy, rad float64, c color.RGBA, rng *rand.Rand) {
	w := rad * 0.06
	prev := [2]float64{cx + rad, cy}
	for a := 0.0; a <= 2*math.Pi+0.1; a += 0.05 {
		p := [2]float64{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}
		stroke(img, prev[0], prev[1], p[0], p[1], w, c)
		prev = p
	}
	for k := 0; k < 5; k++ { // a five-pointed star
		a0, a1 := -math.Pi/2+float64(k)*4*math.Pi/5, -math.Pi/2+float64(k+1)*4*math.Pi/5
		r0 := rad * 0.28
		stroke(img, cx+r0*math.Cos(a0), cy+r0*math.Sin(a0), cx+r0*math.Cos(a1), cy+r0*math.Sin(a1), w*0.7, c)
	}
	for a := math.Pi * 1.1; a < math.Pi*1.9; a += 0.16 { // the characters round the top
		r0, r1 := rad*0.62, rad*0.85
		dx := (rng.Float64() - 0.5) * 0.1
		stroke(img, cx+r0*math.Cos(a+dx), cy+r0*math.Sin(a+dx), cx+r1*math.Cos(a), cy+r1*math.Sin(a), w*0.6, c)
	}
}

// Bitonal thresholds img at level (0–255), as a scanner's black-and-white
// mode does.
func Bitonal(img image.Image, level uint8) *image.Gray {
	g := Gray(img)
	for i, v := range g.Pix {
		if v < level {
			g.Pix[i] = 0
		} else {
			g.Pix[i] = 255
		}
	}
	return g
}

// bitonalLevel is where a scanner's black-and-white mode cuts: above the
// middle gray, so that blurred thin strokes stay black (scanners default
// to 55–65 %).
const bitonalLevel = 150

// Mode is how a scanner stores a page.
type Mode int

const (
	ModeGray    Mode = iota // 8-bit gray JPEG
	ModeColour              // RGB JPEG
	ModeBitonal             // 1-bit, deflated (black below bitonalLevel)
)

// Page is one scanned page for ScanPDF.
type Page struct {
	Img     image.Image
	Mode    Mode
	Quality int // JPEG quality for gray and colour
}

// ScanPDF writes pages as an image-only PDF sized at dpi, each page stored
// as its mode says.
func ScanPDF(pages []Page, dpi float64) ([]byte, error) {
	var imgs []pdfImage
	for i, p := range pages {
		im, err := encodePage(p)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		imgs = append(imgs, im)
	}
	return writePDF(imgs, dpi), nil
}

// pdfImage is a page's image as the PDF holds it.
type pdfImage struct {
	w, h   int
	dict   string // colour space, bits and filter
	stream []byte
}

func encodePage(p Page) (pdfImage, error) {
	b := p.Img.Bounds()
	out := pdfImage{w: b.Dx(), h: b.Dy()}
	var buf bytes.Buffer
	switch p.Mode {
	case ModeBitonal:
		g := Bitonal(p.Img, bitonalLevel)
		row := (out.w + 7) / 8
		bits := make([]byte, row*out.h)
		for y := 0; y < out.h; y++ {
			for x := 0; x < out.w; x++ {
				if g.Pix[y*g.Stride+x] != 0 {
					bits[y*row+x/8] |= 0x80 >> (x % 8) // 1 is white in DeviceGray
				}
			}
		}
		z := zlib.NewWriter(&buf)
		z.Write(bits)
		if err := z.Close(); err != nil {
			return out, err
		}
		out.dict = "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode"
	case ModeColour:
		if err := jpeg.Encode(&buf, p.Img, &jpeg.Options{Quality: p.Quality}); err != nil {
			return out, err
		}
		out.dict = "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"
	default:
		if err := jpeg.Encode(&buf, Gray(p.Img), &jpeg.Options{Quality: p.Quality}); err != nil {
			return out, err
		}
		out.dict = "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
	}
	out.stream = buf.Bytes()
	return out, nil
}

// Line draws a printed stroke w pixels wide from p to q in c.
func Line(img *image.RGBA, p, q image.Point, w float64, c color.RGBA) {
	stroke(img, float64(p.X), float64(p.Y), float64(q.X), float64(q.Y), w, c)
}

// Fill paints r in c.
func Fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if image.Pt(x, y).In(img.Rect) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

// rgba returns a copy of img as RGBA with its origin at 0,0.
func rgba(img image.Image) *image.RGBA {
	b := img.Bounds()
	if src, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) {
		return &image.RGBA{Pix: append([]uint8(nil), src.Pix...), Stride: src.Stride, Rect: src.Rect}
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// SkewColour turns img by deg degrees about its centre, keeping colour;
// white where the turned page leaves the frame.
func SkewColour(img image.Image, deg float64) *image.RGBA {
	src := rgba(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := image.NewRGBA(src.Rect)
	white := []uint8{255, 255, 255, 255}
	turn(src.Rect, deg, func(x, y int, fx, fy float64) {
		sx, sy := int(math.Round(fx)), int(math.Round(fy))
		o := out.PixOffset(x, y)
		if sx < 0 || sy < 0 || sx >= w || sy >= h {
			copy(out.Pix[o:o+4], white)
			return
		}
		s := src.PixOffset(sx, sy)
		copy(out.Pix[o:o+4], src.Pix[s:s+4])
	})
	return out
}

// BlurColour averages each pixel with its eight neighbours, per channel.
func BlurColour(img image.Image) *image.RGBA {
	src := rgba(img)
	out := image.NewRGBA(src.Rect)
	copy(out.Pix, src.Pix)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			for ch := 0; ch < 3; ch++ {
				s := 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						s += int(src.Pix[src.PixOffset(x+dx, y+dy)+ch])
					}
				}
				out.Pix[out.PixOffset(x, y)+ch] = uint8(s / 9)
			}
		}
	}
	return out
}

// NoiseColour adds Gaussian noise of standard deviation sigma, the same
// to the three channels of a pixel, the same for the same seed.
func NoiseColour(img image.Image, sigma float64, seed uint64) *image.RGBA {
	out := rgba(img)
	r := rand.New(rand.NewPCG(seed, 3))
	for i := 0; i < len(out.Pix); i += 4 {
		d := r.NormFloat64() * sigma
		for ch := 0; ch < 3; ch++ {
			out.Pix[i+ch] = uint8(math.Max(0, math.Min(255, float64(out.Pix[i+ch])+d)))
		}
	}
	return out
}

// OfficialSeal stamps a seal as offices' are made: a ring, a filled star
// at its centre and a row of characters round it from lower left over the
// top to lower right (the issuing office's name), each character a few
// strokes turned to face the centre, in c. rad is the ring's radius in
// pixels. The print under it shows through darker.
func OfficialSeal(img *image.RGBA, cx, cy, rad float64, c color.RGBA, rng *rand.Rand) {
	w := rad * (0.05 + 0.03*rng.Float64())
	prev := [2]float64{cx + rad, cy}
	for a := 0.0; a <= 2*math.Pi+0.05; a += 0.03 {
		p := [2]float64{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}
		stroke(img, prev[0], prev[1], p[0], p[1], w, c)
		prev = p
	}
	// The star, filled: five triangles from its centre to its points.
	r0, r1 := rad*0.3, rad*0.12
	pt := func(k int) (float64, float64, float64, float64) {
		a := -math.Pi/2 + float64(k)*2*math.Pi/5
		b := a + math.Pi/5
		return cx + r0*math.Cos(a), cy + r0*math.Sin(a), cx + r1*math.Cos(b), cy + r1*math.Sin(b)
	}
	for k := 0; k < 5; k++ {
		px, py, qx, qy := pt(k)
		for t := 0.0; t <= 1; t += 0.08 { // fill by strokes from the centre
			stroke(img, cx, cy, px+(qx-px)*t, py+(qy-py)*t, w*0.6, c)
			_, _, bx, by := pt((k + 4) % 5)
			stroke(img, cx, cy, px+(bx-px)*t, py+(by-py)*t, w*0.6, c)
		}
	}
	// Characters from 150° past the bottom left round the top: a
	// character is an em square of strokes, its top towards the ring.
	n := 8 + rng.IntN(6)
	span := math.Pi * (1.3 + 0.2*rng.Float64())
	em := math.Min(rad*0.28, 2*math.Pi*rad*0.72*span/(2*math.Pi)/float64(n)*0.85)
	for i := 0; i < n; i++ {
		a := math.Pi/2 + (2*math.Pi-span)/2 + span*(float64(i)+0.5)/float64(n)
		mx, my := cx+rad*0.72*math.Cos(a), cy+rad*0.72*math.Sin(a)
		// Unit vectors along the character's width (tangent) and height
		// (pointing at the centre).
		ux, uy := -math.Sin(a), math.Cos(a)
		vx, vy := -math.Cos(a), -math.Sin(a)
		at := func(s, t float64) (float64, float64) {
			return mx + (s-0.5)*em*ux + (t-0.5)*em*vx, my + (s-0.5)*em*uy + (t-0.5)*em*vy
		}
		for k := 0; k < 4+rng.IntN(4); k++ {
			var s0, t0, s1, t1 float64
			if rng.IntN(2) == 0 { // across
				t0 = rng.Float64()
				s0, s1, t1 = 0.1*rng.Float64(), 0.9+0.1*rng.Float64(), t0
			} else { // down
				s0 = rng.Float64()
				t0, t1, s1 = 0.1*rng.Float64(), 0.9+0.1*rng.Float64(), s0
			}
			x0, y0 := at(s0, t0)
			x1, y1 := at(s1, t1)
			stroke(img, x0, y0, x1, y1, w*0.5, c)
		}
	}
}
