//go:build cgo

package scanpdf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/child/childtest"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
	"github.com/shenbao/shenbao/layout"
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

// BenchmarkWarmWorker reads one scan alternately in a fresh child and in a
// pool's warm worker (which read it once before the first pair), so that
// each pair runs side by side on a machine whose speed drifts, and prints
// the medians of wall and CPU time of both and of the pairs' ratios: what
// keeping the engines costs a document less. CPU is the children's,
// counted from /proc for the live worker. SCAN_WARM_PDF names the scan
// (default the two-page TIFF of testdata); the engines are shenbao's
// default (both where the PP-OCR models are installed), told the
// templates' print.
//
//	SCAN_WARM_PDF=../../../shared/corpus/gd2023_05_scan.pdf go test ./extract/scanpdf -run '^$' -bench WarmWorker -benchtime 5x
func BenchmarkWarmWorker(b *testing.B) {
	path := os.Getenv("SCAN_WARM_PDF")
	if path == "" {
		path = "../../testdata/scan/form_g4_2p.tif"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	// What the templates print, as production passes it: the reader skips
	// it.
	opts := scanpdf.Options{Engine: ocr.EngineTesseract, Forms: extract.ScanForms(layout.MustLoad())}
	if dir := ocr.FindModels(ocr.ModelDirs("")); dir != "" {
		opts.Engine, opts.Models = ocr.EngineBoth, dir
	}
	pool := child.NewPool(child.PoolOptions{})
	defer pool.Close()
	warm, cold := scanpdf.Reader{Opts: opts, Pool: pool}, scanpdf.Reader{Opts: opts}
	run := func(rd scanpdf.Reader) (wall, cpu time.Duration) {
		start, cpu0 := time.Now(), childCPU()
		if _, err := rd.Read(context.Background(), bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), childCPU() - cpu0
	}
	run(warm)
	var wallW, wallC, cpuW, cpuC, wallR, cpuR []float64
	for i := 0; b.Loop(); i++ {
		pair := []scanpdf.Reader{warm, cold}
		if i%2 == 1 {
			pair = []scanpdf.Reader{cold, warm}
		}
		var w, c [2]time.Duration
		for _, rd := range pair {
			k := 0
			if rd.Pool == nil {
				k = 1
			}
			w[k], c[k] = run(rd)
		}
		wallW, wallC = append(wallW, w[0].Seconds()), append(wallC, w[1].Seconds())
		cpuW, cpuC = append(cpuW, c[0].Seconds()), append(cpuC, c[1].Seconds())
		wallR, cpuR = append(wallR, w[0].Seconds()/w[1].Seconds()), append(cpuR, c[0].Seconds()/c[1].Seconds())
	}
	fmt.Printf("%s, %d pairs: warm worker wall %.2f s, CPU %.2f s; fresh child wall %.2f s, CPU %.2f s; warm/fresh wall %.2f, CPU %.2f (medians); %d workers started\n",
		filepath.Base(path), len(wallR), median(wallW), median(cpuW), median(wallC), median(cpuC), median(wallR), median(cpuR), pool.Started())
}

// childCPU is the CPU time of this process's children: those waited for
// and those still running (a pool's worker).
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	d := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	for _, c := range childtest.Children() {
		d += c.CPU()
	}
	return d
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
