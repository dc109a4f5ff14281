//go:build cgo

package scanpdf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// TestWarmWorkerReadsAsFresh: a document read by a warm worker, after
// other documents and another engine choice, reads exactly as in a child of
// its own — the engines a worker keeps carry nothing of one document into
// the next — and the worker is reused, not restarted.
func TestWarmWorkerReadsAsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of pages, many times")
	}
	tif, err := os.ReadFile("../../testdata/scan/form_g4_2p.tif")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile("../../testdata/scan/form_g4_96dpi.pdf")
	if err != nil {
		t.Fatal(err)
	}
	engine := ocr.EngineTesseract
	opts := scanpdf.Options{Engine: engine}
	if dir := ocr.FindModels(ocr.ModelDirs("")); dir != "" {
		engine, opts = ocr.EngineBoth, scanpdf.Options{Engine: ocr.EngineBoth, Models: dir}
	}
	read := func(rd scanpdf.Reader, data []byte) string {
		t.Helper()
		c, err := rd.Read(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	fresh := read(scanpdf.Reader{Opts: opts}, tif)

	pool := child.NewPool(child.PoolOptions{})
	defer pool.Close()
	warm := scanpdf.Reader{Opts: opts, Pool: pool}
	if got := read(warm, tif); got != fresh {
		t.Errorf("first read in the pool differs from a fresh child's")
	}
	read(warm, pdf)
	// Another engine choice in the same worker, then back.
	read(scanpdf.Reader{Opts: scanpdf.Options{Engine: ocr.EngineTesseract}, Pool: pool}, pdf)
	if got := read(warm, tif); got != fresh {
		t.Errorf("read by a warm worker after other documents (engine %s) differs from a fresh child's", engine)
	}
	if n := pool.Started(); n != 1 {
		t.Errorf("the pool started %d workers for 4 documents read one after another, want 1", n)
	}
}
