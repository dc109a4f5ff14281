package child

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shenbao/shenbao"
)

// Limits bound one child run. Zero fields take the defaults below.
type Limits struct {
	// Timeout is the wall-clock limit; the whole process group is killed
	// when it passes.
	Timeout time.Duration
	// Memory is the address space in bytes the child may add to what it had
	// reserved at start-up (RLIMIT_AS); C allocations past it fail and Go
	// allocations past it kill the child.
	Memory int64
	// Output caps the bytes read from the child's stdout; a child that
	// writes more is killed and the run fails with ETOOLARGE.
	Output int64
	// Procs is the child's GOMAXPROCS.
	Procs int
	// Env is added to the child's environment, for libraries that read
	// settings only at process start (e.g. OMP_THREAD_LIMIT=1).
	Env []string
	// Nice lowers the child's CPU priority (0–19, as nice(1)): a scan is
	// batch work, and on a machine with as many scan workers as cores the
	// requests a person waits for (an upload, a page) must not queue
	// behind it. Page renders for the review pages keep 0.
	Nice int
	// Stage names the work for messages, bilingual "中文 / English", e.g.
	// "MuPDF 渲染第 3 页 / rendering page 3 with MuPDF".
	Stage string
}

// Defaults for zero Limits fields.
const (
	DefaultTimeout = 60 * time.Second
	DefaultMemory  = 1 << 30
	DefaultOutput  = 64 << 20
)

// stderrTail is how much of the start and of the end of the child's stderr
// is kept for the log: enough for a Go panic's first goroutine or MuPDF's
// last complaints.
const stderrTail = 4 << 10

// waitDelay bounds how long Run waits for the child's pipes to close after
// the child has exited or been killed.
const waitDelay = 2 * time.Second

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.Output <= 0 {
		l.Output = DefaultOutput
	}
	if l.Procs <= 0 {
		l.Procs = 1
	}
	if l.Stage == "" {
		l.Stage = "外部程序处理文件 / processing the document"
	}
	return l
}

// Stats describes a finished child run.
type Stats struct {
	Wall   time.Duration
	User   time.Duration
	System time.Duration
	// MaxRSS is the child's peak resident set in bytes, as the child
	// measured it; after a crash, the kernel's figure, which may include
	// the parent's own peak at the time of the fork.
	MaxRSS  int64
	Stderr  string
	Success bool
}

// Executable returns the program Run starts. It is the running binary,
// whose main (or TestMain) calls Main; tests may replace it.
var Executable = sync.OnceValues(os.Executable)

// Run runs job name in a child process with input in and returns what the
// job wrote to stdout. Errors are *shenbao.Error: the job's own, or
// ETIMEOUT, ECRASHED, EKILLED (killed from outside, e.g. by the OOM
// killer), ETOOLARGE (output over the cap) and EINTERNAL when the child
// cannot be started. A cancelled ctx returns ctx's error. Run is
// safe for concurrent use.
func Run(ctx context.Context, name string, in []byte, lim Limits) ([]byte, error) {
	out, _, err := RunStats(ctx, name, in, lim)
	return out, err
}

// RunStats is Run that also reports the child's resource use.
func RunStats(ctx context.Context, name string, in []byte, lim Limits) ([]byte, Stats, error) {
	lim = lim.withDefaults()
	var st Stats
	if err := notMain(name); err != nil {
		return nil, st, err
	}
	exe, err := Executable()
	if err != nil {
		return nil, st, shenbao.Wrap(shenbao.EINTERNAL, err, "%s", internalMsg)
	}
	if err := ctx.Err(); err != nil {
		return nil, st, fmt.Errorf("child %s: %w", name, err)
	}
	tctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()

	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, st, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("child %s: status pipe: %w", name, err), "%s", internalMsg)
	}
	defer statusR.Close()

	cmd := exec.CommandContext(tctx, exe)
	cmd.Env = childEnv(name, lim)
	cmd.Stdin = bytes.NewReader(in)
	stdout := &capWriter{max: lim.Output}
	stderr := &tailWriter{max: stderrTail}
	stdout.overflow = func() { killGroup(cmd.Process) } // cmd.Process is set before output is copied
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.ExtraFiles = []*os.File{statusW}
	// Its own process group, so that a kill reaches anything the job
	// started; Pdeathsig so that a child never outlives a dead parent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = waitDelay

	start := time.Now()
	if err := cmd.Start(); err != nil {
		statusW.Close()
		return nil, st, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("child %s: start %s: %w", name, exe, err), "%s", internalMsg)
	}
	statusW.Close()

	statusCh := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(statusR, 64<<10))
		statusCh <- b
	}()
	waitErr := cmd.Wait()
	var statusBytes []byte
	select {
	case statusBytes = <-statusCh:
	case <-time.After(waitDelay):
		// Something still holds the write end; closing ours ends the read.
		statusR.Close()
		statusBytes = <-statusCh
	}

	st.Wall = time.Since(start)
	st.Stderr = stderr.String()
	if ps := cmd.ProcessState; ps != nil {
		st.User, st.System = ps.UserTime(), ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			st.MaxRSS = ru.Maxrss << 10 // Linux reports KiB
		}
	}
	var s status
	if json.Unmarshal(statusBytes, &s) == nil && s.PeakRSS > 0 {
		st.MaxRSS = s.PeakRSS
	}
	err = classify(ctx, tctx, name, lim, cmd.ProcessState, waitErr, statusBytes, stdout.over(), st.Stderr)
	if err != nil {
		return nil, st, err
	}
	st.Success = true
	return stdout.buf.Bytes(), st, nil
}

