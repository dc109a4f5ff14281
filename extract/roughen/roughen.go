// Package roughen degrades page images the way copiers and clerks do —
// skew, noise, blur, uneven light, JPEG — and writes them as an image-only
// PDF, for the tests and benchmarks that measure how reading scans holds
// up on rougher copies than the corpus holds.
package roughen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Gray returns a gray copy of img.
func Gray(img image.Image) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// Skew turns img by deg degrees (counter-clockwise) about its centre,
// white where the turned page leaves the frame.
func Skew(img image.Image, deg float64) *image.Gray {
	src := Gray(img)
	out := image.NewGray(src.Rect)
	turn(src.Rect, deg, func(x, y int, sx, sy float64) { out.Pix[y*out.Stride+x] = bilinear(src, sx, sy) })
	return out
}

// turn calls at for every pixel x, y of r with the point sx, sy of the
// page it shows once the page is turned by deg degrees about r's centre.
func turn(r image.Rectangle, deg float64, at func(x, y int, sx, sy float64)) {
	w, h := r.Dx(), r.Dy()
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			at(x, y, cos*dx-sin*dy+cx, sin*dx+cos*dy+cy)
		}
	}
}

func bilinear(g *image.Gray, x, y float64) uint8 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= g.Rect.Dx() || y >= g.Rect.Dy() {
			return 255
		}
		return float64(g.Pix[y*g.Stride+x])
	}
	v := (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
	return uint8(math.Round(v))
}

// Noise adds Gaussian noise of standard deviation sigma gray levels, the
// same for the same image.
func Noise(img image.Image, sigma float64) *image.Gray {
	g := Gray(img)
	r := rand.New(rand.NewPCG(1, 2))
	for i, v := range g.Pix {
		g.Pix[i] = uint8(math.Max(0, math.Min(255, float64(v)+r.NormFloat64()*sigma)))
	}
	return g
}

// Blur averages each pixel with its eight neighbours (the frame's edge is
// left black, as a copier's border).
func Blur(img image.Image) *image.Gray {
	g := Gray(img)
	out := image.NewGray(g.Rect)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			s := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					s += int(g.Pix[(y+dy)*g.Stride+x+dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(s / 9)
		}
	}
	return out
}

// Darken lets the light fall to the fraction f towards the right edge, as
// a page lifted from the copier's glass.
func Darken(img image.Image, f float64) *image.Gray {
	g := Gray(img)
	w := float64(g.Rect.Dx())
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			k := 1 - (1-f)*float64(x)/w
			g.Pix[y*g.Stride+x] = uint8(float64(g.Pix[y*g.Stride+x]) * k)
		}
	}
	return g
}

// JPEG returns img as it comes back from JPEG at quality q.
func JPEG(img image.Image, q int) image.Image {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err) // encoding to memory fails only on a bad quality
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return out
}

// PDF writes pages as an image-only PDF, each page a gray JPEG of quality
// q sized at dpi, as a copier's scan-to-PDF does.
func PDF(pages []*image.Gray, dpi float64, q int) ([]byte, error) {
	ps := make([]Page, len(pages))
	for i, p := range pages {
		ps[i] = Page{Img: p, Mode: ModeGray, Quality: q}
	}
	return ScanPDF(ps, dpi)
}

// writePDF writes the PDF holding one image per page.
func writePDF(imgs []pdfImage, dpi float64) []byte {
	var buf bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			buf.WriteString("\nstream\n")
			buf.Write(stream)
			buf.WriteString("\nendstream")
		}
		buf.WriteString("\nendobj\n")
	}
	buf.WriteString("%PDF-1.4\n")
	// Objects: 1 catalog, 2 page tree, then per page: page, content, image.
	kids := ""
	for i := range imgs {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(imgs)), nil)
	for i, im := range imgs {
		w, h := float64(im.w)*72/dpi, float64(im.h)*72/dpi
		content, xobj := 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", w, h, xobj, content), nil)
		draw := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d %s /Length %d >>",
			im.w, im.h, im.dict, len(im.stream)), im.stream)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes()
}

// Colour returns a gray image as RGBA, for marks in colour over it.
func Colour(g *image.Gray) *image.RGBA {
	out := image.NewRGBA(g.Rect)
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			v := g.Pix[y*g.Stride+x]
			out.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	return out
}
