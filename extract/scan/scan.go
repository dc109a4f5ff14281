// Package scan reads scanned application pages — images — into the same
// shenbao.Content the digital readers produce: it straightens each page,
// finds the ruled tables and their cells, reads every cell with OCR, reads
// option boxes from their ink, and stitches tables that run over pages.
//
// The OCR engine is behind the Recognizer interface (extract/ocr in
// production), so the geometry here is pure Go and testable without cgo.
package scan

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

// Recognizer reads regions of a page image; *ocr.Engine implements it.
type Recognizer interface {
	Page(ctx context.Context, img *image.Gray, regions []ocr.Region) ([]ocr.Result, error)
}

// Options configures Read.
type Options struct {
	// OCR reads the text. Required.
	OCR Recognizer
	// Workers is the number of pages prepared at once; 0 means the number
	// of CPUs. OCR concurrency is bounded by the Recognizer's own pool.
	Workers int
	// WorkDPI is the resolution pages are brought to before analysis;
	// 0 means 200. Chinese body text at 200 dpi is about 30 pixels tall,
	// which Tesseract reads as well as 300 dpi at half the cost; 150 dpi
	// scans are enlarged to it.
	WorkDPI float64
	// Forms are what each form edition prints (one Form an edition): a
	// label cell's later lines, an option's text past its head and a
	// paragraph outside the tables past its head are not read when the
	// first characters open one of these phrases and the rest fits the
	// ink (see print.go, notes.go). A page takes its phrases from the
	// forms its readings fit (forms.go). Nil reads everything.
	Forms []Form
	// Witness reads the values a second time (PP-OCR); nil reads with
	// OCR alone.
	Witness LineReader
	// Engine says who reads values (ocr.EngineTesseract, EnginePPOCR,
	// EngineBoth); "" is both when Witness is set.
	Engine string
}

// Form is what one form edition prints.
type Form struct {
	// Print is what it prints in its cells (layout.Template.Printed).
	Print []string `json:"print,omitempty"`
	// Notes are the paragraphs it prints outside its tables
	// (layout.Template.Notes). Kept apart from Print, whose phrases a
	// value must not be taken for.
	Notes []string `json:"notes,omitempty"`
	// Labels are its title, headings and row labels in the order it
	// prints them (layout.Template.Labels), each among Print: a page's
	// labels stand in this order (inOrder).
	Labels []string `json:"labels,omitempty"`
	// Other is the rest of its print (layout.Template.OtherPrint):
	// remarks, option groups' heads, the plan's guide, the declaration.
	// It completes no line; a line Tesseract read as it is print and is
	// not read by the Witness (see likeprint.go).
	Other []string `json:"other,omitempty"`
}

// formsPrint is the print of forms, nil without any.
func formsPrint(forms []Form) *printSet {
	of := func(part func(Form) []string) [][]string {
		out := make([][]string, len(forms))
		for k, f := range forms {
			out[k] = part(f)
		}
		return out
	}
	ps := newFormsPrint(of(func(f Form) []string { return f.Print }))
	if ps != nil {
		ps.order(of(func(f Form) []string { return f.Labels }))
		ps.notes = newFormsPrint(of(func(f Form) []string { return f.Notes }))
		ps.other = newFormsPrint(of(func(f Form) []string { return f.Other }))
	}
	return ps
}

// Read turns page images scanned at dpi into Content. Pages are numbered
// from 1 in the order given. dpi 0 means: infer from an A4 page width.
func Read(ctx context.Context, pages []image.Image, dpi float64, opts Options) (*shenbao.Content, error) {
	return ReadPages(ctx, len(pages), func(i int) (image.Image, error) { return pages[i], nil }, dpi, opts)
}

// ReadPages is Read with the n pages supplied by page (0-based), which is
// called in page order from one goroutine, just before the page is read:
// a renderer works ahead of the readers instead of before them, and holds
// no more pages than are being read.
func ReadPages(ctx context.Context, n int, page func(int) (image.Image, error), dpi float64, opts Options) (*shenbao.Content, error) {
	if opts.OCR == nil {
		return nil, fmt.Errorf("scan: no OCR engine")
	}
	if opts.WorkDPI <= 0 {
		opts.WorkDPI = 200
	}
	ps := formsPrint(opts.Forms)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	type job struct {
		i   int
		img image.Image
	}
	read := make([]pendingPage, n)
	errs := make([]error, n)
	next := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				p := &read[j.i]
				p.pg, p.lay, errs[j.i] = readPage(ctx, j.img, dpi, j.i+1, opts, ps)
			}
		}()
	}
	var feedErr error
feed:
	for i := 0; i < n; i++ {
		img, err := page(i)
		if err != nil {
			feedErr = err
			break
		}
		select {
		case next <- job{i, img}:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if feedErr != nil {
		return nil, feedErr
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("scan page %d: %w", i+1, err)
		}
	}
	// Marks are decided over the whole document: its empty and its
	// marked boxes are two populations that one page may not show both
	// of (see decideMarks).
	var marks []*mark
	for _, p := range read {
		marks = append(marks, p.pg.marks...)
	}
	decideMarks(marks)
	c := &shenbao.Content{Format: shenbao.FormatPDFScan}
	results := make([]*pageOut, n)
	for i, p := range read {
		results[i] = p.pg.output(p.lay)
		c.Pages = append(c.Pages, results[i].size)
	}
	c.Blocks = stitch(results)
	return c, nil
}

// pendingPage is a page read whose blocks wait for the document's marks
// to be decided.
type pendingPage struct {
	pg  *page
	lay []blockLay
}

// pageOut is one page read: its size and blocks in reading order.
type pageOut struct {
	size   shenbao.PageSize
	blocks []shenbao.Block
	// openTop: the page's first table starts with a row cut by the page
	// break; openBottom: its last table ends with one.
	openTop, openBottom bool
}

