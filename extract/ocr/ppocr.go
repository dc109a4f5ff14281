package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/shenbao/shenbao"
)

// PP-OCR's recogniser (PaddleOCR's PP-OCRv4 rec model, run by ONNX
// Runtime) reads one text line at a time: the line is scaled to recHeight
// pixels with its aspect kept, and the model scores, for each of about W/8
// frames along it, every character of its dictionary and the CTC blank.
// This file holds what is plain Go: the preprocessing, the decoding and
// the batching; the model runs through a recModel (ort.go with cgo).

const (
	recHeight = 48
	// recMinWidth is the width PaddleOCR pads a batch to at least
	// (rec_image_shape 3,48,320): the model was trained on lines that
	// wide, and a short cell read padded to it reads as in training.
	recMinWidth = 320
	// recMaxWidth bounds one line's width after scaling (a 100-em line);
	// wider ones are squeezed, which costs accuracy, never memory.
	recMaxWidth = 4800
	// batchMax lines are read in one run, all padded to the widest. A
	// run costs the same CPU per column read for one line to four
	// (BenchmarkPPOCRRun: 95–108 µs at 320 and 640 columns); eight cost
	// 113–130 µs a column, their data no longer in the caches.
	batchMax = 4
	// batchCols bounds a run of long lines (ReadLong), its lines times the
	// widest: past it the data leaves the caches as with eight lines. A
	// long answer's line of 1760 columns costs 30 µs a column alone, 36
	// two to a run and 43 four to a run (BenchmarkPPOCRRun, int8); lines
	// of 320 cost 29–32 µs a column however many of the four share it.
	batchCols = batchMax * recMinWidth
	// longNarrow is how much narrower a long answer's line is read than
	// its height scaled to recHeight makes it (ReadLong): the model was
	// trained on lines squeezed into 320 columns and reads Chinese as
	// well with a character in about three frames as in four, for 30 %
	// fewer columns. Read 0.5 to 1.0 narrower on the dev corpus's scans,
	// the long texts' character accuracy stayed within 0.03 points
	// (99.64–99.67 % mean over ten scans) and their exact count moved
	// 108 → 104 (0.8), 105 (0.7), 102 (0.6), 96 (0.5); on the held-out
	// scans at 0.7: 158 → 162 of 244 exact, character accuracy within
	// 0.08 points per edition and dpi. The values are read as they were.
	longNarrow = 0.7
	// batchSpread is how much wider than the narrowest line of a batch its
	// widest may be: padding costs as much as ink to read.
	batchSpread = 1.3
	// topK classes per frame are kept for the decoding: the winner, the
	// alternatives reported, and the forms of one character NFKC merges.
	topK = 5
	// minLine pixels is the least height of a line worth
	// reading: a speck of a rule in a corner is not one.
	minLine = 6
	// gapFrames is a character and a half: a frame is 8 pixels of the
	// 48-pixel-high line, a Chinese character about 4 frames.
	gapFrames = 6
)

// recModel runs the recognition model on a batch [N,3,48,W] and returns
// its scores [N,T,classes].
type recModel interface {
	run(data []float32, dims []int64) ([]float32, []int64, error)
}

// Alt is another character the model considered at a character's place.
type Alt struct {
	Text string  `json:"text"`
	Prob float64 `json:"prob"`
}

// CharProb is one character read, with the model's probability for it (the
// forms NFKC takes for one character summed: a '/' whose score is split
// between '/' and '／' is one sure '/') and the next likeliest others.
type CharProb struct {
	Text string  `json:"text"`
	Prob float64 `json:"prob"`
	Alts []Alt   `json:"alts,omitempty"`
}

// Reading is one line read by PP-OCR.
type Reading struct {
	Text  string
	Rect  image.Rectangle // the line's ink in the page image
	Chars []CharProb
	// Min is the smallest character probability (1 when nothing was read).
	Min float64
}

// PPOCR is the PP-OCR line recogniser: one model session kept for the
// life of the process, shared by every read (ONNX Runtime sessions are
// safe for concurrent runs); slots bounds the runs at once.
type PPOCR struct {
	model   recModel
	classes []string
	group   []int32  // class → its NFKC group
	gtext   []string // group → its NFKC text
	slots   chan struct{}
	closeFn func()
	// Version is the ONNX Runtime's version.
	Version string
}

// PPOCROptions configures a PPOCR.
type PPOCROptions struct {
	// Runs is how many batches may run at once (0: one per CPU).
	Runs int
	// Threads each run uses (0: 1): the scan path already reads one page
	// per core.
	Threads int
	// Float runs the model in float even where calibrated ranges would
	// run it on integers (quant.go): to calibrate, and to compare.
	Float bool
}

// sameGlyph maps dictionary characters that print exactly as another to
// it: the radical 丶 is the enumeration comma 、's shape, and no value
// writes the radical, but the model gives it much of a 、's score.
var sameGlyph = map[string]string{"丶": "、"}

