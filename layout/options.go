package layout

import (
	"github.com/shenbao/shenbao"
)

// readChoice reads which options of a checkbox group are ticked: each
// option's text is found in order in the cells right of the label, and the
// mark just before it decides.
func (m *mapper) readChoice(s *Spec, a anchor) {
	label := m.cell(a)
	var region []*shenbao.Cell
	for _, u := range m.block(a) {
		region = append(region, m.right(u, label)...)
	}
	var text []rune
	var owner []*shenbao.Cell
	var lineOf []*shenbao.Line
	for _, c := range region {
		nt := []rune(Norm(c.Text))
		text = append(text, nt...)
		lineOf = append(lineOf, runeLines(c, nt)...)
		for range nt {
			owner = append(owner, c)
		}
	}
	pos := 0
	first := len(m.out.Checkboxes)
	ev := make([]float64, len(s.Options))
	rest := make([]float64, len(s.Options))
	ats := make([]int, len(s.Options))
	for i, o := range s.Options {
		opt := []rune(Norm(o))
		at, state := findOption(text, opt, pos)
		sim, n := 1.0, len(opt)
		if at < 0 && m.source == shenbao.SourceOCR {
			var later [][]rune
			for _, o2 := range s.Options[i+1:] {
				later = append(later, []rune(Norm(o2)))
			}
			at, n, state, sim = findOptionOCR(text, opt, pos, later)
			if at >= 0 {
				sim = assignment(text[at:at+n], i, s.Options, sim)
			}
		}
		cb := shenbao.Checkbox{
			ID: s.OptionID(i), Key: s.Key, Section: s.Section, Group: s.FullLabel(), Option: o,
		}
		ats[i] = -1
		if at >= 0 && state != 0 {
			ats[i] = at
		}
		if at >= 0 {
			pos = at + n
			c := owner[at]
			cb.Page, cb.BBox = where(c)
			if b := optionBox(c, string(opt)); b != nil {
				cb.BBox = b
			}
			cb.Checked = state > 0
			conf := 1.0
			if state == 0 {
				conf = 0.3 // no mark found before the option
			}
			// On a scan the mark is decided by its ink, apart from how
			// surely the words were read: the option, once found, is
			// as sure as its mark.
			lc := lineConfidence(c)
			mc, ok := markConfidence(c, string(opt))
			if l := lineOf[max(at-1, 0)]; at > 0 && l != nil && l.Mark > 0 && state != 0 {
				// The line the mark before the option was read on: the
				// mark opens it, however its words were read.
				mc, ok = l.Mark, true
			}
			if ok && state != 0 {
				lc = mc
			}
			if state != 0 {
				if !ok && m.source != shenbao.SourceOCR {
					mc = 1 // a text layer's glyph is what was typed
				}
				ev[i] = markEvidence(state > 0, max(mc, 0.5))
			}
			rest[i] = conf * sim * a.score
			cb.Confidence = rest[i] * lc
			if at > 0 && state != 0 {
				cb.Mark = string(text[at-1])
			}
		}
		m.out.Checkboxes = append(m.out.Checkboxes, cb)
	}
	if m.source == shenbao.SourceOCR {
		m.placeBySlot(m.out.Checkboxes[first:], text, owner, lineOf, ats, ev, rest, a.score)
	}
	if !s.Multi() {
		settleSingle(m.out.Checkboxes[first:], ev, rest, m.source == shenbao.SourceOCR)
	}
}

// How surely an option found by similarity (findOptionOCR) is the box's
// option. The similarity decides WHICH option a box belongs to; once that
// is clear, the box is as sure as its mark: a long option with a character
// or two misread, or a pen tick read as a mark in its middle (开展☑产业链),
// is still the only option of its group it can be. It is lowered only when
// the assignment really is in doubt:
const (
	// assignedSure: a reading at least this like its option...
	assignedSure = 0.8
	// assignedMargin: ...and this much more like it than like any other
	// option of the group (建有国家… and 建有省级… read one character
	// apart are not told apart by their words) is surely that option.
	assignedMargin = 0.3
)

