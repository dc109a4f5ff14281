// Package queue runs the processing stages as River jobs: extract (read the
// original into a report) and check (re-run the criteria on the current
// report). The same code runs on SQLite (riversqlite, embedded mode, where
// the workers live inside `shenbao serve`) and on PostgreSQL (riverpgxv5,
// where any number of `shenbao worker` processes share the database).
//
// Jobs are at-least-once; the store makes their effect exactly-once: a
// report is saved with its job id, a retried job whose report is already
// saved does nothing, and a sweeper re-enqueues uploads whose job was lost
// and fails those whose job was given up.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// Processor is the processing pipeline, wired in by cmd/shenbao.
type Processor interface {
	// Read reads an uploaded file into a report (values, extraction's
	// own findings); the queue then runs Check on it, so that the status
	// says which of the two stages an application is in.
	Read(ctx context.Context, name string, data []byte) (*shenbao.Report, error)
	// Check re-runs the criteria on a stored report without re-reading the
	// file: after a correction and on a recheck.
	Check(ctx context.Context, rep *shenbao.Report) (*shenbao.Report, error)
}

// Observer is told about every finished job attempt (for metrics).
type Observer interface {
	JobDone(stage string, took time.Duration, rep *shenbao.Report, err error)
}

// Stages, which are also the River job kinds.
const (
	StageExtract = "extract"
	StageCheck   = "check"
)

// Config tunes the queue. Zero members take the defaults.
type Config struct {
	// Workers is how many jobs this process runs at once; 0 makes an
	// enqueue-only queue (serve on PostgreSQL with separate workers).
	Workers        int
	ExtractTimeout time.Duration // default 10 minutes
	CheckTimeout   time.Duration // default 1 minute
	MaxAttempts    int           // default 5
	// RetryBackoff is the delay before the second attempt; later attempts
	// wait attempt² times as long. Default 2 s.
	RetryBackoff time.Duration
	// RescueAfter is how long a job may stay running before it is taken to
	// be abandoned by a dead worker and retried. It must exceed the
	// timeouts; default ExtractTimeout + 1 minute.
	RescueAfter time.Duration
	// PollInterval is how often workers look for jobs when not notified
	// (always, on SQLite). Default 1 s.
	PollInterval time.Duration
	// SweepInterval is how often lost and given-up jobs are looked for.
	// Default 30 s.
	SweepInterval time.Duration
	// RetainOriginals, when set, deletes the stored originals of finished
	// applications uploaded longer ago (the reports stay); OriginalGrace
	// is how old an original no application refers to must be before it
	// is deleted (default 1 hour: an upload may be between storing and
	// recording it). Originals are swept every OriginalSweep (default 1
	// hour).
	// ShutdownGrace is how long Stop lets running jobs finish before it
	// cancels them; a job cancelled so goes back to the queue without
	// spending an attempt. Default 30 s.
	ShutdownGrace time.Duration
	// Heartbeat is how often a running extract job says it is alive;
	// StaleAfter is how long without a heartbeat makes its application
	// taken for abandoned by a killed worker, re-enqueued by the sweeper
	// (without waiting for RescueAfter). Defaults 10 s and 1 minute.
	Heartbeat       time.Duration
	StaleAfter      time.Duration
	RetainOriginals time.Duration
	OriginalGrace   time.Duration
	OriginalSweep   time.Duration
	Logger          *slog.Logger
	Observer        Observer
}