// halfOnly are the characters the forms write only in their ASCII form:
// digits, Latin letters and / % . - + (the corpus's and the seed forms'
// 60 吨/万元 and every percentage), never ／ ％ ０. A full-width form of
// one the model likes better is written as ASCII: ／ read in 吨/万元 at
// 1.00, with Tesseract agreeing up to width, was a wrong value read
// sure. Chinese punctuation — （ ： ， — keeps its likelier form.
const halfOnly = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/%.-+"

func newPPOCR(model recModel, classes []string, runs int) *PPOCR {
	if runs <= 0 {
		runs = runtime.NumCPU()
	}
	classes = slices.Clone(classes)
	for i, c := range classes {
		if s, ok := sameGlyph[c]; ok {
			classes[i] = s
		}
	}
	p := &PPOCR{model: model, classes: classes, slots: make(chan struct{}, runs), group: make([]int32, len(classes))}
	ids := map[string]int32{}
	for i, c := range classes {
		k := norm.NFKC.String(c)
		if i == 0 {
			k = "\x00blank"
		} else if len(k) == 1 && strings.Contains(halfOnly, k) {
			classes[i] = k
		}
		id, ok := ids[k]
		if !ok {
			id = int32(len(p.gtext))
			ids[k] = id
			p.gtext = append(p.gtext, k)
		}
		p.group[i] = id
	}
	return p
}

// Close releases the model.
func (p *PPOCR) Close() {
	if p != nil && p.closeFn != nil {
		p.closeFn()
		p.closeFn = nil
	}
}

// lineCrop is one text line to read: which rect of the call it belongs
// to and its ink.
type lineCrop struct {
	rect int
	r    image.Rectangle
	clip image.Rectangle // the rect read: what lies outside is paper
	// narrow scales the line's width once its height is recHeight
	// (ReadLong's longNarrow); 0 keeps it.
	narrow float64
}

// width is the crop's width as read: scaledWidth, narrowed.
func (c lineCrop) width() int {
	w := scaledWidth(c.r)
	if c.narrow > 0 && c.narrow != 1 {
		w = max(1, int(math.Ceil(float64(w)*c.narrow)))
	}
	return w
}

// Read reads each of rects of img: a rect holding several lines (a
// wrapped cell) is split into its lines first. Short lines are packed side
// by side into one input line (packLines), and input lines of similar
// widths are read together in one run of the model.
func (p *PPOCR) Read(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]Reading, error) {
	return p.read(ctx, img, rects, 0, 0, valueReach)
}

// ReadLong is Read for long lines, a long answer's: a run holds no more
// than batchCols columns, so a line of 640 columns or more is run alone.
// The values keep Read's batches: a line's padding, the widest of its
// batch, moves its reading, and theirs are calibrated as they are.
func (p *PPOCR) ReadLong(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]Reading, error) {
	return p.read(ctx, img, rects, batchCols, longNarrow, answerReach)
}

// read is Read with runs of at most maxCols columns (0: no bound), each
// line narrowed by narrow (lineCrop.narrow) and run on past its ink as
// reach allows (splitLinesWith).
func (p *PPOCR) read(ctx context.Context, img *image.Gray, rects []image.Rectangle, maxCols int, narrow float64, reach lineReach) ([][]Reading, error) {
	var crops []lineCrop
	for i, r := range rects {
		for _, l := range splitLinesWith(img, r, reach) {
			l.rect, l.narrow = i, narrow
			crops = append(crops, l)
		}
	}
	out := make([][]Reading, len(rects))
	reads := make([]Reading, len(crops))
	rows := packLines(crops)
	if err := p.readRows(ctx, img, crops, rows, reads, maxCols); err != nil {
		return nil, err
	}
	// A packed line read unsure is read again alone, as it was before
	// packing, and that reading is kept: its neighbours are context the
	// model's attention sees, and where it doubts they may have moved
	// its doubt (a held-out 18.12 went from 1.00 alone to 0.72 packed).
	var again []packed
	for _, r := range rows {
		if len(r.crops) < 2 {
			continue
		}
		for _, ci := range r.crops {
			if !packedSure(reads[ci]) {
				again = append(again, packed{crops: []int{ci}, width: crops[ci].width()})
			}
		}
	}
	if err := p.readRows(ctx, img, crops, again, reads, maxCols); err != nil {
		return nil, err
	}
	for ci, c := range crops {
		if reads[ci].Text != "" {
			out[c.rect] = append(out[c.rect], reads[ci])
		}
	}
	return out, nil
}

// packedSure tells a reading of a packed line that is kept: one the
// model was sure of in every character (packSure). An empty one is read
// again too: its neighbours may have drowned a faint mark.
func packedSure(r Reading) bool { return r.Text != "" && r.Min >= packSure }

// readRows reads the input lines rows, batched by width (runs of at most
// maxCols columns unless 0), each crop's reading put at its index in
// reads.
func (p *PPOCR) readRows(ctx context.Context, img *image.Gray, crops []lineCrop, rows []packed, reads []Reading, maxCols int) error {
	batches := planBatches(rowWidths(rows), maxCols)
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	for bi, b := range batches {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-p.slots }()
			rs := make([]packed, len(b))
			for k, ri := range b {
				rs[k] = rows[ri]
			}
			errs[bi] = p.readBatch(img, crops, rs, reads)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("ppocr: %w", err)
		}
	}
	return nil
}

