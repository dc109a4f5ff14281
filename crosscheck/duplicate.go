package crosscheck

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"

	"github.com/shenbao/shenbao"
)

// NewSegmenter loads gse's simplified-Chinese dictionary. It takes seconds,
// so a process makes one and passes it in Options to every run.
func NewSegmenter() (*gse.Segmenter, error) {
	seg, err := gse.NewEmbed("zh_s")
	if err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	return &seg, nil
}

// MinHash/LSH geometry: 42 bands of 3 rows make a pair with Jaccard 0.5 a
// candidate with probability 1-(1-0.5³)^42 ≈ 0.996 and one at 0.2 with
// ≈ 0.29, so candidates stay few and every pair above the default
// threshold is all but certainly found; candidates are then verified with
// the exact Jaccard of their shingle sets.
const (
	shingleWords = 3
	bands        = 42
	rows         = 3
	numHashes    = bands * rows
)

// hashSeeds are fixed so that signatures, and so results, are reproducible.
var hashSeeds = func() [numHashes]uint64 {
	var s [numHashes]uint64
	x := uint64(0x5eedc0ffee)
	for i := range s {
		x = splitmix(x)
		s[i] = x
	}
	return s
}()

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// answer is one long text of one application, shingled.
type answer struct {
	app      int
	text     *shenbao.Text
	norm     string
	shingles []uint64 // sorted, unique
}

// prepareAnswers shingles d's long answers, with their MinHash
// signatures: from opts.Shingles where it has them, else segmented (and
// stored there).
func prepareAnswers(d *doc, opts Options) ([]answer, [][numHashes]uint64) {
	var as []answer
	var masks []string
	for k := range d.r.Texts {
		t := &d.r.Texts[k]
		norm := normalize(t.Text)
		if utf8.RuneCountInString(norm) < opts.DuplicateMinChars {
			continue
		}
		if masks == nil {
			masks = ownNames(d.id)
		}
		as = append(as, answer{text: t, norm: norm})
	}
	sigs := make([][numHashes]uint64, len(as))
	for n := range as {
		a := &as[n]
		// The key is the answer and its masks, not the masked answer: a
		// re-check then masks nothing. An entry is the MinHash signature
		// then the shingles: the signature costs numHashes hashes per
		// shingle, as much as the rest of a cached re-check of the answer.
		key := shingleKey(masks, a.norm)
		if opts.Shingles != nil {
			if v, ok := opts.Shingles.Get(key); ok && len(v) >= numHashes {
				copy(sigs[n][:], v)
				a.shingles = v[numHashes:]
				continue
			}
		}
		masked := strings.NewReplacer(masks...).Replace(a.norm)
		a.shingles = shingles(opts.Segmenter.Cut(masked, true))
		sigs[n] = signature(a.shingles)
		if opts.Shingles != nil {
			opts.Shingles.Put(key, slices.Concat(sigs[n][:], a.shingles))
		}
	}
	return as, sigs
}