func (c *Config) defaults() {
	if c.ExtractTimeout <= 0 {
		c.ExtractTimeout = 10 * time.Minute
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 2 * time.Second
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = max(c.ExtractTimeout, c.CheckTimeout) + time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = 30 * time.Second
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 10 * time.Second
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = 6 * c.Heartbeat
	}
	if c.OriginalGrace <= 0 {
		c.OriginalGrace = time.Hour
	}
	if c.OriginalSweep <= 0 {
		c.OriginalSweep = time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// ExtractArgs is the extract job: read application ApplicationID. Rescue,
// when set, tells a job the sweeper enqueued for an application whose job
// stopped sending heartbeats (a killed worker) from the original one,
// which River's uniqueness would otherwise merge with it.
type ExtractArgs struct {
	ApplicationID int64 `json:"application_id"`
	Rescue        int64 `json:"rescue,omitempty"`
}

func (ExtractArgs) Kind() string { return StageExtract }

// InsertOpts makes extract jobs unique per application while one is
// pending, running or completed, so that a second upload of the same file
// or a sweep does not process it twice.
func (ExtractArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: StageExtract, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// CheckArgs is the check job: re-run the criteria on applications
// ApplicationIDs (or, in a job enqueued before batches, ApplicationID) for
// recheck run RecheckID.
type CheckArgs struct {
	ApplicationID  int64   `json:"application_id,omitempty"`
	ApplicationIDs []int64 `json:"application_ids,omitempty"`
	RecheckID      int64   `json:"recheck_id"`
}

// ids are the applications the job re-checks.
func (a CheckArgs) ids() []int64 {
	if len(a.ApplicationIDs) > 0 {
		return a.ApplicationIDs
	}
	return []int64{a.ApplicationID}
}

// checkBatch is how many applications one check job re-checks: their
// reports read in one query and written in one transaction. Per
// application, a job of its own cost more in the queue's and the store's
// round trips than the checks themselves. Small enough that a job takes
// well under CheckTimeout and that two workers share a run of a few
// thousand evenly.
const checkBatch = 100

func (CheckArgs) Kind() string { return StageCheck }

func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: StageCheck, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// client is the part of *river.Client[TTx] used here; it hides the
// driver's transaction type so that one Queue serves both databases.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// stopping is set while Stop runs, so that a job cancelled by the
// shutdown goes back to the queue instead of failing an attempt.
type stopping struct{ atomic.Bool }

// Queue enqueues and (with Workers > 0) works the processing jobs.
type Queue struct {
	st     store.Store
	proc   Processor
	cfg    Config
	client client
	ping   func(context.Context) error
	close  func()
	stop   context.CancelFunc
	swept  chan struct{}
	ending stopping
	// extracts gathers concurrent uploads' enqueues into one insert.
	extracts extractBatch
}

// extractBatch is a group commit of extract jobs. On SQLite every insert
// waits for the queue's one connection, which the workers and River's own
// fetching also hold; with 50 clients uploading, an upload spent most of
// its time (89% of its blocked time, profiled) waiting there for its turn.
// Now an upload adds its application to the open batch and waits until
// either the batch is written or it holds flushing (a one-slot
// semaphore); holding it, it inserts whatever the batch holds by then.
// Those who arrived while the previous insert ran are written together.
type extractBatch struct {
	flushing chan struct{}
	mu       sync.Mutex
	open     *pendingExtracts
}

type pendingExtracts struct {
	ids  []int64
	done chan struct{}
	err  error
}

// Open connects River to the store's database (a queue.db beside the SQLite
// database, or the same PostgreSQL database), migrates River's tables and
// registers the workers. Start begins working.
func Open(ctx context.Context, st store.Store, proc Processor, cfg Config) (*Queue, error) {
	cfg.defaults()
	q := &Queue{st: st, proc: proc, cfg: cfg}
	workers := river.NewWorkers()
	river.AddWorker(workers, &extractWorker{q: q})
	river.AddWorker(workers, &checkWorker{q: q})
	rc := &river.Config{
		JobTimeout:           cfg.ExtractTimeout,
		MaxAttempts:          cfg.MaxAttempts,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		RetryPolicy:          &backoff{base: cfg.RetryBackoff},
		SoftStopTimeout:      cfg.ShutdownGrace,
		Logger:               cfg.Logger,
		Workers:              workers,
	}
	if cfg.Workers > 0 {
		rc.Queues = map[string]river.QueueConfig{
			StageExtract: {MaxWorkers: cfg.Workers},
			StageCheck:   {MaxWorkers: cfg.Workers},
		}
	}
	switch st.Dialect() {
	case store.DialectPostgres:
		pool, err := pgxpool.New(ctx, st.DatabaseURL())
		if err != nil {
			return nil, fmt.Errorf("queue: connect to postgres: %w", err)
		}
		q.ping, q.close = pool.Ping, pool.Close
		if q.client, err = newClient(ctx, riverpgxv5.New(pool), rc); err != nil {
			pool.Close()
			return nil, err
		}
	default:
		path := filepath.Join(st.DataDir(), "queue.db")
		if err := store.PrivateSQLite(path); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		db, err := sql.Open("sqlite", store.SQLiteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("queue: open sqlite: %w", err)
		}
		// riversqlite's advice: one connection, so that River's concurrent
		// internal operations queue in Go instead of failing with
		// SQLITE_BUSY. Other processes on the same file wait on the busy
		// timeout.
		db.SetMaxOpenConns(1)
		q.ping, q.close = db.PingContext, func() { db.Close() }
		if q.client, err = newClient(ctx, riversqlite.New(db), rc); err != nil {
			db.Close()
			return nil, err
		}
	}
	return q, nil
}

func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], rc *river.Config) (client, error) {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, fmt.Errorf("queue: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("queue: migrate river tables: %w", err)
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("queue: river client: %w", err)
	}
	return c, nil
}

// backoff retries after base·attempt², shorter than River's default
// attempt⁴ seconds, since most failures here are a dead worker.
type backoff struct{ base time.Duration }

func (b *backoff) NextRetry(job *rivertype.JobRow) time.Time {
	n := time.Duration(max(job.Attempt, 1))
	return time.Now().Add(b.base * n * n)
}

// Start begins working jobs (when Workers > 0) and sweeping.
func (q *Queue) Start(ctx context.Context) error {
	if q.cfg.Workers == 0 {
		return nil
	}
	// Not ctx: River cancels every running job at once when its start
	// context ends, and a SIGTERM ends ctx. Stop drains instead.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("queue: start: %w", err)
	}
	ctx, q.stop = context.WithCancel(context.Background())
	q.swept = make(chan struct{})
	go q.sweepLoop(ctx)
	return nil
}