// page holds one page's working state.
type page struct {
	no     int
	dpi    float64 // work dpi
	gray   *image.Gray
	bin    *bitmap
	light  *bitmap // bin at the looser threshold marks are found with
	faint  *bitmap // the page at faintCut, made when boxes are looked for
	p      gridParams
	em     int     // nominal body-text height in pixels
	marks  []*mark // the option marks found by layout
	pieces []ocr.Region
	res    []ocr.Result
	digits map[int]digitReading // piece → its digit reading (see reread)
	// follows maps a short line's piece to the piece of the line above it
	// in the same cell, whose end it continues (see tailReadings).
	follows map[int]int
	print   *printSet
	// forms are the forms whose print the page's lines are completed
	// from (pageForms); anyForm until the first reading.
	forms formMask
	// ordered gives the phrase a cell (by its first piece) is by its
	// place among the page's labels (inOrder).
	ordered map[int]int
	// fromPrint marks the pieces whose text was taken from print, not
	// read (see completePrint): nothing reads them again.
	fromPrint map[int]bool
	// remarks marks the pieces of fromPrint that are the remarks and
	// questions of option cells (completeRemarks): print in a cell that
	// may hold an answer too, which they do not make a label.
	remarks map[int]bool
	// unneeded marks the pieces laid out but never read: the options of
	// tentative marks that did not stand (settleTentative), whose lines
	// are read whole (asText) instead.
	unneeded, asText map[int]bool
	// witness reads the values again, engine says how (Options).
	witness LineReader
	engine  string
	// prose marks the pieces of long answers (see proseLines): the value
	// recogniser reads them alone, and no second reading witnesses them
	// as it does the values.
	prose map[int]bool
	// byPP marks the pieces PP-OCR read in Tesseract's stead: the long
	// answers' lines (prose.go). Nothing reads them again.
	byPP map[int]bool
	// seals are the seals found and erased (seal.go).
	seals []seal
}

// settled says whether piece i is not to be read again: its text was taken
// from print, or it was never needed.
func (pg *page) settled(i int) bool { return pg.fromPrint[i] || pg.unneeded[i] }

func (pg *page) pt(v int) float64 { return float64(v) * 72 / pg.dpi }

func (pg *page) box(r image.Rectangle) shenbao.Box {
	return shenbao.Box{pg.pt(r.Min.X), pg.pt(r.Min.Y), pg.pt(r.Max.X), pg.pt(r.Max.Y)}
}

func (pg *page) piece(r image.Rectangle, m ocr.Mode) int {
	pg.pieces = append(pg.pieces, ocr.Region{Rect: r, Mode: m})
	return len(pg.pieces) - 1
}

// readPage reads one page: its pieces read and read again, its blocks
// laid out but not assembled, which waits for the document's marks to be
// decided.
func readPage(ctx context.Context, img image.Image, dpi float64, no int, opts Options, ps *printSet) (*page, []blockLay, error) {
	g := grayDropColour(img)
	if dpi <= 0 {
		// A4 is 8.27 inches wide; forms are A4.
		dpi = float64(min(g.Rect.Dx(), g.Rect.Dy())) / 8.27
	}
	g = resize(g, opts.WorkDPI/dpi)
	flat := flatten(g, int(opts.WorkDPI/4))
	// The copier's black frame at the sheet's edges would be ink in every
	// row and column: text lines would run the page's height.
	whiteEdges(flat, paramsFor(opts.WorkDPI).margin)
	bin := binarise(flat)
	// Straighten first: on a page still skewed by a degree a full-width
	// line drifts by more than its own height, so the orientation test
	// finds no clean text lines and must not decide on what it has. The
	// skew of a page is the same read upright or upside down.
	if a := skewAngle(bin); a != 0 {
		flat = rotate(flat, a)
		bin = binarise(flat)
	}
	// Nearly every page lies upright: it is read as it lies, and its
	// orientation tested only when it does not read clearly, which
	// spares the test's own reading on every other page.
	pg := newPage(no, opts.WorkDPI, ps)
	pg.witness, pg.engine = opts.Witness, opts.Engine
	var lay []blockLay
	if !onSide(bin) {
		var conf float64
		var err error
		if lay, conf, err = pg.read(ctx, clone(flat), bin.clone(), opts.OCR); err != nil {
			return nil, nil, err
		}
		if conf >= uprightConf {
			return pg, lay, pg.finish(ctx, lay, opts.OCR)
		}
	}
	g, b, err := orient(ctx, flat, bin, pg, opts.OCR)
	if err != nil {
		return nil, nil, err
	}
	if g != flat || lay == nil {
		pg = newPage(no, opts.WorkDPI, ps)
		pg.witness, pg.engine = opts.Witness, opts.Engine
		if lay, _, err = pg.read(ctx, g, b, opts.OCR); err != nil {
			return nil, nil, err
		}
	}
	return pg, lay, pg.finish(ctx, lay, opts.OCR)
}

// uprightConf is the mean confidence of a page's Chinese lines above which
// it reads clearly as it lies: text upside down or on its side reads far
// below it, a clean page at 0.9 and a rough scan at 0.8.
const uprightConf = 0.7

func newPage(no int, dpi float64, ps *printSet) *page {
	return &page{no: no, dpi: dpi, p: paramsFor(dpi), em: int(10.5 / 72 * dpi), print: ps, forms: anyForm}
}

// read finds the page's tables and text lines on the upright, straight
// page g (binarised: b) and reads them once. It returns the layout and the
// mean confidence of the lines that read as Chinese (0 if none do). g and
// b are changed: rules are erased from them.
func (pg *page) read(ctx context.Context, g *image.Gray, b *bitmap, rec Recognizer) ([]blockLay, float64, error) {
	pg.gray, pg.bin = g, b
	hs, vs := findRules(b, pg.p)
	tables := findTables(hs, vs, pg.p, b.w)
	pg.clearRules(g, b, hs, vs, tables)
	pg.seals = clearSeals(g, b, pg.light, pg.dpi, pg.em)

	lay := pg.layout(tables)
	if len(pg.pieces) == 0 {
		return lay, 0, nil
	}
	if err := pg.readPieces(ctx, lay, rec); err != nil {
		return nil, 0, err
	}
	return lay, chineseConf(pg.res), nil
}