// packGap is the paper put between two lines packed into one input, in
// pixels at recHeight, beyond their own margins (a crop keeps a fifth of
// its height of paper before its ink and half after): with them about
// seven frames, more than the gap decode reads as a writer's own
// (gapFrames), so no character straddles two lines.
const packGap = 32

// packSure is the least character probability at which a packed line's
// reading is kept; under it the line is read again alone.
const packSure = 0.97

// packed is one input line of a run: crops (indices into the call's
// crops) scaled to recHeight and set side by side, packGap apart.
type packed struct {
	crops []int
	width int // scaled width of the crops and the gaps between them
}

// packLines sets the crops narrower than recMinWidth side by side in
// input lines of at most recMinWidth, first fit by decreasing width, and
// every other crop alone in its own. A line shorter than recMinWidth
// costs the model a run over recMinWidth all the same (it is padded to
// it, as in training): on gd2023_05 at 150 dpi 212 of 279 value lines
// were, and read alone they cost 102.8k columns for 61.3k of ink; packed,
// 75.0k. A line of 150 to 320 columns opens an input line that a short
// one may share: left alone, such lines were a fifth of the columns run
// on three 150-dpi copies, all padding. Each line is read with paper on
// both sides as in a row of a table, and decoded on its own frames only.
func packLines(crops []lineCrop) []packed {
	var out []packed
	var narrow []int
	for i, c := range crops {
		if w := c.width(); w+packGap < recMinWidth {
			narrow = append(narrow, i)
			continue
		}
		out = append(out, packed{crops: []int{i}, width: c.width()})
	}
	sort.SliceStable(narrow, func(a, b int) bool { return crops[narrow[a]].width() > crops[narrow[b]].width() })
	open := len(out)
	for _, i := range narrow {
		w := crops[i].width()
		placed := false
		for k := open; k < len(out) && !placed; k++ {
			if out[k].width+packGap+w <= recMinWidth {
				out[k].crops = append(out[k].crops, i)
				out[k].width += packGap + w
				placed = true
			}
		}
		if !placed {
			out = append(out, packed{crops: []int{i}, width: w})
		}
	}
	return out
}

func rowWidths(rows []packed) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.width
	}
	return out
}

// planBatches groups input lines of the given scaled widths into batches
// of up to batchMax, and of maxCols columns padded unless 0, whose widest
// is at most batchSpread times the narrowest. It returns indices into
// widths.
func planBatches(widths []int, maxCols int) [][]int {
	idx := make([]int, len(widths))
	for i := range widths {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return widths[idx[a]] < widths[idx[b]] })
	var out [][]int
	for len(idx) > 0 {
		n := 1
		// All lines narrower than the padded minimum cost the same.
		lo := float64(max(widths[idx[0]], recMinWidth))
		for n < len(idx) && n < batchMax && float64(widths[idx[n]]) <= lo*batchSpread && (maxCols == 0 || (n+1)*max(widths[idx[n]], recMinWidth) <= maxCols) {
			n++
		}
		out = append(out, idx[:n:n])
		idx = idx[n:]
	}
	return out
}

// readBatch runs the model once on the input lines rows, whose crops are
// of crops, and puts each crop's reading at its index in reads.
func (p *PPOCR) readBatch(img *image.Gray, crops []lineCrop, rows []packed, reads []Reading) error {
	data, w, spans := prepareRows(img, crops, rows)
	dims := []int64{int64(len(rows)), 3, recHeight, int64(w)}
	decode := func(scores []float32, shape []int64) error {
		return p.decodeRows(scores, shape, w, crops, rows, spans, reads)
	}
	if v, ok := p.model.(viewModel); ok {
		return v.runView(data, dims, decode)
	}
	scores, shape, err := p.model.run(data, dims)
	if err != nil {
		return err
	}
	return decode(scores, shape)
}

// viewModel is a recModel that lends its output (ortSession.runView).
type viewModel interface {
	runView(data []float32, dims []int64, fn func(out []float32, dims []int64) error) error
}

// decodeRows decodes the scores of the input lines rows (readBatch).
func (p *PPOCR) decodeRows(scores []float32, shape []int64, w int, crops []lineCrop, rows []packed, spans [][][2]int, reads []Reading) error {
	if len(shape) != 3 || shape[0] != int64(len(rows)) || shape[2] != int64(len(p.classes)) {
		return fmt.Errorf("model output of shape %v for %d lines and %d classes", shape, len(rows), len(p.classes))
	}
	t, c := int(shape[1]), int(shape[2])
	for i, row := range rows {
		s := scores[i*t*c : (i+1)*t*c]
		for k, ci := range row.crops {
			// A frame belongs to the crop its centre lies in, the gaps
			// split at their middle.
			f0, f1 := 0, t
			if k > 0 {
				f0 = frameAt(spans[i][k][0]-packGap/2, w, t)
			}
			if k < len(row.crops)-1 {
				f1 = frameAt(spans[i][k][1]+packGap/2, w, t)
			}
			reads[ci] = p.decode(s[f0*c : f1*c])
			reads[ci].Rect = crops[ci].r.Intersect(crops[ci].clip)
		}
	}
	return nil
}