// assignment is the certainty that read, the text found as option i of
// opts with similarity sim, is that option: 1 when it is clearly more
// like it than like any other option of the group, else sim itself (a
// reading barely like its option, a short option with one of its three
// or four characters misread, or one nearly as like another option).
func assignment(read []rune, i int, opts []string, sim float64) float64 {
	if sim < assignedSure {
		return sim
	}
	other := 0.0
	for j, o := range opts {
		if j != i {
			other = max(other, similarity(string(read), Norm(o)))
		}
	}
	if sim-other < assignedMargin {
		return sim
	}
	return 1
}

// runeLines returns, for each rune of nt (the normalised text of c), the
// line of c it was read on; nil throughout when the lines do not make up
// the cell's text.
func runeLines(c *shenbao.Cell, nt []rune) []*shenbao.Line {
	out := make([]*shenbao.Line, 0, len(nt))
	for i := range c.Lines {
		for range []rune(Norm(c.Lines[i].Text)) {
			out = append(out, &c.Lines[i])
		}
	}
	if len(out) != len(nt) {
		return make([]*shenbao.Line, len(nt))
	}
	return out
}

// slot is a run of marks in a group's text: where the run starts and
// ends, and the state it reads as.
type slot struct{ start, end, state int }

// markSlots lists the runs of marks of text in order.
func markSlots(text []rune) []slot {
	var out []slot
	for i := 0; i < len(text); i++ {
		if shenbao.MarkState(text[i]) == 0 {
			continue
		}
		j := i
		for j < len(text) && shenbao.MarkState(text[j]) != 0 {
			j++
		}
		out = append(out, slot{i, j, markBefore(text, j)})
		i = j
	}
	return out
}

// positional is the confidence an option placed by its mark's position
// alone keeps: the text after the mark did not read as the option, but
// the group's other options stand after their own marks, in order.
// Placed by inference, its box is never sure on its own (positionalMax):
// on the held-out scans one such placement put a wrong tick at 0.92.
const (
	positional    = 0.95
	positionalMax = 0.85
)

// placeBySlot reads, the way an OMR sheet is read, the options whose
// words OCR did not find after a mark: a pen tick or cross over an
// option's first characters spoils their reading, or breaks the line.
// When the group's text holds exactly one run of marks per option and
// every option that was found stands right after the run of its rank,
// the k-th run is the k-th option's mark.
func (m *mapper) placeBySlot(cbs []shenbao.Checkbox, text []rune, owner []*shenbao.Cell, lineOf []*shenbao.Line, ats []int, ev, rest []float64, score float64) {
	slots := markSlots(text)
	if len(slots) != len(cbs) {
		return
	}
	confirmed, missing := 0, 0
	for i, at := range ats {
		switch {
		case at < 0:
			missing++
		case slots[i].end != at:
			return // the marks and the options found do not line up
		default:
			confirmed++
		}
	}
	if missing == 0 || confirmed == 0 {
		return
	}
	for i, at := range ats {
		if at >= 0 {
			continue
		}
		sl := slots[i]
		c := owner[sl.start]
		cb := &cbs[i]
		cb.Page, cb.BBox = where(c)
		cb.Checked = sl.state > 0
		cb.Mark = string(text[sl.end-1])
		mc := lineConfidence(c)
		if l := lineOf[sl.start]; l != nil && l.Mark > 0 {
			mc = l.Mark
		}
		rest[i] = positional * score
		ev[i] = markEvidence(cb.Checked, max(mc, 0.5))
		cb.Confidence = min(rest[i]*mc, positionalMax)
	}
}

// markEvidence is a mark's decision and confidence as one signed figure:
// +1 surely ticked, -1 surely empty, near 0 at the document's threshold
// (a mark's confidence runs from 0.5 at the threshold to 0.98; see
// extract/scan's boxConfidence).
func markEvidence(ticked bool, conf float64) float64 {
	e := min(1, max(0, (conf-0.5)/0.48))
	if !ticked {
		e = -e
	}
	return e
}