// Stop drains: it takes no more jobs, lets running ones finish for up to
// ShutdownGrace, then cancels them — they go back to the queue without
// spending an attempt — and closes the connection. ctx bounds the whole
// (give it more than ShutdownGrace).
func (q *Queue) Stop(ctx context.Context) error {
	var err error
	q.ending.Store(true)
	if q.stop != nil {
		q.stop()
		<-q.swept
		err = q.client.Stop(ctx)
	}
	q.close()
	return err
}

// Ping checks that the queue's database answers.
func (q *Queue) Ping(ctx context.Context) error { return q.ping(ctx) }

// Extract enqueues the extract job of an application; it returns once the
// job is stored, written in one insert with those enqueued at the same
// time (extractBatch).
func (q *Queue) Extract(ctx context.Context, appID int64) error {
	e := &q.extracts
	e.mu.Lock()
	if e.flushing == nil {
		e.flushing = make(chan struct{}, 1)
	}
	if e.open == nil {
		e.open = &pendingExtracts{done: make(chan struct{})}
	}
	b := e.open
	b.ids = append(b.ids, appID)
	e.mu.Unlock()

	select {
	case <-b.done: // written by another request
	case e.flushing <- struct{}{}:
		e.flushBatch(ctx, q, b)
		<-e.flushing
	}
	if b.err != nil {
		return fmt.Errorf("enqueue extract %d: %w", appID, b.err)
	}
	return nil
}

// flushBatch writes b unless it is already written; the caller holds
// flushing.
func (e *extractBatch) flushBatch(ctx context.Context, q *Queue, b *pendingExtracts) {
	select {
	case <-b.done:
	default:
		// Not written, so still open: nobody takes a batch without
		// holding flushing and closing it.
		e.mu.Lock()
		e.open = nil
		e.mu.Unlock()
		// Unique per application: the same one twice (a retried
		// upload) is one job.
		slices.Sort(b.ids)
		ids := slices.Compact(b.ids)
		params := make([]river.InsertManyParams, len(ids))
		for i, id := range ids {
			params[i] = river.InsertManyParams{Args: ExtractArgs{ApplicationID: id}}
		}
		// The batch holds other requests' jobs: one client going away
		// must not cancel theirs.
		if _, err := q.client.InsertMany(context.WithoutCancel(ctx), params); err != nil {
			b.err = err
		}
		close(b.done)
	}
}

// Recheck enqueues the check jobs of a recheck run, checkBatch
// applications each.
func (q *Queue) Recheck(ctx context.Context, recheckID int64, appIDs []int64) error {
	var params []river.InsertManyParams
	for ids := range slices.Chunk(appIDs, checkBatch) {
		params = append(params, river.InsertManyParams{Args: CheckArgs{ApplicationIDs: ids, RecheckID: recheckID}})
	}
	for ps := range slices.Chunk(params, 500) {
		if _, err := q.client.InsertMany(ctx, ps); err != nil {
			return fmt.Errorf("enqueue recheck %d: %w", recheckID, err)
		}
	}
	return nil
}

