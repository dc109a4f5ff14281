package scan

import (
	"image"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// readLine is a text line after OCR: its printed pieces as Lines (one per
// option on a line with boxes) and its joined text.
type readLine struct {
	rect  image.Rectangle
	text  string
	lines []shenbao.Line
	mark  bool // starts with an option box
}

func (pg *page) readLines(ls []lineLay) []readLine {
	var out []readLine
	stand := pg.marksStand(ls)
	for _, l := range ls {
		rl := readLine{rect: l.rect}
		if l.piece >= 0 {
			t, c, low, rereads := pg.reading(l.piece)
			if pg.unread(l.piece) {
				c, low = min(c, 0.5), min(low, 0.5)
			}
			d, ok := pg.digits[l.piece]
			if t == "" && !ok {
				continue
			}
			rl.text = t
			line := shenbao.Line{Text: t, Page: pg.no, BBox: pg.box(l.rect), Confidence: c, Weakest: low, Engine: pg.engineOf(l.piece), Rereads: rereads}
			line.PP, line.Tess = pg.evidence(l.piece)
			if ok {
				// The digit model's reading, as the ink reads it (a point
				// put back): a second reading for the corrections stage's
				// digit_model rule to weigh, which records any value it
				// changes. The line's Text is not touched.
				line.Digits, _, line.DigitsConfidence = pg.checkNumber(d.rect, d.line.Text, d.line.Conf, d.line.Low)
			}
			rl.lines = []shenbao.Line{line}
			out = append(out, rl)
			continue
		}
		if l.whole >= 0 && !stand {
			// Tentative marks whose text opens no printed option: the
			// line is text (国家…), read whole.
			t, c, low, rereads := pg.reading(l.whole)
			if t == "" {
				continue
			}
			rl.text = t
			// Who read it, as for any line: the corrections stage
			// weighs a value by its engine (a rule for Tesseract's habits
			// takes an unnamed one for Tesseract's).
			line := shenbao.Line{Text: t, Page: pg.no, BBox: pg.box(l.rect), Confidence: c, Weakest: low, Engine: pg.engineOf(l.whole), Rereads: rereads}
			line.PP, line.Tess = pg.evidence(l.whole)
			rl.lines = []shenbao.Line{line}
			out = append(out, rl)
			continue
		}
		var parts []string
		for i, s := range l.segs {
			t, c, low, rereads := pg.reading(s.piece)
			r := s.rect
			var markConf float64
			if s.mark != nil {
				t = s.mark.glyph() + t
				markConf = s.mark.conf
				c = min(c, markConf)
				low = min(low, c)
				r = r.Union(s.mark.rect)
				if i == 0 {
					rl.mark = true
				}
			}
			if t == "" {
				continue
			}
			parts = append(parts, t)
			line := shenbao.Line{Text: t, Page: pg.no, BBox: pg.box(r), Confidence: c, Weakest: low, Engine: pg.engineOf(s.piece), Mark: markConf, Rereads: rereads}
			line.PP, line.Tess = pg.evidence(s.piece)
			rl.lines = append(rl.lines, line)
		}
		if len(parts) == 0 {
			continue
		}
		rl.text = strings.Join(parts, " ")
		out = append(out, rl)
	}
	return out
}

// marksStand says whether the tentative marks of a cell's lines ls open
// options: the text after at least half of them opens a printed phrase
// (an option, 是 or 否 included). Half, because a pen tick run into an
// option's first character spoils its reading.
func (pg *page) marksStand(ls []lineLay) bool {
	n, opening := 0, 0
	for _, l := range ls {
		for _, s := range l.segs {
			if s.mark == nil || !s.mark.tentative {
				continue
			}
			n++
			if t, _, _ := pg.text(s.piece); pg.print.opens(t) {
				opening++
			}
		}
	}
	return 2*opening >= n
}

// paragraphs joins wrapped lines: a line continues the previous one unless
// it starts with an option box, the previous line stopped short of the
// right edge of the text, or (on the page, where text is left-aligned) it
// is indented. Cells centre their labels, so there indentation says
// nothing. right is the rightmost extent of the lines themselves.
func paragraphs(ls []readLine, left, right, em int, indentBreaks bool) [][]readLine {
	var out [][]readLine
	for i, l := range ls {
		if i > 0 {
			p := ls[i-1]
			cont := !l.mark && right-p.rect.Max.X < 2*em && l.rect.Min.Y-p.rect.Max.Y < em && !fieldLabel.MatchString(l.text) &&
				(!indentBreaks || (l.rect.Min.X-left < em && !labelled(l.text)))
			if cont {
				out[len(out)-1] = append(out[len(out)-1], l)
				continue
			}
		}
		out = append(out, []readLine{l})
	}
	return out
}

// blankLead matches what Tesseract makes of the start and end of an
// underlined blank (集群名称：____湖北…____): quotes, commas and
// underscores right after the label's colon, and at the line's end.
var (
	blankLead  = regexp.MustCompile(`([:：])[\s“”"'_，,、。.]+`)
	blankTrail = regexp.MustCompile(`[\s“”"'_□]+$`)
	blankGap   = regexp.MustCompile(`(\p{Han})[“”"_]+(\d)`)
)

// cleanBlanks removes the marks an underlined blank leaves in a paragraph
// of the cover; a gap the writer left between a name and a number stays
// a gap.
//
// This is assembly, not a correction, and so stays in the reader: what it
// removes is the form's own print — the underline of a blank, which OCR
// returns as quotes, commas and underscores between the label's colon and
// the value and after it — never a character of what the applicant wrote,
// as mapping leaves out a printed label. It touches only a line that opens
// with a label and colon, only the marks right after the colon, at the
// line's end, or between a Chinese character and a digit (where it leaves
// the gap the underline stood for). A quote inside a cell's value is the
// corrections stage's (unpaired_quotes).
func cleanBlanks(s string) string {
	if !labelled(s) {
		return s
	}
	s = blankLead.ReplaceAllString(s, "$1")
	s = blankTrail.ReplaceAllString(s, "")
	return blankGap.ReplaceAllString(s, "$1  $2")
}

// fieldLabel is a line opening with a short label and its colon (名称：…
// under 数量：0个): a line of its own even when the one above is as wide.
var fieldLabel = regexp.MustCompile(`^\p{Han}{2,6}[:：]`)

// labelled: a line that opens with a label and colon (the cover's
// 所属地区：…) starts its own paragraph even where the line above runs to
// the margin (an underlined blank does).
func labelled(s string) bool {
	r := []rune(s)
	for i := 0; i < len(r) && i < 20; i++ {
		if r[i] == ':' || r[i] == '：' {
			return true
		}
	}
	return false
}

func joinText(ls []readLine) string {
	var b strings.Builder
	for i, l := range ls {
		// Wrapped Chinese joins without a space; a space survives only
		// between two Latin words or numbers broken over lines.
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(ls[i-1].text)
			next, _ := utf8.DecodeRuneInString(l.text)
			if latinWord(prev) && latinWord(next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// paragraphConfidence is the confidence of a paragraph's weakest line: a
// value written on the cover's underlines is a paragraph, and without it
// layout can only guess how sure the reading is.
func paragraphConfidence(p []readLine) float64 {
	conf := 1.0
	for _, l := range p {
		for _, x := range l.lines {
			conf = min(conf, x.Confidence)
		}
	}
	// 0 would say "unknown"; a line read with no confidence at all is
	// the opposite of that.
	return max(conf, 0.01)
}

func latinWord(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// pageNumber matches the printed page number in the footer (— 3 —).
var pageNumber = regexp.MustCompile(`^[—\-–一_~～\s]*\d{1,3}[—\-–一_~～\s]*$`)

func (pg *page) assemble(blocks []blockLay) []shenbao.Block {
	var out []shenbao.Block
	var plines []readLine
	flush := func() {
		if len(plines) == 0 {
			return
		}
		left, right := math.MaxInt, 0
		for _, l := range plines {
			left, right = min(left, l.rect.Min.X), max(right, l.rect.Max.X)
		}
		for _, p := range paragraphs(plines, left, right, pg.em, true) {
			r := p[0].rect
			for _, l := range p[1:] {
				r = r.Union(l.rect)
			}
			b := pg.box(r)
			out = append(out, shenbao.Block{Text: cleanBlanks(joinText(p)), Page: pg.no, BBox: &b, Confidence: paragraphConfidence(p)})
		}
		plines = nil
	}
	h := pg.bin.h
	for _, bl := range blocks {
		if bl.table == nil {
			for _, l := range pg.readLines(bl.lines) {
				if l.rect.Min.Y > h*90/100 && (pageNumber.MatchString(l.text) || !hasHan(l.text)) {
					continue
				}
				plines = append(plines, l)
			}
			continue
		}
		flush()
		t := pg.table(bl.table)
		b := pg.box(bl.table.t.rect)
		out = append(out, shenbao.Block{Table: &t, Page: pg.no, BBox: &b})
	}
	flush()
	return out
}

// table builds a Table: one Row per grid row; a cell spanning rows sits in
// its first row and is continued by Merged cells below, as docx does.
func (pg *page) table(tl *tableLay) shenbao.Table {
	nr := len(tl.t.ys) - 1
	rows := make([]shenbao.Row, nr)
	for _, cl := range tl.cells {
		c := cl.cell
		rls := pg.readLines(cl.lines)
		var texts []string
		var lines []shenbao.Line
		right := 0
		for _, l := range rls {
			right = max(right, l.rect.Max.X)
		}
		for _, p := range paragraphs(rls, cl.inner.Min.X, right, pg.em, false) {
			texts = append(texts, joinText(p))
			for _, l := range p {
				lines = append(lines, l.lines...)
			}
		}
		b := pg.box(c.rect)
		cell := shenbao.Cell{
			Text: strings.Join(texts, "\n"), Col: c.c0, Span: c.c1 - c.c0,
			Lines: lines, Page: pg.no, BBox: &b,
		}
		for _, n := range cl.nested {
			cell.Tables = append(cell.Tables, pg.table(n))
		}
		rows[c.r0].Cells = append(rows[c.r0].Cells, cell)
		for r := c.r0 + 1; r < c.r1; r++ {
			mb := pg.box(image.Rect(c.rect.Min.X, tl.t.ys[r], c.rect.Max.X, tl.t.ys[r+1]))
			rows[r].Cells = append(rows[r].Cells, shenbao.Cell{Col: c.c0, Span: c.c1 - c.c0, Merged: true, Page: pg.no, BBox: &mb})
		}
	}
	for i := range rows {
		sort.Slice(rows[i].Cells, func(a, b int) bool { return rows[i].Cells[a].Col < rows[i].Cells[b].Col })
	}
	return shenbao.Table{Rows: rows}
}

func hasHan(s string) bool { return hanCount(s) > 0 }

func hanCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}
