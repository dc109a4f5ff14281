package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
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

// BenchmarkBulk1000 checks 1,000 digital applications cold (extract and
// check, cache written), then re-checks them from the cache as after a rule
// change, and reports both rates.
func BenchmarkBulk1000(b *testing.B) {
	src, _ := filepath.Glob("../testdata/corpus/*_docx.docx")
	if len(src) == 0 {
		b.Skip("no corpus")
	}
	var originals [][]byte
	for _, p := range src {
		d, _ := os.ReadFile(p)
		originals = append(originals, d)
	}
	const n = 1000
	items := make([]Item, n)
	for i := range items {
		data := distinct(b, originals[i%len(originals)], i)
		items[i] = Item{Path: fmt.Sprintf("app%04d.docx", i), Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }}
	}
	for i := 0; i < b.N; i++ {
		r := runner(b, b.TempDir())
		r.Cross = nil
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
