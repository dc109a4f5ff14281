package scan

import (
	"context"
	"image"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

// LineReader reads the text lines of rects of a page image: the scan's
// second recogniser, PP-OCR (*ocr.PPOCR), which reads the values.
type LineReader interface {
	Read(ctx context.Context, img *image.Gray, rects []image.Rectangle) ([][]ocr.Reading, error)
}

// maxValueEms is the widest piece read by the value recogniser: a name, a
// number, an organisation. Wider lines are long answers and notes, which
// Tesseract reads alone (PP-OCR's time grows with the width).
const maxValueEms = 30

// valueReads are the value recogniser's readings of a page's value
// pieces.
type valueReads struct {
	idx []int
	res [][]ocr.Reading
	// print are the pieces read like print, with the print each is
	// (page.likePrint).
	print map[int]string
}

// readValues reads the page's value pieces — neither taken from print
// nor read as the start of a printed phrase (printed) or like print
// (page.likePrint), no wider than maxValueEms — with the value
// recogniser.
func (pg *page) readValues(ctx context.Context, lay []blockLay) (valueReads, error) {
	if pg.witness == nil || pg.engine == ocr.EngineTesseract {
		return valueReads{}, nil
	}
	v := valueReads{print: pg.likePrint(lay)}
	var rects []image.Rectangle
	for i, p := range pg.pieces {
		if _, like := v.print[i]; like || pg.settled(i) || pg.prose[i] || p.Rect.Dx() > maxValueEms*pg.em || pg.printed(i) {
			continue
		}
		v.idx = append(v.idx, i)
		rects = append(rects, p.Rect)
	}
	if len(v.idx) == 0 {
		return v, nil
	}
	res, err := pg.witness.Read(ctx, pg.gray, rects)
	if err != nil {
		return valueReads{}, err
	}
	// The recogniser reads short lines packed side by side, and a line's
	// neighbours can take away the mark that ends it, surely (a list's
	// last 、 dropped at 0.998 where the line read alone kept it; its
	// packedSure guard sees only the doubt of what was read). Where
	// Tesseract read the line with such a mark and the recogniser the same
	// without it, the line is read again alone and that reading kept.
	for k, i := range v.idx {
		if !lostEndMark(pg.firstReading(i), res[k]) {
			continue
		}
		alone, err := pg.witness.Read(ctx, pg.gray, rects[k:k+1])
		if err != nil {
			return valueReads{}, err
		}
		if len(alone[0]) > 0 {
			res[k] = alone[0]
		}
	}
	v.res = res
	return v, nil
}

// endMarks are the marks that end a line of a list or a sentence.
const endMarks = "、，,。；;"

// lostEndMark says whether the recogniser's reading rs of a line is
// Tesseract's reading tess without the mark tess ends with.
func lostEndMark(tess string, rs []ocr.Reading) bool {
	if len(rs) != 1 {
		return false
	}
	t := []rune(strings.ReplaceAll(tess, " ", ""))
	if len(t) < 2 || !strings.ContainsRune(endMarks, t[len(t)-1]) {
		return false
	}
	return fold(t[:len(t)-1]) == fold([]rune(strings.ReplaceAll(rs[0].Text, " ", "")))
}

// agreed lists the pieces whose value the recogniser read sure
// (ocr.AgreeFloor) and as Tesseract's first reading did: nothing read
// again can make them surer.
func (v valueReads) agreed(pg *page) map[int]bool {
	if pg.engine != ocr.EngineBoth {
		return nil
	}
	out := map[int]bool{}
	for k, i := range v.idx {
		text, pmin := settledText(v.res[k])
		if text == "" || pmin < ocr.AgreeFloor {
			continue
		}
		if ok, _ := pg.agrees(i, text); ok {
			out[i] = true
		}
	}
	return out
}

// settle settles each value piece's reading (page.settle), and takes the
// pieces read like print as the print they are.
func (v valueReads) settle(pg *page) {
	for k, i := range v.idx {
		pg.settle(i, v.res[k])
	}
	pg.takePrint(v.print)
}

// printed says whether Tesseract read piece i as one of the form's
// printed phrases, or as the start of one: a label or an option, not a
// value.
func (pg *page) printed(i int) bool {
	if pg.print == nil || len(pg.res[i].Lines) == 0 {
		return false
	}
	read := fold([]rune(strings.ReplaceAll(pg.firstReading(i), " ", "")))
	if len([]rune(read)) < 2 {
		return false
	}
	for _, f := range pg.print.folded {
		if strings.HasPrefix(f, read) {
			return true
		}
	}
	return false
}

// settle decides piece i's reading from Tesseract's (pg.res[i], and its
// digit model's, pg.digits[i]) and PP-OCR's (rs). The reading is
// PP-OCR's; its confidence is built from PP-OCR's smallest character
// probability, whether Tesseract read the same and how sure Tesseract was
// of its own reading (ocr.Witnessed, calibrated), and the evidence is
// kept on the line (PP, Tess) for the stages after mapping. Where PP-OCR
// saw nothing, Tesseract's reading stands.
func (pg *page) settle(i int, rs []ocr.Reading) {
	text, pmin := settledText(rs)
	if text == "" {
		return
	}
	engine, conf, tess := ocr.EnginePPOCR, pmin, 0.0
	if pg.engine != ocr.EnginePPOCR {
		var agree bool
		agree, tess = pg.agrees(i, text)
		if agree {
			engine = ocr.EngineBoth
		} else if pmin < ocr.AgreeFloor && !plainNumber(text) && pg.pieces[i].Rect.Dx() <= 3*pg.em && pg.keepNumber(i, pmin) {
			return
		}
		conf = ocr.Witnessed(pmin, agree, tess)
	}
	lines := make([]ocr.TextLine, 0, len(rs))
	for _, r := range rs {
		t := r.Text
		if len(rs) == 1 {
			t = text
		}
		lines = append(lines, ocr.TextLine{Text: t, Rect: r.Rect, Conf: conf, Low: conf, Engine: engine, PP: pmin, Tess: tess})
	}
	pg.res[i] = ocr.Result{Lines: lines}
	// The digit model's reading was a witness; the value is settled.
	delete(pg.digits, i)
}

// settledText is the value recogniser's reading of a piece, its lines
// joined and what no value starts with dropped, and its smallest
// character probability.
func settledText(rs []ocr.Reading) (string, float64) {
	if len(rs) == 0 {
		return "", 0
	}
	var parts []string
	pmin := 1.0
	for _, r := range rs {
		parts = append(parts, r.Text)
		pmin = min(pmin, r.Min)
	}
	text := strings.TrimLeft(tidy(strings.Join(parts, " ")), leadingPunct)
	if cs := rs[0].Chars; len(rs) == 1 && len(cs) > 0 && strings.Contains(leadingPunct, cs[0].Text) {
		// The dropped dot's doubt is not the value's.
		pmin = 1
		for k, c := range cs {
			if k > 0 || !strings.Contains(leadingPunct, c.Text) {
				pmin = min(pmin, c.Prob)
			}
		}
	}
	return text, pmin
}

// keepNumber keeps Tesseract's reading of piece i, a count's cell (three
// ems at most), where it is a number Tesseract was sure of (≥ 0.9) and
// PP-OCR, unsure (pmin < ocr.AgreeFloor), read no number there: a lone 7
// whose bar a bitonal copy thinned, read as / by PP-OCR, a 0 read as D,
// a 1 as 】 on a 150-dpi copy. The two engines disagree, so the reading
// is doubted as any disagreement is (Tesseract's confidence ×
// ocr.DisagreeFactor, under review).
func (pg *page) keepNumber(i int, pmin float64) bool {
	ls := pg.res[i].Lines
	if len(ls) == 0 {
		return false
	}
	var parts []string
	tc := 1.0
	for _, l := range ls {
		parts = append(parts, l.Text)
		tc = min(tc, l.Conf, l.Low)
	}
	if tc < 0.9 || !plainNumber(tidy(strings.Join(parts, " "))) {
		return false
	}
	for k := range ls {
		l := &ls[k]
		l.Conf, l.Low = tc*ocr.DisagreeFactor, tc*ocr.DisagreeFactor
		l.Engine, l.PP, l.Tess = ocr.EngineTesseract, pmin, tc
	}
	delete(pg.digits, i)
	return true
}

// leadingPunct is what no value starts with: a dot or comma opening a
// piece is the lower dot of the label's colon before it (联系人及联系电话：
// on the cover), which PP-OCR reads as a full stop.
const leadingPunct = ".．。，,、：:;；"

// agrees says whether Tesseract read text in piece i — as text, or with
// its digit model — and how sure it was of its own reading, the same or
// not (0 when it read nothing there).
func (pg *page) agrees(i int, text string) (bool, float64) {
	want := witnessKey(text)
	var parts []string
	var rereads []shenbao.Reread
	conf := 1.0
	for _, l := range pg.res[i].Lines {
		parts = append(parts, l.Text)
		rereads = append(rereads, l.Rereads...)
		conf = min(conf, l.Conf, l.Low)
	}
	if len(parts) == 0 {
		conf = 0
	} else {
		// Tesseract's reading as its glyph boxes read it (the digits it
		// read inside a per-cent sign left out) witnesses as well: the
		// two engines' readings are compared, neither is changed.
		read := tidy(strings.Join(parts, " "))
		for _, r := range rereads {
			if r.Kind == shenbao.RereadPercentGlyph {
				read, _ = r.Apply(read)
			}
		}
		t, c := percentWitness(read)
		conf = min(conf, c)
		if want != "" && (witnessKey(t) == want || pg.agreesAfterPrompt(want, witnessKey(t))) {
			return true, conf
		}
	}
	if d, ok := pg.digits[i]; ok && want != "" && witnessKey(d.line.Text) == want {
		return true, min(d.line.Conf, d.line.Low)
	}
	return false, conf
}

// agreesAfterPrompt says whether two readings of one line, PP-OCR's pp
// and Tesseract's tess (witness keys), agree on what follows a printed
// prompt that opens PP-OCR's: the signer after the declaration's
// 单位负责人（签字）：, a value after a cover label. The prompt is where
// the engines part (a seal's clutter over it, Tesseract reading
// （签字）as（刊）) while the name after it reads the same, and the name
// is what is asked. Tesseract must have read about as much before the
// value as the prompt holds, so that the value is not the prompt's tail.
func (pg *page) agreesAfterPrompt(pp, tess string) bool {
	if pg.print == nil {
		return false
	}
	best := 0
	for _, k := range pg.print.keyed {
		if len(k) > best && strings.HasPrefix(pp, k) && utf8.RuneCountInString(k) >= minPromptRunes {
			best = len(k)
		}
	}
	if best == 0 {
		return false
	}
	// A speck of the seal's between them reads as a dot or a stroke.
	prompt, value := pp[:best], strings.TrimLeftFunc(pp[best:], func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if utf8.RuneCountInString(value) < 2 || !strings.ContainsFunc(value, func(r rune) bool { return unicode.Is(unicode.Han, r) || unicode.IsDigit(r) }) {
		return false
	}
	before, ok := strings.CutSuffix(tess, value)
	return ok && 2*utf8.RuneCountInString(before) >= utf8.RuneCountInString(prompt)
}

// minPromptRunes is the shortest printed prompt a reading is split
// after: shorter print (年, 是) opens values as often as prompts.
const minPromptRunes = 4

// evidence is what piece i's settled reading rests on (shenbao.Line.PP
// and Tess); zeros for a reading Tesseract settled alone.
func (pg *page) evidence(i int) (pp, tess float64) {
	if i < 0 || i >= len(pg.res) || len(pg.res[i].Lines) == 0 {
		return 0, 0
	}
	l := pg.res[i].Lines[0]
	return l.PP, l.Tess
}

// witnessKey is a reading as two engines' readings are compared (ocr.Key).
func witnessKey(s string) string { return ocr.Key(s) }

// engineOf is the engine that read piece i: the value recogniser's
// settling (ppocr, both) or Tesseract's.
func (pg *page) engineOf(i int) string {
	if i >= 0 && i < len(pg.res) && len(pg.res[i].Lines) > 0 && pg.res[i].Lines[0].Engine != "" {
		return pg.res[i].Lines[0].Engine
	}
	return ocr.EngineTesseract
}