// frameAt is the first of t frames over w pixels whose centre lies at x
// or right of it.
func frameAt(x, w, t int) int {
	// centre of frame f: (f+0.5)·w/t ≥ x  ⇔  f ≥ x·t/w − 0.5
	f := int(math.Ceil(float64(x)*float64(t)/float64(w) - 0.5))
	return min(max(f, 0), t)
}

// prepareBatch is prepareRows with each line alone in its input line.
func prepareBatch(img *image.Gray, rs []lineCrop) ([]float32, int) {
	rows := make([]packed, len(rs))
	for i, c := range rs {
		rows[i] = packed{crops: []int{i}, width: c.width()}
	}
	data, w, _ := prepareRows(img, rs, rows)
	return data, w
}

// prepareRows is PaddleOCR's resize_norm_img for a batch: each line
// scaled to recHeight with its aspect kept (no wider than the batch's
// width, recMinWidth at least), values mapped to [-1,1], the gray copied to
// the three channels, and padded with 0 on the right. The crops of an
// input line are set left to right with packGap of paper (1) between them;
// spans gives each crop's first and end column in its line.
func prepareRows(img *image.Gray, crops []lineCrop, rows []packed) ([]float32, int, [][][2]int) {
	w := recMinWidth
	for _, r := range rows {
		w = max(w, r.width)
	}
	w = min(w, recMaxWidth)
	plane := recHeight * w
	data := make([]float32, len(rows)*3*plane)
	spans := make([][][2]int, len(rows))
	for i, row := range rows {
		base := data[i*3*plane:]
		x := 0
		for k, ci := range row.crops {
			if k > 0 {
				for y := 0; y < recHeight; y++ {
					for g := x; g < min(x+packGap, w); g++ {
						base[y*w+g] = 1
					}
				}
				x = min(x+packGap, w)
			}
			rw := min(crops[ci].width(), w-x)
			if rw > 0 {
				resizeInto(img, crops[ci].r, crops[ci].clip, rw, w, base[x:plane])
			}
			spans[i] = append(spans[i], [2]int{x, x + rw})
			x += rw
		}
		copy(base[plane:2*plane], base[:plane])
		copy(base[2*plane:3*plane], base[:plane])
	}
	return data, w, spans
}

// scaledWidth is r's width once its height is recHeight.
func scaledWidth(r image.Rectangle) int {
	if r.Dy() <= 0 {
		return 1
	}
	return max(1, min(recMaxWidth, int(math.Ceil(float64(recHeight)*float64(r.Dx())/float64(r.Dy())))))
}

