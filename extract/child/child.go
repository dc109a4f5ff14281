// Package child runs the parts of the service that call into C (MuPDF,
// Tesseract) in a child process: the same binary, re-executed, with limits on
// time, memory and output. A malformed document that makes C code abort,
// segfault or allocate without bound then costs that one document and is
// reported as a typed *shenbao.Error, never the run or the server.
//
// A package that owns such work registers a job kind at init time with
// Register; main (and TestMain of packages whose tests run jobs) calls Main
// first thing, which turns the process into the job when it was started as a
// child; the parent calls Run.
//
// Protocol: the parent starts the executable with SHENBAO_CHILD=<job> and the
// limits in the environment, writes the request to stdin and reads the
// result from stdout. The child reports how the job ended as one JSON status
// record on file descriptor 3. Only a status record followed by exit status 0
// counts as an orderly end; anything else (a panic, os.Exit from C or Go, a
// signal, the memory limit) is a crash. Keeping the status off stdout means a
// job's output can never be mistaken for it.
//
// A Pool keeps such children warm: each serves one request after another
// (serve.go), so that a job's costly start — a scan's engines — is paid
// once per worker, with the same limits and the same errors per request.
package child

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/shenbao/shenbao"
)

// Environment variables that carry the job and its limits to the child.
const (
	envJob    = "SHENBAO_CHILD"
	envMemory = "SHENBAO_CHILD_MEMORY" // bytes of address space beyond start-up
	envProcs  = "SHENBAO_CHILD_PROCS"
	envNice   = "SHENBAO_CHILD_NICE" // Limits.Nice
	// envProfile names a file prefix: a child given it writes a CPU profile
	// of its job to PREFIX.<job>.<pid> (pprof), so the work done in the
	// child — where all the C calls are — can be profiled like the parent.
	envProfile = "SHENBAO_CHILD_CPUPROFILE"
	// envServe=1 makes the child a Pool's worker (serve.go): it runs
	// requests until its stdin ends, instead of one.
	envServe = "SHENBAO_CHILD_SERVE"
)

// statusFD is the descriptor the child writes its status record to: the
// first of exec.Cmd.ExtraFiles.
const statusFD = 3

// Func is a job: it reads its request from in and writes its result to out.
// An error it returns reaches the parent with its *shenbao.Error code and
// message intact; any other error arrives as EINTERNAL.
type Func func(ctx context.Context, in io.Reader, out io.Writer) error

// A Session runs the requests of one job in one process. A job that loads
// something costly before its work (Tesseract's models) registers one with
// RegisterSession: a Pool's worker opens it once and runs every request it
// serves through it, one at a time, so what it loaded serves them all.
// Close is called when the process is done with it.
type Session interface {
	Run(ctx context.Context, in io.Reader, out io.Writer) error
	Close() error
}

// funcSession is a Func as a Session that keeps nothing between requests.
type funcSession Func

func (f funcSession) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	return f(ctx, in, out)
}

func (funcSession) Close() error { return nil }

var (
	jobsMu sync.RWMutex
	jobs   = map[string]func() Session{}
)

// Register makes fn available as job name. It is meant for init functions
// and panics on a duplicate or empty name, which is a programming error.
func Register(name string, fn Func) {
	if fn == nil {
		panic("child: Register with nil func")
	}
	RegisterSession(name, func() Session { return funcSession(fn) })
}

// RegisterSession makes job name available as sessions that open returns,
// one per child process. Like Register, it is meant for init functions.
func RegisterSession(name string, open func() Session) {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if name == "" || open == nil {
		panic("child: Register with empty name or nil func")
	}
	if _, dup := jobs[name]; dup {
		panic("child: job " + name + " registered twice")
	}
	jobs[name] = open
}

func lookup(name string) (func() Session, bool) {
	jobsMu.RLock()
	defer jobsMu.RUnlock()
	fn, ok := jobs[name]
	return fn, ok
}

