package scan

import (
	"image"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao/extract/ocr"
)

// The 填报说明 page is a page of print outside the tables: a dozen
// paragraphs, each two or three lines as wide as the page, which cost a
// scan more than its labels (25 lines, 2.5 of a 14-page application's 40
// CPU seconds). A paragraph is read by its head, as an option is (see
// optionHead); when the head opens exactly one of the paragraphs the
// templates print (Options.Notes) and the ink of its lines fits the rest,
// the rest is taken from print. Anything else is read as usual.

// noteGroup is a paragraph outside the tables: its lines' pieces, top to
// bottom, and the head of its first line.
type noteGroup struct {
	pieces []int
	head   optionHead
}

// noteGroups lists the paragraphs of the page's text outside tables whose
// first line is long enough to read by its head. A paragraph opens with an
// indented line, or after a line that ends short of the text's right edge;
// a table between two lines ends one too.
func (pg *page) noteGroups(lay []blockLay) []noteGroup {
	if pg.print == nil || pg.print.notes == nil {
		return nil
	}
	var runs [][]lineLay
	var run []lineLay
	for _, b := range lay {
		if b.table != nil || len(b.lines) != 1 || b.lines[0].piece < 0 {
			if len(run) > 0 {
				runs = append(runs, run)
			}
			run = nil
			continue
		}
		run = append(run, b.lines[0])
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	var out, ones []noteGroup
	for _, run := range runs {
		left, right := run[0].rect.Min.X, run[0].rect.Max.X
		for _, l := range run {
			left, right = min(left, l.rect.Min.X), max(right, l.rect.Max.X)
		}
		var para []int
		flush := func() {
			if len(para) == 0 {
				return
			}
			if h, ok := pg.optionHead(para[0]); ok && len(para) >= 2 {
				out = append(out, noteGroup{pieces: para, head: h})
			} else if ok {
				ones = append(ones, noteGroup{pieces: para, head: h})
			}
			para = nil
		}
		for k, l := range run {
			indented := l.rect.Min.X-left >= pg.em
			endedShort := k > 0 && right-run[k-1].rect.Max.X >= 2*pg.em
			if indented || endedShort {
				flush()
			}
			para = append(para, l.piece)
		}
		flush()
	}
	// A paragraph of one line is read by its head only on a page of
	// paragraphs (the 填报说明's 4., 6., 7.): elsewhere a line outside the
	// tables is a cover's label and its value, whose head would be read
	// for nothing.
	if len(out) >= minNotePage {
		out = append(out, ones...)
	}
	return out
}

// minNotePage is how many paragraphs of two lines or more make a page of
// paragraphs: a cover wraps one, at most.
const minNotePage = 3

// completeNotes sets the results of each paragraph whose head (read, in
// res) opens a printed paragraph its lines' ink fits, and returns the
// pieces of the others, to be read as usual.
func (pg *page) completeNotes(groups []noteGroup, res []ocr.Result) []int {
	var unread []int
	for k, g := range groups {
		r := res[k]
		first, w1, ws, ok := pg.noteInk(g, r)
		if !ok {
			unread = append(unread, g.pieces...)
			continue
		}
		notes := pg.print.notes
		p, ok := notes.only(first, pg.forms, notes.restPart(w1, ws, true))
		if !ok {
			// On a blurred copy the head's last character may be a
			// sliver of the next (8.集群内! for 8.集群内中…, onlyHead)
			// or one misread (6.未注峰 for 6.未注明…), as for the options
			// (completeOptions).
			first, w1 = strayless(first, w1)
			first, p, ok = notes.onlyHead(first, pg.forms, notes.restPart(w1, ws, true))
		}
		if !ok {
			var head []rune
			if head, p, ok = notes.looseOnly(first, pg.forms, notes.restPart(w1, ws, true)); ok {
				first = string(head)
			}
		}
		rest := split(p, ws)
		if !ok {
			unread = append(unread, g.pieces...)
			continue
		}
		c := minConf(r)
		for j, i := range g.pieces {
			text, rect := rest[j], pg.pieces[i].Rect
			if j == 0 {
				text, rect = first+text, r.Lines[0].Rect.Union(g.head.ink)
			}
			pg.res[i] = printed(text, rect, c)
			pg.fromPrint[i] = true
		}
	}
	return unread
}

// noteInk is a paragraph's head as read r (spaces removed) and its width,
// and the widths of the ink after it: the rest of the first line, then
// each line below.
func (pg *page) noteInk(g noteGroup, r ocr.Result) (string, int, []int, bool) {
	ws := []int{g.head.rest}
	for _, i := range g.pieces[1:] {
		ink, ok := inkExtent(pg.bin, pg.pieces[i].Rect.Intersect(image.Rect(0, 0, pg.bin.w, pg.bin.h)))
		if !ok {
			return "", 0, nil, false
		}
		ws = append(ws, ink.Dx())
	}
	if len(r.Lines) != 1 {
		return "", 0, nil, false
	}
	first := strings.ReplaceAll(tidy(r.Lines[0].Text), " ", "")
	return first, r.Lines[0].Rect.Dx(), ws, true
}

// strayless is a head read as first, w1 pixels wide, without a first
// character that no paragraph opens with — a speck or a rule's end read as
// ] or | before 11. — and the width it took.
func strayless(first string, w1 int) (string, int) {
	rs := []rune(first)
	if len(rs) <= minPrintPrefix || unicode.IsLetter(rs[0]) || unicode.IsDigit(rs[0]) || ocr.Wide(rs[0]) {
		return first, w1
	}
	return string(rs[1:]), w1 - int(float64(w1)*units(rs[:1])/units(rs))
}
