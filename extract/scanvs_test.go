package extract_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkScanVersus times two shenbao binaries on the corpus's scans,
// each as a user runs it (`shenbao check --force` on one file: start-up,
// the scan child, the checks), one after the other, pair by pair: the
// ratio of A to B is taken per pair, so that the machine's speed drifting
// between runs — on a shared machine Tesseract alone moves by a quarter
// between two runs of the same pages — moves both sides of a ratio alike.
// It is how "no slower than before" (issues 19, 20) is measured against a
// build of an earlier commit:
//
//	git worktree add /tmp/before 0846609 && (cd /tmp/before && go build -o /tmp/shenbao-before ./cmd/shenbao)
//	go build -o /tmp/shenbao-now ./cmd/shenbao
//	SCAN_VS_A=/tmp/shenbao-now SCAN_VS_B=/tmp/shenbao-before SCAN_DPI=150 \
//	  SCAN_DOCS='gd2023_05|nat2024_05|cq2024_05' go test ./extract -run '^$' -bench ScanVersus -benchtime 1x -timeout 60m
//
// SCAN_VS_PAIRS sets the pairs per document (3), after one run of each
// not counted; SCAN_DOCS and SCAN_DPI choose the scans as for
// BenchmarkScanCorpus. CPU is user+sys of the process and the children it
// waited for.
func BenchmarkScanVersus(b *testing.B) {
	binA, binB := os.Getenv("SCAN_VS_A"), os.Getenv("SCAN_VS_B")
	if binA == "" || binB == "" {
		b.Skip("SCAN_VS_A and SCAN_VS_B name the two shenbao binaries to compare")
	}
	pairs := 3
	if v := os.Getenv("SCAN_VS_PAIRS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("SCAN_VS_PAIRS=%q: want a count of pairs", v)
		}
		pairs = n
	}
	selected, atDPI := scanSelection(b)
	dir := b.TempDir()
	type doc struct {
		name, path string
		pages      int
	}
	var docs []doc
	for _, d := range selected {
		in := scanInput(b, d, atDPI)
		path := filepath.Join(dir, fmt.Sprintf("%s_%ddpi.pdf", strings.TrimSuffix(filepath.Base(d.Path), ".pdf"), in.dpi))
		if err := os.WriteFile(path, in.pdf, 0o644); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, doc{filepath.Base(path), path, len(in.pages)})
		// Which bytes each row measured: two copies that read alike in
		// time are told apart here.
		fmt.Printf("%s: %d pages, %d bytes, sha256 %x\n", filepath.Base(path), len(in.pages), len(in.pdf), sha256.Sum256(in.pdf))
	}
	run := func(bin, side, path string) (wall, cpu time.Duration) {
		cmd := exec.Command(bin, "check", "--force", "--cache-dir", filepath.Join(dir, "cache-"+side),
			"--out", filepath.Join(dir, "out-"+side+".jsonl"), path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s check %s: %v\n%s", bin, path, err, stderr.String())
		}
		wall = time.Since(start)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		return wall, cpu
	}
	fmt.Printf("A = %s\nB = %s\nload at start: %s\n", binA, binB, loadAvg())
	fmt.Printf("%-28s %5s | %9s %9s | %9s %9s | %-22s %-22s\n", "document", "pages", "A wall", "A cpu", "B wall", "B cpu", "A/B wall (min–max)", "A/B cpu (min–max)")
	var wallRatios, cpuRatios []float64
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			run(binA, "a", d.path)
			run(binB, "b", d.path)
			var aw, ac, bw, bc, rw, rc []float64
			for p := 0; p < pairs; p++ {
				w1, c1 := run(binA, "a", d.path)
				w2, c2 := run(binB, "b", d.path)
				aw, ac, bw, bc = append(aw, w1.Seconds()), append(ac, c1.Seconds()), append(bw, w2.Seconds()), append(bc, c2.Seconds())
				rw, rc = append(rw, w1.Seconds()/w2.Seconds()), append(rc, c1.Seconds()/c2.Seconds())
			}
			fmt.Printf("%-28s %5d | %8.1fs %8.1fs | %8.1fs %8.1fs | %5.2f (%4.2f–%4.2f)      %5.2f (%4.2f–%4.2f)\n",
				strings.TrimSuffix(d.name, ".pdf"), d.pages, medianF(aw), medianF(ac), medianF(bw), medianF(bc),
				medianF(rw), slices.Min(rw), slices.Max(rw), medianF(rc), slices.Min(rc), slices.Max(rc))
			wallRatios, cpuRatios = append(wallRatios, medianF(rw)), append(cpuRatios, medianF(rc))
		}
	}
	fmt.Printf("A/B over %d documents, median of their medians: wall %.2f, CPU %.2f\nload at end: %s\n",
		len(docs), medianF(wallRatios), medianF(cpuRatios), loadAvg())
}
