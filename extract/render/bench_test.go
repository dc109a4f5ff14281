//go:build cgo

package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shenbao/shenbao/extract/child"
)

// BenchmarkScanPage renders scanned pages through a child process, as the
// scan path does: page 1 of testdata/scan2.pdf is a 200 dpi colour scan,
// page 2 a 300 dpi gray one. It reports the child's peak resident memory
// and CPU time.
//
//	go test -run '^$' -bench ScanPage -benchtime 10x ./extract/render
func BenchmarkScanPage(b *testing.B) {
	pdf, err := os.ReadFile("testdata/scan2.pdf")
	if err != nil {
		b.Fatal(err)
	}
	for _, page := range []int{1, 2} {
		for _, dpi := range []float64{200, 300} {
			for _, format := range []string{formatGray, formatRGBA} {
				b.Run(fmt.Sprintf("page%d/%gdpi/%s", page, dpi, format), func(b *testing.B) {
					benchRender(b, pdf, page, dpi, format)
				})
			}
		}
	}
}

// BenchmarkCorpusScan renders every page of every scanned application in
// ../shared/corpus in gray, with one child per page (PageGray) and with
// one child for all pages (PagesGray); an op is a whole application.
//
//	go test -run '^$' -bench CorpusScan -benchtime 1x ./extract/render
func BenchmarkCorpusScan(b *testing.B) {
	files, _ := filepath.Glob("../../../shared/corpus/*_scan.pdf")
	if len(files) == 0 {
		b.Skip("no ../shared/corpus")
	}
	for _, batch := range []bool{false, true} {
		for _, dpi := range []float64{200, 300} {
			for _, f := range files {
				pdf, err := os.ReadFile(f)
				if err != nil {
					b.Fatal(err)
				}
				mode := "child-per-page"
				if batch {
					mode = "one-child"
				}
				b.Run(fmt.Sprintf("%s/%gdpi/%s", mode, dpi, filepath.Base(f)), func(b *testing.B) {
					d, err := Options{}.Open(pdf)
					if err != nil {
						b.Fatal(err)
					}
					defer d.Close()
					ctx := context.Background()
					info, err := d.Info(ctx)
					if err != nil {
						b.Fatal(err)
					}
					var peak int64
					var cpu time.Duration
					d.onStats = func(st child.Stats) {
						peak = max(peak, st.MaxRSS)
						cpu += st.User + st.System
					}
					pages := make([]int, len(info.Pages))
					for i := range pages {
						pages[i] = i + 1
					}
					for b.Loop() {
						if batch {
							if _, err := d.PagesGray(ctx, pages, dpi); err != nil {
								b.Fatal(err)
							}
							continue
						}
						for _, p := range pages {
							if _, err := d.PageGray(ctx, p, dpi); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportMetric(float64(len(info.Pages)), "pages")
					b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "child-cpu-ms/op")
					b.ReportMetric(float64(peak)/(1<<20), "child-peak-MB")
				})
			}
		}
	}
}

func benchRender(b *testing.B, pdf []byte, page int, dpi float64, format string) {
	d, err := Options{}.Open(pdf)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var peak int64
	var cpu time.Duration
	d.onStats = func(st child.Stats) {
		peak = max(peak, st.MaxRSS)
		cpu += st.User + st.System
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := d.raster(ctx, []int{page}, dpi, format); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "child-peak-MB")
	// CPU time, unlike ns/op, holds still when other work shares the cores.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "child-cpu-ms/op")
}

// BenchmarkLocalGray renders in this process, without the child, opening
// the file each time so that the scan's JPEG is decoded each time, as it is
// once per page in a child: the difference to BenchmarkScanPage is the
// price of isolation.
func BenchmarkLocalGray(b *testing.B) {
	for _, page := range []int{1, 2} {
		for _, dpi := range []float64{200, 300} {
			b.Run(fmt.Sprintf("page%d/%gdpi", page, dpi), func(b *testing.B) {
				for b.Loop() {
					l, err := OpenLocal("testdata/scan2.pdf", Options{})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := l.Gray(page, dpi); err != nil {
						b.Fatal(err)
					}
					l.Close()
				}
			})
		}
	}
}
