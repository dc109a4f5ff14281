//go:build cgo

package scanpdf_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// pageText is the text of page's table cells and paragraphs, whitespace
// removed.
func pageText(c *shenbao.Content, page int) string {
	var b strings.Builder
	for _, bl := range c.Blocks {
		if bl.Page != page {
			continue
		}
		b.WriteString(bl.Text)
		if bl.Table != nil {
			for _, r := range bl.Table.Rows {
				for _, cell := range r.Cells {
					b.WriteString(cell.Text)
				}
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), "")
}

// TestReadsScansAsOfficeScannersWriteThem: a 300-dpi bitonal form page
// compressed CCITT G4 is read from a PDF that declares it at 96 dpi (a
// page of 1861×2631 pt, refused before as too large), and from a
// two-page TIFF whose second page lies upside down; each page comes out
// on its A4 sheet with its labels read.
func TestReadsScansAsOfficeScannersWriteThem(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of three pages")
	}
	labels := []string{"主导产业所属产业类型", "集群运营管理机构"}
	for _, tt := range []struct {
		file  string
		pages int
	}{
		{"form_g4_96dpi.pdf", 1},
		{"form_g4_2p.tif", 2},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("../../testdata/scan/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := scanpdf.Reader{}.Read(context.Background(), bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Pages) != tt.pages {
				t.Fatalf("%d pages, want %d", len(c.Pages), tt.pages)
			}
			for i, p := range c.Pages {
				if math.Abs(p.Width-595.3) > 3 || math.Abs(p.Height-841.9) > 3 {
					t.Errorf("page %d is %.1f×%.1f pt, want A4", i+1, p.Width, p.Height)
				}
				txt := pageText(c, i+1)
				for _, l := range labels {
					if !strings.Contains(txt, l) {
						t.Errorf("page %d: %q not read; read %q", i+1, l, txt)
					}
				}
			}
		})
	}
}
