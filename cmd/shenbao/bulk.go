package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/bulk"
	"github.com/shenbao/shenbao/crosscheck"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// bulkOptions are check's flags for archives.
type bulkOptions struct {
	queueURL string
	batch    string
	out      string
	workers  int
	cacheDir string
	force    bool
	noCross  bool
}

// isBulk says whether check runs in bulk mode: a folder or zip to walk, or
// an output file to write.
func isBulk(args []string, o bulkOptions) bool {
	if o.out != "" || o.queueURL != "" {
		return true
	}
	for _, a := range args {
		if info, err := os.Stat(a); err == nil && info.IsDir() || strings.EqualFold(filepath.Ext(a), ".zip") {
			return true
		}
	}
	return false
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "shenbao")
	}
	return filepath.Join(os.TempDir(), "shenbao-cache")
}

// runRemote hands the documents to the service's PostgreSQL queue, where
// `shenbao worker` processes on any machine work them, and follows them.
func (m *Main) runRemote(ctx context.Context, items []bulk.Item, o bulkOptions, progress *bulk.Progress) (*bulk.Outcome, error) {
	if !store.IsPostgresURL(o.queueURL) {
		return nil, &shenbao.Error{Code: "usage", Message: "--queue 须为 postgres:// 地址 / --queue must be a postgres:// URL"}
	}
	st, err := store.Open(ctx, store.Config{DatabaseURL: o.queueURL})
	if err != nil {
		return nil, fmt.Errorf("open queue database: %w", err)
	}
	defer st.Close()
	q, err := queue.Open(ctx, st, nil, queue.Config{Workers: 0})
	if err != nil {
		return nil, err
	}
	batch := o.batch
	if batch == "" {
		batch = "bulk-" + time.Now().Format("20060102-150405")
	}
	fmt.Fprintf(m.Stderr, "已提交到共享队列，批次 %s；请在各机器上运行 shenbao worker。/ Enqueued as batch %s; run shenbao worker on the machines.\n", batch, batch)
	return (&bulk.Remote{Store: st, Queue: q, Batch: batch, Progress: progress}).Run(ctx, items), nil
}

// runBulk checks every document under args with a worker pool, resumably,
// and writes the results.
func (m *Main) runBulk(ctx context.Context, p *checker, args []string, o bulkOptions) error {
	items, fails := bulk.Walk(args, p.Extractor.MaxBytes)
	fmt.Fprintf(m.Stderr, "找到 %d 份文件 / found %d documents\n", len(items), len(items))
	term := false
	if f, ok := m.Stderr.(*os.File); ok {
		term = isatty.IsTerminal(f.Fd())
	}
	workers := o.workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	r := &bulk.Runner{
		Pipeline: &p.Pipeline,
		// The corrections are compiled in, so the build covers them.
		Cache:    &bulk.Cache{Dir: o.cacheDir, Key: bulk.CacheKey(bulk.Build(), p.Extractor.Templates.Fingerprint(), nil)},
		Workers:  workers,
		Force:    o.force,
		Progress: &bulk.Progress{W: m.Stderr, Terminal: term, Total: len(items)},
	}
	var err error
	if !o.noCross {
		cc, err := crosscheck.New(m.templates)
		if err != nil {
			return fmt.Errorf("cross checks: %w", err)
		}
		r.Cross = cc
		r.CrossOptions.Segmenter = &bulk.LazySegmenter{Load: func() (crosscheck.Segmenter, error) { return crosscheck.NewSegmenter() }}
		r.CrossOptions.Shingles = bulk.Shingles{Dir: filepath.Join(o.cacheDir, "shingles")}
	}
	var outcome *bulk.Outcome
	if o.queueURL != "" {
		if outcome, err = m.runRemote(ctx, items, o, r.Progress); err != nil {
			return err
		}
		if !outcome.Interrupted && r.Cross != nil {
			r.CrossRun(outcome)
		}
	} else {
		outcome = r.Run(ctx, items)
	}
	if outcome.Interrupted {
		return shenbao.Errorf("interrupted", "已中断；已完成的文件保存在缓存中，重新运行同一命令即可继续。/ Interrupted; finished documents are cached, run the same command again to resume.")
	}
	years := map[string][]int{}
	for _, t := range m.templates.All() {
		years[t.ID] = t.Years
	}
	done, failed := 0, len(fails)
	for _, res := range outcome.Results {
		if res.Report != nil {
			done++
		} else if res.Failure != nil {
			failed++
		}
	}
	if o.out != "" {
		if err := bulk.Write(o.out, outcome, fails, years); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "已写入 / wrote %s\n", o.out)
	} else {
		for _, res := range outcome.Results {
			if res.Report != nil {
				writeText(m.Stdout, res.Report)
			}
		}
	}
	fmt.Fprintf(m.Stderr, "完成 %d 份，失败 %d 份 / %d done, %d failed\n", done, failed, done, failed)
	return nil
}
