package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExtract measures whole-document extraction (read, detect, map)
// per format over the corpus, reporting the median per application and the
// memory the process obtained from the OS.
func BenchmarkExtract(b *testing.B) {
	for _, format := range []struct{ name, glob string }{
		{"docx", "*_docx.docx"},
		{"pdf", "*_pdf.pdf"},
	} {
		b.Run(format.name, func(b *testing.B) {
			ex := newExtractor()
			if format.name == "pdf" && ex.PDFText == nil {
				b.Skip("no PDF text engine wired")
			}
			var docs [][]byte
			for _, dir := range corpusDirs(b) {
				paths, _ := filepath.Glob(filepath.Join(dir, format.glob))
				for _, p := range paths {
					d, err := os.ReadFile(p)
					if err != nil {
						b.Fatal(err)
					}
					docs = append(docs, d)
				}
			}
			if len(docs) == 0 {
				b.Skip("no documents")
			}
			durations := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := docs[i%len(docs)]
				start := time.Now()
				if _, err := ex.Extract(context.Background(), "bench", d); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			b.StopTimer()
			// CPU time per document, which other processes on a busy
			// machine do not inflate as they do wall time.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/doc")
			sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
			b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms/doc")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
		})
	}
}