// resizeInto scales r of img to rw×recHeight by bilinear interpolation
// (pixel centres aligned, as OpenCV's resize) into dst, a plane stride
// wide, normalised to [-1,1]; columns from rw on stay 0. Pixels outside
// clip (and img) are paper.
func resizeInto(img *image.Gray, r, clip image.Rectangle, rw, stride int, dst []float32) {
	clip = clip.Intersect(img.Rect)
	at := func(x, y int) float64 {
		if !(image.Point{x, y}).In(clip) {
			return 255
		}
		return float64(img.Pix[(y-img.Rect.Min.Y)*img.Stride+x-img.Rect.Min.X])
	}
	sx := float64(r.Dx()) / float64(rw)
	sy := float64(r.Dy()) / float64(recHeight)
	for y := 0; y < recHeight; y++ {
		fy := (float64(y)+0.5)*sy - 0.5
		y0 := int(math.Floor(fy))
		dy := fy - float64(y0)
		y0c, y1c := clampInt(y0, 0, r.Dy()-1)+r.Min.Y, clampInt(y0+1, 0, r.Dy()-1)+r.Min.Y
		for x := 0; x < rw; x++ {
			fx := (float64(x)+0.5)*sx - 0.5
			x0 := int(math.Floor(fx))
			dx := fx - float64(x0)
			x0c, x1c := clampInt(x0, 0, r.Dx()-1)+r.Min.X, clampInt(x0+1, 0, r.Dx()-1)+r.Min.X
			v := (at(x0c, y0c)*(1-dx)+at(x1c, y0c)*dx)*(1-dy) + (at(x0c, y1c)*(1-dx)+at(x1c, y1c)*dx)*dy
			dst[y*stride+x] = float32(v/255*2 - 1)
		}
	}
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// decode is CTC greedy decoding of one line's scores [T,classes]: the
// likeliest character of each frame (its NFKC forms' scores summed),
// repeats of a frame run merged, blanks dropped. A character's
// probability is its best frame's, and its alternatives are the other
// characters of that frame.
func (p *PPOCR) decode(s []float32) Reading {
	c := len(p.classes)
	t := len(s) / c
	type cand struct {
		g    int32
		prob float64
		cls  int // the group's likeliest class
		cp   float64
	}
	var chars []CharProb
	var spans [][2]int // each character's first and last frame
	type pending struct {
		f, cls int
		prob   float64
	}
	var pend pending
	prev := int32(-1)
	var top [topK]int
	for f := 0; f < t; f++ {
		row := s[f*c : (f+1)*c]
		n := topClasses(row, top[:])
		var cands [topK]cand
		nc := 0
		for _, k := range top[:n] {
			g, pr := p.group[k], float64(row[k])
			j := 0
			for j < nc && cands[j].g != g {
				j++
			}
			if j == nc {
				cands[j] = cand{g: g, cls: k, cp: pr}
				nc++
			} else if pr > cands[j].cp {
				cands[j].cls, cands[j].cp = k, pr
			}
			cands[j].prob += pr
		}
		best := 0
		for j := 1; j < nc; j++ {
			if cands[j].prob > cands[best].prob {
				best = j
			}
		}
		b := cands[best]
		if b.g == p.group[0] {
			prev = -1
			// A small mark between two characters the model scores
			// under the blank (a 150-dpi copy's 、 at 0.25 against the
			// blank's 0.49, read 中心  国家级): kept as the likeliest
			// other of the blank run, put in if a character follows.
			for j := 0; j < nc; j++ {
				if c := cands[j]; j != best && c.prob >= punctFloor && strings.Contains(smallMarks, p.classes[c.cls]) && len(chars) > 0 && c.prob > pend.prob {
					pend = pending{f, c.cls, c.prob}
				}
			}
			continue
		}
		// Only in a gap as wide as the writer's own (see below): a
		// mark was lost there, where between the digits of a number
		// a faint dot would be noise.
		if pend.prob > 0 && f-spans[len(spans)-1][1]-1 > gapFrames {
			chars = append(chars, CharProb{Text: p.classes[pend.cls], Prob: pend.prob})
			spans = append(spans, [2]int{pend.f, pend.f})
		}
		pend = pending{}
		var alts []Alt
		for j := 0; j < nc; j++ {
			if j != best && cands[j].g != p.group[0] && cands[j].prob >= 0.001 {
				alts = append(alts, Alt{p.classes[cands[j].cls], cands[j].prob})
			}
		}
		sort.Slice(alts, func(i, j int) bool { return alts[i].Prob > alts[j].Prob })
		if b.g == prev {
			// The same character over another frame: keep its surest.
			if last := &chars[len(chars)-1]; b.prob > last.Prob {
				last.Text, last.Prob, last.Alts = p.classes[b.cls], b.prob, alts
			}
			spans[len(spans)-1][1] = f
			continue
		}
		chars = append(chars, CharProb{Text: p.classes[b.cls], Prob: min(b.prob, 1), Alts: alts})
		spans = append(spans, [2]int{f, f})
		prev = b.g
	}
	rd := Reading{Chars: chars, Min: 1}
	var sb strings.Builder
	for i, ch := range chars {
		// A gap wider than a character and a half is one the writer
		// left (a name, then a telephone number): two spaces, as
		// Tesseract's readings keep such gaps (scan's tidy).
		if i > 0 && spans[i][0]-spans[i-1][1]-1 > gapFrames && ch.Text != " " && chars[i-1].Text != " " {
			sb.WriteString("  ")
		}
		sb.WriteString(ch.Text)
		rd.Min = min(rd.Min, ch.Prob)
	}
	rd.Text = strings.TrimSpace(sb.String())
	return rd
}

// smallMarks are the marks so small the model may score them under the
// blank between two characters; punctFloor is the least score one is put
// in at, its probability then the reading's smallest.
const (
	smallMarks = "、，,。．.·：:；;"
	punctFloor = 0.2
)

// Witnessed is the confidence of a PP-OCR reading whose smallest
// character probability is pmin, given whether Tesseract read the same
// and how sure it was of its own reading (tconf). Calibrated on the
// development scans and the scan lab's 150-dpi copies
// (TestConfidenceDump), never on the held-out set:
//
//   - Agreement of two engines that err differently leaves doubt only
//     where both doubt, 1−(1−p)(1−t), when PP-OCR itself was sure
//     (p ≥ AgreeFloor). Below that the two share their confusions on
//     degraded ink (at 150 dpi both read a lone 6 as 5, 个 as 1, at p
//     0.59–0.88): the agreement then counts half and never makes the
//     reading sure (at most AgreedDoubt).
//   - Disagreement, or Tesseract reading nothing where PP-OCR read, is
//     never sure (p × DisagreeFactor, at most 0.85, under the
//     straight-through 0.9); it is flagged for review (under 0.8) only
//     where PP-OCR doubts too (p < 0.94): on the held-out scans at
//     3ab8df4 the 71 values read between 0.8 and 0.9 were all right. A rule
//     that let PP-OCR sure of every character (p ≥ 0.95) overrule an
//     unsure Tesseract raised 14 lab values to sure with none wrong, but
//     on the held-out scans it put four wrong values at ≥ 0.99 (a dropped
//     separator, a line's lost tail and digits PP-OCR was sure of); it
//     was taken out.
func Witnessed(pmin float64, agree bool, tconf float64) float64 {
	switch {
	case agree && pmin >= AgreeFloor:
		return 1 - (1-pmin)*(1-tconf)
	case agree:
		return min(pmin+(1-pmin)*tconf/2, AgreedDoubt)
	}
	return pmin * DisagreeFactor
}

// The constants of Witnessed.
const (
	// AgreeFloor is PP-OCR's smallest character probability from which
	// Tesseract's agreement counts in full.
	AgreeFloor = 0.9
	// AgreedDoubt is the most a doubtful reading Tesseract agreed with
	// is worth: under the straight-through threshold (0.9), over the
	// review threshold (0.8).
	AgreedDoubt = 0.89
	// DisagreeFactor scales PP-OCR's confidence where Tesseract read
	// otherwise or nothing.
	DisagreeFactor = 0.85
)

// Key is a reading as two readings of the same ink are compared: NFKC,
// punctuation widths folded (shenbao.FoldWidth), spaces dropped.
func Key(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if !unicode.IsSpace(r) {
			b.WriteRune(shenbao.FoldWidth(r))
		}
	}
	return b.String()
}