// parallel runs f(0) … f(n-1) on every core.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// duplicates finds long answers of different clusters that are near-copies
// of each other. Each finding is reported on both documents. prepared[i]
// holds the answers of apps[i].
func duplicates(apps []*doc, prepared []*Prepared, m *clusters, opts Options) []Result {
	total := 0
	for _, p := range prepared {
		total += len(p.answers)
	}
	// The signatures are read where they are: copying 1 KB per answer
	// into one growing slice cost as much as sorting the buckets.
	as := make([]answer, 0, total)
	sigs := make([]*[numHashes]uint64, 0, total)
	for i, p := range prepared {
		for k := range p.answers {
			a := p.answers[k]
			a.app = i
			as = append(as, a)
			sigs = append(sigs, &p.sigs[k])
		}
	}
	// A band's bucket is a hash of its number and rows, mixed in
	// registers, not by an FNV hasher per band (allocated, fed byte by
	// byte), 42 per answer of every application. Equal bands share a bucket
	// either way; a collision only adds a candidate, which the exact
	// Jaccard below then turns down. Buckets are runs of a sorted slice,
	// not a map of lists: at 10,000 applications the map took 3.4 million
	// inserts, most of the copied-text check's time after preparing.
	type entry struct {
		key uint64
		n   int
	}
	entries := make([]entry, 0, len(as)*bands)
	for n := range as {
		if len(as[n].shingles) == 0 {
			continue
		}
		for b := range bands {
			k := splitmix(uint64(b) + 0x62616e64)
			for _, v := range sigs[n][b*rows : (b+1)*rows] {
				k = splitmix(k ^ v)
			}
			entries = append(entries, entry{k, n})
		}
	}
	// Appended in the order of n, so a stable sort by key alone orders
	// them by key, then n: a radix sort of the keys, four passes of 16
	// bits, a tenth of the comparison sort's time (which was most of the
	// copied-text check's serial part of a re-check).
	radixSort(entries, func(e entry) uint64 { return e.key })
	candidates := map[[2]int]bool{}
	for lo := 0; lo < len(entries); {
		hi := lo + 1
		for hi < len(entries) && entries[hi].key == entries[lo].key {
			hi++
		}
		for x := lo; x < hi; x++ {
			for y := x + 1; y < hi; y++ {
				i, j := entries[x].n, entries[y].n
				if as[i].app == as[j].app || m.same(as[i].app, as[j].app) {
					continue
				}
				candidates[[2]int{min(i, j), max(i, j)}] = true
			}
		}
		lo = hi
	}
	var out []Result
	for c := range candidates {
		a, b := &as[c[0]], &as[c[1]]
		sim := jaccard(a.shingles, b.shingles)
		if sim < opts.DuplicateThreshold {
			continue
		}
		passage := longestCommon([]rune(a.norm), []rune(b.norm))
		out = append(out,
			duplicateResult(apps[a.app], apps[b.app], a.text, b.text, sim, passage),
			duplicateResult(apps[b.app], apps[a.app], b.text, a.text, sim, passage))
	}
	return out
}

// ShingleCache keeps answers' shingles between runs, so that re-checking
// an archive after a rule change does not segment every answer again (most
// of the copied-text check's time). Keys are SHA-256 of the masked answer
// of its masks (ownNames) and the shingling version; a value is opaque to the cache (the answer's
// MinHash signature, then its shingles). Implementations must be safe for
// concurrent use. The bulk command can back it with its own cache.
type ShingleCache interface {
	Get(key [32]byte) ([]uint64, bool)
	Put(key [32]byte, shingles []uint64)
}

// shingleVersion changes whenever shingling does (masking, word count,
// hashing, dictionary), so that a persisted cache is not misread.
const shingleVersion = "crosscheck-shingles/3 gse-zh_s 3-word fnv64a minhash-126 first\x00"