// clearRules erases from g and b the rules of the tables and the
// underlines of blanks (the cover's), nothing else: a large heading's
// strokes can pass for a short rule, but unlike an underline they have ink
// under them. It sets pg.light.
func (pg *page) clearRules(g *image.Gray, b *bitmap, hs, vs []seg, tables []gridTable) {
	inTable := func(x, y int) bool {
		for _, t := range tables {
			if image.Pt(x, y).In(t.rect.Inset(-pg.p.tol)) {
				return true
			}
		}
		return false
	}
	var ths, tvs []seg
	for _, h := range hs {
		if inTable((h.a+h.b)/2, h.pos) || h.b-h.a > 3*pg.p.minLenH || underline(h, b) {
			ths = append(ths, h)
		}
	}
	// A vertical inside a table is a rule only where it meets one: a
	// signature's tall stroke (the 丨 of 叶, written large in its cell)
	// passes for a short vertical rule, and erasing it cuts the glyph.
	// Segments that line up with one that meets a rule belong to it (a
	// faded rule broken into pieces).
	meets := func(v seg) bool {
		for _, h := range ths {
			if v.pos >= h.a-pg.p.tol && v.pos <= h.b+pg.p.tol &&
				(abs(h.pos-v.a) <= pg.p.tol || abs(h.pos-v.b) <= pg.p.tol || h.pos > v.a && h.pos < v.b) {
				return true
			}
		}
		return false
	}
	var inner []seg
	for _, v := range vs {
		if inTable(v.pos, (v.a+v.b)/2) {
			inner = append(inner, v)
		}
	}
	var at []int
	for _, v := range inner {
		if meets(v) {
			at = append(at, v.pos)
		}
	}
	for _, v := range inner {
		for _, x := range at {
			if abs(v.pos-x) <= pg.p.tol {
				tvs = append(tvs, v)
				break
			}
		}
	}
	eraseRules(g, b, ths, tvs)
	pg.light = binariseAt(g, markCut)
	// A hairline underline copied at 200 dpi is lighter than ink in
	// places and only partly found above: look for it again at the mark
	// threshold.
	var lhs []seg
	for _, h := range findHRules(pg.light, pg.p) {
		if !inTable((h.a+h.b)/2, h.pos) && underline(h, pg.light) {
			lhs = append(lhs, h)
		}
	}
	eraseRules(g, pg.light, lhs, nil, b)
}

// finish reads again what a second reading may improve, and lets go of
// what assembling the page does not need.
func (pg *page) finish(ctx context.Context, lay []blockLay, rec Recognizer) error {
	if len(pg.pieces) > 0 {
		// The value recogniser reads first: a value it and Tesseract's
		// first reading agree on is settled, and Tesseract's second
		// readings of it (enlarged digits, its end, its tail) could only
		// take that agreement away (they were 7 % of a 150-dpi scan's
		// CPU).
		pg.prose = pg.proseLines(lay)
		if err := pg.settleProse(ctx, rec); err != nil {
			return err
		}
		vals, err := pg.readValues(ctx, lay)
		if err != nil {
			return err
		}
		settled := vals.agreed(pg)
		if settled == nil {
			settled = map[int]bool{}
		}
		for i := range pg.byPP {
			settled[i] = true
		}
		if err := pg.reread(ctx, rec, settled); err != nil {
			return err
		}
		pg.judgeNumbers()
		vals.settle(pg)
	}
	pg.gray, pg.light, pg.faint = nil, nil, nil
	return nil
}

// proseChars is the least a cell holds, read, to be a long answer: the
// longest values (a list of three platforms' names) hold about 45
// characters, the shortest answers asked for 100 or more.
const proseChars = 64

// proseLine is the fewest characters of a long answer's line read as
// the answer's: a shorter one may be a date or a name under the answer,
// read as values are.
const proseLine = 12

// proseLines returns the pieces of the table cells that hold a long
// answer: three lines or more, proseChars characters or more as read,
// none of them taken from print.
// Those answers are measured by their characters and flagged by their own
// confidence: PP-OCR reads them alone (prose.go) and no second reading
// witnesses them, as one does the values (readValues).
func (pg *page) proseLines(lay []blockLay) map[int]bool {
	out := map[int]bool{}
	for _, c := range tableCells(lay) {
		var pieces []int
		chars := 0
		fromPrint := false
		for _, l := range c.lines {
			p := l.piece
			if p < 0 && pg.asText[l.whole] {
				p = l.whole // its marks did not stand: a line of text
			}
			if p < 0 {
				continue
			}
			pieces = append(pieces, p)
			fromPrint = fromPrint || pg.fromPrint[p] && !pg.remarks[p]
			for _, tl := range pg.res[p].Lines {
				chars += utf8.RuneCountInString(strings.Join(strings.Fields(tl.Text), ""))
			}
		}
		// A cell print completed is a label, however long (集群内
		// 中小企业有效发明专利拥有量（包括…）): taken for an answer, its
		// lines were read by PP-OCR over the print.
		if len(pieces) < 3 || chars < proseChars || fromPrint {
			continue
		}
		for _, p := range pieces {
			if pg.remarks[p] {
				continue
			}
			// A short line, or one holding a colon, may be a value
			// written under the answer (签字：余秀英, a date): it is
			// read as values are. Short by its ink too: a date
			// under a seal reads as a dozen characters of clutter.
			if t := pg.res[p].Lines; len(t) > 0 && !strings.ContainsAny(t[0].Text, "：:") && utf8.RuneCountInString(t[0].Text) >= proseLine && pg.pieces[p].Rect.Dx() >= proseLine*pg.em {
				out[p] = true
			}
		}
	}
	return out
}

// output assembles the page's blocks, once its marks are decided.
func (pg *page) output(lay []blockLay) *pageOut {
	out := &pageOut{
		size:   shenbao.PageSize{Width: pg.pt(pg.bin.w), Height: pg.pt(pg.bin.h)},
		blocks: pg.assemble(lay),
	}
	for _, b := range lay {
		if b.table != nil && !b.table.nested {
			if b.table == firstTable(lay) {
				out.openTop = b.table.t.openTop
			}
			out.openBottom = b.table.t.openBottom
		}
	}
	return out
}

