package queue_test

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// BenchmarkScaleOut measures how the queue scales over worker processes on
// PostgreSQL: each worker process is limited to one core (GOMAXPROCS=1, one
// job at a time) and runs a CPU-bound stand-in for extraction; the rate of
// two processes is compared with the rate of one. The stand-in is not OCR:
// this measures the queue's share of scale-out (fetching, locking,
// completion), which the real scanned-application figure also depends on.
//
//	go test ./queue -run '^$' -bench ScaleOut -benchtime 1x
func BenchmarkScaleOut(b *testing.B) {
	const n, burn = 50, 600_000
	rates := map[int]float64{}
	for b.Loop() {
		for _, procs := range []int{1, 2} {
			cfg := store.Config{DatabaseURL: pgtest.Database(b)}
			rates[procs] = scaleRun(b, cfg, procs, n, burn)
		}
	}
	b.ReportMetric(rates[1], "apps/s-1proc")
	b.ReportMetric(rates[2], "apps/s-2procs")
	b.ReportMetric(rates[2]/rates[1], "speedup")
	b.Logf("1 worker process: %.2f applications/s; 2 worker processes: %.2f applications/s; %.2f×", rates[1], rates[2], rates[2]/rates[1])
}

func scaleRun(b *testing.B, cfg store.Config, procs, n, burn int) float64 {
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	q, err := queue.Open(ctx, st, &fakeProcessor{}, fastConfig(0))
	if err != nil {
		b.Fatal(err)
	}
	defer q.Stop(ctx)
	var workers []*exec.Cmd
	for range procs {
		workers = append(workers, startWorker(b, cfg, 1, "GOMAXPROCS=1", burnEnv+"="+strconv.Itoa(burn)))
	}
	defer func() {
		for _, w := range workers {
			w.Process.Signal(syscall.SIGTERM)
			w.Wait()
		}
	}()
	time.Sleep(2 * time.Second) // let the workers connect and migrate
	start := time.Now()
	for i := range n {
		add(b, ctx, st, q, fmt.Sprintf("scan %d of %d", i, n))
	}
	waitFor(b, 5*time.Minute, "all applications done", func() bool {
		counts, err := st.CountByStatus(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return counts[store.StatusDone] == n
	})
	return float64(n) / time.Since(start).Seconds()
}
