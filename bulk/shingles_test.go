package bulk

import (
	"errors"
	"testing"

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