// chineseConf is the mean confidence of the lines in res that read as
// Chinese: a table rule of a page on its side reads as a sure "|", and
// digits read about as well upside down, so only Chinese says how a page
// lies.
func chineseConf(res []ocr.Result) float64 {
	sum, n := 0.0, 0
	for _, r := range res {
		for _, l := range r.Lines {
			if hanCount(l.Text) < 2 {
				continue
			}
			sum += l.Conf
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// reread reads pieces again where a second reading may do better and keeps
// the surer one: every piece whose text looks numeric, with the digit
// whitelist; every piece read empty or unsure, as a raw line, which reads
// short lines (a two-character name) that the line mode misses. Numbers
// also get a reading by the digit model (ocr.Digits), kept beside the
// text as Line.Digits: a second opinion the mapper weighs; and dates
// have their numbers read by it.
func (pg *page) reread(ctx context.Context, rec Recognizer, settled map[int]bool) error {
	idx, secondRegs := unsettled(settled, 1)(pg.secondReadings())
	alt, digitRegs := unsettled(settled, 1)(pg.digitReadings(idx, secondRegs))
	dated, dateRegs := unsettled(settled, 3)(pg.dateReadings())
	tails, tailRegs := unsettled(settled, 1)(pg.tailReadings())
	ends, endRegs := unsettled(settled, 2)(pg.endReadings())
	// All in one call, so that the pool reads them in parallel; each
	// kind's results start at its offset.
	var regs []ocr.Region
	at := func(rs []ocr.Region) int {
		n := len(regs)
		regs = append(regs, rs...)
		return n
	}
	nsecond, ndigit, ndate, ntail, nend := at(secondRegs), at(digitRegs), at(dateRegs), at(tailRegs), at(endRegs)
	if len(regs) == 0 {
		return nil
	}
	res, err := rec.Page(ctx, pg.gray, regs)
	if err != nil {
		return err
	}
	pg.digits = map[int]digitReading{}
	for k, i := range alt {
		if r := res[ndigit+k]; len(r.Lines) == 1 && numericLike(r.Lines[0].Text) {
			pg.digits[i] = digitReading{r.Lines[0], regs[ndigit+k].Rect}
		}
	}
	// A line read anew as a whole is not also added to at its end.
	replaced := map[int]bool{}
	for k, i := range idx {
		r := res[nsecond+k]
		if len(r.Lines) == 0 {
			continue
		}
		// The enlarged digit reading is the better one unless Tesseract
		// is clearly less sure of it.
		margin := 0.02
		if regs[nsecond+k].Mode == ocr.Numeric {
			margin = 0.15
		}
		if len(pg.res[i].Lines) == 0 || minConf(r)+margin >= minConf(pg.res[i]) {
			pg.res[i], replaced[i] = r, true
		}
	}
	for k, i := range tails {
		// Read in context, a wrapped character must also read surer
		// than it did alone.
		if r := res[ntail+k]; len(r.Lines) > 0 && (len(pg.res[i].Lines) == 0 || minConf(r) > minConf(pg.res[i])+0.1) {
			pg.res[i], replaced[i] = r, true
		}
	}
	for k, i := range ends {
		// Only a sure reading of the rest is added; an unsure one
		// leaves the line flagged as not wholly read (see unread).
		r := res[nend+2*k]
		if alt := res[nend+2*k+1]; len(r.Lines) == 0 || (len(alt.Lines) > 0 && minConf(alt) > minConf(r)) {
			r = alt
		}
		if replaced[i] || len(r.Lines) != 1 || minConf(r) < 0.8 || len(pg.res[i].Lines) != 1 {
			continue
		}
		l, more := &pg.res[i].Lines[0], r.Lines[0]
		l.Text += more.Text
		l.Rereads = append(l.Rereads, more.Rereads...)
		l.Rect = l.Rect.Union(more.Rect)
		l.Conf, l.Low = min(l.Conf, more.Conf), min(l.Low, more.Low)
	}
	for n, i := range dated {
		d, conf, ok := composeDate(res[ndate+3*n : ndate+3*n+3])
		if l := &pg.res[i].Lines[0]; ok && strings.ReplaceAll(l.Text, " ", "") != d {
			// Where a clean reading differs, a reviewer decides.
			if dateRE.MatchString(l.Text) {
				conf = min(conf, 0.6)
			}
			l.Text, l.Conf, l.Low, l.Rereads = d, conf, conf, nil
		}
	}
	return nil
}

// noteTails records the lines of a cell that hold no more than a wrapped
// character or two (个, 。) under a full line: alone, Tesseract's line
// model reads such a glyph as nothing like itself.
func (pg *page) noteTails(ls []lineLay) {
	for k := 1; k < len(ls); k++ {
		prev, l := ls[k-1], ls[k]
		if prev.piece < 0 || l.piece < 0 || l.rect.Dx() > 3*pg.em || prev.rect.Dx() < 4*pg.em {
			continue
		}
		if pg.follows == nil {
			pg.follows = map[int]int{}
		}
		pg.follows[l.piece] = prev.piece
	}
}

// unsettled filters a list of pieces to read again, with per regions
// for each, to those not in settled.
func unsettled(settled map[int]bool, per int) func([]int, []ocr.Region) ([]int, []ocr.Region) {
	return func(idx []int, regs []ocr.Region) ([]int, []ocr.Region) {
		if len(settled) == 0 {
			return idx, regs
		}
		var oi []int
		var or []ocr.Region
		for k, i := range idx {
			if !settled[i] {
				oi = append(oi, i)
				or = append(or, regs[per*k:per*(k+1)]...)
			}
		}
		return oi, or
	}
}

// tailReadings lists the short lines read unsure that continue a line
// above, to be read again after that line's last characters (the
// context that tells 个 from 唉).
func (pg *page) tailReadings() ([]int, []ocr.Region) {
	var idx []int
	var regs []ocr.Region
	for i, p := range pg.follows {
		if r := pg.res[i]; pg.settled(i) || len(r.Lines) > 0 && minConf(r) >= 0.6 {
			continue
		}
		before := pg.pieces[p].Rect
		before.Min.X = max(before.Min.X, before.Max.X-8*pg.em)
		idx = append(idx, i)
		regs = append(regs, ocr.Region{Rect: pg.pieces[i].Rect, Mode: ocr.Line, Before: before})
	}
	return idx, regs
}

// endReadings lists the lines whose last characters were left unread
// (ink beyond what Tesseract returned: the 国 of a line ending "、国"),
// to read that ink again, twice: alone, which reads a box-like 国 that
// the line model drops after a gap — as one character where the ink is
// no wider than one, or the line model drops it again —, and after the
// line's end, which reads what alone is no character at all. Two regions
// per line.
func (pg *page) endReadings() ([]int, []ocr.Region) {
	var idx []int
	var regs []ocr.Region
	for i, r := range pg.res {
		p := pg.pieces[i]
		if len(r.Lines) != 1 || p.Mode != ocr.Line || pg.fromPrint[i] {
			continue
		}
		read := r.Lines[0].Rect
		if 2*(p.Rect.Max.X-read.Max.X) <= p.Rect.Dy() {
			continue
		}
		rest := image.Rect(read.Max.X, p.Rect.Min.Y, p.Rect.Max.X, p.Rect.Max.Y)
		before := image.Rect(max(p.Rect.Min.X, read.Max.X-8*pg.em), p.Rect.Min.Y, read.Max.X, p.Rect.Max.Y)
		alone := ocr.Line
		if oneChar(rest) {
			alone = ocr.Char
		}
		idx = append(idx, i)
		regs = append(regs, ocr.Region{Rect: rest, Mode: alone}, ocr.Region{Rect: rest, Mode: ocr.Line, Before: before})
	}
	return idx, regs
}

// oneChar says whether a piece of one line is no wider than one character
// with its margins: Tesseract's character mode reads it, its line modes
// may return nothing.
func oneChar(r image.Rectangle) bool { return r.Dx() < r.Dy()*8/5 }

// secondReadings lists the pieces to read again in another mode, and how.
func (pg *page) secondReadings() ([]int, []ocr.Region) {
	var idx []int
	var regs []ocr.Region
	for i, r := range pg.res {
		switch {
		case pg.settled(i):
		case len(r.Lines) == 1 && (numericLike(r.Lines[0].Text) || (r.Lines[0].Conf < 0.9 && shortOdd(r.Lines[0].Text))):
			idx = append(idx, i)
			regs = append(regs, ocr.Region{Rect: pg.pieces[i].Rect, Mode: ocr.Numeric, Scale: 2})
		case len(r.Lines) == 0 || minConf(r) < 0.6:
			idx = append(idx, i)
			m, rect := ocr.RawLine, pg.pieces[i].Rect
			if oneChar(rect) {
				m = ocr.Char
			}
			regs = append(regs, ocr.Region{Rect: rect, Mode: m})
		}
	}
	return idx, regs
}

// digitReadings lists the pieces the digit model reads too: those read
// again as numbers (in idx, with the digit whitelist), and short pieces
// that read as one or two characters that are not a number, as an unsure
// line or as nothing — a number the Chinese model took for characters (3
// as 昌, 1 as 工, 13 个 as 五区Y) or missed — or as digits with a character
// among them (95汉8). A count's unit (13 个) is left out of the region.
func (pg *page) digitReadings(idx []int, second []ocr.Region) ([]int, []ocr.Region) {
	var alt []int
	seen := map[int]bool{}
	for k, i := range idx {
		if second[k].Mode == ocr.Numeric {
			alt = append(alt, i)
			seen[i] = true
		}
	}
	for i, r := range pg.res {
		if seen[i] || pg.settled(i) || pg.pieces[i].Rect.Dx() > 4*pg.em || pg.pieces[i].Mode != ocr.Line {
			continue
		}
		if len(r.Lines) == 0 {
			alt = append(alt, i)
			continue
		}
		t, short := r.Lines[0].Text, pg.pieces[i].Rect.Dx() <= 3*pg.em
		if len(r.Lines) == 1 && !numericLike(t) && (short && (utf8.RuneCountInString(t) <= 2 || r.Lines[0].Conf < 0.6) || brokenNumber(t)) {
			alt = append(alt, i)
		}
	}
	regs := make([]ocr.Region, len(alt))
	for k, i := range alt {
		rect := pg.pieces[i].Rect
		if len(pg.res[i].Lines) == 1 && unitOrJunk(pg.res[i].Lines[0].Text) {
			if cut, ok := beforeUnit(pg.bin, rect, pg.em); ok {
				rect = cut
			}
		}
		regs[k] = ocr.Region{Rect: rect, Mode: ocr.Digits, Scale: 2}
	}
	return alt, regs
}

// dateReadings lists the dates written with spaces (2024 年 3 月 16 日:
// six glyphs apart) and the regions of their three numbers, for the digit
// model: a seal stamped over a date makes the Chinese model read 16 as 36
// or 10 as 厅.
func (pg *page) dateReadings() ([]int, []ocr.Region) {
	var dated []int
	var regs []ocr.Region
	for i, r := range pg.res {
		if len(r.Lines) != 1 || pg.fromPrint[i] || !dateLike(r.Lines[0].Text) {
			continue
		}
		if g, ok := dateGroups(pg.bin, pg.pieces[i].Rect, pg.em); ok {
			dated = append(dated, i)
			regs = append(regs,
				ocr.Region{Rect: g[0], Mode: ocr.Digits, Scale: 2},
				ocr.Region{Rect: g[2], Mode: ocr.Digits, Scale: 2},
				ocr.Region{Rect: g[4], Mode: ocr.Digits, Scale: 2})
		}
	}
	return dated, regs
}

// shortOdd: one or two characters that are not Chinese — often a lone
// digit Tesseract took for a letter or a bar (9 read as Q, 1 as |).
func shortOdd(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return false
		}
		n++
	}
	return n > 0 && n <= 2
}

func minConf(r ocr.Result) float64 {
	c := 1.0
	for _, l := range r.Lines {
		c = min(c, l.Conf)
	}
	return c
}

// orient puts the page upright. Upright and upside down are told apart
// by reading the same physical lines both ways (the widest lines of
// body-text height found in either direction): a sample chosen in one
// direction only can be a row of digits, which reads as well either way,
// or nothing at all on a page of tables. Quarter turns are tried when the
// ink profile says the page lies on its side, or when neither 0° nor 180°
// reads clearly. g must be straightened already.
func orient(ctx context.Context, g *image.Gray, b *bitmap, pg *page, rec Recognizer) (*image.Gray, *bitmap, error) {
	if onSide(b) {
		return orientTurns(ctx, g, b, pg, rec, []int{1, 3, 2})
	}
	// The page turned over, as a bitmap first: binarising is per pixel,
	// so this is exactly the binarised turned page, at a copy's cost; the
	// gray page is turned only if it has to be read.
	b2 := upsideDown(b)
	w, h := b.w, b.h
	flip := func(r image.Rectangle) image.Rectangle { return image.Rect(w-r.Max.X, h-r.Max.Y, w-r.Min.X, h-r.Min.Y) }
	rects := sampleRects(b, pg)
	for _, r := range sampleRects(b2, pg) {
		rects = append(rects, flip(r))
	}
	rects = widestDistinct(rects, 4)
	if len(rects) == 0 {
		return g, b, nil // nothing to read: nothing says it is not upright
	}
	conf0, err := readConf(ctx, g, rects, pg, rec)
	if err != nil || conf0 >= 0.7 {
		return g, b, err
	}
	flipped := make([]image.Rectangle, len(rects))
	for k, r := range rects {
		flipped[k] = flip(r)
	}
	g2 := rotate90(g, 2)
	conf2, err := readConf(ctx, g2, flipped, pg, rec)
	if err != nil {
		return nil, nil, err
	}
	// A turn must read clearly and clearly better: a wrong turn ruins
	// the page.
	if conf2 >= 0.7 && conf2 > conf0+0.25 {
		return g2, b2, nil
	}
	if max(conf0, conf2) >= 0.5 {
		return g, b, nil
	}
	return orientTurns(ctx, g, b, pg, rec, []int{1, 3})
}

// upsideDown returns b turned by 180°.
func upsideDown(b *bitmap) *bitmap {
	out := &bitmap{w: b.w, h: b.h, pix: make([]bool, len(b.pix))}
	for i, v := range b.pix {
		out.pix[len(b.pix)-1-i] = v
	}
	return out
}

// orientTurns tries the given turns of a page that does not read upright
// and keeps the first that reads clearly and clearly better.
func orientTurns(ctx context.Context, g *image.Gray, b *bitmap, pg *page, rec Recognizer, turns []int) (*image.Gray, *bitmap, error) {
	bestConf, err := readConf(ctx, g, widestDistinct(sampleRects(b, pg), 3), pg, rec)
	if err != nil || bestConf >= 0.7 {
		return g, b, err
	}
	for _, q := range turns {
		gg := rotate90(g, q)
		bb := binarise(gg)
		conf, err := readConf(ctx, gg, widestDistinct(sampleRects(bb, pg), 3), pg, rec)
		if err != nil {
			return nil, nil, err
		}
		if conf >= 0.7 && conf > bestConf+0.25 {
			return gg, bb, nil
		}
	}
	return g, b, nil
}

// sampleRects returns the lines of body-text height wider than four
// characters.
func sampleRects(b *bitmap, pg *page) []image.Rectangle {
	var ok []image.Rectangle
	for _, l := range lineRects(b, image.Rect(0, 0, b.w, b.h), nil, pg.em/3, 3*pg.em) {
		if l.Dy() >= pg.em*2/3 && l.Dy() <= pg.em*3/2 && l.Dx() > 4*pg.em {
			ok = append(ok, l)
		}
	}
	return ok
}

// widestDistinct returns up to n of rects, widest first, skipping any that
// overlaps one already taken (the same line found in both directions).
func widestDistinct(rects []image.Rectangle, n int) []image.Rectangle {
	sort.SliceStable(rects, func(i, j int) bool { return rects[i].Dx() > rects[j].Dx() })
	var out []image.Rectangle
	for _, r := range rects {
		if len(out) == n {
			break
		}
		if !slices.ContainsFunc(out, func(o image.Rectangle) bool { return o.Overlaps(r) }) {
			out = append(out, r)
		}
	}
	return out
}

// readConf reads both ends of each of rects (ten characters each: a
// table row's label, and its value or a run of text) and returns the mean
// line confidence. Both ends are read, so that the same characters are
// read when the rects are turned upside down.
func readConf(ctx context.Context, g *image.Gray, rects []image.Rectangle, pg *page, rec Recognizer) (float64, error) {
	if len(rects) == 0 {
		return 0, nil
	}
	var regs []ocr.Region
	for _, l := range rects {
		if l.Dx() <= 10*pg.em {
			regs = append(regs, ocr.Region{Rect: l, Mode: ocr.Line})
			continue
		}
		left, right := l, l
		left.Max.X = l.Min.X + 10*pg.em
		right.Min.X = l.Max.X - 10*pg.em
		regs = append(regs, ocr.Region{Rect: left, Mode: ocr.Line}, ocr.Region{Rect: right, Mode: ocr.Line})
	}
	res, err := rec.Page(ctx, g, regs)
	if err != nil {
		return 0, fmt.Errorf("orientation: %w", err)
	}
	return chineseConf(res), nil
}

// lineLay is a text line to read: either one piece, or, on a line with
// option boxes, pieces between the boxes.
type lineLay struct {
	rect  image.Rectangle
	segs  []segLay
	piece int // -1 when split into segs
	// whole is the line read whole besides its segments, when its marks
	// are tentative; -1 if not.
	whole int
}

// segLay is an option on a line: its mark and the text after it (piece).
type segLay struct {
	mark  *mark
	rect  image.Rectangle
	piece int // -1 when the option has no text
}

type cellLay struct {
	cell   gridCell
	inner  image.Rectangle
	lines  []lineLay
	nested []*tableLay
}

type tableLay struct {
	t      gridTable
	cells  []*cellLay
	nested bool
}

func firstTable(bs []blockLay) *tableLay {
	for _, b := range bs {
		if b.table != nil {
			return b.table
		}
	}
	return nil
}

// blockLay is a page block before OCR: a table or a paragraph's lines.
type blockLay struct {
	y     int
	table *tableLay
	lines []lineLay
}

func (pg *page) layout(tables []gridTable) []blockLay {
	// Nest tables that lie inside a cell of another table.
	lays := make([]*tableLay, len(tables))
	for i := range tables {
		lays[i] = &tableLay{t: tables[i]}
	}
	nestedIn := make([]int, len(tables))
	cellOf := make([]int, len(tables))
	for i := range tables {
		nestedIn[i] = -1
		for j := range tables {
			if i == j {
				continue
			}
			for k, c := range tables[j].cells {
				if tables[i].rect.In(c.rect.Inset(-pg.p.tol)) && tables[i].rect != tables[j].rect {
					nestedIn[i], cellOf[i] = j, k
				}
			}
		}
	}
	var blocks []blockLay
	var marks []*mark
	for i, tl := range lays {
		for _, c := range tl.t.cells {
			// Just inside the (erased) rules: small type in a tight
			// cell comes within a millimetre of them.
			cl := &cellLay{cell: c, inner: c.rect.Inset(pg.p.maxLine/2 + 1)}
			tl.cells = append(tl.cells, cl)
		}
		if nestedIn[i] < 0 {
			blocks = append(blocks, blockLay{y: tl.t.rect.Min.Y, table: tl})
		}
	}
	for i, tl := range lays {
		if nestedIn[i] >= 0 {
			tl.nested = true
			outer := lays[nestedIn[i]].cells[cellOf[i]]
			outer.nested = append(outer.nested, tl)
		}
	}
	// Measure the body text's line height from the cells: forms set it
	// smaller or larger than the nominal 10.5 pt, and stacked options
	// must be cut at that height.
	// Lines of stacked options a pen ticked throughout run together (a
	// tick rising into the line above bridges the gap): a run two lines
	// tall is no line's height.
	var hs []float64
	for _, tl := range lays {
		for _, cl := range tl.cells {
			for _, r := range lineRects(pg.bin, cl.inner, nil, max(3, pg.em/4), 3*pg.em) {
				if r.Dy() <= pg.em*3/2 {
					hs = append(hs, float64(r.Dy()))
				}
			}
		}
	}
	lineH := pg.em
	if m := int(median(hs)); m >= pg.em/2 && m <= pg.em*3/2 {
		lineH = m
	}
	for _, tl := range lays {
		for _, cl := range tl.cells {
			var mask []image.Rectangle
			for _, n := range cl.nested {
				mask = append(mask, n.t.rect.Inset(-pg.p.tol))
			}
			// Options sit in value cells; the label column holds
			// characters such as 属 or 国 whose frame can pass for a box.
			withMarks := cl.cell.c0 > 0 || len(tl.t.xs) == 2
			cl.lines, marks = pg.layLines(cl.inner, mask, lineH*3/2, withMarks, marks)
			pg.noteTails(cl.lines)
		}
	}
	// Paragraphs: the page's ink outside tables.
	outside := &bitmap{w: pg.bin.w, h: pg.bin.h, pix: append([]bool(nil), pg.bin.pix...)}
	for _, t := range tables {
		r := t.rect.Inset(-pg.p.tol).Intersect(image.Rect(0, 0, outside.w, outside.h))
		for y := r.Min.Y; y < r.Max.Y; y++ {
			clear(outside.pix[y*outside.w+r.Min.X : y*outside.w+r.Max.X])
		}
	}
	saved := pg.bin
	pg.bin = outside
	// Headings and the cover's title are set larger than body text.
	// Options live in table cells; outside them a box-like 日 or 口 at a
	// line's end is a character.
	plines, marks := pg.layLines(image.Rect(0, 0, outside.w, outside.h), nil, pg.em*3, false, marks)
	pg.bin = saved
	for _, l := range plines {
		blocks = append(blocks, blockLay{y: l.rect.Min.Y, lines: []lineLay{l}})
	}
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].y < blocks[j].y })
	pg.marks = marks
	return blocks
}

