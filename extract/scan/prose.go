package scan

import (
	"context"
	"image"
	"slices"
	"strings"

	"github.com/shenbao/shenbao/extract/ocr"
)

// The long answers are read by the value recogniser, PP-OCR, not by
// Tesseract: PP-OCR misreads fewer of their characters (平台 read as 乎台,
// 覆盖 as 履盖, a place's name misread throughout an application were
// Tesseract's), and a line costs it about what it cost Tesseract. Which
// lines are an answer's is told in two steps. Before reading, by shape:
// the later lines of a cell of three lines or more (answerLines), and of a
// cell whose first line, read by Tesseract with the page's first lines,
// opened no printed phrase (proseRoute). After reading, by what was read
// (proseLines): an answer's first line, read by Tesseract, is read again
// by PP-OCR; a line PP-OCR read that is no answer's (a signature or a date
// under it) is read by Tesseract after all and goes the values' way, read
// by both and witnessed (settleProse).

// answerLines lists the pieces of lines that may be a long answer's, to be
// read by PP-OCR at once: in a cell of three lines or more that holds no
// option box that stands, each plain line of proseLine ems or more but
// the cell's first, and none that print may complete (later). The first
// too where the cell is shaped as no label is (proseLines lines, one of
// proseEms ems): read by Tesseract, it would be read again by PP-OCR.
// Tentative lines are left to Tesseract: whether their marks stand is
// told from its glyphs.
func answerLines(lay []blockLay, later map[int]bool, em int) map[int]bool {
	out := map[int]bool{}
	for _, cl := range tableCells(lay) {
		if len(cl.lines) < 3 || slices.ContainsFunc(cl.lines, func(l lineLay) bool { return l.piece < 0 && l.whole < 0 }) {
			continue
		}
		from := 1
		if len(cl.lines) >= proseLines && slices.ContainsFunc(cl.lines, func(l lineLay) bool { return l.rect.Dx() >= proseEms*em }) {
			from = 0
		}
		for _, l := range cl.lines[from:] {
			if l.piece >= 0 && !later[l.piece] && l.rect.Dx() >= proseLine*em {
				out[l.piece] = true
			}
		}
	}
	return out
}

// proseRoute splits unread, the later lines of the cells whose first line
// opened no printed phrase, into those PP-OCR reads and the rest: a line
// of proseLine ems or more of a plain cell of three lines or more whose
// first line read as proseLine characters or more, or whose later lines
// hold proseChars ems of ink (an answer run on from the page before may
// open with its paragraph's last few words). None on a page that did not
// read clearly as it lies (conf, Tesseract's chineseConf of its first
// lines).
func (pg *page) proseRoute(groups []printGroup, unread []int, conf float64) (pp, rest []int) {
	if !pg.readsProse() || conf < uprightConf {
		return nil, unread
	}
	answer := map[int]bool{}
	for _, g := range groups {
		if len(g.later) < 2 {
			continue
		}
		if len([]rune(strings.ReplaceAll(pg.firstReading(g.first), " ", ""))) < proseLine && pg.inkEms(g.later) < proseChars {
			continue
		}
		for _, i := range g.later {
			answer[i] = true
		}
	}
	for _, i := range unread {
		if answer[i] && pg.pieces[i].Rect.Dx() >= proseLine*pg.em {
			pp = append(pp, i)
		} else {
			rest = append(rest, i)
		}
	}
	return pp, rest
}

// inkEms is how many ems wide the pieces idx are in all.
func (pg *page) inkEms(idx []int) int {
	w := 0
	for _, i := range idx {
		w += pg.pieces[i].Rect.Dx()
	}
	return w / max(1, pg.em)
}

// longReader is a LineReader that reads long lines in runs of their
// own (*ocr.PPOCR's ReadLong): an answer's line costs it a third less
// than four to a run.
type longReader interface {
	ReadLong(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error)
}

// readsProse says whether the page's long answers are read by PP-OCR.
func (pg *page) readsProse() bool {
	return pg.witness != nil && pg.engine != ocr.EngineTesseract
}

// readProse reads the pieces idx with PP-OCR into pg.res, each as one
// line, and marks them pg.byPP.
func (pg *page) readProse(ctx context.Context, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	rects := make([]image.Rectangle, len(idx))
	for k, i := range idx {
		rects[k] = pg.pieces[i].Rect
	}
	read := pg.witness.Read
	if lr, ok := pg.witness.(longReader); ok {
		read = lr.ReadLong
	}
	rs, err := read(ctx, pg.gray, rects)
	if err != nil {
		return err
	}
	if pg.byPP == nil {
		pg.byPP = map[int]bool{}
	}
	for k, i := range idx {
		r := proseResult(rs[k])
		if len(r.Lines) == 0 && len(pg.res[i].Lines) > 0 {
			// PP-OCR saw no line where Tesseract read one: the
			// reading there is kept.
			continue
		}
		pg.res[i] = r
		pg.byPP[i] = true
	}
	return nil
}

// proseResult is PP-OCR's reading of one line of an answer as a result:
// its confidence the mean of its characters' probabilities, its least sure
// the smallest (as a Tesseract line's Low is its least sure word's).
func proseResult(rs []ocr.Reading) ocr.Result {
	if len(rs) == 0 {
		return ocr.Result{}
	}
	var parts []string
	var rect image.Rectangle
	sum, n, low := 0.0, 0, 1.0
	for _, r := range rs {
		parts = append(parts, r.Text)
		rect = rect.Union(r.Rect)
		low = min(low, r.Min)
		for _, c := range r.Chars {
			sum += c.Prob
			n++
		}
	}
	conf := low
	if n > 0 {
		conf = sum / float64(n)
	}
	text := strings.Join(parts, "")
	if text == "" {
		return ocr.Result{}
	}
	return ocr.Result{Lines: []ocr.TextLine{{
		Text: text, Rect: rect, Conf: conf, Low: low,
		Engine: ocr.EnginePPOCR,
	}}}
}

// settleProse makes the pieces PP-OCR read and the long answers' lines
// (pg.prose, from the readings) one set: a piece PP-OCR read that is not
// an answer's is read by Tesseract, as every other piece was first; an
// answer's line Tesseract read (a cell's first) is read by PP-OCR. A
// piece PP-OCR read as the start of a printed phrase stays as read: print
// is not a value, no second reading witnesses it. So does one wider than
// maxValueEms: no value is that wide, and no second reading would witness
// Tesseract's — a plan's "（1）2024年度：…" line, whose colon makes it no
// answer's, was read twice, Tesseract's kept though it misread more (the
// dev scans' long texts read 0.07–0.14 points better keeping PP-OCR's).
func (pg *page) settleProse(ctx context.Context, rec Recognizer) error {
	if !pg.readsProse() {
		return nil
	}
	var tess, pp []int
	for i := range pg.byPP {
		if !pg.prose[i] && !pg.printed(i) && pg.pieces[i].Rect.Dx() <= maxValueEms*pg.em {
			tess = append(tess, i)
			delete(pg.byPP, i)
		}
	}
	for i := range pg.prose {
		if !pg.byPP[i] {
			pp = append(pp, i)
		}
	}
	slices.Sort(tess)
	slices.Sort(pp)
	if _, err := pg.readSome(ctx, rec, tess, nil); err != nil {
		return err
	}
	return pg.readProse(ctx, pp)
}
