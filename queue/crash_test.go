package queue_test

import (
	"context"
	"encoding/json"
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
	delayEnv   = "SHENBAO_TEST_DELAY"  // fakeProcessor.delay
	graceEnv   = "SHENBAO_TEST_GRACE"  // Config.ShutdownGrace
	rescueEnv  = "SHENBAO_TEST_RESCUE" // Config.RescueAfter
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
	cfg := fastConfig(workers)
	for env, d := range map[string]*time.Duration{delayEnv: &proc.delay, graceEnv: &cfg.ShutdownGrace, rescueEnv: &cfg.RescueAfter} {
		if v, err := time.ParseDuration(os.Getenv(env)); err == nil {
			*d = v
		}
	}
	if cfg.ExtractTimeout < 2*proc.delay {
		cfg.ExtractTimeout = 2 * proc.delay
	}
	q, err := queue.Open(ctx, st, proc, cfg)
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

// slowJobs enqueues n applications (through an enqueue-only queue, as
// serve with separate workers does) and starts a worker process with env,
// returning once it runs four jobs.
func slowJobs(t *testing.T, cfg store.Config, n int, env []string) (store.Store, *queue.Queue, []int64, *exec.Cmd) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q, err := queue.Open(ctx, st, &fakeProcessor{}, fastConfig(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(ctx) })
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = add(t, ctx, st, q, fmt.Sprintf("%s application %d", t.Name(), i))
	}
	worker := startWorker(t, cfg, 4, env...)
	waitFor(t, time.Minute, "four jobs running", func() bool {
		counts, _ := st.CountByStatus(ctx)
		return counts[store.StatusProcessing] >= 4
	})
	return st, q, ids, worker
}

// jobsOf returns the extract jobs in state, by application.
func jobsOf(t *testing.T, q *queue.Queue, state string) map[int64][]queue.Job {
	t.Helper()
	jobs, err := q.Jobs(context.Background(), []string{state}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]queue.Job{}
	for _, j := range jobs {
		var args queue.ExtractArgs
		if err := json.Unmarshal([]byte(j.Args), &args); err != nil {
			t.Fatal(err)
		}
		out[args.ApplicationID] = append(out[args.ApplicationID], j)
	}
	return out
}

// TestShutdownDrains sends SIGTERM to a worker process in the middle of
// 20 slow jobs, with a grace period shorter than a job: the jobs it had
// taken are cancelled and put back. After a restart every application is
// done exactly once, and no job spent an attempt on the shutdown.
func TestShutdownDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("shutdown test skipped in -short mode")
	}
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		const n = 20
		env := []string{delayEnv + "=1500ms", graceEnv + "=200ms"}
		st, q, ids, worker := slowJobs(t, cfg, n, env)
		if err := worker.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		if err := worker.Wait(); err != nil {
			t.Fatalf("worker after SIGTERM: %v", err)
		}
		t.Logf("worker stopped %v after SIGTERM", time.Since(began).Round(time.Millisecond))
		counts, _ := st.CountByStatus(ctx)
		if counts[store.StatusProcessing] > 0 || counts[store.StatusChecking] > 0 {
			t.Errorf("after the shutdown, %v: interrupted applications not queued again", counts)
		}

		worker = startWorker(t, cfg, 4, env...)
		waitFor(t, 2*time.Minute, "all applications done", func() bool {
			counts, _ := st.CountByStatus(ctx)
			return counts[store.StatusDone] == n
		})
		worker.Process.Signal(syscall.SIGTERM)
		worker.Wait()
		done := jobsOf(t, q, "completed")
		for _, id := range ids {
			vs, err := st.Versions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 {
				t.Errorf("application %d: %d reports, want 1", id, len(vs))
			}
			if js := done[id]; len(js) != 1 || js[0].Attempt != 1 || len(js[0].Errors) > 0 {
				t.Errorf("application %d: completed jobs %+v; want one, at attempt 1, without errors", id, js)
			}
		}
	})
}

// TestKilledWorkerRescued SIGKILLs a worker process in the middle of slow
// jobs, with River's rescue of stuck jobs set to ten minutes: the sweeper
// sees the heartbeats stop and a new worker finishes every application
// within a minute.
func TestKilledWorkerRescued(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		const n = 8
		env := []string{delayEnv + "=1500ms", rescueEnv + "=10m"}
		st, _, ids, worker := slowJobs(t, cfg, n, env)
		worker.Process.Signal(syscall.SIGKILL)
		worker.Wait()
		began := time.Now()
		worker = startWorker(t, cfg, 4, env...)
		waitFor(t, time.Minute, "all applications done", func() bool {
			counts, _ := st.CountByStatus(ctx)
			return counts[store.StatusDone] == n
		})
		t.Logf("all done %v after the restart", time.Since(began).Round(time.Millisecond))
		worker.Process.Signal(syscall.SIGTERM)
		worker.Wait()
		for _, id := range ids {
			if vs, _ := st.Versions(ctx, id); len(vs) != 1 {
				t.Errorf("application %d: %d reports, want 1", id, len(vs))
			}
		}
	})
}