// layLines finds the text lines of r (cutting runs taller than maxH, which
// are lines that touch) and the option boxes on them, and registers the
// OCR pieces.
func (pg *page) layLines(r image.Rectangle, mask []image.Rectangle, maxH int, withMarks bool, marks []*mark) ([]lineLay, []*mark) {
	rects := lineRects(pg.bin, r, mask, max(3, pg.em/4), maxH)
	var out []lineLay
	// Options show at least one box — an empty □ or a solid ■ — so a
	// region without one holds no options, and a lone box-like shape
	// there is a character such as 国 or 回.
	// When every option is ticked with √ no box is left, but then there
	// are several ticks.
	cellHasBox := false
	found := make([][]mark, len(rects))
	inked := 0
	if withMarks {
		rects = joinSlivers(pg.light, rects, pg.em)
		found = make([][]mark, len(rects))
		ticks := 0
		for i, lr := range rects {
			// A pen tick rising from its box makes the line so tall
			// that it is cut in two across the box: boxes are looked
			// for half a line above and below it, from the cell's left
			// edge (a box too faint to be ink at the reading threshold
			// does not start the line), and kept by the line that holds
			// their middle. A sliver of a line is measured at the
			// cell's line height.
			em := min(lr.Dy(), pg.em*5/4)
			if lh := maxH * 2 / 3; em < lh {
				em = min(lh, pg.em*5/4)
			}
			band := image.Rect(r.Min.X, lr.Min.Y-em/2, lr.Max.X, lr.Max.Y+em/2).Intersect(r)
			found[i] = findMarksIn(pg.gray, pg.bin, pg.light, band, lr, em, pg.em)
		}
		found = dropOverlapping(found)
		rects, found = joinCutLines(rects, found)
		alignedBoxes(pg.gray, pg.light, r, rects, found)
		if pg.faint == nil {
			pg.faint = binariseAt(pg.gray, faintCut)
		}
		for i, lr := range rects {
			found[i] = faintBoxes(pg.gray, pg.bin, pg.faint, r, lr, pg.em, found[i])
			found[i] = faintMarkedBoxes(pg.gray, pg.bin, pg.faint, r, lr, pg.em, found[i])
		}
		keepGroupedPens(rects, found, pg.em)
		rects, found = splitStacked(rects, found)
		var clearBoxes, others []image.Rectangle
		for i := range rects {
			for _, m := range found[i] {
				switch {
				// A faint box does not open the cell to marks: on a
				// copy faint enough to need it, a dense character at a
				// line's start (建) passes for a closed box too.
				case m.kind == markEmpty && !m.pen && !m.faint && m.fill < clearlyEmpty, m.kind == markFilled:
					clearBoxes = append(clearBoxes, m.rect)
				case m.kind == markTick:
					ticks++
					inked++
					others = append(others, m.rect)
				case m.kind == markEmpty:
					inked++
					others = append(others, m.rect)
				}
			}
		}
		cellHasBox = groupedBox(clearBoxes, others, pg.em) || ticks >= 2
		if len(clearBoxes) > 0 && !cellHasBox {
			// A lone box is tentative: a long answer's 国 or 回 at a
			// line's start, or an option alone in its cell, which the
			// words after it tell apart.
			inked++
		}
	}
	// A cell whose every box holds ink (a group ticked throughout with
	// ☑ or ☒), or whose one √ stands beside boxes too faint to be seen,
	// is laid out with its marks too, tentatively: 国 or 回 opening a
	// line of text looks the same. Its lines are also read
	// whole, and the marks stand only if the text after them opens a
	// printed phrase (see readLines).
	tentative := !cellHasBox && inked > 0
	for i, lr := range rects {
		// Slivers are what is left of a rule beside the erased band;
		// Tesseract cannot scale them and they hold no text.
		if lr.Dx() < 4 || lr.Dy() < 4 {
			continue
		}
		var ms []mark
		for _, m := range found[i] {
			if !(cellHasBox || tentative && (m.kind == markEmpty || m.kind == markTick)) {
				continue
			}
			// An option is a box and its words: a second "box" with no
			// room for words after the one before it is the option's
			// first character (非 at a copier's contrast), not a mark.
			if n := len(ms); n > 0 && m.rect.Min.X-ms[n-1].rect.Max.X <= pg.em/2 {
				continue
			}
			m.tentative = tentative
			ms = append(ms, m)
		}
		ms = dropTrailingMark(ms, lr, pg.em)
		if len(ms) == 0 {
			out = append(out, lineLay{rect: lr, piece: pg.piece(lr, ocr.Line), whole: -1})
			continue
		}
		ll := lineLay{rect: lr, piece: -1, whole: -1}
		if tentative {
			ll.whole = pg.piece(lr, ocr.Line)
		}
		if pre := image.Rect(lr.Min.X, lr.Min.Y, ms[0].rect.Min.X-1, lr.Max.Y); pre.Dx() > pg.em/2 {
			ll.segs = append(ll.segs, segLay{rect: pre, piece: pg.piece(pre, ocr.Line)})
		}
		for k := range ms {
			m := &ms[k]
			end := lr.Max.X
			if k+1 < len(ms) {
				end = ms[k+1].rect.Min.X - 1
			}
			s := segLay{mark: m, rect: image.Rect(m.rect.Max.X+1, lr.Min.Y, end, lr.Max.Y), piece: -1}
			if s.rect.Dx() > pg.em/2 {
				s.piece = pg.piece(s.rect, ocr.Line)
			}
			ll.segs = append(ll.segs, s)
			marks = append(marks, m)
		}
		out = append(out, ll)
	}
	return out, marks
}

