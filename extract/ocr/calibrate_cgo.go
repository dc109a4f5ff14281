//go:build cgo

package ocr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"sort"
	"sync"
)

// Calibrate measures, with the float model, the ranges of the values
// PP-OCR's quantisation needs (quant.go) over the lines feed reads (each
// call of read reads rects of img as the scan path does; feed is called
// twice, the first time for each value's extremes, the second for its
// distribution between them), and returns them as quant_ranges.json is
// written: each range leaves out calibTail of its values at either end.
func Calibrate(m *Models, feed func(read func(img *image.Gray, rects []image.Rectangle) error) error) ([]byte, error) {
	// One parse: folded as NewPPOCR folds it, its values to quantise
	// asked of the folded graph, which is then written with them as
	// outputs.
	g, err := parseGraph(m.Rec)
	if err != nil {
		return nil, err
	}
	g.fold()
	names := g.quantTargets()
	if len(names) == 0 {
		return nil, fmt.Errorf("the model has nothing to quantise")
	}
	model := g.withOutputs(names)
	rt, err := openRuntime(m.Lib)
	if err != nil {
		return nil, err
	}
	defer rt.close()
	s, err := rt.session(model, 1, true)
	if err != nil {
		return nil, err
	}
	defer s.close()
	c := &calibModel{s: s, names: append([]string{s.Out.Name}, names...), classes: len(m.Classes), seen: map[string]qrange{}}
	p := newPPOCR(c, m.Classes, 1)
	read := func(img *image.Gray, rects []image.Rectangle) error {
		_, err := p.Read(context.Background(), img, rects)
		return err
	}
	if err := feed(read); err != nil {
		return nil, err
	}
	if c.runs == 0 {
		return nil, fmt.Errorf("no line was read")
	}
	// A second pass counts each value's distribution over its range,
	// and the range kept leaves out its rarest extremes.
	c.hist = map[string][]int64{}
	if err := feed(read); err != nil {
		return nil, err
	}
	for name, h := range c.hist {
		r := c.seen[name]
		var total int64
		for _, n := range h {
			total += n
		}
		cut := int64(float64(total) * calibTail)
		lo, hi := 0, len(h)-1
		for acc := int64(0); lo < hi && acc+h[lo] <= cut; lo++ {
			acc += h[lo]
		}
		for acc := int64(0); hi > lo && acc+h[hi] <= cut; hi-- {
			acc += h[hi]
		}
		step := (r.hi - r.lo) / float32(len(h))
		c.seen[name] = qrange{r.lo + float32(lo)*step, r.lo + float32(hi+1)*step}
	}
	sum := sha256.Sum256(m.Rec)
	out := quantRanges{Model: hex.EncodeToString(sum[:]), Values: map[string][2]float32{}}
	keys := make([]string, 0, len(c.seen))
	for k := range c.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Values[k] = [2]float32{c.seen[k].lo, c.seen[k].hi}
	}
	return json.MarshalIndent(out, "", " ")
}

// calibModel runs the calibration model and keeps the range of each value.
type calibModel struct {
	s       *ortSession
	names   []string // the scores first
	classes int
	mu      sync.Mutex
	seen    map[string]qrange
	runs    int
	// hist, in the second pass, counts each value's values in bins over
	// the range the first found.
	hist map[string][]int64
}

// calibTail is the share of each value's values, at either end, that its
// range leaves out: the longest tails (a hard swish's, up to 42 where
// nearly all is under 8) would otherwise leave 8 bits too coarse a step
// for the rest.
const calibTail = 1e-5

const calibBins = 4096

func (c *calibModel) run(data []float32, dims []int64) ([]float32, []int64, error) {
	vals, err := c.s.runMany(data, dims, c.names)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	for i, name := range c.names[1:] {
		if c.hist != nil {
			r := c.seen[name]
			if !(r.hi > r.lo) {
				continue // one value: nothing to leave out
			}
			h := c.hist[name]
			if h == nil {
				h = make([]int64, calibBins)
				c.hist[name] = h
			}
			scale := float32(calibBins) / (r.hi - r.lo)
			for _, v := range vals[i+1] {
				b := int((v - r.lo) * scale)
				h[max(0, min(calibBins-1, b))]++
			}
			continue
		}
		r, ok := c.seen[name]
		if !ok {
			r = qrange{float32(math.Inf(1)), float32(math.Inf(-1))}
		}
		for _, v := range vals[i+1] {
			r.lo, r.hi = min(r.lo, v), max(r.hi, v)
		}
		c.seen[name] = r
	}
	scores := vals[0]
	n := dims[0]
	if n <= 0 || c.classes == 0 || int64(len(scores))%(n*int64(c.classes)) != 0 {
		return nil, nil, fmt.Errorf("scores of %d values for %d lines", len(scores), n)
	}
	return scores, []int64{n, int64(len(scores)) / (n * int64(c.classes)), int64(c.classes)}, nil
}
