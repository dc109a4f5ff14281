package child

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shenbao/shenbao"
)

// Pool runs jobs in warm workers: child processes that serve one request
// after another (see serve.go), so that what a job loads before its work —
// a scan's Tesseract clients and recogniser, over a second of CPU a
// document — is loaded once per worker, not once per document.
//
// Each request gets a worker to itself, with the limits of Run: a time limit
// that kills the worker, the output cap, the memory limit of its process. A
// worker that crashed, was killed, overran a limit, or whose job failed is
// never used again: a document that broke or confused the engine costs that
// one document, as with Run, and its worker's state serves no other. A
// worker is retired after PoolOptions.MaxJobs requests, when its resident
// set after a request passes MaxRSS, or when it has idled for Idle.
//
// Pool is safe for concurrent use; as many workers run as requests are
// running. The zero Pool is not usable: call NewPool.
type Pool struct {
	o      PoolOptions
	mu     sync.Mutex
	idle   []*worker // most recently used last
	closed bool
	// busy is how many requests run now, peak the most that ran at once.
	busy, peak int
	exits      sync.WaitGroup // every worker's reaper
	starts     atomic.Int64
}

// PoolOptions bound a Pool's workers. Zero fields take the defaults.
type PoolOptions struct {
	// Idle is how long a worker waits for its next request before it
	// exits; default 2 minutes. An idle scan worker holds its engines'
	// memory (a few hundred MB).
	Idle time.Duration
	// Keep is how many idle workers are kept at least; default the number
	// of CPUs. A pool that has run more requests at once keeps as many
	// (a bulk run with more workers than cores): each would otherwise
	// start a worker per document.
	Keep int
	// MaxJobs retires a worker after that many requests; default 100.
	MaxJobs int
	// MaxRSS retires a worker whose resident set after a request is larger;
	// default half of the request's Limits.Memory.
	MaxRSS int64
}

// NewPool returns an empty pool; workers start as requests come.
func NewPool(o PoolOptions) *Pool {
	if o.Idle <= 0 {
		o.Idle = 2 * time.Minute
	}
	if o.Keep <= 0 {
		o.Keep = runtime.NumCPU()
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = 100
	}
	return &Pool{o: o}
}

// Run is the package's Run in a warm worker.
func (p *Pool) Run(ctx context.Context, name string, in []byte, lim Limits) ([]byte, error) {
	out, _, err := p.RunStats(ctx, name, in, lim)
	return out, err
}

// RunStats is the package's RunStats in a warm worker: the same errors for
// the same ends. The Stats are the request's: its wall time, the CPU time and
// peak resident set the worker measured over it, its stderr.
func (p *Pool) RunStats(ctx context.Context, name string, in []byte, lim Limits) ([]byte, Stats, error) {
	lim = lim.withDefaults()
	if err := notMain(name); err != nil {
		return nil, Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Stats{}, fmt.Errorf("child %s: %w", name, err)
	}
	key := workerKey(name, lim)
	p.mu.Lock()
	p.busy++
	p.peak = max(p.peak, p.busy)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.busy--
		p.mu.Unlock()
	}()
	for attempt := 0; ; attempt++ {
		var w *worker
		if attempt == 0 {
			w = p.take(key)
		}
		fresh := w == nil
		if fresh {
			var err error
			if w, err = p.start(name, key, lim); err != nil {
				return nil, Stats{}, err
			}
		}
		out, st, err := w.do(ctx, name, in, lim)
		if errors.Is(err, errStale) && !fresh {
			// The worker died while idle (the OOM killer, an
			// administrator), before it read the request: the request
			// did nothing, so a fresh worker takes it. A fresh worker
			// is never stale: this happens once.
			p.retire(w)
			continue
		}
		p.release(w, st.Success, st.rss, lim)
		return out, st.Stats, err
	}
}

// Started is how many worker processes the pool has started: with
// requests, how often a warm worker served (requests − Started).
func (p *Pool) Started() int64 { return p.starts.Load() }

// Close retires the idle workers and waits for every worker to exit; workers
// busy with a request exit when it ends. Requests after Close still run,
// each in a worker of its own.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.timer.Stop()
		p.retire(w)
	}
	p.exits.Wait()
	return nil
}

// workerKey is what a worker's process was started with: a request whose
// limits differ in it needs another worker.
func workerKey(name string, lim Limits) string {
	return strings.Join(append([]string{name, strconv.FormatInt(lim.Memory, 10), strconv.Itoa(lim.Procs), strconv.Itoa(lim.Nice)}, lim.Env...), "\x00")
}

// take returns an idle worker started for key, or nil.
func (p *Pool) take(key string) *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.idle) - 1; i >= 0; i-- {
		w := p.idle[i]
		if w.key != key {
			continue
		}
		p.idle = append(p.idle[:i], p.idle[i+1:]...)
		w.timer.Stop()
		return w
	}
	return nil
}

// release puts w back among the idle workers after a request, or retires
// it.
func (p *Pool) release(w *worker, ok bool, rss int64, lim Limits) {
	w.jobs++
	maxRSS := p.o.MaxRSS
	if maxRSS <= 0 {
		maxRSS = lim.Memory / 2
	}
	p.mu.Lock()
	keep := ok && !p.closed && !w.exited() && w.jobs < p.o.MaxJobs && rss <= maxRSS && len(p.idle) < max(p.o.Keep, p.peak)
	if keep {
		p.idle = append(p.idle, w)
		w.timer = time.AfterFunc(p.o.Idle, func() { p.expire(w) })
	}
	p.mu.Unlock()
	if !keep {
		go p.retire(w)
	}
}