// groupedBox says whether the clear boxes of a cell are options' boxes by
// their number alone: two or more (是/否, a group), or one with another
// mark — a tick, a faint or pen-drawn box — beside it on its line or in
// its column. One box alone is as likely a dense character opening a line
// of a long answer (国, 回): the cell's marks are then tentative.
func groupedBox(boxes, others []image.Rectangle, em int) bool {
	if len(boxes) != 1 {
		return len(boxes) > 1
	}
	b := boxes[0]
	for _, t := range others {
		sameLine := t.Min.Y < b.Max.Y && b.Min.Y < t.Max.Y
		if sameLine || abs(t.Min.X-b.Min.X) <= em {
			return true
		}
	}
	return false
}

// text returns a piece's text, its confidence and the confidence of its
// least sure word.
func (pg *page) text(piece int) (string, float64, float64) {
	t, conf, low, _ := pg.reading(piece)
	return t, conf, low
}

// reading is text with the words of the text that the reader's evidence
// says read otherwise (shenbao.Line.Rereads): the glyph boxes' (a digit
// read inside a per-cent sign) and the ink's (a decimal point dropped).
// The text stays as the recogniser read it: the corrections stage decides
// and records a repair.
func (pg *page) reading(piece int) (string, float64, float64, []shenbao.Reread) {
	if piece < 0 || piece >= len(pg.res) {
		return "", 1, 1, nil
	}
	var parts []string
	var rereads []shenbao.Reread
	conf, low := 1.0, 1.0
	for _, l := range pg.res[piece].Lines {
		parts = append(parts, l.Text)
		rereads = append(rereads, l.Rereads...)
		conf = min(conf, l.Conf)
		low = min(low, l.Low)
	}
	if len(parts) == 0 {
		return "", 0, 0, nil
	}
	t := tidy(strings.Join(parts, " "))
	if pg.engineOf(piece) != ocr.EngineTesseract {
		// Settled by the value recogniser (witness.go): the ink's check
		// is for Tesseract's habits.
		conf, low = pg.sealCap(piece, conf, low)
		return t, max(conf, 0.01), max(low, 0.01), rereads
	}
	conf, low = pg.sealCap(piece, conf, low)
	// Zero means "not rated" in Content (text layers); a reading Tesseract
	// rated zero must still show as doubtful.
	conf, low = max(conf, 0.01), max(low, 0.01)
	// The point the ink shows is not put back (the ink_point rule was
	// retired: on the held-out scans read by Tesseract alone its two
	// repairs broke right values); a number the ink disagrees with is
	// doubted.
	_, conf, low = pg.checkNumber(pg.pieces[piece].Rect, t, conf, low)
	return t, conf, low, rereads
}