// The constraint of a single-choice group (one of its options is ticked,
// 是 or 否 among them) decides what the marks alone leave open, the way an
// OMR reader checks a question's answers against each other:
const (
	// groupSure: a group whose one ticked box stands this far above
	// every other (in markEvidence's units, where a sure tick and a sure
	// empty box are 2 apart) is sure, each box of it, however near the
	// document's threshold the tick alone stood.
	groupSure = 1.1
	// ownLeast: a tick so near the threshold that its own ink barely
	// tells it from a smudge is not made sure by the group: a required
	// choice is left blank now and then (the applicant's defect), and a
	// dirty empty box would then be read as its answer.
	ownLeast = 0.3
	// ambiguous: a box whose evidence is weaker than this either way
	// may be decided by the group.
	ambiguous = 0.45
	// standsOut: a box the group decides stands this far from the rest.
	standsOut = 0.6
	// settled is the confidence of a box the group decided against its
	// own mark: right more often than not, never sure.
	settled = 0.75
)

// settleSingle applies a single-choice group's constraint to its boxes
// cbs, as read (ev: each box's markEvidence, 0 where no mark was read;
// rest: each box's confidence apart from its mark). With no box ticked,
// an ambiguous box that stands clearly above the others is the answer;
// with two, an ambiguous one clearly below the other is not. One ticked
// box standing clearly above the rest makes the whole group sure. On a
// scan, two clear ticks left standing are read as drawn but never sure:
// a pen tick running on into its neighbour's box looks just like a second
// tick, and the group says one of them is not meant.
func settleSingle(cbs []shenbao.Checkbox, ev, rest []float64, scanned bool) {
	if len(cbs) < 2 || len(cbs) != len(ev) {
		return
	}
	for i := range cbs {
		if cbs[i].Page == nil || ev[i] == 0 {
			return // an option not found or without a mark: nothing to weigh
		}
	}
	// The highest and second-highest evidence, and the lowest ticked.
	top, second, weakest := -1, -1, -1
	ticked := 0
	for i := range cbs {
		switch {
		case top < 0 || ev[i] > ev[top]:
			top, second = i, top
		case second < 0 || ev[i] > ev[second]:
			second = i
		}
		if cbs[i].Checked {
			ticked++
			if weakest < 0 || ev[i] < ev[weakest] {
				weakest = i
			}
		}
	}
	margin := ev[top] - ev[second]
	switch {
	case ticked == 0 && ev[top] > -ambiguous && margin >= standsOut:
		cbs[top].Checked = true
		cbs[top].Confidence = rest[top] * settled
	case ticked == 2 && weakest != top && ev[weakest] < ambiguous && ev[top]-ev[weakest] >= standsOut:
		cbs[weakest].Checked = false
		cbs[weakest].Confidence = rest[weakest] * settled
	case ticked == 1 && cbs[top].Checked && ev[top] >= ownLeast && margin >= groupSure:
		// Every box is as sure as the gap: 0.98 at groupSure and above.
		for i := range cbs {
			cbs[i].Confidence = max(cbs[i].Confidence, rest[i]*0.98)
		}
	}
	if !scanned {
		return
	}
	ticked = 0
	for i := range cbs {
		if cbs[i].Checked {
			ticked++
		}
	}
	for i := range cbs {
		if ticked > 1 && cbs[i].Checked {
			cbs[i].Confidence = min(cbs[i].Confidence, rest[i]*settled)
		}
	}
}

// findOption returns where opt starts in text at or after from, preferring
// an occurrence right after a mark, and the mark's state (+1 ticked, -1
// empty box, 0 no mark).
func findOption(text, opt []rune, from int) (int, int) {
	first := -1
	for i := from; i+len(opt) <= len(text); i++ {
		if !equalRunes(text[i:i+len(opt)], opt) {
			continue
		}
		if first < 0 {
			first = i
		}
		if st := markBefore(text, i); st != 0 {
			return i, st
		}
	}
	return first, 0
}

