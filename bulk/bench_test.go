package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao/crosscheck"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// distinct rewrites a docx with a zip comment, so each copy has its own
// SHA-256 and is extracted on its own, as a real archive's files are.
func distinct(b *testing.B, data []byte, n int) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.CreateHeader(&f.FileHeader)
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.SetComment(fmt.Sprintf("copy %d", n))
	zw.Close()
	return out.Bytes()
}

// distinctPDF gives a PDF its own bytes with a comment after %%EOF, which
// readers ignore.
func distinctPDF(data []byte, n int) []byte {
	return append(append([]byte(nil), data...), fmt.Sprintf("\n%%copy %d\n", n)...)
}

// crossRunner is runner with a fresh cache and the checks across
// applications, copied text included (the segmenter loaded outside the
// timings), its shingles cached beside it.
func crossRunner(b *testing.B) *Runner {
	seg, err := crosscheck.NewSegmenter()
	if err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	r := runner(b, cache)
	r.CrossOptions = crosscheck.Options{Segmenter: seg, Shingles: Shingles{Dir: filepath.Join(cache, "shingles")}}
	return r
}

// BenchmarkBulk1000 checks 1,000 digital applications (docx and PDF) cold —
// extract, check, the checks across applications, caches written — then
// re-checks them from the caches as after a rule change, and reports both
// times and rates.
func BenchmarkBulk1000(b *testing.B) {
	var docx, pdfs [][]byte
	for _, glob := range []string{"../testdata/corpus/*_docx.docx", "../testdata/corpus/*_pdf.pdf"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			d, _ := os.ReadFile(p)
			if strings.HasSuffix(p, ".pdf") {
				pdfs = append(pdfs, d)
			} else {
				docx = append(docx, d)
			}
		}
	}
	if len(docx) == 0 || len(pdfs) == 0 {
		b.Skip("no corpus")
	}
	const n = 1000
	items := make([]Item, n)
	for i := range items {
		var data []byte
		name := fmt.Sprintf("app%04d", i)
		if i%2 == 0 {
			data, name = distinct(b, docx[i/2%len(docx)], i), name+".docx"
		} else {
			data, name = distinctPDF(pdfs[i/2%len(pdfs)], i), name+".pdf"
		}
		items[i] = Item{Path: name, Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }}
	}
	for i := 0; i < b.N; i++ {
		r := crossRunner(b)
		start := time.Now()
		o := r.Run(context.Background(), items)
		cold := time.Since(start)
		start = time.Now()
		o2 := r.Run(context.Background(), items)
		warm := time.Since(start)
		for _, res := range append(o.Results, o2.Results...) {
			if res.Report == nil {
				b.Fatalf("%s failed: %+v", res.Path, res.Failure)
			}
		}
		b.ReportMetric(cold.Seconds(), "cold-s")
		b.ReportMetric(float64(n)/cold.Seconds(), "cold-apps/s")
		b.ReportMetric(warm.Seconds(), "recheck-s")
		b.ReportMetric(float64(n)/warm.Seconds(), "recheck-apps/s")
	}
}

// BenchmarkScans measures scanned applications per minute with one local
// worker (OCR on both cores in its child) and with two (one core each).
func BenchmarkScans(b *testing.B) {
	paths, _ := filepath.Glob("../../shared/corpus/*_scan.pdf")
	if len(paths) < 4 {
		b.Skip("needs the shared corpus's scans")
	}
	paths = paths[:4]
	var items []Item
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		items = append(items, Item{Path: filepath.Base(p), Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }})
	}
	for _, cfg := range []struct{ workers, ocr int }{{1, 2}, {2, 1}} {
		b.Run(fmt.Sprintf("workers=%d", cfg.workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := runner(b, b.TempDir())
				r.Cross = nil
				r.Workers = cfg.workers
				r.Pipeline.Extractor.ScanWith(scanpdf.Options{Workers: cfg.ocr})
				start := time.Now()
				o := r.Run(context.Background(), items)
				took := time.Since(start)
				for _, res := range o.Results {
					if res.Report == nil {
						b.Fatalf("%s failed: %+v", res.Path, res.Failure)
					}
				}
				b.ReportMetric(float64(len(items))/took.Minutes(), "scans/min")
			}
		})
	}
}
