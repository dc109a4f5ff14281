package bulk

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"

	"github.com/shenbao/shenbao/crosscheck"
)

// Shingles keeps the copied-text check's word shingles on disk beside the
// extraction cache, so a re-check after a rule change segments no answer
// again. It implements crosscheck.ShingleCache; writes are whole files
// (temp + rename), safe for concurrent use.
type Shingles struct{ Dir string }

func (s Shingles) path(key [32]byte) string {
	h := hex.EncodeToString(key[:])
	return filepath.Join(s.Dir, h[:2], h+".bin")
}

// Get returns the shingles stored under key.
func (s Shingles) Get(key [32]byte) ([]uint64, bool) {
	data, err := os.ReadFile(s.path(key))
	if err != nil || len(data)%8 != 0 {
		return nil, false
	}
	out := make([]uint64, len(data)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(data[i*8:])
	}
	return out, true
}

// Put stores shingles under key; a failure only costs a later re-segmenting.
func (s Shingles) Put(key [32]byte, shingles []uint64) {
	p := s.path(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	data := make([]byte, 8*len(shingles))
	for i, v := range shingles {
		binary.LittleEndian.PutUint64(data[i*8:], v)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	os.Rename(tmp.Name(), p)
}

// LazySegmenter loads the (seconds-long) gse dictionary on first use, so a
// re-check whose shingles are all cached never loads it.
type LazySegmenter struct {
	once sync.Once
	seg  crosscheck.Segmenter
	err  error
	Load func() (crosscheck.Segmenter, error)
}

// Cut segments text, loading the dictionary the first time.
func (l *LazySegmenter) Cut(text string, hmm ...bool) []string {
	l.once.Do(func() { l.seg, l.err = l.Load() })
	if l.err != nil {
		return nil
	}
	return l.seg.Cut(text, hmm...)
}
