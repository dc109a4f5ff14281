package bulk

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/store"
)

// Enqueuer is what Remote needs of the service's job queue; *queue.Queue
// is one.
type Enqueuer interface {
	Extract(ctx context.Context, appID int64) error
}

// Remote runs a bulk check on the service's shared queue: it stores every
// document and enqueues it, so `shenbao worker` processes on any number of
// machines share the work, then follows the applications until each is
// done or failed and collects their reports.
type Remote struct {
	Store    store.Store
	Queue    Enqueuer
	Batch    string
	Poll     time.Duration
	Progress *Progress
}

// Run stores, enqueues and follows every item.
func (r *Remote) Run(ctx context.Context, items []Item) *Outcome {
	out := &Outcome{Results: make([]Result, len(items))}
	ids := make([]int64, len(items))
	if r.Progress != nil {
		r.Progress.begin()
	}
	pending := map[int]bool{}
	for i, it := range items {
		out.Results[i].Path = it.Path
		id, err := r.enqueue(ctx, it)
		if err != nil {
			if ctx.Err() != nil {
				out.Interrupted = true
				return out
			}
			out.Results[i].Failure = &Failure{Path: it.Path, Code: shenbao.ErrorCode(err), Err: shenbao.ErrorMessage(err)}
			if r.Progress != nil {
				r.Progress.Done(out.Results[i])
			}
			continue
		}
		ids[i] = id
		pending[i] = true
	}
	poll := r.Poll
	if poll <= 0 {
		poll = time.Second
	}
	for len(pending) > 0 {
		for i := range pending {
			app, err := r.Store.Application(ctx, ids[i])
			if err != nil {
				break
			}
			switch app.Status {
			case store.StatusDone:
				rv, err := r.Store.Report(ctx, ids[i], 0)
				if err != nil {
					continue
				}
				rv.Report.File = items[i].Path
				out.Results[i].Report = rv.Report
			case store.StatusFailed:
				out.Results[i].Failure = &Failure{Path: items[i].Path, Code: app.ErrorCode, Err: app.ErrorMessage}
			default:
				continue
			}
			delete(pending, i)
			if r.Progress != nil {
				r.Progress.Done(out.Results[i])
			}
		}
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			// The jobs go on in the workers; a re-run finds them stored.
			out.Interrupted = true
			return out
		case <-time.After(poll):
		}
	}
	if r.Progress != nil {
		r.Progress.Finish()
	}
	return out
}

// enqueue stores one document (the same file twice is one application) and
// enqueues its extraction unless it is already done or under way.
func (r *Remote) enqueue(ctx context.Context, it Item) (int64, error) {
	data, err := it.Read()
	if err != nil {
		return 0, shenbao.Wrap(shenbao.ENOTFOUND, err, "无法读取文件：%v / cannot read the file: %v", err, err)
	}
	mime := extract.Sniff(data).MIME()
	if mime == "" {
		return 0, extract.Unsupported()
	}
	sum := Sum(data)
	if err := r.Store.PutOriginal(ctx, sum, bytes.NewReader(data)); err != nil {
		return 0, fmt.Errorf("store %s: %w", it.Path, err)
	}
	app, created, err := r.Store.CreateApplication(ctx, store.NewApplication{
		SHA256: sum, Filename: it.Path, Size: int64(len(data)), MIME: mime, Batch: r.Batch,
	}, store.ActorOf(nil))
	if err != nil {
		return 0, fmt.Errorf("register %s: %w", it.Path, err)
	}
	if created {
		if err := r.Queue.Extract(ctx, app.ID); err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", it.Path, err)
		}
	}
	return app.ID, nil
}