// Jobs returns the registered job names, sorted.
func Jobs() []string {
	jobsMu.RLock()
	defer jobsMu.RUnlock()
	names := make([]string, 0, len(jobs))
	for n := range jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// status is the record a child writes to statusFD when its job ends.
type status struct {
	OK      bool   `json:"ok"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Detail  string `json:"detail,omitempty"` // err.Error(), for the log
	// PeakRSS is the child's own high-water resident set in bytes. The
	// parent's rusage figure cannot serve: Linux carries the parent's peak
	// over into a child forked with vfork semantics, as Go's exec is. A
	// pool's worker resets it before each request.
	PeakRSS int64 `json:"peak_rss,omitempty"`
	// A pool's worker also reports the request's CPU time, which the
	// parent's rusage only learns when the worker exits, and its resident
	// set after it, by which the pool retires a worker that grew.
	User int64 `json:"user_ns,omitempty"`
	Sys  int64 `json:"sys_ns,omitempty"`
	RSS  int64 `json:"rss,omitempty"`
}

// Main returns at once unless the process was started by Run. In a child it
// applies the limits, runs the job and exits; it never returns. Call it first
// thing in main and in TestMain, before any other work.
func Main() {
	name, ok := os.LookupEnv(envJob)
	if !ok {
		return
	}
	os.Exit(runChild(name))
}

func runChild(name string) int {
	statusFile := os.NewFile(statusFD, "status")
	// Grandchildren (a job that itself calls Run) must not see our job name
	// nor inherit our status descriptor.
	os.Unsetenv(envJob)
	serving := os.Getenv(envServe) == "1"
	os.Unsetenv(envServe)
	var fdStat syscall.Stat_t
	if statusFile == nil || syscall.Fstat(statusFD, &fdStat) != nil {
		fmt.Fprintln(os.Stderr, "child: started without a status descriptor")
		return 2
	}
	syscall.CloseOnExec(statusFD)
	report := func(st status) int {
		st.PeakRSS = peakRSS()
		if err := json.NewEncoder(statusFile).Encode(st); err != nil {
			fmt.Fprintln(os.Stderr, "child: write status:", err)
			return 2
		}
		return 0
	}
	if err := applyLimits(); err != nil {
		return report(status{Code: shenbao.EINTERNAL, Message: shenbao.ErrorMessage(err), Detail: err.Error()})
	}
	open, ok := lookup(name)
	if !ok {
		err := fmt.Errorf("child: no job %q registered in this binary (have %v)", name, Jobs())
		return report(status{Code: shenbao.EINTERNAL, Message: shenbao.ErrorMessage(err), Detail: err.Error()})
	}
	if prefix := os.Getenv(envProfile); prefix != "" {
		stop, err := startProfile(prefix, name)
		if err != nil {
			return report(status{Code: shenbao.EINTERNAL, Message: shenbao.ErrorMessage(err), Detail: err.Error()})
		}
		defer stop()
	}
	sess := open()
	if serving {
		return serve(sess, statusFile)
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	err := sess.Run(context.Background(), bufio.NewReaderSize(os.Stdin, 1<<16), out)
	if err == nil {
		err = out.Flush()
	}
	if cerr := sess.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return report(status{Code: shenbao.ErrorCode(err), Message: shenbao.ErrorMessage(err), Detail: detail(err)})
	}
	return report(status{OK: true})
}

// startProfile starts a CPU profile of this child's job in
// prefix.<job>.<pid>; the function it returns ends and writes it.
func startProfile(prefix, job string) (func(), error) {
	f, err := os.Create(fmt.Sprintf("%s.%s.%d", prefix, job, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("child: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("child: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// detail is err's text for the log without the user-facing message, which
// travels separately: "open page 3: <cause>" rather than the message twice.
func detail(err error) string {
	var se *shenbao.Error
	if !errors.As(err, &se) {
		return err.Error()
	}
	cause := ""
	if se.Cause != nil {
		cause = se.Cause.Error()
	}
	s := strings.Replace(err.Error(), se.Error(), cause, 1)
	return strings.TrimSuffix(s, ": ")
}

// Budget returns the memory limit Run gave this child in bytes (see
// Limits.Memory), or 0 outside a child. A job can refuse work that cannot
// fit with a clear error instead of dying in the attempt.
func Budget() int64 { return budget }

var budget int64

// applyLimits sets the child's own limits from the environment. The memory
// limit counts from the address space already reserved at start-up, because
// a Go process reserves about a gigabyte of virtual memory before main runs
// and RLIMIT_AS applies to all of it.
func applyLimits() error {
	procs := 1
	if s := os.Getenv(envProcs); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("child: bad %s=%q", envProcs, s)
		}
		procs = n
	}
	runtime.GOMAXPROCS(procs)
	if err := applyNice(); err != nil {
		return err
	}
	s := os.Getenv(envMemory)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseInt(s, 10, 64)
	if err != nil || b <= 0 {
		return fmt.Errorf("child: bad %s=%q", envMemory, s)
	}
	budget = b
	// The Go heap gets most of the budget so that the collector works
	// harder before C allocations start failing; C memory is outside it.
	debug.SetMemoryLimit(budget / 10 * 8)
	base, err := addressSpace()
	if err != nil {
		return err
	}
	lim := uint64(base + budget)
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}

// applyNice lowers the priority of every thread of the process by
// SHENBAO_CHILD_NICE (added to its nice value, at most 19). Linux keeps a nice value per thread, and the Go
// runtime has started several before main: each is set, and threads
// started later (the runtime's, OpenMP's in Tesseract) inherit the value
// of the thread that starts them.
func applyNice() error {
	s := os.Getenv(envNice)
	if s == "" || s == "0" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 19 {
		return fmt.Errorf("child: bad %s=%q", envNice, s)
	}
	// Relative, as nice(1): a parent already running at nice 5 starts its
	// scans at 15. Getpriority returns 20 − nice (the raw system call).
	cur, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return fmt.Errorf("child: priority: %w", err)
	}
	n = min(20-cur+n, 19)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("child: list threads: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// A thread that ended meanwhile is not an error.
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("child: nice %d: %w", n, err)
		}
	}
	return nil
}

// peakRSS returns VmHWM from /proc/self/status in bytes, 0 if unknown.
func peakRSS() int64 { return procStatus("VmHWM:") }

// procStatus returns the size field key of /proc/self/status in bytes, 0 if
// unknown.
func procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			var kb int64
			fmt.Sscan(v, &kb)
			return kb << 10
		}
	}
	return 0
}

// addressSpace returns the process's current virtual size in bytes.
func addressSpace() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, fmt.Errorf("child: read address space size: %w", err)
	}
	var pages int64
	if _, err := fmt.Sscan(string(b), &pages); err != nil {
		return 0, fmt.Errorf("child: parse /proc/self/statm: %w", err)
	}
	return pages * int64(os.Getpagesize()), nil
}

// rebuild turns a child's status record into the error the job returned.
func rebuild(st status) error {
	if st.OK {
		return nil
	}
	code := st.Code
	if code == "" {
		code = shenbao.EINTERNAL
	}
	var cause error
	if st.Detail != "" {
		cause = errors.New(st.Detail)
	}
	msg := st.Message
	if msg == "" {
		msg = shenbao.ErrorMessage(cause)
	}
	return &shenbao.Error{Code: code, Message: msg, Cause: cause}
}