// notMain refuses to start a child from a process that is itself a child
// whose main never called Main: the child would run this program again,
// and again.
func notMain(name string) error {
	if job, ok := os.LookupEnv(envJob); ok {
		return shenbao.Wrap(shenbao.EINTERNAL,
			fmt.Errorf("child %s: this process was started as child job %q but never called child.Main; call it first thing in main and TestMain", name, job),
			"%s", internalMsg)
	}
	return nil
}

const internalMsg = "内部错误：无法启动隔离进程，请联系管理员。/ Internal error: the isolated worker process could not be started; please contact the administrator."

// classify maps how the child ended to the error Run returns.
func classify(ctx, tctx context.Context, name string, lim Limits, ps *os.ProcessState, waitErr error, statusBytes []byte, exceeded bool, stderr string) error {
	zh, en := splitStage(lim.Stage)
	// An orderly end wins even if the deadline passed a moment later.
	if ps != nil && ps.Success() && waitErr == nil && !exceeded {
		var s status
		if err := json.Unmarshal(statusBytes, &s); err == nil {
			return rebuild(s)
		}
	}
	if exceeded {
		return shenbao.Wrap(shenbao.ETOOLARGE, fmt.Errorf("child %s: output over %d bytes", name, lim.Output),
			"处理结果超过 %d MB 上限（%s）：文件内容过多，请拆分或精简后再上传。/ The result of %s exceeds the %d MB limit; split or reduce the document and upload again.",
			lim.Output>>20, zh, en, lim.Output>>20)
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("child %s: %w", name, ctx.Err())
	}
	if tctx.Err() != nil {
		return shenbao.Wrap(shenbao.ETIMEOUT, fmt.Errorf("child %s: killed after %v: %s", name, lim.Timeout, tail(stderr)),
			"处理超时（%s 超过 %s 未完成）：文件可能过大或已损坏，请精简或重新导出后再上传。/ Timed out: %s did not finish within %s; the file may be too large or damaged — reduce or re-export it and upload again.",
			zh, lim.Timeout, en, lim.Timeout)
	}
	how := describeExit(ps, waitErr, statusBytes, stderr)
	cause := fmt.Errorf("child %s: %s: %s", name, how, tail(stderr))
	if sig, ok := killedFromOutside(ps); ok {
		// Not this package's kill (time limit, output cap, cancellation:
		// all handled above) and not the document's doing: a crash in C
		// ends in the Go runtime's exit status 2, an abort in SIGABRT.
		return shenbao.Wrap(shenbao.EKILLED, cause,
			"处理进程被系统终止（信号 %s，常见原因：服务器内存不足），文件本身未必有问题，将自动重试；如反复出现请联系管理员。/ The worker process was killed from outside (signal %s, usually the server running out of memory) while %s; the file itself may be fine and is retried — if this repeats, contact the administrator.",
			sigName(sig), sigName(sig), en)
	}
	if outOfMemory(stderr) {
		return shenbao.Wrap(shenbao.ECRASHED, cause,
			"处理文件时超出内存限制（%s，上限 %d MB）：文件可能过大或已损坏，请精简或重新导出后再上传。/ The document exhausted the memory limit (%d MB) while %s; it may be too large or damaged — reduce or re-export it and upload again.",
			zh, lim.Memory>>20, lim.Memory>>20, en)
	}
	return shenbao.Wrap(shenbao.ECRASHED, cause,
		"文件导致处理程序崩溃（%s）：文件可能已损坏，请重新导出或重新扫描后再上传。/ The document crashed the engine while %s; the file may be damaged — re-export or re-scan it and upload again.",
		zh, en)
}

