package render

import (
	"image"
	"math"

	"github.com/shenbao/shenbao"
)

// inkFractions returns, for each box in points, the fraction of its pixels
// at dpi whose gray level is below threshold. The pixel box is the smallest
// one covering the point box, so a thin rule on the box's edge is counted;
// pixels off the image count as blank.
func inkFractions(img *image.Gray, boxes []shenbao.Box, dpi float64, threshold uint8) []float64 {
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
			for _, v := range img.Pix[img.PixOffset(on.Min.X, y):img.PixOffset(on.Max.X, y)] {
				if v < threshold {
					dark++
				}
			}
		}
		fr[i] = float64(dark) / float64(area)
	}
	return fr
}
