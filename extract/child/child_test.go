package child_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/child/childtest"
)

func TestMain(m *testing.M) {
	child.Main()
	os.Exit(m.Run())
}

func init() {
	child.Register("test-upper", func(ctx context.Context, in io.Reader, out io.Writer) error {
		b, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		_, err = out.Write(bytes.ToUpper(b))
		return err
	})
	child.Register("test-env", func(ctx context.Context, in io.Reader, out io.Writer) error {
		_, err := fmt.Fprintf(out, "%s|%s", os.Getenv("SHENBAO_TEST_ENV"), os.Getenv("SHENBAO_CHILD"))
		return err
	})
	child.Register("test-environ", func(ctx context.Context, in io.Reader, out io.Writer) error {
		_, err := fmt.Fprint(out, strings.Join(os.Environ(), "\n"))
		return err
	})
	child.Register("test-touch-100mb", func(ctx context.Context, in io.Reader, out io.Writer) error {
		b := make([]byte, 100<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		_, err := fmt.Fprint(out, b[len(b)-4096])
		return err
	})
	child.Register("test-nice", func(ctx context.Context, in io.Reader, out io.Writer) error {
		// Every thread's nice value (field 19 of /proc/…/task/TID/stat).
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/stat")
			if err != nil {
				continue
			}
			// The name (field 2) may hold spaces: count after its ")".
			f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
			fmt.Fprintln(out, f[16])
		}
		return nil
	})
	child.Register("test-budget", func(ctx context.Context, in io.Reader, out io.Writer) error {
		_, err := fmt.Fprint(out, child.Budget())
		return err
	})
	child.Register("test-typed-error", func(ctx context.Context, in io.Reader, out io.Writer) error {
		fmt.Fprint(out, "partial output that must be dropped")
		return fmt.Errorf("open: %w", shenbao.Errorf(shenbao.EENCRYPTED, "文件已加密 / encrypted"))
	})
	child.Register("test-plain-error", func(ctx context.Context, in io.Reader, out io.Writer) error {
		return errors.New("disk on fire")
	})
	child.Register("test-panic", func(ctx context.Context, in io.Reader, out io.Writer) error {
		panic("job lost its mind")
	})
	child.Register("test-exit3", func(ctx context.Context, in io.Reader, out io.Writer) error {
		fmt.Fprint(out, "looks fine")
		out.(interface{ Flush() error }).Flush()
		os.Exit(3)
		return nil
	})
	child.Register("test-exit0", func(ctx context.Context, in io.Reader, out io.Writer) error {
		// A C library calling exit(0) half-way must not pass for success.
		os.Exit(0)
		return nil
	})
	child.Register("test-abort", func(ctx context.Context, in io.Reader, out io.Writer) error {
		// What C's abort() and a segfault in C look like from outside.
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
		time.Sleep(time.Minute)
		return nil
	})
	child.Register("test-alloc", func(ctx context.Context, in io.Reader, out io.Writer) error {
		var keep [][]byte
		for i := 0; i < 1024; i++ { // up to 64 GiB: far past any limit
			b := make([]byte, 64<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			keep = append(keep, b)
		}
		return fmt.Errorf("allocated %d chunks without hitting the limit", len(keep))
	})
	child.Register("test-sleep", func(ctx context.Context, in io.Reader, out io.Writer) error {
		// A grandchild in the same process group must die with the child.
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "grandchild=%d\n", cmd.Process.Pid)
		return cmd.Wait()
	})
	child.Register("test-flood", func(ctx context.Context, in io.Reader, out io.Writer) error {
		chunk := bytes.Repeat([]byte("x"), 1<<16)
		for {
			if _, err := out.Write(chunk); err != nil {
				return err
			}
		}
	})
	child.Register("test-stderr", func(ctx context.Context, in io.Reader, out io.Writer) error {
		for i := 0; i < 100000; i++ {
			fmt.Fprintf(os.Stderr, "noise line %d\n", i)
		}
		fmt.Fprintln(os.Stderr, "LAST WORDS")
		panic("after noise")
	})
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		job      string
		lim      child.Limits
		wantCode string // "" for success
		wantOut  string
		inCause  string
		inMsg    string
	}{
		{name: "ok", job: "test-upper", wantOut: "HELLO 申报"},
		{name: "env reaches the child, job name does not reach the job", job: "test-env", lim: child.Limits{Env: []string{"SHENBAO_TEST_ENV=x1"}}, wantOut: "x1|"},
		{name: "budget", job: "test-budget", lim: child.Limits{Memory: 300 << 20}, wantOut: "314572800"},
		{name: "typed error keeps its code", job: "test-typed-error", wantCode: shenbao.EENCRYPTED, inMsg: "encrypted", inCause: "open"},
		{name: "plain error is internal", job: "test-plain-error", wantCode: shenbao.EINTERNAL, inCause: "disk on fire"},
		{name: "panic", job: "test-panic", wantCode: shenbao.ECRASHED, inCause: "job lost its mind", inMsg: "crashed"},
		{name: "os.Exit(3)", job: "test-exit3", wantCode: shenbao.ECRASHED, inCause: "exit status 3"},
		{name: "exit 0 without status", job: "test-exit0", wantCode: shenbao.ECRASHED, inCause: "without a valid status"},
		{name: "abort", job: "test-abort", wantCode: shenbao.ECRASHED, inCause: "SIGABRT"},
		{name: "out of memory", job: "test-alloc", lim: child.Limits{Memory: 256 << 20}, wantCode: shenbao.ECRASHED, inCause: "out of memory", inMsg: "memory"},
		// Long enough for the child to start its grandchild on a loaded
		// machine, so that the test can check the grandchild dies too.
		{name: "timeout", job: "test-sleep", lim: child.Limits{Timeout: 3 * time.Second}, wantCode: shenbao.ETIMEOUT, inMsg: "3s"},
		{name: "huge output", job: "test-flood", lim: child.Limits{Output: 1 << 20}, wantCode: shenbao.ETOOLARGE},
		{name: "stderr tail kept", job: "test-stderr", wantCode: shenbao.ECRASHED, inCause: "LAST WORDS"},
		{name: "unknown job", job: "no-such-job", wantCode: shenbao.EINTERNAL, inCause: "no job"},
	}
	// A pool's workers end as single runs do, with the same errors; the
	// pool is shared, so a worker serves the cases one after another
	// where the last did not kill it.
	pool := child.NewPool(child.PoolOptions{})
	runners := []struct {
		name string
		run  func(ctx context.Context, name string, in []byte, lim child.Limits) ([]byte, child.Stats, error)
	}{{"run", child.RunStats}, {"pool", pool.RunStats}}
	for _, r := range runners {
		for _, tt := range tests {
			t.Run(r.name+"/"+tt.name, func(t *testing.T) {
				if raceEnabled && tt.lim.Memory != 0 {
					t.Skip("the race detector's shadow memory cannot live under RLIMIT_AS")
				}
				tt.lim.Stage = "测试 / testing"
				start := time.Now()
				out, st, err := r.run(context.Background(), tt.job, []byte("hello 申报"), tt.lim)
				if d := time.Since(start); d > 20*time.Second {
					t.Errorf("took %v", d)
				}
				if got := shenbao.ErrorCode(err); got != tt.wantCode {
					t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
				}
				if err == nil {
					if string(out) != tt.wantOut {
						t.Errorf("out = %q, want %q", out, tt.wantOut)
					}
					return
				}
				if out != nil {
					t.Errorf("output %q returned with error", out)
				}
				var se *shenbao.Error
				errors.As(err, &se)
				if !strings.Contains(se.Message, "/ ") {
					t.Errorf("message not bilingual: %q", se.Message)
				}
				if tt.inMsg != "" && !strings.Contains(se.Message, tt.inMsg) {
					t.Errorf("message %q lacks %q", se.Message, tt.inMsg)
				}
				if tt.inCause != "" && (se.Cause == nil || !strings.Contains(se.Cause.Error(), tt.inCause)) {
					t.Errorf("cause %v lacks %q", se.Cause, tt.inCause)
				}
				if tt.job == "test-sleep" {
					assertDead(t, st.Stderr)
				}
			})
		}
	}
	pool.Close()
	assertNoChildren(t)
}

