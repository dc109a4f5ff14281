//go:build ignore

// mkfixtures writes the scan fixtures' raw pages: a 300-dpi form page
// (extract/scan/testdata) thresholded to one bit a pixel, as uncompressed
// TIFFs that `make fixtures` compresses with CCITT G4 (tiffcp) and wraps
// in a PDF (tiff2pdf), as office scanners do:
//
//	up300.tif    the page upright, resolution 300 dpi
//	down300.tif  the page turned 180°, 300 dpi
//	up96.tif     the page upright, declared at 96 dpi (so a PDF made of it
//	             says the page is 1861×2631 pt)
//
// Usage: go run mkfixtures.go SRC.jpg OUTDIR
package main

import (
	"encoding/binary"
	"image"
	"image/color"
	_ "image/jpeg"
	"log"
	"os"
	"path/filepath"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	out := os.Args[2]
	write := func(name string, dpi uint32, turn bool) {
		if err := os.WriteFile(filepath.Join(out, name), bilevel(img, dpi, turn), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	write("up300.tif", 300, false)
	write("down300.tif", 300, true)
	write("up96.tif", 96, false)
}

// bilevel encodes img as an uncompressed 1-bit TIFF (WhiteIsZero, as fax
// data is), dark pixels black.
func bilevel(img image.Image, dpi uint32, turn bool) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := (w + 7) / 8
	pix := make([]byte, stride*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := x, y
			if turn {
				sx, sy = w-1-x, h-1-y
			}
			if color.GrayModel.Convert(img.At(b.Min.X+sx, b.Min.Y+sy)).(color.Gray).Y < 150 {
				pix[y*stride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	le := binary.LittleEndian
	type entry struct {
		tag, typ   uint16
		count, val uint32
	}
	const nEntries = 12
	ifd := uint32(8)
	res := ifd + 2 + nEntries*12 + 4
	data := res + 16
	ents := []entry{
		{256, 4, 1, uint32(w)}, {257, 4, 1, uint32(h)}, {258, 3, 1, 1}, {259, 3, 1, 1},
		{262, 3, 1, 0}, {273, 4, 1, data}, {277, 3, 1, 1}, {278, 4, 1, uint32(h)},
		{279, 4, 1, uint32(len(pix))}, {282, 5, 1, res}, {283, 5, 1, res + 8}, {296, 3, 1, 2},
	}
	buf := []byte("II*\x00")
	buf = le.AppendUint32(buf, ifd)
	buf = le.AppendUint16(buf, nEntries)
	for _, e := range ents {
		buf = le.AppendUint16(buf, e.tag)
		buf = le.AppendUint16(buf, e.typ)
		buf = le.AppendUint32(buf, e.count)
		buf = le.AppendUint32(buf, e.val)
	}
	buf = le.AppendUint32(buf, 0)
	for range 2 {
		buf = le.AppendUint32(buf, dpi)
		buf = le.AppendUint32(buf, 1)
	}
	return append(buf, pix...)
}
