package scan

import (
	"math/bits"
	"strings"

	"github.com/shenbao/shenbao/extract/ocr"
)

// A page is one form's: five editions print many of the same labels, and
// some differently (a 填报说明 paragraph a sentence longer, a label in other
// words). What the page's first readings say about its form narrows what
// is held against them: every first line, option head, paragraph head and
// label head read is held against each form's print, and the forms the
// most of them fit are the page's (pageForms). A 填报说明 paragraph is
// completed from those forms' only, and the order match weighs their
// labels only (inOrder); a label or an option is still completed only
// when one phrase of any form fits, as a wrong one would carry a value
// away. A page says its forms by itself — pages are read in parallel —
// and when nothing tells the forms apart every form stays.

// minFormVotes is how many readings must fit a form more than another
// before the page is taken for it.
const minFormVotes = 2

// pageForms returns the forms that the page's first readings fit best:
// groups' first lines with their lower lines, options', paragraphs' and
// label cells' heads with the ink after them (res, noteRes, labelRes),
// and every piece read whole that is a phrase of some form's print.
func (pg *page) pageForms(groups []printGroup, heads []optionHead, res []ocr.Result, notes []noteGroup, noteRes []ocr.Result, labels []printGroup, labelRes []ocr.Result) formMask {
	if pg.print == nil {
		return anyForm
	}
	var votes []formMask
	for _, g := range groups {
		if first, w1, ws, ok := pg.groupInk(g); ok {
			votes = append(votes, pg.print.restForms(first, w1, ws, false))
		}
	}
	for k, h := range heads {
		r := res[k]
		if len(r.Lines) != 1 {
			continue
		}
		first := strings.ReplaceAll(tidy(r.Lines[0].Text), " ", "")
		w1, ws := r.Lines[0].Rect.Dx(), []int{h.rest}
		fm := pg.print.restForms(first, w1, ws, true)
		if last, wrapped := pg.wrappedEnd(h); wrapped {
			fm |= pg.print.betweenForms(first, last, w1, ws[0])
		}
		votes = append(votes, fm)
	}
	if pg.print.notes != nil {
		for k, g := range notes {
			if first, w1, ws, ok := pg.noteInk(g, noteRes[k]); ok {
				votes = append(votes, pg.print.notes.restForms(first, w1, ws, true))
			}
		}
	}
	for k, g := range labels {
		if first, w1, ws, ok := pg.labelInk(g, labelRes[k]); ok {
			votes = append(votes, pg.print.restForms(first, w1, ws, true))
		}
	}
	for i, r := range pg.res {
		if len(r.Lines) != 1 || pg.fromPrint[i] {
			continue
		}
		t := []rune(strings.ReplaceAll(tidy(r.Lines[0].Text), " ", ""))
		if len(t) >= minPrintPrefix+1 {
			votes = append(votes, pg.print.exact[fold(t)])
		}
	}
	return bestForms(votes)
}

// bestForms is the forms fitting the most votes (each a set of forms),
// when they fit at least minFormVotes more than some other form; every
// form otherwise.
func bestForms(votes []formMask) formMask {
	var count [maxForms]int
	var seen formMask
	for _, v := range votes {
		seen |= v
		for b := v; b != 0; b &= b - 1 {
			count[bits.TrailingZeros64(uint64(b))]++
		}
	}
	if seen == 0 {
		return anyForm
	}
	best, least := 0, -1
	for k := range maxForms {
		if seen&(1<<k) == 0 {
			continue
		}
		best = max(best, count[k])
		if least < 0 || count[k] < least {
			least = count[k]
		}
	}
	if best-least < minFormVotes {
		return anyForm
	}
	var fm formMask
	for k := range maxForms {
		if seen&(1<<k) != 0 && count[k] == best {
			fm |= 1 << k
		}
	}
	return fm
}