// assertDead checks that the grandchild named in stderr is gone.
func assertDead(t *testing.T, stderr string) {
	t.Helper()
	_, s, ok := strings.Cut(stderr, "grandchild=")
	if !ok {
		t.Fatalf("no grandchild pid in stderr %q", stderr)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		// Gone, or a zombie waiting for an init that does not reap.
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("grandchild %d survived the timeout", pid)
}

// assertNoChildren checks that every child was reaped: none left running and
// no zombie.
func assertNoChildren(t *testing.T) {
	t.Helper()
	pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
	if !errors.Is(err, syscall.ECHILD) {
		t.Errorf("children left behind: wait4 = %d, %v", pid, err)
	}
}

func TestStatsPeakRSS(t *testing.T) {
	// Inflate the parent first: the child's figure must not include it.
	ballast := make([]byte, 160<<20)
	for j := 0; j < len(ballast); j += 4096 {
		ballast[j] = 1
	}
	for _, tt := range []struct {
		job    string
		lo, hi int64
	}{
		{"test-upper", 1 << 20, 100 << 20},
		{"test-touch-100mb", 100 << 20, 250 << 20},
	} {
		_, st, err := child.RunStats(context.Background(), tt.job, nil, child.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if st.MaxRSS < tt.lo || st.MaxRSS > tt.hi {
			t.Errorf("%s: peak RSS %d MB, want %d–%d MB", tt.job, st.MaxRSS>>20, tt.lo>>20, tt.hi>>20)
		}
	}
	runtime.KeepAlive(ballast)
}

func TestRunConcurrent(t *testing.T) {
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			in := fmt.Sprintf("doc %d", i)
			job := "test-upper"
			if i%4 == 3 {
				job = "test-panic"
			}
			out, err := child.Run(context.Background(), job, []byte(in), child.Limits{})
			switch {
			case job == "test-panic" && shenbao.ErrorCode(err) != shenbao.ECRASHED:
				errs <- fmt.Errorf("%d: want crash, got %v", i, err)
			case job == "test-upper" && (err != nil || string(out) != strings.ToUpper(in)):
				errs <- fmt.Errorf("%d: got %q, %v", i, out, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assertNoChildren(t)
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}

func TestRunCancelled(t *testing.T) {
	pool := child.NewPool(child.PoolOptions{})
	for _, run := range []func(context.Context, string, []byte, child.Limits) ([]byte, error){child.Run, pool.Run} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		_, err := run(ctx, "test-sleep", nil, child.Limits{Timeout: time.Minute})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	pool.Close()
	assertNoChildren(t)
}

func TestRegisterDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic on duplicate job name")
		}
	}()
	child.Register("test-upper", func(context.Context, io.Reader, io.Writer) error { return nil })
}

func TestProgramWithoutMain(t *testing.T) {
	// A program that ignores the protocol, as a main without child.Main
	// would: it exits without a status record.
	exe, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1)")
	}
	old := child.Executable
	child.Executable = func() (string, error) { return exe, nil }
	defer func() { child.Executable = old }()
	_, err = child.Run(context.Background(), "test-upper", nil, child.Limits{})
	if shenbao.ErrorCode(err) != shenbao.ECRASHED || !strings.Contains(err.Error(), "child.Main") {
		t.Fatalf("err = %v, want %s naming child.Main", err, shenbao.ECRASHED)
	}
}

