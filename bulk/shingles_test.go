package bulk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shenbao/shenbao/crosscheck"
)

func TestShingles(t *testing.T) {
	s := Shingles{Dir: t.TempDir()}
	var k [32]byte
	k[0], k[31] = 7, 9
	if _, ok := s.Get(k); ok {
		t.Fatal("empty cache hit")
	}
	want := []uint64{1, 1 << 63, 42}
	s.Put(k, want)
	got, ok := s.Get(k)
	if !ok || len(got) != 3 || got[1] != 1<<63 {
		t.Fatalf("Get = %v, %v", got, ok)
	}
	var _ crosscheck.ShingleCache = s
}

type words struct{ calls int }

func (w *words) Cut(text string, hmm ...bool) []string { w.calls++; return []string{text} }

func TestLazySegmenter(t *testing.T) {
	loads := 0
	w := &words{}
	l := &LazySegmenter{Load: func() (crosscheck.Segmenter, error) { loads++; return w, nil }}
	if loads != 0 {
		t.Fatal("loaded before use")
	}
	l.Cut("a")
	l.Cut("b")
	if loads != 1 || w.calls != 2 {
		t.Errorf("loads %d calls %d", loads, w.calls)
	}
	bad := &LazySegmenter{Load: func() (crosscheck.Segmenter, error) { return nil, errors.New("no dictionary") }}
	if got := bad.Cut("x"); got != nil {
		t.Errorf("failed load cut = %v", got)
	}
}

// TestDocumentShingles: a document's answers are kept in one file — what
// one run put or found in the per-answer files is read back from it by the
// next, answers no longer asked for are dropped, and a damaged file reads
// as empty.
func TestDocumentShingles(t *testing.T) {
	s := Shingles{Dir: t.TempDir()}
	sha := strings.Repeat("ab", 32)
	key := func(b byte) (k [32]byte) { k[0] = b; return k }
	old := []uint64{5, 6}
	s.Put(key(1), old) // an older build's per-answer file

	d := s.Document(sha)
	if v, ok := d.Get(key(1)); !ok || !slices.Equal(v, old) {
		t.Fatalf("per-answer file not read: %v %v", v, ok)
	}
	if _, ok := d.Get(key(2)); ok {
		t.Fatal("hit on an answer never stored")
	}
	d.Put(key(2), []uint64{7, 1 << 63, 9})
	d.Put(key(3), nil)
	d.Flush()

	os.Remove(s.path(key(1))) // read from the document's file from now on
	d = s.Document(sha)
	for b, want := range map[byte][]uint64{1: old, 2: {7, 1 << 63, 9}, 3: {}} {
		if v, ok := d.Get(key(b)); !ok || !slices.Equal(v, want) {
			t.Errorf("answer %d from the document's file: %v %v, want %v", b, v, ok, want)
		}
	}
	d.Flush()
	// Asked only for answer 2: the file keeps only it.
	d = s.Document(sha)
	d.Get(key(2))
	d.Flush()
	if got, err := readBundle(filepath.Join(s.Dir, sha[:2], sha+".doc")); err != nil || len(got) != 1 {
		t.Errorf("after asking for one answer the file holds %d (%v)", len(got), err)
	}

	for _, bad := range []string{"", "shenbao-shingles/1\n" + strings.Repeat("x", 40), "shenbao-shingles/1\n" + strings.Repeat("\xff", 36)} {
		os.WriteFile(filepath.Join(s.Dir, sha[:2], sha+".doc"), []byte(bad), 0o644)
		if _, ok := s.Document(sha).Get(key(2)); ok {
			t.Errorf("a damaged file %q was read", bad)
		}
	}
	if _, ok := s.Document("not a sum").(nopFlush); !ok {
		t.Error("a report without its sum got a document file")
	}
}

// TestLazySegmenterWarm: Warm loads in the background, once however often
// it is called; Cut waits for that load instead of starting another.
func TestLazySegmenterWarm(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var loads atomic.Int32
	w := &words{}
	l := &LazySegmenter{Load: func() (crosscheck.Segmenter, error) {
		loads.Add(1)
		close(started)
		<-release
		return w, nil
	}}
	l.Warm()
	l.Warm()
	<-started
	done := make(chan []string)
	go func() { done <- l.Cut("a") }()
	select {
	case <-done:
		t.Fatal("Cut returned before the load it waits for")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if got := <-done; !slices.Equal(got, []string{"a"}) || loads.Load() != 1 {
		t.Errorf("Cut = %v after %d loads", got, loads.Load())
	}
}

// warmer counts the runner's Warm calls.
type warmer struct {
	words
	warms atomic.Int32
}

func (w *warmer) Warm() { w.warms.Add(1) }

// TestRunnerWarmsForNewDocuments: the segmenter is warmed before a
// document is read whose shingles are not kept, not for a re-check from
// the cache nor for a forced re-read of a document seen before.
func TestRunnerWarmsForNewDocuments(t *testing.T) {
	data, err := os.ReadFile("../testdata/corpus/cq2024_01_docx.docx")
	if err != nil {
		t.Fatal(err)
	}
	items := []Item{{Path: "a.docx", Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }}}
	cache := t.TempDir()
	r := runner(t, cache)
	w := &warmer{}
	r.CrossOptions = crosscheck.Options{Segmenter: w, Shingles: Shingles{Dir: filepath.Join(cache, "shingles")}}
	for _, c := range []struct {
		name  string
		force bool
		want  int32
	}{{"new document", false, 1}, {"from the cache", false, 1}, {"forced, shingles kept", true, 1}} {
		r.Force = c.force
		out := r.Run(context.Background(), items)
		if len(out.Results) != 1 || out.Results[0].Report == nil {
			t.Fatalf("%s: %+v", c.name, out.Results)
		}
		if got := w.warms.Load(); got != c.want {
			t.Errorf("%s: %d warms, want %d", c.name, got, c.want)
		}
	}
	if w.calls == 0 {
		t.Error("the answers were never segmented")
	}
}
