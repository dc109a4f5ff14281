//go:build cgo

package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scan"
	"github.com/shenbao/shenbao/layout"
)

const corpusDir = "../../../shared/corpus"

// pageImages pulls the page images out of a scanned PDF with pdfimages;
// the benchmark uses it so that it measures the scan path alone, whatever
// the state of the renderer.
func pageImages(tb testing.TB, pdf string) ([]image.Image, []string) {
	dir := tb.TempDir()
	if out, err := exec.Command("pdfimages", "-j", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		tb.Fatalf("pdfimages %s: %v %s", pdf, err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*"))
	sort.Strings(files)
	var imgs []image.Image
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		imgs = append(imgs, img)
	}
	return imgs, files
}

// BenchmarkCorpusScan reads every scanned application of the shared corpus,
// prints per document the time of the scan path, the time of plain
// full-page `tesseract PAGE - -l chi_sim` on the same pages and their
// ratio (wall and CPU: the CPU ratio holds on a loaded machine), and — through layout.Map — the field, checkbox and text accuracy
// against the truth, per edition and dpi.
//
//	go test ./extract/scan -run '^$' -bench CorpusScan -benchtime 1x
//
// SCAN_DOCS=nat2024 keeps the documents whose name holds it; SCAN_BASELINE=0
// skips the (slow) full-page tesseract runs; SCAN_MISSES=1 lists each wrong
// value.
func BenchmarkCorpusScan(b *testing.B) {
	docs, err := corpus.Load(corpusDir)
	if err != nil || len(docs) == 0 {
		b.Skip("shared corpus absent")
	}
	if _, err := exec.LookPath("pdfimages"); err != nil {
		b.Skip("pdfimages (poppler-utils) not installed")
	}
	eng, err := ocr.New(ocr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	baseline := os.Getenv("SCAN_BASELINE") != "0"
	var times []time.Duration
	total := map[string]*corpus.Score{}
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if d.Format() != "scan" || !strings.Contains(d.Path, os.Getenv("SCAN_DOCS")) {
				continue
			}
			imgs, files := pageImages(b, d.Path)
			ex := extract.New(layout.MustLoad())
			ex.Scan = func(ctx context.Context, _ io.ReaderAt, _ int64) (*shenbao.Content, error) {
				return scan.Read(ctx, imgs, 0, scan.Options{OCR: eng})
			}
			data, err := os.ReadFile(d.Path)
			if err != nil {
				b.Fatal(err)
			}
			start, cpu0 := time.Now(), cpuTime(syscall.RUSAGE_SELF)
			rep, err := ex.Extract(context.Background(), filepath.Base(d.Path), data)
			el, cpu := time.Since(start), cpuTime(syscall.RUSAGE_SELF)-cpu0
			if err != nil {
				b.Fatalf("%s: %v", d.Path, err)
			}
			times = append(times, el)
			s := corpus.Compare(rep, d)
			key := fmt.Sprintf("%s %ddpi", d.EditionID(), d.Truth.DPI)
			if total[key] == nil {
				total[key] = &corpus.Score{}
			}
			total[key].Add(s)
			line := fmt.Sprintf("%-22s %2d pages  scan %6.1fs (cpu %6.1fs)", filepath.Base(d.Path), len(imgs), el.Seconds(), cpu.Seconds())
			if baseline {
				t0, c0 := time.Now(), cpuTime(syscall.RUSAGE_CHILDREN)
				for _, f := range files {
					if out, err := exec.Command("tesseract", f, "-", "-l", "chi_sim").CombinedOutput(); err != nil {
						b.Fatalf("tesseract %s: %v %s", f, err, out)
					}
				}
				bl, bc := time.Since(t0), cpuTime(syscall.RUSAGE_CHILDREN)-c0
				line += fmt.Sprintf("  tesseract %6.1fs (cpu %6.1fs)  ratio %.1fx (cpu %.1fx)",
					bl.Seconds(), bc.Seconds(), bl.Seconds()/el.Seconds(), bc.Seconds()/cpu.Seconds())
			}
			line += fmt.Sprintf("  edition %v  fields %d/%d  boxes %d/%d  texts %d/%d",
				s.Edition, s.FieldsOK, s.Fields, s.BoxesOK, s.Boxes, s.TextsOK, s.Texts)
			fmt.Println(line)
			if os.Getenv("SCAN_MISSES") != "" {
				fmt.Println("  " + strings.Join(s.Misses, "\n  "))
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	if len(times) > 0 {
		fmt.Printf("median %.1fs per application\n", times[len(times)/2].Seconds())
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := total[k]
		fmt.Printf("%-22s fields %5.1f%%  boxes %5.1f%%  texts %5.1f%%\n", k,
			pct(s.FieldsOK, s.Fields), pct(s.BoxesOK, s.Boxes), pct(s.TextsOK, s.Texts))
	}
}

// cpuTime is user plus system time of the process or of its waited-for
// children. On a shared machine wall time says little; CPU time is what
// the comparison with full-page tesseract needs.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}
