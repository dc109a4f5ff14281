package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/crosscheck"
	"github.com/shenbao/shenbao/pipeline"
)

// Runner processes items with a pool of workers.
type Runner struct {
	Pipeline *pipeline.Pipeline
	Cache    *Cache
	Workers  int
	// Force re-extracts documents even when the cache has them.
	Force bool
	// Progress, when set, is told of every finished document.
	Progress *Progress
	// Cross runs the checks across applications; nil skips them.
	Cross *crosscheck.Checker
	// CrossOptions tune them (a Segmenter enables the copied-text check).
	CrossOptions crosscheck.Options
}

// Result is the outcome for one item.
type Result struct {
	Path    string
	Report  *shenbao.Report
	Cached  bool
	Failure *Failure
	// prep is the report made ready for the checks across applications,
	// in the worker that checked it (crosscheck.Prepare).
	prep *crosscheck.Prepared
}

// Outcome is a whole run: one result per item, in the items' order, plus
// the findings that belong to no single application (quotas).
type Outcome struct {
	Results []Result
	Batch   []crosscheck.Result
	// Interrupted is set when the context ended before every item was done;
	// what finished is in the cache and a re-run resumes from there.
	Interrupted bool
}

// Run processes every item. It never stops on a bad file.
func (r *Runner) Run(ctx context.Context, items []Item) *Outcome {
	workers := r.Workers
	if workers <= 0 {
		workers = 2
	}
	out := &Outcome{Results: make([]Result, len(items))}
	if r.Progress != nil {
		r.Progress.begin()
	}
	next := int64(-1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= len(items) || ctx.Err() != nil {
					return
				}
				out.Results[i] = r.one(ctx, items[i])
				if r.Progress != nil {
					r.Progress.Done(out.Results[i])
				}
			}
		}()
	}
	wg.Wait()
	for i, res := range out.Results {
		if res.Path == "" {
			out.Interrupted = true
			out.Results[i] = Result{Path: items[i].Path}
		}
	}
	if r.Progress != nil {
		r.Progress.Finish()
	}
	if out.Interrupted {
		return out
	}
	if r.Cross != nil {
		r.CrossRun(out)
	}
	return out
}

func (r *Runner) one(ctx context.Context, it Item) Result {
	res := Result{Path: it.Path}
	fail := func(err error) Result {
		if ctx.Err() != nil {
			// Cut short by the interrupt, not the document's fault.
			return Result{}
		}
		res.Failure = &Failure{Path: it.Path, Code: shenbao.ErrorCode(err), Err: shenbao.ErrorMessage(err)}
		return res
	}
	data, err := it.Read()
	if err != nil {
		var se *shenbao.Error
		if errors.As(err, &se) {
			return fail(se)
		}
		return fail(shenbao.Wrap(shenbao.ENOTFOUND, err, "无法读取文件：%v / cannot read the file: %v", err, err))
	}
	sum := Sum(data)
	var rep *shenbao.Report
	if !r.Force {
		rep, res.Cached = r.Cache.Get(sum)
	}
	if rep == nil {
		r.warm(sum)
		rep, err = r.Pipeline.Extractor.Extract(ctx, it.Path, data)
		if err != nil {
			return fail(err)
		}
		if err := r.Cache.Put(sum, rep); err != nil {
			return fail(fmt.Errorf("cache %s: %w", it.Path, err))
		}
	}
	rep.File = it.Path
	rep, err = r.Pipeline.Check(ctx, rep)
	if err != nil {
		return fail(err)
	}
	res.Report = rep
	if r.Cross != nil {
		res.prep = r.prepare(rep, sum)
	}
	return res
}

// warm starts loading the word segmenter (LazySegmenter.Warm) before the
// document whose bytes have SHA-256 sum is read, when its answers will be
// segmented: the document's shingles are not kept from an earlier run. A
// re-check from the cache, or of documents seen before, never loads it.
func (r *Runner) warm(sum string) {
	w, ok := r.CrossOptions.Segmenter.(interface{ Warm() })
	if r.Cross == nil || !ok {
		return
	}
	if s, ok := r.CrossOptions.Shingles.(Shingles); ok && s.Dir != "" && s.kept(sum) {
		return
	}
	w.Warm()
}

