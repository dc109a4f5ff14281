//go:build cgo

package scanpdf_test

import (
	"context"
	"fmt"
	"image"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/extract/scan"
	"github.com/shenbao/shenbao/layout"
)

// TestReadCosts says where a scan's reading time goes: it reads the scanned
// PDF named by SCAN_COSTS_PDF as the scan job does, in this process, on one
// core (one page at a time, one Tesseract client, one PP-OCR run), and
// times every Tesseract region and every PP-OCR call. Each region read is
// put in a class by its text: print (seven tenths of its character pairs
// occur in the forms' print: labels, options, remarks, notes), prose (20
// characters or more, not print), value (the rest) or empty; and by its
// mode. It prints per class the calls, characters and seconds, then the
// document's total, Tesseract's and PP-OCR's. The classes are the text's,
// not the layout's: a long answer's line quoting a label may count as
// print. With SCAN_COSTS_LIST=1 every region is listed; SCAN_COSTS_DPI
// renders the pages at another resolution than 200.
//
//	OMP_THREAD_LIMIT=1 SCAN_COSTS_PDF=../../../shared/corpus/nat2024_05_scan.pdf go test ./extract/scanpdf -run TestReadCosts -v
func TestReadCosts(t *testing.T) {
	path := os.Getenv("SCAN_COSTS_PDF")
	if path == "" {
		t.Skip("SCAN_COSTS_PDF not set")
	}
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		t.Fatal("run with OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads would spin against the timing (ocr.ThreadLimitEnv)")
	}
	set, err := layout.Load()
	if err != nil {
		t.Fatal(err)
	}
	inCells, notes, other := set.Printed(), set.Notes(), set.OtherPrint()
	printed := map[string]bool{}
	for _, ps := range [][]string{inCells, notes, other} {
		for _, p := range ps {
			for _, g := range pairs(strings.Join(strings.Fields(p), "")) {
				printed[g] = true
			}
		}
	}
	doc, err := render.OpenLocal(path, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	eng, err := ocr.New(ocr.Options{Clients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	models, err := ocr.LoadModels(ocr.FindModels(ocr.ModelDirs("")))
	if err != nil {
		t.Skip(err)
	}
	pp, err := ocr.NewPPOCR(models, ocr.PPOCROptions{Runs: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pp.Close()
	// SCAN_COSTS_DPI renders the pages at another resolution (200), as
	// a copy scanned at it; they are read at the work resolution, 200.
	dpi := 200
	if v := os.Getenv("SCAN_COSTS_DPI"); v != "" {
		if dpi, err = strconv.Atoi(v); err != nil || dpi < 50 || dpi > 600 {
			t.Fatalf("SCAN_COSTS_DPI=%q: want a resolution from 50 to 600", v)
		}
	}
	tess := &timedOCR{eng: eng}
	wit := &timedWitness{p: pp}
	start := time.Now()
	_, err = scan.ReadPages(context.Background(), doc.Pages(), func(i int) (image.Image, error) {
		img, _, err := doc.Sheet(i+1, float64(dpi))
		return img, err
	}, float64(dpi), scan.Options{OCR: tess, Workers: 1, WorkDPI: 200, Forms: extract.ScanForms(set), Witness: wit, Engine: ocr.EngineBoth})
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	type class struct {
		d            time.Duration
		calls, chars int
	}
	classes := map[string]*class{}
	var all time.Duration
	for _, r := range tess.regions {
		text := strings.Join(strings.Fields(r.text), "")
		n := len([]rune(text))
		name := "empty"
		if n > 0 {
			ps, hit := pairs(text), 0
			for _, p := range ps {
				if printed[p] {
					hit++
				}
			}
			switch {
			case len(ps) > 0 && 10*hit >= 7*len(ps):
				name = "print"
			case n >= 20:
				name = "prose"
			default:
				name = "value"
			}
		}
		key := fmt.Sprintf("%s/%s", name, modeName(r.mode))
		if classes[key] == nil {
			classes[key] = &class{}
		}
		c := classes[key]
		c.d += r.d
		c.calls++
		c.chars += n
		all += r.d
		if os.Getenv("SCAN_COSTS_LIST") != "" {
			fmt.Printf("%-14s %6.1f ms %4d×%-4d %q\n", key, float64(r.d.Microseconds())/1000, r.w, r.h, r.text)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(classes)) {
		c := classes[k]
		fmt.Printf("%-16s %5d calls %6d chars %7.2f s %5.1f %% of Tesseract\n", k, c.calls, c.chars, c.d.Seconds(), 100*c.d.Seconds()/all.Seconds())
	}
	fmt.Printf("%d pages: %.2f s in all, Tesseract %.2f s, PP-OCR %.2f s (%d regions; long answers %.2f s, %d), the rest %.2f s\n",
		doc.Pages(), total.Seconds(), all.Seconds(), wit.d.Seconds(), wit.n, wit.long.Seconds(), wit.nlong, (total - all - wit.d).Seconds())
}

// pairs are the pairs of consecutive characters of s.
func pairs(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i+2 <= len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

func modeName(m ocr.Mode) string {
	return [...]string{"text", "numeric", "line", "rawline", "char", "digits"}[m]
}

// timedOCR reads each region alone and keeps its time and text.
type timedOCR struct {
	eng     *ocr.Engine
	mu      sync.Mutex
	regions []timedRegion
}

type timedRegion struct {
	mode ocr.Mode
	text string
	d    time.Duration
	w, h int
}

func (o *timedOCR) Page(ctx context.Context, img *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	out := make([]ocr.Result, len(regions))
	for i, r := range regions {
		start := time.Now()
		res, err := o.eng.Page(ctx, img, []ocr.Region{r})
		if err != nil {
			return nil, err
		}
		d := time.Since(start)
		out[i] = res[0]
		var lines []string
		for _, l := range res[0].Lines {
			lines = append(lines, l.Text)
		}
		o.mu.Lock()
		o.regions = append(o.regions, timedRegion{r.Mode, strings.Join(lines, "⏎"), d, r.Rect.Dx(), r.Rect.Dy()})
		o.mu.Unlock()
	}
	return out, nil
}

// timedWitness times PP-OCR's calls: all (d, n) and the long answers'
// (long, nlong, by ReadLong).
type timedWitness struct {
	p       *ocr.PPOCR
	mu      sync.Mutex
	d, long time.Duration
	n       int
	nlong   int
}

func (w *timedWitness) Read(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error) {
	return w.timed(ctx, img, rects, w.p.Read, false)
}

// ReadLong times the long answers' reading apart.
func (w *timedWitness) ReadLong(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error) {
	return w.timed(ctx, img, rects, w.p.ReadLong, true)
}

func (w *timedWitness) timed(ctx context.Context, img *image.Gray, rects []image.Rectangle, read func(context.Context, *image.Gray, []image.Rectangle) ([][]ocr.Reading, error), long bool) ([][]ocr.Reading, error) {
	start := time.Now()
	r, err := read(ctx, img, rects)
	d := time.Since(start)
	w.mu.Lock()
	w.d += d
	w.n += len(rects)
	if long {
		w.long += d
		w.nlong += len(rects)
	}
	w.mu.Unlock()
	return r, err
}