// Job is a queue entry as the API shows it.
type Job struct {
	ID          int64      `json:"id"`
	Stage       string     `json:"stage"`
	State       string     `json:"state"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Args        string     `json:"args"`
	Errors      []string   `json:"errors"`
	CreatedAt   time.Time  `json:"created_at"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
}

// JobStates are the states Jobs accepts; discarded and cancelled jobs are
// the dead letters.
var JobStates = []string{"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled"}

// Jobs lists up to limit jobs in the given states (newest first).
func (q *Queue) Jobs(ctx context.Context, states []string, limit int) ([]Job, error) {
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(states) > 0 {
		ss := make([]rivertype.JobState, len(states))
		for i, s := range states {
			ss[i] = rivertype.JobState(s)
		}
		p = p.States(ss...)
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		job := Job{ID: j.ID, Stage: j.Kind, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
			Args: string(j.EncodedArgs), Errors: []string{}, CreatedAt: j.CreatedAt, FinalizedAt: j.FinalizedAt}
		for _, e := range j.Errors {
			job.Errors = append(job.Errors, e.Error)
		}
		out = append(out, job)
	}
	return out, nil
}

// permanent reports whether an extract error will not go away on retry:
// the file itself is the problem.
func permanent(err error) bool {
	switch shenbao.ErrorCode(err) {
	case shenbao.EUNSUPPORTED, shenbao.EINVALID, shenbao.ETOOLARGE, shenbao.EENCRYPTED, shenbao.ENEEDSOCR, shenbao.ENOTINSTALLED:
		return true
	}
	return false
}

func (q *Queue) observe(stage string, start time.Time, rep *shenbao.Report, err error) {
	if q.cfg.Observer != nil {
		q.cfg.Observer.JobDone(stage, time.Since(start), rep, err)
	}
}

type extractWorker struct {
	river.WorkerDefaults[ExtractArgs]
	q *Queue
}

func (w *extractWorker) Timeout(*river.Job[ExtractArgs]) time.Duration { return w.q.cfg.ExtractTimeout }

func (w *extractWorker) Work(ctx context.Context, job *river.Job[ExtractArgs]) error {
	q, id := w.q, job.Args.ApplicationID
	if done, err := q.st.JobDone(ctx, job.ID); err != nil || done {
		return err // a previous attempt saved the report and died before River heard
	}
	app, err := q.st.Application(ctx, id)
	if shenbao.ErrorCode(err) == shenbao.ENOTFOUND {
		return river.JobCancel(fmt.Errorf("application %d was deleted", id))
	}
	if err != nil {
		return err
	}
	if app.Status == store.StatusDone {
		return nil
	}
	claimed, err := q.st.Claim(ctx, id, q.cfg.StaleAfter)
	if err != nil {
		return err
	}
	if !claimed {
		// Another job (the original of a rescue, or its rescue) is
		// working on it and sending heartbeats.
		return river.JobCancel(fmt.Errorf("application %d is being processed by another job", id))
	}
	beat, stopBeat := context.WithCancel(ctx)
	go q.heartbeat(beat, id)
	start := time.Now()
	rep, err := w.extract(ctx, app)
	stopBeat()
	q.observe(StageExtract, start, rep, err)
	if err != nil && ctx.Err() != nil && q.ending.Load() {
		return q.requeue(ctx, id, err)
	}
	if err != nil {
		switch shenbao.ErrorCode(err) {
		case shenbao.EKILLED, shenbao.ECRASHED:
			// The cause names the signal or exit status; a kill from
			// outside (the OOM killer) is the server's trouble and is
			// retried like any other failure.
			q.cfg.Logger.Warn("extract child ended abnormally", "application", id, "job", job.ID, "attempt", job.Attempt, "code", shenbao.ErrorCode(err), "err", err)
		}
		last := job.Attempt >= job.MaxAttempts
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			err = shenbao.Wrap(shenbao.ETIMEOUT, err, "处理超时，请检查文件或联系管理员调整时限。/ Processing ran past its time limit; check the file or ask the administrator to raise the limit.")
		}
		if permanent(err) || last {
			if serr := q.st.SetStatus(context.WithoutCancel(ctx), id, store.StatusFailed, shenbao.ErrorCode(err), shenbao.ErrorMessage(err)); serr != nil {
				return errors.Join(err, serr)
			}
		}
		if permanent(err) {
			return river.JobCancel(err)
		}
		if !last {
			// Retried: queued again, so that the retry's claim is not
			// mistaken for another job's.
			if serr := q.st.SetStatus(context.WithoutCancel(ctx), id, store.StatusQueued, "", ""); serr != nil {
				return errors.Join(err, serr)
			}
		}
		return err
	}
	_, err = q.st.SaveReport(ctx, store.SaveReport{AppID: id, BaseVersion: -1, Kind: store.KindExtract, JobID: &job.ID, Report: rep,
		Audit: &store.AuditEntry{Action: "report.extract", Detail: map[string]any{"job": job.ID, "attempt": job.Attempt}}})
	if errors.Is(err, store.ErrJobDone) {
		return nil
	}
	return err
}

