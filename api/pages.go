package api

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

// Page images cost a MuPDF child process each (up to 512 MB, a core for a
// fraction of a second), and a reviewer pages through the same images
// again and again. pageImages bounds the renders running at once, renders
// each (original, page, dpi) once while it stays in a byte-bounded LRU
// cache, makes concurrent requests for one image share one render, and
// renders the next page ahead while a render slot is free, so that paging
// on finds it ready.
type pageImages struct {
	slots chan struct{} // one per render allowed at once
	mu    sync.Mutex
	max   int64 // bytes of PNG kept
	size  int64
	lru   *list.List // of *pageEntry, most recent first
	byKey map[pageKey]*list.Element
	busy  map[pageKey]*pageCall
}

type pageKey struct {
	sha       string
	page, dpi int
}

type pageEntry struct {
	key pageKey
	png []byte
}

// pageCall is a render in progress that others may wait for. It is
// cancelled when the last request waiting for it has gone, so that
// requests abandoned by their clients do not pile up renders.
type pageCall struct {
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int // requests waiting; p.mu guards it
	done    chan struct{}
	png     []byte
	err     error
}

// Defaults of Config.MaxRenders and Config.PageCacheBytes.
const (
	defaultMaxRenders = 2
	defaultPageCache  = 64 << 20
)

func newPageImages(renders int, bytes int64) *pageImages {
	return &pageImages{slots: make(chan struct{}, renders), max: bytes, lru: list.New(),
		byKey: map[pageKey]*list.Element{}, busy: map[pageKey]*pageCall{}}
}

// get returns the image of k, rendering it with render when it is neither
// cached nor being rendered. The render goes on while any request waits
// for it, so that the first client leaving fails no one else.
func (p *pageImages) get(ctx context.Context, k pageKey, render func(context.Context) ([]byte, error)) ([]byte, error) {
	p.mu.Lock()
	if png, ok := p.cached(k); ok {
		p.mu.Unlock()
		return png, nil
	}
	call, ok := p.busy[k]
	if !ok {
		call = p.start(ctx, k)
		go p.run(k, call, render, true)
	}
	call.waiters++
	p.mu.Unlock()
	select {
	case <-call.done:
		return call.png, call.err
	case <-ctx.Done():
		p.mu.Lock()
		if call.waiters--; call.waiters == 0 {
			call.cancel()
		}
		p.mu.Unlock()
		return nil, ctx.Err()
	}
}

// ahead renders k in the background if a render slot is free at once and
// k is neither cached nor under way: work ahead never waits for, nor
// delays, a reviewer's own request by more than the slot it takes.
func (p *pageImages) ahead(ctx context.Context, k pageKey, render func(context.Context) ([]byte, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byKey[k]; ok {
		return
	}
	if _, ok := p.busy[k]; ok {
		return
	}
	select {
	case p.slots <- struct{}{}:
	default:
		return
	}
	call := p.start(ctx, k)
	go p.run(k, call, render, false)
}

// start records a render of k under way; p.mu is held.
func (p *pageImages) start(ctx context.Context, k pageKey) *pageCall {
	call := &pageCall{done: make(chan struct{})}
	call.ctx, call.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.busy[k] = call
	return call
}

// run renders k, taking a slot first unless ahead already holds one.
func (p *pageImages) run(k pageKey, call *pageCall, render func(context.Context) ([]byte, error), take bool) {
	defer call.cancel()
	held := !take
	if take {
		select {
		case p.slots <- struct{}{}:
			held = true
		case <-call.ctx.Done():
		}
	}
	if call.err = call.ctx.Err(); call.err == nil {
		call.png, call.err = render(call.ctx)
	}
	if held {
		<-p.slots
	}
	p.mu.Lock()
	delete(p.busy, k)
	if call.err == nil {
		p.put(k, call.png)
	}
	p.mu.Unlock()
	close(call.done)
}

// cached returns k's image and marks it recently used; p.mu is held.
func (p *pageImages) cached(k pageKey) ([]byte, bool) {
	el, ok := p.byKey[k]
	if !ok {
		return nil, false
	}
	p.lru.MoveToFront(el)
	return el.Value.(*pageEntry).png, true
}

// put caches png as k's image, dropping the least recently used images
// past the byte limit; p.mu is held.
func (p *pageImages) put(k pageKey, png []byte) {
	if int64(len(png)) > p.max {
		return
	}
	p.byKey[k] = p.lru.PushFront(&pageEntry{key: k, png: png})
	p.size += int64(len(png))
	for p.size > p.max {
		el := p.lru.Back()
		e := el.Value.(*pageEntry)
		p.lru.Remove(el)
		delete(p.byKey, e.key)
		p.size -= int64(len(e.png))
	}
}

// aheadDPI is the resolution the view asks for on a screen up to 910
// device pixels wide (review/static/view.js picks 110, 150 or 200): the
// first page is rendered at it before anyone asks.
const aheadDPI = 110

// firstPageAhead renders the first page of a PDF or scan just extracted,
// if a render slot is free, so that the reviewer opening the application
// finds it in the cache: a MuPDF child takes some 600 ms under load,
// the cache a few. Bounded like every render ahead: never more than the
// render slots, never waiting for one, and cached within PageCacheBytes.
func (s *Server) firstPageAhead(rep *shenbao.Report) {
	if rep.SHA256 == "" || (rep.Format != shenbao.FormatPDFText && rep.Format != shenbao.FormatPDFScan) {
		return
	}
	sha := rep.SHA256
	s.pages.ahead(context.Background(), pageKey{sha, 1, aheadDPI}, func(ctx context.Context) ([]byte, error) {
		data, err := s.st.Original(ctx, sha)
		if err != nil {
			return nil, err
		}
		kind := filetype.Detect(data[:min(len(data), filetype.HeadLen)])
		if !kind.Paged() {
			return nil, fmt.Errorf("first page ahead of %s: a %v has no pages", sha, kind)
		}
		return s.cfg.Renderer.PagePNG(ctx, kind.MIME(), data, 1, aheadDPI)
	})
}