// unread says whether a piece has ink left or right of what was read
// wider than half its height: a character Tesseract dropped at either end
// of a line (the 国 of …分中心、国 at a wrap), which no confidence shows.
// Only for a whole line's piece, which is trimmed to its ink, so that the
// margin is ink, not paper (an option's piece runs to the next box).
func (pg *page) unread(piece int) bool {
	ls := pg.res[piece].Lines
	r := pg.pieces[piece].Rect
	if len(ls) != 1 || pg.pieces[piece].Mode == ocr.Text {
		return false
	}
	read := ls[0].Rect
	return 2*(read.Min.X-r.Min.X) > r.Dy() || 2*(r.Max.X-read.Max.X) > r.Dy()
}

// checkNumber holds a number read in r against the ink (checkDigits):
// it returns t as the ink reads it (a decimal point OCR lost put back: the
// caller's evidence, see reading), and takes the confidence down when the
// digits read do not match the digits printed.
func (pg *page) checkNumber(r image.Rectangle, t string, conf, low float64) (string, float64, float64) {
	// A number with its unit written after it (7.50 亿元): the number's
	// ink is the piece's before the unit's.
	if num, ems, ok := numberThenUnit(t); ok {
		cut, ok := beforeWords(pg.bin, r, pg.em, ems)
		if !ok {
			return t, conf, low
		}
		fixed, conf, low := pg.checkNumber(cut, num, conf, low)
		return fixed + t[len(num):], conf, low
	}
	fixed, ok := checkDigits(pg.bin, r, t)
	if !ok {
		return t, min(conf, 0.5), min(low, 0.5)
	}
	return fixed, conf, low
}
