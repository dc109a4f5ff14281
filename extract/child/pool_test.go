package child_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

// session is a job that keeps state between the requests of its process,
// as a scan keeps its engines: it answers "<pid> <requests served>".
type session struct {
	n      int
	closed bool
}

func (s *session) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	if s.closed {
		return fmt.Errorf("run after close")
	}
	s.n++
	b, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	switch string(b) {
	case "fail":
		return shenbao.Errorf(shenbao.EINVALID, "坏文件 / bad file")
	case "alloc":
		b := make([]byte, 100<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		runtime.KeepAlive(b)
	case "spin":
		// 300 ms of the worker's CPU, not of the clock: on a loaded
		// machine (CI beside another suite) a spin by the clock got
		// 119 ms of CPU, and TestPoolStats failed for the load.
		var ru syscall.Rusage
		cpu := func() time.Duration {
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		for start := cpu(); cpu()-start < 300*time.Millisecond; {
		}
	case "garbage":
		// 100 MB touched and dropped: the worker's to give back.
		b := make([]byte, 100<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		runtime.KeepAlive(b)
		_, err = fmt.Fprintf(out, "%d %d", os.Getpid(), s.n)
		return err
	}
	// What a request allocated goes back to the system before the next:
	// its peak must not be counted against the next one.
	debug.FreeOSMemory()
	_, err = fmt.Fprintf(out, "%d %d", os.Getpid(), s.n)
	return err
}

func (s *session) Close() error { s.closed = true; return nil }

func init() {
	child.RegisterSession("test-session", func() child.Session { return &session{} })
}

// served runs in through p and returns the worker's pid and the requests
// it has served.
func served(t *testing.T, p *child.Pool, in string, lim child.Limits) (pid, n int) {
	t.Helper()
	out, err := p.Run(context.Background(), "test-session", []byte(in), lim)
	if err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	if _, err := fmt.Sscan(string(out), &pid, &n); err != nil {
		t.Fatalf("%s: output %q: %v", in, out, err)
	}
	return pid, n
}

func TestPoolKeepsWorkerWarm(t *testing.T) {
	p := child.NewPool(child.PoolOptions{MaxJobs: 3})
	defer assertNoChildren(t)
	defer p.Close()
	pid1, n := served(t, p, "a", child.Limits{})
	if n != 1 {
		t.Fatalf("first request: session served %d", n)
	}
	pid2, n := served(t, p, "b", child.Limits{})
	if pid2 != pid1 || n != 2 {
		t.Errorf("second request in pid %d (first %d), session count %d; want the same warm worker, 2", pid2, pid1, n)
	}
	// Another environment is another process.
	pid3, _ := served(t, p, "c", child.Limits{Env: []string{"X_TEST=1"}})
	if pid3 == pid1 {
		t.Errorf("a request with other limits ran in the same worker %d", pid1)
	}
	// MaxJobs: the third request is the worker's last.
	if pid, n := served(t, p, "d", child.Limits{}); pid != pid1 || n != 3 {
		t.Errorf("third request: pid %d count %d, want %d 3", pid, n, pid1)
	}
	if pid, n := served(t, p, "e", child.Limits{}); pid == pid1 || n != 1 {
		t.Errorf("after MaxJobs: pid %d count %d, want a fresh worker", pid, n)
	}
	if n := p.Started(); n != 3 {
		t.Errorf("Started = %d, want 3", n)
	}
	waitGone(t, pid1)
}

func TestPoolDropsWorkerAfterFailure(t *testing.T) {
	p := child.NewPool(child.PoolOptions{})
	defer assertNoChildren(t)
	defer p.Close()
	pid1, _ := served(t, p, "a", child.Limits{})
	_, err := p.Run(context.Background(), "test-session", []byte("fail"), child.Limits{})
	if shenbao.ErrorCode(err) != shenbao.EINVALID || !strings.Contains(shenbao.ErrorMessage(err), "bad file") {
		t.Fatalf("err = %v, want the job's %s", err, shenbao.EINVALID)
	}
	// The document that failed may have left the engine in any state.
	if pid, n := served(t, p, "b", child.Limits{}); pid == pid1 || n != 1 {
		t.Errorf("after a failed request: pid %d (was %d), count %d; want a fresh worker", pid, pid1, n)
	}
	waitGone(t, pid1)
}

func TestPoolReplacesWorkerKilledWhileIdle(t *testing.T) {
	p := child.NewPool(child.PoolOptions{})
	defer assertNoChildren(t)
	defer p.Close()
	pid1, _ := served(t, p, "a", child.Limits{})
	if err := syscall.Kill(pid1, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid1)
	// The request never reached the dead worker: it runs in a new one
	// instead of failing.
	if pid, n := served(t, p, "b", child.Limits{}); pid == pid1 || n != 1 {
		t.Errorf("pid %d count %d after the idle worker was killed", pid, n)
	}
}

func TestPoolIdleWorkerExits(t *testing.T) {
	p := child.NewPool(child.PoolOptions{Idle: 200 * time.Millisecond})
	defer assertNoChildren(t)
	defer p.Close()
	pid1, _ := served(t, p, "a", child.Limits{})
	waitGone(t, pid1)
	if pid, _ := served(t, p, "b", child.Limits{}); pid == pid1 {
		t.Errorf("request ran in the worker that had idled out")
	}
}

func TestPoolRetiresGrownWorker(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory cannot live under RLIMIT_AS")
	}
	// Retire a worker whose resident set after a request passes MaxRSS.
	p := child.NewPool(child.PoolOptions{MaxRSS: 1 << 20})
	defer assertNoChildren(t)
	defer p.Close()
	pid1, _ := served(t, p, "a", child.Limits{})
	if pid, _ := served(t, p, "b", child.Limits{}); pid == pid1 {
		t.Errorf("a worker over MaxRSS served again")
	}
}

func TestPoolStats(t *testing.T) {
	p := child.NewPool(child.PoolOptions{})
	defer assertNoChildren(t)
	defer p.Close()
	run := func(in string) child.Stats {
		t.Helper()
		_, st, err := p.RunStats(context.Background(), "test-session", []byte(in), child.Limits{})
		if err != nil || !st.Success {
			t.Fatalf("%s: %v", in, err)
		}
		return st
	}
	big := run("alloc")
	if big.MaxRSS < 100<<20 {
		t.Errorf("peak RSS of a request touching 100 MB: %d MB", big.MaxRSS>>20)
	}
	// Each request's own peak, though the worker is the same (the race
	// detector's shadow memory keeps what the last request touched).
	if small := run("small"); !raceEnabled && (small.MaxRSS >= 100<<20 || small.MaxRSS <= 0) {
		t.Errorf("peak RSS of the next request: %d MB, want under 100", small.MaxRSS>>20)
	}
	// The request's CPU, measured by the worker (the parent's rusage
	// learns a worker's CPU only when it exits).
	if spin := run("spin"); spin.User+spin.System < 200*time.Millisecond || spin.User+spin.System > 2*time.Second {
		t.Errorf("CPU of a request spinning 300 ms: %v user, %v sys", spin.User, spin.System)
	}
}

func TestPoolConcurrent(t *testing.T) {
	before := runtime.NumGoroutine()
	p := child.NewPool(child.PoolOptions{Keep: 3})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	pids := make(chan int, 32)
	for i := range 32 {
		wg.Go(func() {
			in := fmt.Sprintf("doc %d", i)
			if i%4 == 3 {
				out, err := p.Run(context.Background(), "test-panic", []byte(in), child.Limits{})
				if shenbao.ErrorCode(err) != shenbao.ECRASHED || out != nil {
					errs <- fmt.Errorf("%d: want crash, got %q %v", i, out, err)
				}
				return
			}
			out, err := p.Run(context.Background(), "test-session", []byte(in), child.Limits{})
			if err != nil {
				errs <- fmt.Errorf("%d: %v", i, err)
				return
			}
			f := strings.Fields(string(out))
			pid, _ := strconv.Atoi(f[0])
			pids <- pid
		})
	}
	wg.Wait()
	close(errs)
	close(pids)
	for err := range errs {
		t.Error(err)
	}
	distinct := map[int]bool{}
	for pid := range pids {
		distinct[pid] = true
	}
	// 24 requests, at most 24 at once: workers are reused once free.
	if len(distinct) > 24 || len(distinct) == 0 {
		t.Errorf("%d workers for 24 requests", len(distinct))
	}
	p.Close()
	assertNoChildren(t)
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}

// waitGone waits until worker pid has exited and the pool has reaped it.
// A zombie is not yet gone: the leader of a process's threads turns zombie
// while the others still exit and hold its files open.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("worker %d still running", pid)
}