// heartbeat tells the sweeper, until ctx ends, that application id's job
// is alive.
func (q *Queue) heartbeat(ctx context.Context, id int64) {
	t := time.NewTicker(q.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := q.st.Touch(ctx, id); err != nil && ctx.Err() == nil {
				q.cfg.Logger.Warn("job heartbeat", "application", id, "err", err)
			}
		}
	}
}

// requeue puts back a job that the shutdown cancelled: its application
// queued again, the job snoozed — River then neither counts the attempt
// nor waits to retry it.
func (q *Queue) requeue(ctx context.Context, id int64, cause error) error {
	if err := q.st.SetStatus(context.WithoutCancel(ctx), id, store.StatusQueued, "", ""); err != nil {
		return errors.Join(cause, err)
	}
	q.cfg.Logger.Info("job put back by shutdown", "application", id)
	return river.JobSnooze(0)
}

func (w *extractWorker) extract(ctx context.Context, app *store.Application) (*shenbao.Report, error) {
	data, err := w.q.st.Original(ctx, app.SHA256)
	if err != nil {
		return nil, err
	}
	rep, err := w.q.proc.Read(ctx, app.Filename, data)
	if err != nil {
		return nil, fmt.Errorf("extract application %d: %w", app.ID, err)
	}
	rep.File, rep.SHA256 = app.Filename, app.SHA256
	if err := w.q.st.SetStatus(ctx, app.ID, store.StatusChecking, "", ""); err != nil {
		return nil, err
	}
	rep, err = w.q.proc.Check(ctx, rep)
	if err != nil {
		return nil, fmt.Errorf("check application %d: %w", app.ID, err)
	}
	return rep, nil
}

type checkWorker struct {
	river.WorkerDefaults[CheckArgs]
	q *Queue
}

func (w *checkWorker) Timeout(*river.Job[CheckArgs]) time.Duration { return w.q.cfg.CheckTimeout }

