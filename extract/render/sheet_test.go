//go:build cgo

package render_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/render"
)

// bitonalA4 is a blank A4 page scanned at 300 dpi, one bit a pixel, as an
// image object for makePDF.
func bitonalA4(t testing.TB) string {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, (2481+7)/8*3508))
	zw.Close()
	return fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 2481 /Height 3508 /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.String())
}

// over is a page of w×h pt with the image drawn over all of it.
func over(w, h float64) pdfPage {
	return pdfPage{w: w, h: h, content: fmt.Sprintf("q %g 0 0 %g 0 0 cm /Im1 Do Q", w, h)}
}

// TestSheet: a scanned page is read and shown at its image's own
// resolution whatever page size its file declares — 300, 96 or 72 dpi
// claims, pages of several sizes in one file — and digital pages as they
// are; image files (G4 TIFF of two pages) too.
func TestSheet(t *testing.T) {
	ctx := context.Background()
	mixed := makePDF([]pdfPage{
		over(595.44, 841.92), // declared right
		over(1860.75, 2631),  // declared at 96 dpi
		over(2481, 3508),     // declared at 72 dpi
		{w: 595, h: 842, content: "BT /F1 12 Tf 72 72 Td (digital) Tj ET"},
		// Text over a full-page picture: digital, its size as declared.
		{w: 1860.75, h: 2631, content: "q 1860.75 0 0 2631 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 72 Td (digital) Tj ET"},
	}, bitonalA4(t))
	g4, err := os.ReadFile("../../testdata/scan/form_g4_2p.tif")
	if err != nil {
		t.Fatal(err)
	}
	declared96, err := os.ReadFile("../../testdata/scan/form_g4_96dpi.pdf")
	if err != nil {
		t.Fatal(err)
	}
	jpg, err := os.ReadFile("../scan/testdata/cq2024_p3_200dpi_colour.jpg") // JFIF says 200 dpi
	if err != nil {
		t.Fatal(err)
	}
	page, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	var noRes bytes.Buffer // a PNG says no resolution: MuPDF takes 96 dpi
	if err := png.Encode(&noRes, page); err != nil {
		t.Fatal(err)
	}
	// The bitonal pages are rendered in gray, the colour JPEG (and its
	// PNG) in colour.
	a4at300 := render.Paper{Scan: true, Gray: true, ImageW: 2481, ImageH: 3508, DPI: 300}
	a4at200 := render.Paper{Scan: true, ImageW: 1654, ImageH: 2339, DPI: 200}
	digital := render.Paper{Scale: 1}
	tests := []struct {
		name  string
		file  []byte
		pages []render.Paper // Scale is checked against the declared size
		png   [][2]int       // PagePNG at 100 dpi
	}{
		{"one PDF, three declarations and digital pages", mixed, []render.Paper{a4at300, a4at300, a4at300, digital, {ImageW: 2481, ImageH: 3508, Scale: 1}}, [][2]int{{827, 1169}, {827, 1169}, {827, 1169}, {827, 1169}, {2584, 3654}}},
		{"bitonal G4 scan in a PDF declaring 96 dpi", declared96, []render.Paper{a4at300}, [][2]int{{827, 1169}}},
		{"two-page G4 TIFF", g4, []render.Paper{a4at300, a4at300}, [][2]int{{827, 1169}, {827, 1169}}},
		{"JPEG at 200 dpi", jpg, []render.Paper{a4at200}, [][2]int{{827, 1169}}},
		{"PNG without a resolution", noRes.Bytes(), []render.Paper{a4at200}, [][2]int{{827, 1169}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := render.Options{}.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			info, err := d.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Pages) != len(tt.pages) {
				t.Fatalf("%d pages, want %d", len(info.Pages), len(tt.pages))
			}
			for i, want := range tt.pages {
				got := info.Pages[i]
				if want.Scale == 0 {
					want.Scale = got.Paper.Scale
					if sheet := math.Max(got.Width, got.Height) / got.Paper.Scale; math.Abs(sheet-841.92) > 2 {
						t.Errorf("page %d: sheet's long side %.1f pt, want A4's", i+1, sheet)
					}
				}
				if math.Abs(got.Paper.DPI-want.DPI) < 0.5 {
					want.DPI = got.Paper.DPI
				}
				if got.Paper != want {
					t.Errorf("page %d (%.0f×%.0f pt): paper %+v, want %+v", i+1, got.Width, got.Height, got.Paper, want)
				}
				b, err := d.PagePNG(ctx, i+1, 100)
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if w, h := cfg.Width, cfg.Height; math.Abs(float64(w-tt.png[i][0])) > 1 || math.Abs(float64(h-tt.png[i][1])) > 1 {
					t.Errorf("page %d shown %d×%d px at 100 dpi, want %v", i+1, w, h, tt.png[i])
				}
			}
		})
	}
}

// TestImageFilesOpen: JPEG, PNG and TIFF open as pages; anything else is
// refused at once with a typed, bilingual error.
func TestImageFilesOpen(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), shenbao.EUNSUPPORTED},
		{"BMP", append([]byte("BM"), make([]byte, 100)...), shenbao.EUNSUPPORTED},
		{"docx", []byte("PK\x03\x04rest"), shenbao.EUNSUPPORTED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render.Options{}.Open(tt.data)
			if got := shenbao.ErrorCode(err); got != tt.want {
				t.Fatalf("code %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}