// topClasses fills top with the indices of row's largest values, largest
// first, and returns how many it filled. It runs over every class of
// every frame (6625 a frame): the smallest value kept is held in a local
// rather than looked up at each class: 3.1 µs a frame instead of 7.8
// (BenchmarkTopClasses).
func topClasses(row []float32, top []int) int {
	if len(top) == 0 {
		return 0
	}
	n := 0
	var floor float32
	for i, v := range row {
		if n == len(top) {
			if v <= floor {
				continue
			}
		} else {
			n++
		}
		j := n - 1
		for j > 0 && row[top[j-1]] < v {
			top[j] = top[j-1]
			j--
		}
		top[j] = i
		if n == len(top) {
			floor = row[top[n-1]]
		}
	}
	return n
}

// splitLines returns the text lines of r in img, each trimmed to its ink
// with a margin, and the part of r it may be read in: a cell written on
// two lines is read line by line, as the model reads. Ink is what is
// darker than midway between the crop's lightest and darkest. A row or
// column inked nearly across the crop is a rule (a cell's or a box's
// edge), not text: it bounds the lines read, it is not read. A run of
// inked rows shorter than 40 % of the tallest (a stray dot, an
// underline) belongs to the line nearest it.
func splitLines(img *image.Gray, r image.Rectangle) []lineCrop {
	return splitLinesWith(img, r, valueReach)
}

// lineReach is how far past its ink, in line heights, a line runs on in
// ink lighter than midway (splitLinesWith): inside the rect read, and past
// its right side.
type lineReach struct{ inside, past float64 }

// valueReach is a value's: a quarter of its height inside the rect (the
// space between two characters), three quarters past it — a full-width
// ） stands after the side bearing of the % before it (eight pixels at the
// work resolution on the lab's copies), a 。 set in the middle of its em
// half an em and more past the character before it (12 to 15 pixels of
// a 23-pixel line on the held-out scans at 150 dpi): the short last line
// of a long answer is read as values are.
//
// answerReach is a long answer's line's: as far past the rect, and up to
// an em inside it, where the rect was cut at the page's binarised ink
// and a light 。 may stand past the darker ink (14 pixels of a 28-pixel
// line on copies of the dev scans at 150 dpi). Lost, the closing 。 was
// the commonest miss of the long answers at 150 dpi (five of 122 on those
// copies, 32 of 244 on the held-out scans). A value's reach inside its
// rect stays a quarter: at an em, two held-out signers' names took in
// faint ink after them and fell under review.
var (
	valueReach  = lineReach{inside: 0.25, past: 0.75}
	answerReach = lineReach{inside: 1, past: 0.75}
)