// prepare makes rep, the report of the document whose bytes have SHA-256
// sum, ready for the checks across applications, its answers' shingles
// read from (and kept in) the document's one shingle file when the
// shingle cache is bulk's own.
func (r *Runner) prepare(rep *shenbao.Report, sum string) *crosscheck.Prepared {
	opts := r.CrossOptions
	if s, ok := opts.Shingles.(Shingles); ok && s.Dir != "" {
		d := s.Document(sum)
		defer d.Flush()
		opts.Shingles = d
	}
	return r.Cross.Prepare(rep, opts)
}

// CrossRun adds the findings across applications to the reports they
// concern, and keeps the batch-level ones apart.
func (r *Runner) CrossRun(out *Outcome) {
	// Results read elsewhere (a remote run) were not prepared by a worker
	// of this run: they are now, on as many workers.
	var todo []int
	for i, res := range out.Results {
		if res.Report != nil && res.prep == nil {
			todo = append(todo, i)
		}
	}
	next := int64(-1)
	var wg sync.WaitGroup
	for range max(r.Workers, 1) {
		wg.Go(func() {
			for n := int(atomic.AddInt64(&next, 1)); n < len(todo); n = int(atomic.AddInt64(&next, 1)) {
				res := &out.Results[todo[n]]
				res.prep = r.prepare(res.Report, res.Report.SHA256)
			}
		})
	}
	wg.Wait()
	var ps []*crosscheck.Prepared
	byFile := map[string]*shenbao.Report{}
	for _, res := range out.Results {
		if res.Report != nil {
			ps = append(ps, res.prep)
			byFile[res.Report.File] = res.Report
		}
	}
	for _, cr := range r.Cross.RunPrepared(ps, r.CrossOptions) {
		if rep, ok := byFile[cr.Document]; ok {
			rep.Findings = append(rep.Findings, cr.Finding)
		} else {
			out.Batch = append(out.Batch, cr)
		}
	}
}

// Progress reports a run's progress: a bar with rate and ETA on a
// terminal, plain log lines otherwise.
type Progress struct {
	W        io.Writer
	Terminal bool
	Total    int

	mu     sync.Mutex
	done   int
	failed int
	cached int
	start  time.Time
	last   time.Time
}

// Done counts one finished item.
func (p *Progress) Done(r Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Path == "" {
		return
	}
	p.done++
	if r.Failure != nil {
		p.failed++
	}
	if r.Cached {
		p.cached++
	}
	now := time.Now()
	if !p.Terminal {
		if r.Failure != nil {
			fmt.Fprintf(p.W, "[%d/%d] %s: %s\n", p.done, p.Total, r.Path, r.Failure.Err)
		} else if now.Sub(p.last) >= 5*time.Second || p.done == p.Total {
			fmt.Fprintf(p.W, "[%d/%d] %s\n", p.done, p.Total, p.rate(now))
			p.last = now
		}
		return
	}
	if now.Sub(p.last) < 100*time.Millisecond && p.done != p.Total {
		return
	}
	p.last = now
	const width = 30
	fill := width * p.done / max(p.Total, 1)
	bar := make([]byte, width)
	for i := range bar {
		switch {
		case i < fill:
			bar[i] = '='
		case i == fill:
			bar[i] = '>'
		default:
			bar[i] = ' '
		}
	}
	fmt.Fprintf(p.W, "\r[%s] %d/%d  %s  失败 %d  缓存 %d ", bar, p.done, p.Total, p.rate(now), p.failed, p.cached)
}

func (p *Progress) rate(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	if el <= 0 || p.done == 0 {
		return ""
	}
	rate := float64(p.done) / el
	eta := time.Duration(float64(p.Total-p.done)/rate) * time.Second
	return fmt.Sprintf("%.1f 份/秒 ETA %s", rate, eta.Round(time.Second))
}

func (p *Progress) begin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = time.Now()
}

// Finish ends the bar's line.
func (p *Progress) Finish() {
	if p.Terminal {
		fmt.Fprintln(p.W)
	}
}