func TestNoRecursionFromAChildWithoutMain(t *testing.T) {
	t.Setenv("SHENBAO_CHILD", "test-upper")
	_, err := child.Run(context.Background(), "test-upper", nil, child.Limits{})
	if shenbao.ErrorCode(err) != shenbao.EINTERNAL || !strings.Contains(err.Error(), "never called child.Main") {
		t.Fatalf("err = %v, want %s naming child.Main", err, shenbao.EINTERNAL)
	}
}

// BenchmarkRun measures the fixed cost of isolation: start this binary as
// a child, run a trivial job, read its result.
func BenchmarkRun(b *testing.B) {
	for b.Loop() {
		if _, err := child.Run(context.Background(), "test-upper", []byte("x"), child.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestChildEnvironment: a child gets the variables it needs and the limits'
// additions, never the parent's secrets.
func TestChildEnvironment(t *testing.T) {
	secrets := map[string]string{
		"SHENBAO_SESSION_KEY":   "k-0123456789abcdef0123456789abcdef",
		"SHENBAO_DATABASE_URL":  "postgres://shenbao:pw@db/shenbao",
		"SHENBAO_PASSWORD":      "pw-0123456789",
		"AWS_SECRET_ACCESS_KEY": "aws",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("TESSDATA_PREFIX", "/usr/share/tesseract-ocr/5/tessdata")
	out, err := child.Run(context.Background(), "test-environ", nil, child.Limits{Env: []string{"OMP_THREAD_LIMIT=1"}})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k := range secrets {
		if _, ok := env[k]; ok {
			t.Errorf("the child inherited %s", k)
		}
	}
	for k, want := range map[string]string{"PATH": os.Getenv("PATH"), "TESSDATA_PREFIX": "/usr/share/tesseract-ocr/5/tessdata", "OMP_THREAD_LIMIT": "1"} {
		if env[k] != want {
			t.Errorf("child's %s = %q, want %q", k, env[k], want)
		}
	}
}

// TestNice: Limits.Nice lowers every thread of the child by that much from
// the parent's priority; no Nice leaves it as the parent's.
func TestNice(t *testing.T) {
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	parent := 20 - raw
	for _, c := range []struct{ nice, want int }{{0, parent}, {5, min(parent+5, 19)}} {
		out, err := child.Run(context.Background(), "test-nice", nil, child.Limits{Nice: c.nice})
		if err != nil {
			t.Fatal(err)
		}
		threads := strings.Fields(string(out))
		if len(threads) < 2 {
			t.Fatalf("Nice %d: %d threads listed, want the runtime's several", c.nice, len(threads))
		}
		for _, v := range threads {
			if v != strconv.Itoa(c.want) {
				t.Errorf("Nice %d: a thread at nice %s, want %d (parent %d): %v", c.nice, v, c.want, parent, threads)
				break
			}
		}
	}
}

// TestSweepTemp: files of a dead process and old files are removed; files
// of a live process, young files of old releases and others' files stay.
func TestSweepTemp(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	mine, err := child.TempFile("scan", ".pdf", []byte("%PDF-1.4"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(mine); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("TempFile: %v, %v; want mode 0600", fi, err)
	}
	// A process that has exited: its id is free (until reused, which the
	// test cannot rule out but which takes a wrap of the pid space).
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	files := map[string]bool{ // name → removed
		filepath.Base(mine): false,
		fmt.Sprintf("shenbao-tmp-%d-scan-1.pdf", dead.Process.Pid):       true,
		fmt.Sprintf("shenbao-tmp-%d-render-2.pdf", os.Getpid()) + ".old": true, // old, though its id runs
		"shenbao-scan-3.pdf":     false, // an old release's, young
		"shenbao-scan-4.pdf.old": false, // not ours
		"other.pdf":              false,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if p == mine {
			continue
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".old") {
			os.Chtimes(p, old, old)
		}
	}
	files["shenbao-scan-5.pdf"] = true // an old release's, old
	if err := os.WriteFile(filepath.Join(dir, "shenbao-scan-5.pdf"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(dir, "shenbao-scan-5.pdf"), old, old)

	n, err := child.SweepTemp()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := errors.Is(err, os.ErrNotExist); gone != removed {
			t.Errorf("%s: removed = %v, want %v", name, gone, removed)
		}
		if removed {
			want++
		}
	}
	if n != want {
		t.Errorf("SweepTemp = %d, want %d", n, want)
	}
}

// TestKilledFromOutside: a child killed by another process (the OOM
// killer's SIGKILL) is EKILLED naming the signal, not a document that
// crashed the engine.
func TestKilledFromOutside(t *testing.T) {
	pool := child.NewPool(child.PoolOptions{})
	defer pool.Close()
	for _, run := range []func(context.Context, string, []byte, child.Limits) ([]byte, error){child.Run, pool.Run} {
		done := make(chan error, 1)
		go func() {
			_, err := run(context.Background(), "test-sleep", nil, child.Limits{Timeout: 2 * time.Minute})
			done <- err
		}()
		childtest.Kill(t, "test-sleep", syscall.SIGKILL)
		err := <-done
		if shenbao.ErrorCode(err) != shenbao.EKILLED || !strings.Contains(shenbao.ErrorMessage(err), "SIGKILL") || strings.Contains(shenbao.ErrorMessage(err), "crashed") {
			t.Fatalf("err = %v; want %s naming SIGKILL", err, shenbao.EKILLED)
		}
	}
}