// killedFromOutside reports the signal that ended the child when it is
// one only another process sends: SIGKILL (the kernel's OOM killer, an
// administrator's kill -9) and the termination signals.
func killedFromOutside(ps *os.ProcessState) (syscall.Signal, bool) {
	if ps == nil {
		return 0, false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	switch sig := ws.Signal(); sig {
	case syscall.SIGKILL, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP:
		return sig, true
	}
	return 0, false
}

func sigName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

func describeExit(ps *os.ProcessState, waitErr error, statusBytes []byte, stderr string) string {
	if ps == nil {
		return fmt.Sprintf("no exit status (%v)", waitErr)
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by signal " + ws.Signal().String()
	}
	hint := ""
	if len(statusBytes) == 0 && strings.TrimSpace(stderr) == "" {
		hint = " (if every job fails so, the program's main or TestMain does not call child.Main)"
	}
	if ps.ExitCode() == 0 {
		return fmt.Sprintf("exited 0 without a valid status record%s", hint)
	}
	return "exit status " + strconv.Itoa(ps.ExitCode()) + hint
}

// outOfMemory reports whether stderr shows an allocation failure: the Go
// runtime's fatal error or the C library's.
func outOfMemory(stderr string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "std::bad_alloc"} {
		if strings.Contains(strings.ToLower(stderr), s) {
			return true
		}
	}
	return false
}

func splitStage(s string) (zh, en string) {
	zh, en, ok := strings.Cut(s, " / ")
	if !ok {
		return s, s
	}
	return zh, en
}

// tail shortens stderr for the error's cause: its start, where a Go crash
// says why, and its end, where C libraries do.
func tail(s string) string {
	const n = 1 << 10
	s = strings.TrimSpace(s)
	if len(s) > 2*n {
		s = s[:n] + "\n…\n" + s[len(s)-n:]
	}
	return strings.ToValidUTF8(s, "?")
}

// childEnv is the child's whole environment: what the job and the C
// libraries need to run (passEnv, passPrefixes), the limits' additions and
// the protocol's variables. Nothing else of the parent's environment
// reaches it — above all not the service's secrets (SHENBAO_SESSION_KEY,
// SHENBAO_DATABASE_URL with its password, SHENBAO_PASSWORD): a document
// that takes control of a child learns nothing it could use.
func childEnv(name string, lim Limits) []string {
	env := make([]string, 0, 16)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if passed(k) {
			env = append(env, kv)
		}
	}
	env = append(env, lim.Env...)
	return append(env,
		envJob+"="+name,
		envMemory+"="+strconv.FormatInt(lim.Memory, 10),
		envProcs+"="+strconv.Itoa(lim.Procs),
		envNice+"="+strconv.Itoa(min(max(lim.Nice, 0), 19)))
}

// passEnv and passPrefixes are the parent's variables a child inherits:
// the program search path and temporary directory, locale and time zone,
// the dynamic linker's path, Tesseract's data and OpenMP's settings, and
// the Go runtime's own (coverage, tracebacks) and the profile request.
var (
	passEnv      = []string{"PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ", "LD_LIBRARY_PATH", "GOCOVERDIR", "GODEBUG", "GOTRACEBACK", envProfile}
	passPrefixes = []string{"LC_", "TESSDATA", "OMP_", "FONTCONFIG_"}
)

func passed(k string) bool {
	if slices.Contains(passEnv, k) {
		return true
	}
	for _, p := range passPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// capWriter keeps up to max bytes and calls overflow once when more arrive.
// Writes past the cap are swallowed rather than failed, so the copying
// goroutine keeps draining the pipe until the kill lands and the child
// cannot block on a full pipe.
type capWriter struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	max      int64
	exceeded bool
	overflow func()
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.exceeded {
		return len(p), nil
	}
	if int64(w.buf.Len())+int64(len(p)) > w.max {
		w.exceeded = true
		w.buf = bytes.Buffer{}
		if w.overflow != nil {
			w.overflow()
		}
		return len(p), nil
	}
	return w.buf.Write(p)
}

func (w *capWriter) over() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.exceeded
}

// tailWriter keeps the first and the last bytes written to it: a Go crash
// states its reason first and then dumps every goroutine, while C libraries
// tend to say what went wrong last.
type tailWriter struct {
	mu   sync.Mutex
	head []byte
	buf  []byte
	max  int // of each part
	cut  bool
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	if room := w.max - len(w.head); room > 0 {
		k := min(room, len(p))
		w.head = append(w.head, p[:k]...)
		p = p[k:]
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) > 2*w.max {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-w.max:]...)
		w.cut = true
	}
	return n, nil
}

// reset forgets what was written: a pool's worker keeps its stderr
// across requests, and a request's error carries its own.
func (w *tailWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.head, w.buf, w.cut = w.head[:0], w.buf[:0], false
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.buf
	if len(b) > w.max {
		b = b[len(b)-w.max:]
		w.cut = true
	}
	if w.cut {
		return string(w.head) + "\n…\n" + string(b)
	}
	return string(w.head) + string(b)
}
