package queue_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		os.Exit(workerMain())
	}
	os.Exit(pgtest.Run(m))
}

// fakeProcessor is a test double for the pipeline: deterministic, it
// "extracts" a file whose content is its cluster name, taking delay per
// file. Content starting with "fail:" fails with that error code on every
// attempt; "flaky:" fails on the first attempt of each file only.
type fakeProcessor struct {
	delay time.Duration
	// burn, when set, replaces the delay by that many rounds of SHA-256
	// over the data: CPU work, for the scale-out benchmark.
	burn int
	mu   sync.Mutex
	seen map[string]int
	gate chan struct{}
}

func (p *fakeProcessor) Read(ctx context.Context, name string, data []byte) (*shenbao.Report, error) {
	select {
	case <-time.After(p.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	sum := sha256.Sum256(data)
	for range p.burn {
		sum = sha256.Sum256(sum[:])
	}
	s := string(data)
	if s == "hang" {
		<-ctx.Done() // a parser stuck on a hostile file, until the stage's time limit
		return nil, ctx.Err()
	}
	if code, ok := strings.CutPrefix(s, "fail:"); ok {
		return nil, shenbao.Errorf(code, "测试失败 / test failure")
	}
	if strings.HasPrefix(s, "flaky:") {
		p.mu.Lock()
		p.seen[s]++
		n := p.seen[s]
		p.mu.Unlock()
		if n == 1 {
			return nil, fmt.Errorf("transient failure of %s", name)
		}
	}
	return &shenbao.Report{Format: shenbao.FormatDOCX, Pages: 1, Edition: shenbao.EditionMatch{ID: "nat2024"},
		Fields: []shenbao.Field{{ID: "name", Key: "name", Value: s}}, Findings: []shenbao.Finding{}}, nil
}

// Check adds one warning each time it runs, so that a report tells how
// often it was checked; a file named gate:… waits in Check for p.gate.
func (p *fakeProcessor) Check(ctx context.Context, rep *shenbao.Report) (*shenbao.Report, error) {
	if p.gate != nil && len(rep.Fields) > 0 && strings.HasPrefix(rep.Fields[0].Value, "gate:") {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	rep.Findings = append(rep.Findings, shenbao.Finding{Kind: shenbao.KindMissing, Severity: shenbao.SeverityWarning, Message: "checked"})
	return rep, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func fastConfig(workers int) queue.Config {
	return queue.Config{Workers: workers, PollInterval: 50 * time.Millisecond, SweepInterval: time.Second, RetryBackoff: 50 * time.Millisecond,
		ExtractTimeout: 5 * time.Second, CheckTimeout: 5 * time.Second, MaxAttempts: 3, RescueAfter: 6 * time.Second, Logger: quiet(),
		Heartbeat: 100 * time.Millisecond, StaleAfter: time.Second}
}

// add stores content as an uploaded original and enqueues it, as the
// upload handler does.
func add(t testing.TB, ctx context.Context, st store.Store, q *queue.Queue, content string) int64 {
	sum := sha256.Sum256([]byte(content))
	sha := hex.EncodeToString(sum[:])
	if err := st.PutOriginal(ctx, sha, strings.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	app, _, err := st.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: content + ".docx", Size: int64(len(content)), MIME: "test"}, store.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Extract(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	return app.ID
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func status(t testing.TB, st store.Store, id int64) *store.Application {
	a, err := st.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestStatusStages: an application shows which stage it is in — reading
// the file, then checking what was read — so that a clerk watching a long
// scan sees it move.
func TestStatusStages(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	proc := &fakeProcessor{seen: map[string]int{}, gate: make(chan struct{})}
	q, err := queue.Open(ctx, st, proc, fastConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(ctx)
	id := add(t, ctx, st, q, "gate:1")
	waitFor(t, 20*time.Second, "the checking stage", func() bool { return status(t, st, id).Status == store.StatusChecking })
	if a := status(t, st, id); a.Version != 0 {
		t.Errorf("report stored before the checks ran: version %d", a.Version)
	}
	close(proc.gate)
	waitFor(t, 20*time.Second, "done", func() bool { return status(t, st, id).Status == store.StatusDone })
	if a := status(t, st, id); a.Version != 1 || a.Warnings != 1 {
		t.Errorf("after extraction: version %d, %d warnings; want version 1 checked once", a.Version, a.Warnings)
	}
}

// TestStages covers retries, permanent failures as dead letters, the
// stage time limit, a lost enqueue picked up by the sweeper, and a recheck.
func TestStages(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		st, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		qc := fastConfig(2)
		qc.ExtractTimeout = time.Second
		q, err := queue.Open(ctx, st, &fakeProcessor{seen: map[string]int{}}, qc)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)

		ok := add(t, ctx, st, q, "ok")
		flaky := add(t, ctx, st, q, "flaky:1")
		bad := add(t, ctx, st, q, "fail:"+shenbao.EUNSUPPORTED)
		crash := add(t, ctx, st, q, "fail:"+shenbao.ECRASHED)
		hang := add(t, ctx, st, q, "hang")
		// An upload whose enqueue was lost: stored, never enqueued.
		lost, _, err := st.CreateApplication(ctx, store.NewApplication{SHA256: strings.Repeat("e", 64), Filename: "lost.docx", MIME: "test"}, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		st.PutOriginal(ctx, strings.Repeat("e", 64), strings.NewReader("lost"))

		waitFor(t, time.Minute, "every application to finish", func() bool {
			for _, id := range []int64{ok, flaky, bad, crash, hang, lost.ID} {
				if s := status(t, st, id).Status; s != store.StatusDone && s != store.StatusFailed {
					return false
				}
			}
			return true
		})
		for id, want := range map[int64]string{ok: store.StatusDone, flaky: store.StatusDone, lost.ID: store.StatusDone, bad: store.StatusFailed, crash: store.StatusFailed, hang: store.StatusFailed} {
			if a := status(t, st, id); a.Status != want {
				t.Errorf("%s: status %s (%s), want %s", a.Filename, a.Status, a.ErrorCode, want)
			}
		}
		if a := status(t, st, bad); a.ErrorCode != shenbao.EUNSUPPORTED || !strings.Contains(a.ErrorMessage, "test failure") {
			t.Errorf("permanent failure recorded as %q %q", a.ErrorCode, a.ErrorMessage)
		}
		if a := status(t, st, hang); a.ErrorCode != shenbao.ETIMEOUT {
			t.Errorf("stuck extraction recorded as %q %q, want a timeout", a.ErrorCode, a.ErrorMessage)
		}
		// The unsupported file is cancelled at once; the crashing and the
		// stuck ones are retried to the limit and discarded: all are dead
		// letters.
		waitFor(t, 30*time.Second, "dead letters", func() bool {
			jobs, err := q.Jobs(ctx, []string{"discarded", "cancelled"}, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(jobs) == 3
		})
		jobs, _ := q.Jobs(ctx, []string{"discarded"}, 10)
		if len(jobs) != 2 {
			t.Fatalf("discarded jobs: %+v", jobs)
		}
		for _, j := range jobs {
			if j.Attempt != 3 || len(j.Errors) != 3 {
				t.Errorf("discarded job %s: attempt %d, %d errors; want 3 and 3", j.Args, j.Attempt, len(j.Errors))
			}
		}

		rid, err := st.CreateRecheck(ctx, "{}", []int64{ok, flaky}, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Recheck(ctx, rid, []int64{ok, flaky}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the recheck", func() bool {
			r, err := st.Recheck(ctx, rid)
			return err == nil && r.Done == 2
		})
		if a := status(t, st, ok); a.Version != 2 || a.Warnings != 2 {
			t.Fatalf("after recheck: version %d, %d warnings; want version 2 checked twice (extract, recheck)", a.Version, a.Warnings)
		}
	})
}

// TestConcurrentEnqueues: fifty uploads enqueueing at once (written in
// shared inserts) each get their job, once, and every one is processed;
// the same application enqueued twice at once is one job.
func TestConcurrentEnqueues(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		st, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		q, err := queue.Open(ctx, st, &fakeProcessor{seen: map[string]int{}}, fastConfig(0))
		if err != nil {
			t.Fatal(err)
		}
		const n = 50
		ids := make([]int64, n)
		for i := range ids {
			sum := sha256.Sum256([]byte(strconv.Itoa(i)))
			sha := hex.EncodeToString(sum[:])
			if err := st.PutOriginal(ctx, sha, strings.NewReader(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
			app, _, err := st.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: strconv.Itoa(i) + ".docx", Size: 1, MIME: "test"}, store.Actor{Name: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = app.ID
		}
		var wg sync.WaitGroup
		errs := make([]error, n+1)
		for i := range n + 1 {
			wg.Go(func() { errs[i] = q.Extract(ctx, ids[i%n]) }) // ids[0] twice
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		jobs, err := q.Jobs(ctx, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != n {
			t.Fatalf("%d jobs for %d applications", len(jobs), n)
		}
		q.Stop(ctx)
		q, err = queue.Open(ctx, st, &fakeProcessor{seen: map[string]int{}}, fastConfig(2))
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		waitFor(t, 60*time.Second, "every application processed", func() bool {
			counts, err := st.CountByStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return counts[store.StatusDone] == n
		})
	})
}
