package scan

import (
	"image"
	"strings"

	"github.com/shenbao/shenbao/extract/ocr"
)

// A form's labels are most of what a table page prints, and reading a
// label's first line whole costs as much a character as reading a value.
// A plain table cell whose first line is long enough is read by the first
// few characters of that line (headOf), as an option is. When they open
// one label of any form whose rest fits the ink after them and the cell's
// other lines, even loosely (looseFit), or several and the labels around
// the cell say which (inOrder), the cell is that label. When they open
// labels but none can be told, the line is read on past the head; when
// they open none — a value long enough to be headed, or a head misread —
// the line is read whole, the head's cost lost. Either way the cell then
// goes on as any other (completePrint).
const (
	labelMin  = 6 // ems of ink a first line needs to be read by its head
	labelHead = 3 // ems read of it
)

// labelCells takes out of groups, and adds to the cells of one line, the
// plain table cells (no marks, no nested table) whose first line is long
// enough to read by its head: the cells to read so, and the groups left.
func (pg *page) labelCells(lay []blockLay, groups []printGroup) ([]printGroup, []printGroup) {
	var labels []printGroup
	headed := map[int]bool{}
	answers := answerCells(lay)
	for _, cl := range tableCells(lay) {
		g, ok := plainCell(cl)
		if !ok || answers[cl] {
			continue
		}
		h, ok := pg.headOf(g.first, labelMin, labelHead)
		if !ok || proseShaped(g, h, pg.em) {
			continue
		}
		g.head = h
		labels = append(labels, g)
		headed[g.first] = true
	}
	var left []printGroup
	for _, g := range groups {
		if !headed[g.first] {
			left = append(left, g)
		}
	}
	return labels, left
}

// answerCells are the cells a label is never in: those at a table's right
// edge with a cell left of them. A form's rows put the label left and its
// value right; a label across the whole row (a section's heading, a long
// answer's question) starts at the left edge. Such a cell's first line is
// read whole at once rather than by a head that opens nothing.
func answerCells(lay []blockLay) map[*cellLay]bool {
	out := map[*cellLay]bool{}
	eachCell(lay, func(tl *tableLay, cl *cellLay) {
		if cl.cell.c0 > 0 && cl.cell.c1 >= len(tl.t.xs)-1 {
			out[cl] = true
		}
	})
	return out
}

// No label runs to proseLines lines of proseEms ems (the longest,
// 集群内中小企业有效发明专利拥有量（包括…）, is 73 characters): a cell that
// does is a long answer, whose first line is read whole at once rather
// than by a head that opens nothing.
const (
	proseLines = 5
	proseEms   = 20
)

func proseShaped(g printGroup, h optionHead, em int) bool {
	return 1+len(g.later) >= proseLines && h.ink.Dx() >= proseEms*em
}

// labelInk is a label cell's head as read r (spaces removed) and its
// width, and the widths of the ink after it: the rest of the first line,
// then the cell's other lines.
func (pg *page) labelInk(g printGroup, r ocr.Result) (string, int, []int, bool) {
	if len(r.Lines) != 1 {
		return "", 0, nil, false
	}
	ws := []int{g.head.rest}
	for _, i := range g.later {
		ws = append(ws, pg.pieces[i].Rect.Dx())
	}
	first := strings.ReplaceAll(tidy(r.Lines[0].Text), " ", "")
	return first, r.Lines[0].Rect.Dx(), ws, true
}

// completeLabels sets the results of the label cells whose heads (read,
// in res) open one label of the page's forms that their ink fits, and
// returns the others: those whose heads open no label, whose first lines
// are to be read whole, and those whose heads open several, whose first
// lines are to be read past their heads (readPast).
func (pg *page) completeLabels(labels []printGroup, res []ocr.Result) (whole, past []int) {
	for k, g := range labels {
		r := res[k]
		first, w1, ws, ok := pg.labelInk(g, r)
		if !ok {
			whole = append(whole, k)
			continue
		}
		// A head is few characters and its ink says the rest's length
		// roughly: it is a label when it opens one label of any form
		// however loosely the rest fits, or its place says which.
		part := pg.print.looseRest(w1, ws, true)
		var rest []string
		// A head cut inside a character blurred on a 150-dpi copy ends
		// with its sliver read as a narrow mark (集群内! for 集群内中…).
		first, p, ok := pg.print.onlyHead(first, anyForm, part)
		if ok {
			rest = split(p, ws)
		} else {
			rest, ok = pg.orderedRest(g.first, first, ws)
		}

		if !ok {
			if pg.print.fitting(first, part) != 0 {
				past = append(past, k)
			} else {
				whole = append(whole, k)
			}
			continue
		}
		c := minConf(r)
		pg.res[g.first] = printed(first+rest[0], r.Lines[0].Rect.Union(g.head.ink), c)
		pg.fromPrint[g.first] = true
		for j, i := range g.later {
			pg.res[i] = printed(rest[j+1], pg.pieces[i].Rect, c)
			pg.fromPrint[i] = true
		}
	}
	return whole, past
}

// pastHead is the region of a label cell's first line past its head.
func (pg *page) pastHead(g printGroup) ocr.Region {
	r := pg.pieces[g.first].Rect
	return ocr.Region{Rect: image.Rect(g.head.head.Max.X, r.Min.Y, r.Max.X, r.Max.Y), Mode: ocr.Line}
}

// joinPast sets a label cell's first line to its head's reading and the
// reading past it, read apart: one line, as if read whole. head holds
// one line (labelInk).
func (pg *page) joinPast(g printGroup, head, past ocr.Result) {
	if len(past.Lines) == 0 {
		pg.res[g.first] = head
		return
	}
	h, p := head.Lines[0], past.Lines[0]
	for _, l := range past.Lines[1:] {
		p.Text += l.Text
		p.Rect = p.Rect.Union(l.Rect)
		p.Conf, p.Low = min(p.Conf, l.Conf), min(p.Low, l.Low)
		p.Glyphs = append(p.Glyphs, l.Glyphs...)
	}
	pg.res[g.first] = ocr.Result{Lines: []ocr.TextLine{{
		Text: h.Text + p.Text, Rect: h.Rect.Union(p.Rect),
		Conf: min(h.Conf, p.Conf), Low: min(h.Low, p.Low),
		Glyphs: append(append([]ocr.Glyph(nil), h.Glyphs...), p.Glyphs...),
	}}}
}
