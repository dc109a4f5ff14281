package pdftext

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

var knownCodes = map[string]bool{
	shenbao.EINVALID: true, shenbao.EENCRYPTED: true, shenbao.ENEEDSOCR: true,
	shenbao.ETOOLARGE: true, shenbao.ETIMEOUT: true,
}

// fuzzSeeds are small generated documents: a table with text, a cut row,
// a symbol font, a rotated page.
func fuzzSeeds() [][]byte {
	cols := []float64{70, 240, 520}
	return [][]byte{
		buildPDF([]testPage{{content: grid(cols, []float64{700, 680, 660}, false, false) + text(80, 686, "数量 A") + text(250, 686, "名称 B")}}),
		buildPDF([]testPage{
			{content: grid(cols, []float64{700, 120}, false, true) + text(80, 686, "label") + text(250, 130, "part one")},
			{content: grid(cols, []float64{780, 740}, true, false) + text(250, 766, "part two")}}),
		buildPDF([]testPage{{rotate: 90, content: "BT /F2 10 Tf 0 1 -1 0 300 100 Tm (R) Tj <a3> Tj ET " + text(100, 100, "中文")}}),
		manyPages(3, 3),
		// Marked content: an ActualText span, a named property list the
		// page does not have, an EMC too many.
		buildPDF([]testPage{{content: "/Span << /ActualText <FEFFF052> >> BDC /P /MC0 BDC BT /F4 10 Tf 100 700 Td <0301> Tj ET EMC EMC EMC " + text(100, 600, "中文")}}),
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		c, err := ReadOptions(ctx, bytes.NewReader(b), int64(len(b)), Options{MaxPages: 50, MaxStreamBytes: 1 << 20})
		if d := time.Since(start); d > 8*time.Second {
			t.Fatalf("took %v past a 5 s deadline", d)
		}
		if err != nil {
			if code := shenbao.ErrorCode(err); !knownCodes[code] {
				t.Fatalf("unexpected error code %q: %v", code, err)
			}
			return
		}
		if c == nil || c.Format != shenbao.FormatPDFText {
			t.Fatalf("no content without error")
		}
	})
}

// TestWriteFuzzSeeds keeps testdata/fuzz/FuzzRead in step with the
// generator (go test -update).
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	for i, s := range fuzzSeeds() {
		path := filepath.Join(dir, fmt.Sprintf("seed%d", i))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is stale (go test -update): %v", path, err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*_pdf.pdf"))
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join("testdata", "*_pdf.pdf"))
	}
	var docs [][]byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if _, err := Read(context.Background(), bytes.NewReader(d), int64(len(d))); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(n), "ms/doc")
}
