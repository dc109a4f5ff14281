//go:build cgo

package extract_test

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/roughen"
)

// TestRoughScans reads every scanned application of the corpus again after
// making it rougher than any the corpus holds — each page rendered at its
// dpi, turned by 0.5–1.5° one way or the other, the light falling to 80 %
// across it, noise, a blur, saved as JPEG of quality 35, the frame left
// black as a copier leaves it — and requires the edition recognised. It
// prints the accuracy per edition and dpi as TestCorpusAccuracy does,
// wrong values read with confidence (the worst outcome) included. It takes
// minutes, so it runs only with SHENBAO_ROUGH=1 (make bench); ROUGH_KEEP=dir
// keeps the rough copies, ROUGH_DOCS=nat2024 reads only the documents whose
// name holds it.
func TestRoughScans(t *testing.T) {
	if os.Getenv("SHENBAO_ROUGH") != "1" {
		t.Skip("SHENBAO_ROUGH=1 runs it")
	}
	ex := newExtractor()
	if ex.Scan == nil {
		t.Skip("no scan engine")
	}
	sheet := newScoreSheet()
	for _, d := range corpusDocs(t) {
		if d.Format() != "scan" {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(d.Path), ".pdf") + "_rough.pdf"
		if !strings.Contains(name, os.Getenv("ROUGH_DOCS")) {
			continue
		}
		data := roughCopy(t, d.Path, float64(d.Truth.DPI))
		rep, ok := readCopy(t, ex, name, data, os.Getenv("ROUGH_KEEP"))
		if !ok {
			continue
		}
		s := corpus.Compare(rep, d)
		sheet.add(d.EditionID(), fmt.Sprintf("rough%d", d.Truth.DPI), s)
		if !s.Edition {
			t.Errorf("%s: edition not recognised", name)
		}
		if s.ConfidentWrong > 0 {
			// Measured, not yet required: the table's last column.
			t.Logf("%s: %d wrong values read with confidence", name, s.ConfidentWrong)
		}
		if os.Getenv("SCAN_MISSES") != "" {
			t.Logf("%s:\n  %s", name, strings.Join(s.Misses, "\n  "))
		}
	}
	t.Log(sheet.String())
}

// roughCopy renders the scan at path page by page and returns it rougher,
// as an image-only PDF at the same dpi.
func roughCopy(t *testing.T, path string, dpi float64) []byte {
	t.Helper()
	pages := renderPages(t, path, dpi, func(n int, g *image.Gray) *image.Gray {
		deg := 0.5 * float64(n%3+1)
		if n%2 == 0 {
			deg = -deg
		}
		return roughen.Blur(roughen.Noise(roughen.Darken(roughen.Skew(g, deg), 0.8), 12))
	})
	data, err := roughen.PDF(pages, dpi, 35)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