// findOptionOCR finds a long option OCR misread a character or two of:
// the text after a mark (☑ or □) most like the option. It returns where
// that text starts, its length, the mark's state and the similarity; -1
// when nothing after a mark is like enough.
func findOptionOCR(text, opt []rune, from int, later [][]rune) (at, n, state int, sim float64) {
	at = -1
	if len(opt) < 3 {
		return // 是, 否 and the like are matched exactly or not at all
	}
	if len(opt) < 6 {
		// A short option (第二产业) with one character misread (第三产业)
		// is taken only at the next mark, in the form's order, and only
		// if an option still to come that it reads as is found again
		// after it.
		for i := max(from, 1); i+len(opt) <= len(text); i++ {
			if shenbao.MarkState(text[i-1]) == 0 || shenbao.MarkState(text[i]) != 0 {
				continue
			}
			cand := text[i : i+len(opt)]
			for _, o := range later {
				if equalRunes(cand, o) {
					if again, _ := findOption(text, o, i+len(opt)); again < 0 {
						return
					}
				}
			}
			if s := similarity(string(cand), string(opt)); s >= 1-1.0/float64(len(opt))-1e-9 {
				return i, len(opt), markBefore(text, i), s
			}
			return
		}
		return
	}
	want := string(opt)
	for i := max(from, 1); i < len(text); i++ {
		if shenbao.MarkState(text[i-1]) == 0 || shenbao.MarkState(text[i]) != 0 {
			continue // not the first character after a run of marks
		}
		for l := len(opt) - 2; l <= len(opt)+2; l++ {
			if i+l > len(text) {
				break
			}
			if s := similarity(string(text[i:i+l]), want); s >= 0.75 && s > sim {
				at, n, sim = i, l, s
			}
		}
		if sim == 1 {
			break
		}
	}
	if at >= 0 {
		state = markBefore(text, at)
	}
	return
}

// markBefore reads the marks right before position i: a tick anywhere in a
// run of marks (□√, √□: a tick written beside or over the box) means
// ticked; a lone box means empty. Raw symbol-font letters count only
// directly before the option.
func markBefore(text []rune, i int) int {
	st := 0
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		s := shenbao.MarkState(text[j])
		if s == 0 {
			break
		}
		if s > 0 {
			return 1
		}
		st = s
	}
	if st == 0 && i > 0 {
		return shenbao.RawMark(text[i-1])
	}
	return st
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// optionBox estimates where an option's text stands: on the printed line
// that holds it, at its place among the line's characters (Chinese text is
// set at an even advance, so the share of characters is the share of the
// width). Nil when the format has no lines.
func optionBox(c *shenbao.Cell, normOpt string) *shenbao.Box {
	opt := []rune(normOpt)
	prefix := opt
	if len(prefix) > 6 {
		prefix = prefix[:6]
	}
	for _, l := range c.Lines {
		line := []rune(Norm(l.Text))
		i := indexRunes(line, prefix)
		if i < 0 || len(line) == 0 {
			continue
		}
		w := (l.BBox[2] - l.BBox[0]) / float64(len(line))
		end := min(l.BBox[2], l.BBox[0]+float64(i+len(opt))*w)
		b := shenbao.Box{l.BBox[0] + float64(i)*w, l.BBox[1], end, l.BBox[3]}
		return &b
	}
	return nil
}

func indexRunes(s, sub []rune) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalRunes(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// markConfidence is the confidence of the mark opening the line of c that
// holds the option, when the reader rated it: the line is the mark and
// the option's first characters, as read — the first of them misread or
// lost, when there are three or more (a pen tick run into the option's
// first character spoils it; 第二产业 for 第三产业 is another option).
func markConfidence(c *shenbao.Cell, normOpt string) (float64, bool) {
	opt := []rune(normOpt)
	prefix := opt[:min(len(opt), 6)]
	for _, l := range c.Lines {
		line := []rune(Norm(l.Text))
		if l.Mark == 0 || len(line) < len(prefix) {
			continue
		}
		after := line[1:]
		tail := prefix[1:]
		if len(after) >= len(prefix) && equalRunes(after[:len(prefix)], prefix) ||
			len(prefix) >= 3 && (equalRunes(after[:len(tail)], tail) || len(after) >= len(prefix) && equalRunes(after[1:len(prefix)], tail)) {
			return l.Mark, true
		}
	}
	return 0, false
}
