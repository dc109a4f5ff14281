package queue_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// The crash test re-executes the test binary as a worker process (the
// environment variables below select workerMain in TestMain), so that it
// can be killed with SIGKILL like a real `shenbao worker`.
const (
	workerEnv  = "SHENBAO_TEST_WORKER" // jobs at once in the worker process
	burnEnv    = "SHENBAO_TEST_BURN"   // fakeProcessor.burn
	dataDirEnv = "SHENBAO_TEST_DATA_DIR"
	dbURLEnv   = "SHENBAO_TEST_DATABASE_URL"
)

func workerMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, store.Config{DataDir: os.Getenv(dataDirEnv), DatabaseURL: os.Getenv(dbURLEnv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	defer st.Close()
	workers, _ := strconv.Atoi(os.Getenv(workerEnv))
	burn, _ := strconv.Atoi(os.Getenv(burnEnv))
	proc := &fakeProcessor{delay: 40 * time.Millisecond, burn: burn, seen: map[string]int{}}
	if burn > 0 {
		proc.delay = 0
	}
	q, err := queue.Open(ctx, st, proc, fastConfig(workers))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	if err := q.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	<-ctx.Done()
	q.Stop(context.Background())
	return 0
}

// startWorker runs a worker process working jobs at once; extra
// environment variables (GOMAXPROCS, burnEnv) are passed on.
func startWorker(t testing.TB, cfg store.Config, jobs int, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, workerEnv+"="+strconv.Itoa(jobs), dataDirEnv+"="+cfg.DataDir, dbURLEnv+"="+cfg.DatabaseURL)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestCrash uploads 100 applications, SIGKILLs the worker process three
// times while it processes them and restarts it each time; every
// application must end done with exactly one report.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		st, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		q, err := queue.Open(ctx, st, &fakeProcessor{}, fastConfig(0)) // enqueue only, like serve with external workers
		if err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)

		start := func() *exec.Cmd { return startWorker(t, cfg, 4) }
		done := func() int {
			counts, err := st.CountByStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return counts[store.StatusDone]
		}

		const n = 100
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = add(t, ctx, st, q, "application "+strconv.Itoa(i))
		}
		began := time.Now()
		worker := start()
		for kill := 1; kill <= 3; kill++ {
			target := kill * n / 4
			waitFor(t, 2*time.Minute, fmt.Sprintf("%d applications done before kill %d", target, kill), func() bool { return done() >= target })
			if err := worker.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			worker.Wait()
			t.Logf("kill %d at %d done, %v", kill, done(), time.Since(began).Round(time.Millisecond))
			worker = start()
		}
		waitFor(t, 3*time.Minute, "all applications done", func() bool { return done() == n })
		t.Logf("all %d done after %v", n, time.Since(began).Round(time.Millisecond))
		worker.Process.Signal(syscall.SIGTERM)
		worker.Wait()

		for _, id := range ids {
			a := status(t, st, id)
			vs, err := st.Versions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != store.StatusDone || a.Version != 1 || len(vs) != 1 {
				t.Errorf("%s: status %s, version %d, %d reports; want done with exactly one", a.Filename, a.Status, a.Version, len(vs))
			}
		}
	})
}
