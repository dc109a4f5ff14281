package bulk

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

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
	data := make([]byte, 8*len(shingles))
	for i, v := range shingles {
		binary.LittleEndian.PutUint64(data[i*8:], v)
	}
	writeWhole(s.path(key), data)
}

// Document returns the shingle cache of the answers of the document whose
// bytes have SHA-256 sha: all of them kept in one file, read with one
// open where a file per answer took one each (the open and read system
// calls were an eighth of a cached re-check). An answer not in the
// document's file is looked up in the per-answer files (written by older
// builds), else segmented; Flush then rewrites the document's file with
// every answer asked for. A sha that is not one (a report without its
// sum) gets s itself.
func (s Shingles) Document(sha string) DocumentShingles {
	path, ok := s.docPath(sha)
	if !ok {
		return nopFlush{s}
	}
	d := &docShingles{s: s, path: path}
	d.have, _ = readBundle(d.path)
	return d
}

// docPath is the file of the document whose bytes have SHA-256 sha, if sha
// is one.
func (s Shingles) docPath(sha string) (string, bool) {
	if len(sha) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return "", false
	}
	return filepath.Join(s.Dir, sha[:2], sha+".doc"), true
}

// kept says whether the shingles of the document whose bytes have
// SHA-256 sha are kept in their one file (Document).
func (s Shingles) kept(sha string) bool {
	path, ok := s.docPath(sha)
	if !ok {
		return false
	}
	_, err := os.Stat(path)
	return err == nil
}

// DocumentShingles is a document's shingle cache (Shingles.Document):
// Flush stores what its answers' preparing found missing.
type DocumentShingles interface {
	crosscheck.ShingleCache
	Flush()
}

type nopFlush struct{ Shingles }

func (nopFlush) Flush() {}

type docShingles struct {
	s    Shingles
	path string
	mu   sync.Mutex
	have map[[32]byte][]uint64 // as read from the document's file
	// used are the keys asked for, in order, with their shingles; dirty
	// is set when one was not in the document's file.
	used  [][32]byte
	vals  map[[32]byte][]uint64
	dirty bool
}

func (d *docShingles) Get(key [32]byte) ([]uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.have[key]
	if !ok {
		if v, ok = d.s.Get(key); !ok {
			return nil, false
		}
		d.dirty = true
	}
	d.keep(key, v)
	return v, true
}

func (d *docShingles) Put(key [32]byte, shingles []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dirty = true
	d.keep(key, shingles)
}

// keep records key as asked for; d.mu is held.
func (d *docShingles) keep(key [32]byte, v []uint64) {
	if d.vals == nil {
		d.vals = map[[32]byte][]uint64{}
	}
	if _, ok := d.vals[key]; !ok {
		d.used = append(d.used, key)
	}
	d.vals[key] = v
}

// Flush writes the document's file anew if an answer was missing from it
// (or it has answers no longer asked for); a failure only costs a later
// re-segmenting.
func (d *docShingles) Flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.dirty && len(d.used) == len(d.have) {
		return
	}
	n := len(bundleMagic)
	for _, k := range d.used {
		n += 32 + 4 + 8*len(d.vals[k])
	}
	data := make([]byte, 0, n)
	data = append(data, bundleMagic...)
	for _, k := range d.used {
		v := d.vals[k]
		data = append(data, k[:]...)
		data = binary.LittleEndian.AppendUint32(data, uint32(len(v)))
		for _, x := range v {
			data = binary.LittleEndian.AppendUint64(data, x)
		}
	}
	writeWhole(d.path, data)
}

// bundleMagic begins a document's shingle file: then, per answer, its key
// (32 bytes), the number of values (uint32) and the values (uint64), all
// little-endian.
const bundleMagic = "shenbao-shingles/1\n"

// readBundle reads a document's shingle file; a missing or damaged one
// reads as empty.
func readBundle(path string) (map[[32]byte][]uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < len(bundleMagic) || string(data[:len(bundleMagic)]) != bundleMagic {
		return nil, errors.New("not a shingle file")
	}
	data = data[len(bundleMagic):]
	// One allocation for every answer's values.
	all := make([]uint64, 0, len(data)/8)
	out := map[[32]byte][]uint64{}
	for len(data) > 0 {
		if len(data) < 36 {
			return nil, errors.New("shingle file cut short")
		}
		var k [32]byte
		copy(k[:], data)
		n := int(binary.LittleEndian.Uint32(data[32:]))
		data = data[36:]
		if n > len(data)/8 {
			return nil, errors.New("shingle file cut short")
		}
		start := len(all)
		for i := range n {
			all = append(all, binary.LittleEndian.Uint64(data[8*i:]))
		}
		out[k] = all[start:len(all):len(all)]
		data = data[8*n:]
	}
	return out, nil
}

// writeWhole writes data to path through a temporary file and a rename,
// so that a reader never sees a part of it; a failure is left unreported.
func writeWhole(path string, data []byte) {
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	os.Rename(tmp.Name(), path)
}

// LazySegmenter loads the (seconds-long) gse dictionary on first use, so a
// re-check whose shingles are all cached never loads it.
type LazySegmenter struct {
	once    sync.Once
	warming atomic.Bool
	seg     crosscheck.Segmenter
	err     error
	Load    func() (crosscheck.Segmenter, error)
}

// Cut segments text, loading the dictionary the first time (or waiting for
// the load Warm started).
func (l *LazySegmenter) Cut(text string, hmm ...bool) []string {
	l.load()
	if l.err != nil {
		return nil
	}
	return l.seg.Cut(text, hmm...)
}

// Warm starts loading the dictionary in the background, for a run that
// will segment: the load then runs while a document is read instead of
// after it (about 1.3 s of one core, which a single scanned application
// used to wait for at its end).
func (l *LazySegmenter) Warm() {
	if l.warming.Swap(true) {
		return
	}
	go l.load()
}

func (l *LazySegmenter) load() { l.once.Do(func() { l.seg, l.err = l.Load() }) }