func (w *checkWorker) Work(ctx context.Context, job *river.Job[CheckArgs]) error {
	q, a := w.q, job.Args
	if done, err := q.st.JobDone(ctx, job.ID); err != nil || done {
		return err
	}
	// The first round's batch carries the job id, which makes it
	// idempotent; an application a correction was saved to meanwhile
	// (ErrConflict) is read and checked again, up to conflictRounds times.
	const conflictRounds = 5
	pending, jobID := a.ids(), &job.ID
	var failed []int64
	for round := 0; len(pending) > 0 && round < conflictRounds; round++ {
		cur, err := q.st.LatestReports(ctx, pending)
		if err != nil && jobID != nil {
			return err
		}
		if err != nil {
			failed = append(failed, pending...)
			break
		}
		var saves []store.SaveReport
		for _, id := range pending {
			v, ok := cur[id]
			if !ok {
				// Deleted, or never processed: nothing to re-check.
				failed = append(failed, id)
				continue
			}
			start := time.Now()
			rep, err := q.proc.Check(ctx, v.Report)
			q.observe(StageCheck, start, rep, err)
			if err != nil && ctx.Err() != nil && q.ending.Load() && jobID != nil {
				return river.JobSnooze(0) // put back by the shutdown
			}
			if err != nil {
				if jobID != nil && ctx.Err() == nil && job.Attempt < job.MaxAttempts {
					return fmt.Errorf("check application %d: %w", id, err)
				}
				// Given up (or past the stored batch): this one fails, the
				// others are still saved.
				q.cfg.Logger.Warn("re-check failed", "application", id, "recheck", a.RecheckID, "err", err)
				failed = append(failed, id)
				continue
			}
			// Based on the version read: a correction saved meanwhile
			// makes this a conflict.
			saves = append(saves, store.SaveReport{AppID: id, BaseVersion: v.Version, Kind: store.KindCheck, Report: rep, RecheckID: a.RecheckID,
				Audit: &store.AuditEntry{Action: "report.check", Detail: map[string]any{"recheck": a.RecheckID, "job": job.ID}}})
		}
		errs, err := q.st.SaveReports(ctx, jobID, saves)
		if errors.Is(err, store.ErrJobDone) {
			return nil
		}
		if err != nil && jobID != nil {
			return err
		}
		if err != nil {
			q.cfg.Logger.Error("save re-checks", "recheck", a.RecheckID, "err", err)
			for _, sv := range saves {
				failed = append(failed, sv.AppID)
			}
			break
		}
		jobID, pending = nil, nil
		for i, e := range errs {
			switch {
			case e == nil:
			case errors.Is(e, store.ErrConflict):
				pending = append(pending, saves[i].AppID)
			default: // deleted meanwhile
				failed = append(failed, saves[i].AppID)
			}
		}
	}
	for _, id := range append(failed, pending...) {
		if err := q.st.SetRecheckItem(context.WithoutCancel(ctx), a.RecheckID, id, store.ItemFailed); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) sweepLoop(ctx context.Context) {
	defer close(q.swept)
	t := time.NewTicker(q.cfg.SweepInterval)
	defer t.Stop()
	var originals time.Time
	for {
		if err := q.Sweep(ctx); err != nil && ctx.Err() == nil {
			q.cfg.Logger.Error("queue sweep", "err", err)
		}
		if time.Since(originals) >= q.cfg.OriginalSweep {
			originals = time.Now()
			if n, err := q.st.SweepOriginals(ctx, q.cfg.OriginalGrace, q.cfg.RetainOriginals); err != nil && ctx.Err() == nil {
				q.cfg.Logger.Error("sweep originals", "err", err)
			} else if n > 0 {
				q.cfg.Logger.Info("deleted originals", "count", n, "retain", q.cfg.RetainOriginals)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep fails applications whose extract job was given up (a worker killed
// on the last attempt leaves no one to say so) and re-enqueues queued
// applications whose job was lost between the upload's commit and its
// enqueue. Both steps are idempotent; any process may run them.
func (q *Queue) Sweep(ctx context.Context) error {
	dead, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(StageExtract).
		States(rivertype.JobStateDiscarded).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(1000))
	if err != nil {
		return fmt.Errorf("list given-up jobs: %w", err)
	}
	for _, j := range dead.Jobs {
		var args ExtractArgs
		if err := decodeArgs(j, &args); err != nil {
			return err
		}
		app, err := q.st.Application(ctx, args.ApplicationID)
		if shenbao.ErrorCode(err) == shenbao.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if store.Unfinished(app.Status) && j.FinalizedAt != nil && app.UpdatedAt.Before(*j.FinalizedAt) {
			if err := q.st.SetStatus(ctx, app.ID, store.StatusFailed, shenbao.ECRASHED, crashedMessage); err != nil {
				return err
			}
		}
	}
	apps, err := q.st.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		switch {
		case a.Status == store.StatusQueued && time.Since(a.UpdatedAt) > q.cfg.SweepInterval:
			// Only those queued a while: a fresh upload is being
			// enqueued now.
			if err := q.Extract(ctx, a.ID); err != nil {
				return err
			}
		case a.Status != store.StatusQueued && time.Since(a.UpdatedAt) > q.cfg.StaleAfter:
			// Its job stopped sending heartbeats: the worker was killed
			// (SIGKILL, power) and River would rescue the job only after
			// RescueAfter. A new job takes over now; the old one, should
			// it run again, finds the application claimed or done.
			if _, err := q.client.Insert(ctx, ExtractArgs{ApplicationID: a.ID, Rescue: a.UpdatedAt.UnixMilli()}, nil); err != nil {
				return fmt.Errorf("enqueue rescue of %d: %w", a.ID, err)
			}
			q.cfg.Logger.Warn("re-enqueued an application whose worker stopped", "application", a.ID, "status", a.Status, "last_heartbeat", a.UpdatedAt)
		}
	}
	return nil
}

func decodeArgs(j *rivertype.JobRow, v any) error {
	if err := json.Unmarshal(j.EncodedArgs, v); err != nil {
		return fmt.Errorf("decode args of job %d: %w", j.ID, err)
	}
	return nil
}

const crashedMessage = "处理多次中断后已放弃，请检查文件后重新上传。/ Processing was interrupted too many times and was given up; check the file and upload it again."