// expire retires w if it is still idle.
func (p *Pool) expire(w *worker) {
	p.mu.Lock()
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			p.retire(w)
			return
		}
	}
	p.mu.Unlock()
}

// retireGrace is how long a retired worker has to close its session and
// exit before it is killed.
const retireGrace = 5 * time.Second

// retire ends w: its stdin closes, it closes its session and exits.
func (p *Pool) retire(w *worker) {
	w.stdin.Close()
	select {
	case <-w.done:
	case <-time.After(retireGrace):
		killGroup(w.cmd.Process)
		<-w.done
	}
	for _, f := range w.closer {
		f.Close()
	}
}

// worker is one warm child process.
type worker struct {
	key        string
	cmd        *exec.Cmd
	stdin      *os.File
	stdout     *bufio.Reader
	status     *bufio.Reader
	statusFile *os.File
	stderr     *tailWriter
	jobs       int
	timer      *time.Timer
	done       chan struct{} // closed when the process has been waited for
	err        error         // cmd.Wait's, once done is closed
	closer     []*os.File    // the parent's ends of the pipes
}

func (w *worker) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// start starts a worker for job name with lim's process limits.
func (p *Pool) start(name, key string, lim Limits) (*worker, error) {
	exe, err := Executable()
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINTERNAL, err, "%s", internalMsg)
	}
	fail := func(err error, files ...*os.File) (*worker, error) {
		for _, f := range files {
			f.Close()
		}
		return nil, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("child %s: start worker: %w", name, err), "%s", internalMsg)
	}
	// Pipes of our own rather than the Cmd's: Wait, which the reaper
	// calls while requests still read, must not close them under us.
	inR, inW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return fail(err, inR, inW)
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return fail(err, inR, inW, outR, outW)
	}
	w := &worker{key: key, stdin: inW, stdout: bufio.NewReaderSize(outR, 64<<10), status: bufio.NewReaderSize(statusR, 64<<10),
		stderr: &tailWriter{max: stderrTail}, done: make(chan struct{}), closer: []*os.File{inW, outR, statusR}, statusFile: statusR}
	cmd := exec.Command(exe)
	cmd.Env = append(childEnv(name, lim), envServe+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, w.stderr
	cmd.ExtraFiles = []*os.File{statusW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = waitDelay
	w.cmd = cmd
	if err := cmd.Start(); err != nil {
		return fail(err, inR, inW, outR, outW, statusR, statusW)
	}
	inR.Close()
	outW.Close()
	statusW.Close()
	p.starts.Add(1)
	p.exits.Add(1)
	go func() {
		defer p.exits.Done()
		w.err = cmd.Wait()
		close(w.done)
	}()
	return w, nil
}

// errStale marks a request that never reached its worker.
var errStale = errors.New("worker gone before the request")

// result is a request's Stats with the worker's resident set after it.
type result struct {
	Stats
	rss int64
}

// do runs one request in w. Any end but an orderly one leaves w dead.
func (w *worker) do(ctx context.Context, name string, in []byte, lim Limits) ([]byte, result, error) {
	var st result
	if w.jobs > 0 && w.exited() {
		return nil, st, errStale
	}
	tctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	var killed atomic.Bool
	stop := context.AfterFunc(tctx, func() {
		killed.Store(true)
		killGroup(w.cmd.Process)
	})
	defer stop()
	w.stderr.reset()
	start := time.Now()
	if err := writeFrame(w.stdin, in); err != nil {
		killGroup(w.cmd.Process)
		<-w.done
		if w.jobs > 0 && !killed.Load() {
			return nil, st, errStale
		}
		return nil, st, w.failed(ctx, tctx, name, lim, nil, false)
	}
	out := &capWriter{max: lim.Output}
	out.overflow = func() { killGroup(w.cmd.Process) }
	var line []byte
	err := func() error {
		for {
			b, err := readFrame(w.stdout, int(min(lim.Output+1, maxFrame)))
			if err != nil {
				return err
			}
			if len(b) == 0 {
				break
			}
			out.Write(b)
		}
		var err error
		line, err = w.status.ReadSlice('\n')
		return err
	}()
	st.Wall = time.Since(start)
	st.Stderr = w.stderr.String()
	var s status
	if err == nil && !out.over() && json.Unmarshal(line, &s) == nil {
		if !stop() && killed.Load() {
			// The deadline passed as the reply came: it counts, the
			// worker is gone.
			<-w.done
		}
		st.User, st.System, st.MaxRSS, st.rss = time.Duration(s.User), time.Duration(s.Sys), s.PeakRSS, s.RSS
		if err := rebuild(s); err != nil {
			return nil, st, err
		}
		st.Success = true
		return out.buf.Bytes(), st, nil
	}
	killGroup(w.cmd.Process)
	<-w.done
	st.Stderr = w.stderr.String()
	return nil, st, w.failed(ctx, tctx, name, lim, line, out.over() || errors.Is(err, errFrameSize))
}

// statusRest is what a dead worker wrote of its status before it died: a
// child that could not start its job (no such job, bad limits) says why
// there and exits without serving.
func (w *worker) statusRest(read []byte) []byte {
	w.statusFile.SetReadDeadline(time.Now().Add(waitDelay))
	rest, _ := io.ReadAll(io.LimitReader(w.status, 64<<10))
	return append(append([]byte(nil), read...), rest...)
}

// failed is the error of a request whose worker died, exited or was killed.
func (w *worker) failed(ctx, tctx context.Context, name string, lim Limits, read []byte, exceeded bool) error {
	return classify(ctx, tctx, name, lim, w.cmd.ProcessState, w.err, w.statusRest(read), exceeded, w.stderr.String())
}
