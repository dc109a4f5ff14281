package render

import (
	"image"
	"math"

	"github.com/shenbao/shenbao"
)

// toGray converts with the weights of color.GrayModel (ITU-R 601), in a
// plain loop: the generic image/draw path costs an interface call per pixel.
func toGray(img *image.RGBA) *image.Gray {
	r := img.Rect
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		src := img.Pix[y*img.Stride : y*img.Stride+4*r.Dx()]
		dst := g.Pix[y*g.Stride : y*g.Stride+r.Dx()]
		for x := range dst {
			p := src[4*x : 4*x+3 : 4*x+3]
			dst[x] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
		}
	}
	return g
}

// inkFractions returns, for each box in points, the fraction of its pixels
// at dpi whose gray level is below threshold. The pixel box is the smallest
// one covering the point box, so a thin rule on the box's edge is counted;
// pixels off the image count as blank.
func inkFractions(img *image.RGBA, boxes []shenbao.Box, dpi float64, threshold uint8) []float64 {
	s := dpi / 72
	fr := make([]float64, len(boxes))
	for i, b := range boxes {
		px := image.Rect(int(math.Floor(b[0]*s)), int(math.Floor(b[1]*s)), int(math.Ceil(b[2]*s)), int(math.Ceil(b[3]*s)))
		area := px.Dx() * px.Dy()
		if area == 0 {
			continue
		}
		on := px.Intersect(img.Rect)
		dark := 0
		for y := on.Min.Y; y < on.Max.Y; y++ {
			row := img.Pix[img.PixOffset(on.Min.X, y):img.PixOffset(on.Max.X, y)]
			for x := 0; x < len(row); x += 4 {
				l := (19595*uint32(row[x]) + 38470*uint32(row[x+1]) + 7471*uint32(row[x+2]) + 1<<15) >> 16
				if l < uint32(threshold) {
					dark++
				}
			}
		}
		fr[i] = float64(dark) / float64(area)
	}
	return fr
}
