package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shenbao/shenbao/bulk"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// workerEnv makes this test binary run `shenbao worker` (see TestMain).
const workerEnv = "SHENBAO_TEST_WORKER"

// runWorkerIfAsked turns the process into a worker when the benchmark
// started it as one.
func runWorkerIfAsked() {
	url := os.Getenv(workerEnv)
	if url == "" {
		return
	}
	m := NewMain(io.Discard, os.Stderr)
	err := m.Run(context.Background(), []string{"worker", "--database-url", url, "--workers", "1", "--ocr-threads", "1"})
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// BenchmarkScaleOutScans measures scanned applications per minute on
// PostgreSQL with one and with two `shenbao worker` processes, each held to
// one core (GOMAXPROCS=1, one job, one Tesseract thread).
//
//	go test ./cmd/shenbao -run '^$' -bench ScaleOutScans -benchtime 1x -timeout 60m
func BenchmarkScaleOutScans(b *testing.B) {
	paths, _ := filepath.Glob("../../../shared/corpus/*_scan.pdf")
	if len(paths) < 4 {
		b.Skip("needs the shared corpus's scans")
	}
	paths = paths[:4]
	rates := map[int]float64{}
	for i := 0; i < b.N; i++ {
		for _, procs := range []int{1, 2} {
			rates[procs] = scaleScans(b, procs, paths)
		}
	}
	b.ReportMetric(rates[1], "scans/min-1proc")
	b.ReportMetric(rates[2], "scans/min-2procs")
	b.ReportMetric(rates[2]/rates[1], "speedup")
}

func scaleScans(b *testing.B, procs int, paths []string) float64 {
	url := pgtest.Database(b)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DatabaseURL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	q, err := queue.Open(ctx, st, nil, queue.Config{Workers: 0})
	if err != nil {
		b.Fatal(err)
	}
	var workers []*exec.Cmd
	for range procs {
		w := exec.Command(os.Args[0], "-test.run=^$")
		w.Env = append(os.Environ(), workerEnv+"="+url, "GOMAXPROCS=1")
		w.Stderr = os.Stderr
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		workers = append(workers, w)
	}
	defer func() {
		for _, w := range workers {
			w.Process.Signal(os.Interrupt)
			w.Wait()
		}
	}()
	time.Sleep(3 * time.Second) // connect and migrate
	items, _ := bulk.Walk(paths, 100<<20)
	start := time.Now()
	o := (&bulk.Remote{Store: st, Queue: q, Batch: "scale", Poll: time.Second}).Run(ctx, items)
	took := time.Since(start)
	for _, r := range o.Results {
		if r.Report == nil {
			b.Fatalf("%s: %+v", r.Path, r.Failure)
		}
	}
	rate := float64(len(items)) / took.Minutes()
	b.Logf("%d worker process(es): %d scans in %.1f s, %.2f scans/min", procs, len(items), took.Seconds(), rate)
	return rate
}