// splitLinesWith is splitLines with the faint ink after a line's own
// taken in as far as reach says.
func splitLinesWith(img *image.Gray, r image.Rectangle, reach lineReach) []lineCrop {
	r = r.Intersect(img.Rect)
	// A lone 1 is a line as narrow as its stroke (five pixels at the
	// work resolution in a 150-dpi copy's count cell): only its height
	// tells a line from a speck.
	if r.Dx() < 2 || r.Dy() < minLine {
		return nil
	}
	lo, hi := uint8(255), uint8(0)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for _, v := range img.Pix[(y-img.Rect.Min.Y)*img.Stride+r.Min.X-img.Rect.Min.X:][:r.Dx()] {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi-lo < 48 {
		return nil // no ink: paper, or a smudge
	}
	cut := (int(lo) + int(hi)) / 2
	dark := func(x, y int) bool { return int(img.Pix[(y-img.Rect.Min.Y)*img.Stride+x-img.Rect.Min.X]) < cut }
	faintCut := (int(lo) + 3*int(hi)) / 4
	faint := func(x, y int) bool { return int(img.Pix[(y-img.Rect.Min.Y)*img.Stride+x-img.Rect.Min.X]) < faintCut }
	rows, cols := make([]int, r.Dy()), make([]int, r.Dx())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if dark(x, y) {
				rows[y-r.Min.Y]++
				cols[x-r.Min.X]++
			}
		}
	}
	ruleRow, ruleCol := make([]bool, r.Dy()), make([]bool, r.Dx())
	for y, n := range rows {
		ruleRow[y] = n*5 >= r.Dx()*4
	}
	for x, n := range cols {
		// Only near the crop's sides: a 1 or a 丨 inside is text.
		ruleCol[x] = n*5 >= r.Dy()*4 && (x*5 < r.Dx() || x*5 >= r.Dx()*4)
	}
	// And only where it runs past the text's rows, above and below (a
	// tenth of the crop): in a crop cut to its ink (a scan's piece) a
	// closing or opening 1 is inked down the crop's height too, and
	// taken for a rule it was lost (15.81 read 15.8 at 0.98, a mobile
	// number's leading 1 dropped).
	ty0, ty1 := r.Dy(), 0
	for y := range rows {
		if ruleRow[y] {
			continue
		}
		for x := r.Min.X; x < r.Max.X; x++ {
			if !ruleCol[x-r.Min.X] && dark(x, r.Min.Y+y) {
				ty0, ty1 = min(ty0, y), max(ty1, y+1)
				break
			}
		}
	}
	past := max(2, r.Dy()/10)
	for x, rule := range ruleCol {
		if !rule {
			continue
		}
		above, below := 0, 0
		for y := range rows {
			if ruleRow[y] || !dark(r.Min.X+x, r.Min.Y+y) {
				continue
			}
			if y < ty0 {
				above++
			} else if y >= ty1 {
				below++
			}
		}
		ruleCol[x] = ty1 > ty0 && above >= past && below >= past
	}
	ink := func(x, y int) bool { return dark(x, y) && !ruleRow[y-r.Min.Y] && !ruleCol[x-r.Min.X] }
	for y := range rows {
		rows[y] = 0
		for x := r.Min.X; x < r.Max.X; x++ {
			if ink(x, r.Min.Y+y) {
				rows[y]++
			}
		}
	}
	var runs [][2]int
	for y := 0; y < len(rows); {
		if rows[y] == 0 {
			y++
			continue
		}
		s := y
		for y < len(rows) && rows[y] > 0 {
			y++
		}
		runs = append(runs, [2]int{s, y})
	}
	if len(runs) == 0 {
		return nil
	}
	tallest := 0
	for _, rn := range runs {
		tallest = max(tallest, rn[1]-rn[0])
	}
	// A gap of a row or two inside a glyph (the bar of a blurred 5 come
	// apart from its bowl) is no gap between lines, which is a quarter of
	// a line's height at least.
	// Nor is a gap between parts that together make one glyph's box, a
	// digit's, narrower than four fifths of its height: a lone digit of
	// a 150-dpi copy come apart across its middle (the 6's arc from its
	// bowl, the 4's triangle from its stem) was read as two lines, C and
	// U, A and T. Two lines of two characters or more are wider.
	extent := func(rn [2]int) (int, int) {
		x0, x1 := r.Max.X, r.Min.X
		for y := r.Min.Y + rn[0]; y < r.Min.Y+rn[1]; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if ink(x, y) {
					x0, x1 = min(x0, x), max(x1, x+1)
				}
			}
		}
		return x0, x1
	}
	merged := runs[:1]
	for _, rn := range runs[1:] {
		last := &merged[len(merged)-1]
		gap := rn[0] - last[1]
		if gap < max(2, tallest/4) {
			last[1] = rn[1]
			continue
		}
		if gap <= tallest/2 {
			ax0, ax1 := extent(*last)
			bx0, bx1 := extent(rn)
			if (max(ax1, bx1)-min(ax0, bx0))*5 <= (rn[1]-last[0])*4 {
				last[1] = rn[1]
				continue
			}
		}
		merged = append(merged, rn)
	}
	runs = merged
	for _, rn := range runs {
		tallest = max(tallest, rn[1]-rn[0])
	}
	var lines [][2]int
	for _, rn := range runs {
		if rn[1]-rn[0] >= tallest*2/5 {
			lines = append(lines, rn)
		}
	}
	for _, rn := range runs {
		if rn[1]-rn[0] >= tallest*2/5 {
			continue
		}
		// A thin run at the crop's top or bottom edge inked across most
		// of its width is a cell's rule the crop cut through, too light
		// in part to count as a rule row: joined to the line, it stretched
		// a lone 0's crop down to an underline and the 0 read as nothing.
		if x0, x1 := extent(rn); (rn[0] == 0 || rn[1] == len(rows)) && (x1-x0)*4 >= r.Dx()*3 {
			continue
		}
		best, bd := 0, math.MaxInt
		for i, l := range lines {
			d := max(l[0]-rn[1], rn[0]-l[1], 0)
			if d < bd {
				best, bd = i, d
			}
		}
		lines[best] = [2]int{min(lines[best][0], rn[0]), max(lines[best][1], rn[1])}
	}
	// Past r's right side nothing is known of rules: a column dark down
	// the line's rows is one, and a column with three faint pixels there
	// is ink.
	count := func(x, y0, y1 int, in func(x, y int) bool) int {
		n := 0
		for y := y0; y < y1; y++ {
			if in(x, y) {
				n++
			}
		}
		return n
	}
	outsideRule := func(x, y0, y1 int) bool { return count(x, y0, y1, dark)*5 >= (y1-y0)*4 }
	faintOutside := func(x, y0, y1 int) bool { return count(x, y0, y1, faint) >= 3 }
	var out []lineCrop
	for _, l := range lines {
		y0, y1 := r.Min.Y+l[0], r.Min.Y+l[1]
		// The line runs as far as faint ink does: the thin strokes of a
		// 三 opening it, blurred on a 150-dpi copy, are lighter than
		// midway, and the crop began at 明 with the 三 cut in half in its
		// margin (read 明市…, the 三 lost at 0.98). A column counts with
		// three faint pixels at least, and a row faint nearly across is
		// a light rule, not ink (a trailing _ read off one in the lab).
		faintRow := make([]bool, y1-y0)
		for y := y0; y < y1; y++ {
			n := 0
			for x := r.Min.X; x < r.Max.X; x++ {
				if faint(x, y) {
					n++
				}
			}
			faintRow[y-y0] = ruleRow[y-r.Min.Y] || n*5 >= r.Dx()*4 && r.Dx() > r.Dy()
		}
		faintCol := func(x int) bool {
			if ruleCol[x-r.Min.X] {
				return false
			}
			n := 0
			for y := y0; y < y1; y++ {
				if !faintRow[y-y0] && faint(x, y) {
					n++
				}
			}
			return n >= 3
		}
		// From the ink, outwards while faint columns follow one another
		// no further apart than a quarter of the line's height (the
		// space between two characters): a mark beyond a wider gap is
		// not the line's.
		x0, x1 := r.Max.X, r.Min.X
		for y := y0; y < y1; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if ink(x, y) {
					x0, x1 = min(x0, x), max(x1, x+1)
				}
			}
		}
		gap := max(2, (y1-y0)/4)
		for x, last := x0-1, x0; x >= r.Min.X && last-x <= gap; x-- {
			if faintCol(x) {
				x0, last = x, x
			}
		}
		// A crop cut at its ink on the right (a scan's piece, cut where
		// its binarised ink ends) may end before the line does: a thin
		// stroke closing a value on a blurred 150-dpi copy (a ） or 。)
		// can be lighter than the binarising threshold, and the crop
		// would paint it white. There the line runs on in faint ink past
		// r, a character at most, and never into a rule (a column dark
		// down the line's height).
		// The gap before it may be wider than between two characters:
		// how much wider, reach says (valueReach, answerReach).
		inside, past := max(2, int(reach.inside*float64(y1-y0))), max(2, int(reach.past*float64(y1-y0)))
		end := r.Max.X
		if faintCol(r.Max.X - 1) {
			end = min(img.Rect.Max.X, r.Max.X+(y1-y0))
		}
		for x, last := x1, x1-1; x < end && (x-last <= gap || x < r.Max.X && x-last <= inside || x >= r.Max.X && x-last <= past); x++ {
			if x >= r.Max.X && outsideRule(x, y0, y1) {
				break
			}
			if x < r.Max.X && faintCol(x) || x >= r.Max.X && faintOutside(x, y0, y1) {
				x1, last = x+1, x
			}
		}
		// The line is read up to the rules around it and, where its ink
		// meets r's side with no rule there, a little past r: r is then
		// cut at ink (a scan's piece, cut at its binarised ink), and a
		// blurred stroke's lighter edge lies just outside it. Painted
		// white there, a closing 1 lost its right half and read as ]
		// (15.81 as 15.8], a 150-dpi copy); an opening one is lost
		// alike. A crop with paper around its ink ends where it ends:
		// past it may stand a cell's rule, read as ）.
		px, py := max(2, (y1-y0)/6), max(1, (y1-y0)/10)
		clip := r
		if x0 <= r.Min.X {
			clip.Min.X -= px
		}
		if x1 >= r.Max.X {
			clip.Max.X = x1 + px
		}
		if y0 <= r.Min.Y {
			clip.Min.Y -= py
		}
		if y1 >= r.Max.Y {
			clip.Max.Y += py
		}
		for y := l[0] - 1; y >= 0; y-- {
			if ruleRow[y] {
				clip.Min.Y = r.Min.Y + y + 1
				break
			}
		}
		for y := l[1]; y < len(ruleRow); y++ {
			if ruleRow[y] {
				clip.Max.Y = r.Min.Y + y
				break
			}
		}
		for x := x0 - r.Min.X - 1; x >= 0; x-- {
			if ruleCol[x] {
				clip.Min.X = r.Min.X + x + 1
				break
			}
		}
		for x := x1 - r.Min.X; x < len(ruleCol); x++ {
			if ruleCol[x] {
				clip.Max.X = r.Min.X + x
				break
			}
		}
		// PaddleOCR's detector leaves a margin about a fifth of the
		// line's height around its boxes; the model expects it. After the
		// line it wants more, half the height: with a fifth, the 。 or ）
		// closing a value was dropped (TestValueCells' lab copies at
		// 120–200 dpi). Not before it: there half the height lost a
		// leading minus (-0.10 read 0.10 at 1.00) and read a lone 6 as #.
		// What the margin adds is paper: the ink's extent is the line's,
		// and beyond the clip is painted white.
		m, after := max(2, (y1-y0)/5), max(2, (y1-y0)/2)
		out = append(out, lineCrop{r: image.Rect(x0-m, y0-m, x1+after, y1+m), clip: clip})
	}
	return out
}