// shingleKey names the shingles of answer norm masked with masks.
func shingleKey(masks []string, norm string) [32]byte {
	h := sha256.New()
	h.Write([]byte(shingleVersion))
	for _, m := range masks {
		h.Write([]byte(m))
		h.Write([]byte{0})
	}
	h.Write([]byte{1})
	h.Write([]byte(norm))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// MemoryCache is a ShingleCache in memory, for a process (the service)
// that checks batch after batch.
type MemoryCache struct{ m sync.Map }

// Get returns the shingles stored under key.
func (c *MemoryCache) Get(key [32]byte) ([]uint64, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.([]uint64), true
}

// Put stores shingles under key.
func (c *MemoryCache) Put(key [32]byte, shingles []uint64) { c.m.Store(key, shingles) }

// ownNames are the strings.Replacer pairs that replace a cluster's own
// place names and industry with placeholders: a copier adapting another
// cluster's answer changes exactly these, and they would otherwise break
// every shingle they touch.
func ownNames(id identity) []string {
	names := map[string]string{}
	for _, p := range []string{id.region.Province, id.region.City, id.region.County} {
		if p != "" {
			names[normalize(p)] = "〈地〉"
			names[stem(p)] = "〈地〉"
		}
	}
	if id.core != "" {
		names[id.core] = "〈业〉"
	}
	var ks []string
	for k := range names {
		ks = append(ks, k)
	}
	// Longest first, so that 青台市 is replaced whole rather than as 青台.
	slices.SortFunc(ks, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	var pairs []string
	for _, k := range ks {
		pairs = append(pairs, k, names[k])
	}
	return pairs
}

// shingles hashes every run of shingleWords consecutive words, punctuation
// left out so that re-punctuating a copy does not hide it.
func shingles(words []string) []uint64 {
	var ws []string
	for _, w := range words {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	n := max(1, len(ws)-shingleWords+1)
	out := make([]uint64, 0, n)
	for i := range n {
		h := fnv.New64a()
		for _, w := range ws[i:min(len(ws), i+shingleWords)] {
			h.Write([]byte(w))
			h.Write([]byte{0})
		}
		out = append(out, h.Sum64())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

func signature(sh []uint64) [numHashes]uint64 {
	var sig [numHashes]uint64
	for i := range sig {
		sig[i] = ^uint64(0)
	}
	for _, s := range sh {
		for i, seed := range hashSeeds {
			if h := splitmix(s ^ seed); h < sig[i] {
				sig[i] = h
			}
		}
	}
	return sig
}

// jaccard of two sorted, unique sets.
func jaccard(a, b []uint64) float64 {
	common := intersection(a, b)
	return float64(common) / float64(len(a)+len(b)-common)
}

// intersection counts the members two sorted, unique sets share.
func intersection(a, b []uint64) int {
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return common
}

// longestCommon returns the longest passage two texts share, character for
// character: what a reviewer reads to judge the copy.
func longestCommon(a, b []rune) string {
	prev := make([]int32, len(b)+1)
	cur := make([]int32, len(b)+1)
	best, end := int32(0), 0
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
				if cur[j] > best {
					best, end = cur[j], i
				}
			} else {
				cur[j] = 0
			}
		}
		prev, cur = cur, prev
	}
	return string(a[end-int(best) : end])
}

// excerpt shortens a passage for a message.
func excerpt(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

func duplicateResult(d, o *doc, t, ot *shenbao.Text, sim float64, passage string) Result {
	return Result{
		Document: d.file,
		Others:   []string{o.file},
		Score:    round2(sim),
		Finding: shenbao.Finding{
			Kind:     shenbao.KindDuplicateText,
			Rule:     "duplicate.text",
			Severity: shenbao.SeverityWarning,
			FieldIDs: []string{t.ID},
			Section:  t.Section,
			Label:    t.Label,
			Message: fmt.Sprintf("「%s」与 %s（%s）的「%s」高度相似（词组重合度 %.2f），最长相同段落 %d 字：「%s」",
				t.Label, o.name, first(o.id.name, o.edition), ot.Label, sim, len([]rune(passage)), excerpt(passage, 40)),
			Basis: "申报材料应如实反映本集群情况；通知：如发现虚假申报的，一经查实，立即取消其申报资格",
			Page:  t.Page,
			BBox:  t.BBox,
		},
	}
}

// radixSort sorts s by key, stably: four passes of 16 bits, each a
// counting sort into a buffer as large as s.
func radixSort[E any](s []E, key func(E) uint64) {
	if len(s) < 2 {
		return
	}
	buf := make([]E, len(s))
	src, dst := s, buf
	var count [1 << 16]int
	for shift := 0; shift < 64; shift += 16 {
		clear(count[:])
		for _, e := range src {
			count[uint16(key(e)>>shift)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, e := range src {
			d := uint16(key(e) >> shift)
			dst[count[d]] = e
			count[d]++
		}
		src, dst = dst, src
	}
	// Four passes: the sorted entries are back in s.
}
