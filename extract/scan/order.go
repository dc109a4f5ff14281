package scan

import (
	"strings"

	"github.com/shenbao/shenbao/extract/ocr"
)

// A form prints its labels in one order, and a page shows a run of them in
// that order. Where a label cell's first characters and ink fit several
// labels — six rows open with 主导产业相关的 and are as long — the cells
// around it that did tell their label apart say which it is: the cells'
// candidates are matched to the form's sequence of print in order, as many
// as can be, and a cell that every best match gives the same label, and
// that no best match leaves out, is that label (inOrder).

// cellSign is what a table cell's first reading says of the print it may
// be: the phrases (printSet indices) its reading opens and its ink fits.
type cellSign struct {
	first int // the cell's first piece
	cands []int
	// blind marks a cell read by its head that opens no phrase: a value,
	// or a label whose head was misread, which no match can see. A cell
	// is not placed across one (orderForm): six alike rows with three
	// misread would place the other three on the wrong labels.
	blind bool
}

// cellSigns lists, in reading order, what the page's plain table cells
// say: a label cell by its head (labels, read in labelRes), a group by its
// first line with its lower lines, a cell of one line read whole by being
// a phrase.
func (pg *page) cellSigns(lay []blockLay, groups, labels []printGroup, labelRes []ocr.Result) []cellSign {
	if pg.print == nil {
		return nil
	}
	headed := map[int]int{}
	for k, g := range labels {
		headed[g.first] = k
	}
	grouped := map[int]printGroup{}
	for _, g := range groups {
		grouped[g.first] = g
	}
	var out []cellSign
	add := func(first int, text string, part func(p, head []rune) ([]rune, bool)) *cellSign {
		var cands []int
		pg.print.each(text, pg.forms, part, func(i int, _ []rune) { cands = append(cands, i) })
		out = append(out, cellSign{first: first, cands: cands})
		return &out[len(out)-1]
	}
	for _, cl := range tableCells(lay) {
		if len(cl.lines) == 0 || len(cl.nested) > 0 || cl.lines[0].piece < 0 {
			continue
		}
		first := cl.lines[0].piece
		if k, ok := headed[first]; ok {
			text, w1, ws, ok := pg.labelInk(labels[k], labelRes[k])
			if !ok {
				out = append(out, cellSign{first: first, blind: true})
				continue
			}
			sg := add(first, text, pg.print.looseRest(w1, ws, true))
			sg.blind = len(sg.cands) == 0
			continue
		}
		if g, ok := grouped[first]; ok {
			if text, w1, ws, ok := pg.groupInk(g); ok {
				add(first, text, pg.print.looseRest(w1, ws, false))
			}
			continue
		}
		r := pg.res[first]
		if len(cl.lines) != 1 || len(r.Lines) != 1 {
			continue
		}
		text := strings.ReplaceAll(tidy(r.Lines[0].Text), " ", "")
		whole := fold([]rune(text))
		add(first, text, func(p, _ []rune) ([]rune, bool) { return nil, fold(p) == whole })
	}
	return out
}

// inOrder returns the phrase each sign's cell must be (by its first
// piece) for the most cells to stand in the order of the forms fm print
// them, where the forms that fit the most cells all say the same.
func (s *printSet) inOrder(signs []cellSign, fm formMask) map[int]int {
	if s == nil || len(signs) == 0 {
		return nil
	}
	type verdict struct {
		best   int
		forced map[int]int // sign → phrase
	}
	var vs []verdict
	top := 0
	for k, seq := range s.seqs {
		if fm&(1<<(k%maxForms)) == 0 || len(seq) == 0 {
			continue
		}
		best, forced := orderForm(signs, seq, len(s.phrases))
		vs = append(vs, verdict{best, forced})
		top = max(top, best)
	}
	if top == 0 {
		return nil
	}
	out := map[int]int{}
	var agreed map[int]int
	for _, v := range vs {
		if v.best != top {
			continue
		}
		if agreed == nil {
			agreed = v.forced
			continue
		}
		for j, i := range agreed {
			if o, ok := v.forced[j]; !ok || s.folded[o] != s.folded[i] {
				delete(agreed, j)
			}
		}
	}
	for j, i := range agreed {
		out[signs[j].first] = i
	}
	return out
}

// orderForm matches signs to one form's sequence seq of phrases: each sign
// to one position of a phrase it may be, positions rising, as many signs
// as can be. It returns how many, and for each sign that every such match
// holds, and holds to one phrase, that phrase.
func orderForm(signs []cellSign, seq []int, phrases int) (int, map[int]int) {
	at := make([][]int, phrases)
	for p, i := range seq {
		at[i] = append(at[i], p)
	}
	// A node is a sign at one place a phrase it may be stands; signs in
	// reading order, so nodes too. Signs without one take no part.
	type node struct{ sign, pos, phrase int }
	var ns []node
	for j, sg := range signs {
		for _, i := range sg.cands {
			for _, p := range at[i] {
				ns = append(ns, node{j, p, i})
			}
		}
	}
	// fwd: the most signs matched up to and with a node; bwd: from it.
	fwd, bwd := make([]int, len(ns)), make([]int, len(ns))
	best := 0
	for a, x := range ns {
		for b, y := range ns[:a] {
			if y.sign < x.sign && y.pos < x.pos {
				fwd[a] = max(fwd[a], fwd[b])
			}
		}
		fwd[a]++
		best = max(best, fwd[a])
	}
	for a := len(ns) - 1; a >= 0; a-- {
		for b := a + 1; b < len(ns); b++ {
			if ns[b].sign > ns[a].sign && ns[b].pos > ns[a].pos {
				bwd[a] = max(bwd[a], bwd[b])
			}
		}
		bwd[a]++
	}
	// without is the most signs matched with sign j matched to nothing.
	without := func(j int) int {
		most := 0
		for a, x := range ns {
			switch {
			case x.sign < j:
				most = max(most, fwd[a])
				for b, y := range ns {
					if y.sign > j && y.pos > x.pos {
						most = max(most, fwd[a]+bwd[b])
					}
				}
			case x.sign > j:
				most = max(most, bwd[a])
			}
		}
		return most
	}
	// seen marks the signs that take part; a sign is not placed when a
	// blind one stands between it and the next that take part, either
	// side.
	seen := make([]bool, len(signs))
	for _, x := range ns {
		seen[x.sign] = true
	}
	nextTo := func(j int) bool {
		for k := j - 1; k >= 0 && !seen[k]; k-- {
			if signs[k].blind {
				return true
			}
		}
		for k := j + 1; k < len(signs) && !seen[k]; k++ {
			if signs[k].blind {
				return true
			}
		}
		return false
	}
	forced := map[int]int{}
	for j := range signs {
		if !seen[j] || nextTo(j) {
			continue
		}
		phrase, one := -1, true
		for a, x := range ns {
			if x.sign != j || fwd[a]+bwd[a]-1 != best {
				continue
			}
			if phrase >= 0 && x.phrase != phrase {
				one = false
			}
			phrase = x.phrase
		}
		if phrase < 0 || !one || without(j) >= best {
			continue
		}
		forced[j] = phrase
	}
	return best, forced
}