// BenchmarkPoolRun is BenchmarkRun in a warm worker: what isolation costs
// a request once the worker runs.
func BenchmarkPoolRun(b *testing.B) {
	p := child.NewPool(child.PoolOptions{})
	defer p.Close()
	for b.Loop() {
		if _, err := p.Run(context.Background(), "test-upper", []byte("x"), child.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPoolLargeOutput: output written at once comes back whole, in frames
// the parent bounds, and output past the cap is refused as for Run.
func TestPoolLargeOutput(t *testing.T) {
	p := child.NewPool(child.PoolOptions{})
	defer assertNoChildren(t)
	defer p.Close()
	in := bytes.Repeat([]byte("申报a"), 1<<20) // 4 MB, one Write
	out, err := p.Run(context.Background(), "test-upper", in, child.Limits{})
	if err != nil || !bytes.Equal(out, bytes.ToUpper(in)) {
		t.Fatalf("%d bytes back of %d, %v", len(out), len(in), err)
	}
	if _, err := p.Run(context.Background(), "test-upper", in, child.Limits{Output: 3 << 20}); shenbao.ErrorCode(err) != shenbao.ETOOLARGE {
		t.Fatalf("4 MB under a 3 MB cap: %v, want %s", err, shenbao.ETOOLARGE)
	}
}

// TestPoolIdleWorkerGivesMemoryBack: a worker left waiting returns the
// heap its last request left to the system.
func TestPoolIdleWorkerGivesMemoryBack(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory stays")
	}
	p := child.NewPool(child.PoolOptions{})
	defer assertNoChildren(t)
	defer p.Close()
	pid, _ := served(t, p, "garbage", child.Limits{})
	rss := func() int64 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				var kb int64
				fmt.Sscan(v, &kb)
				return kb << 10
			}
		}
		t.Fatal("no VmRSS")
		return 0
	}
	deadline := time.Now().Add(10 * time.Second)
	for rss() > 60<<20 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if r := rss(); r > 60<<20 {
		t.Errorf("idle worker still holds %d MB", r>>20)
	}
}

// TestPoolKeepsAsManyAsRanAtOnce: a pool that ran four requests at once
// keeps four workers for the next four, though Keep says one.
func TestPoolKeepsAsManyAsRanAtOnce(t *testing.T) {
	p := child.NewPool(child.PoolOptions{Keep: 1})
	defer assertNoChildren(t)
	defer p.Close()
	wave := func() {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := p.Run(context.Background(), "test-session", []byte("spin"), child.Limits{}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	wave()
	started := p.Started()
	if started < 2 {
		t.Fatalf("four requests at once ran in %d workers", started)
	}
	wave()
	if n := p.Started(); n != started {
		t.Errorf("the second wave started %d workers; want the %d of the first kept", n-started, started)
	}
}
