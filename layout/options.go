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
	for _, c := range region {
		for _, r := range Norm(c.Text) {
			text = append(text, r)
			owner = append(owner, c)
		}
	}
	pos := 0
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
		}
		cb := shenbao.Checkbox{
			ID: s.OptionID(i), Key: s.Key, Section: s.Section, Group: s.FullLabel(), Option: o,
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
			if mc, ok := markConfidence(c, string(opt)); ok && state != 0 {
				lc = mc
			}
			cb.Confidence = conf * sim * a.score * lc
			if at > 0 && state != 0 {
				cb.Mark = string(text[at-1])
			}
		}
		m.out.Checkboxes = append(m.out.Checkboxes, cb)
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
// the option's first characters, as read.
func markConfidence(c *shenbao.Cell, normOpt string) (float64, bool) {
	opt := []rune(normOpt)
	prefix := opt[:min(len(opt), 6)]
	for _, l := range c.Lines {
		line := []rune(Norm(l.Text))
		if l.Mark > 0 && len(line) > len(prefix) && equalRunes(line[1:1+len(prefix)], prefix) {
			return l.Mark, true
		}
	}
	return 0, false
}
