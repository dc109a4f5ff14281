package layout

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// cover reads a cover-page blank: the text after the printed label
// ("申报时间：___"), or, where one line holds several blanks
// ("所属地区：__省(区、市)__市(区)__县(市、区)"), the words just before the
// blank's printed unit.
func (m *mapper) cover(s *Spec) {
	if m.coverAt(s, indexNorm) {
		return
	}
	// OCR drops or doubles a printed bracket (区（（县）…), most often
	// where two of the cover's lines run together into one; failing that,
	// it misread a character or two of the label (主管部门〈“盖章)).
	if m.source == shenbao.SourceOCR && (m.coverAt(s, indexNormLoose) || m.coverAt(s, indexNormNear)) {
		return
	}
	m.notFound(s)
}

// findLabel finds a printed label in raw text: exactly (up to whitespace
// and width), and on a scan also with brackets dropped or doubled, or
// with a character or two misread.
func (m *mapper) findLabel(raw, label string) (int, int, bool) {
	if i, j, ok := indexNorm(raw, label); ok || m.source != shenbao.SourceOCR {
		return i, j, ok
	}
	if i, j, ok := indexNormLoose(raw, label); ok {
		return i, j, ok
	}
	return indexNormNear(raw, label)
}

// nearLabel is the least similarity at which OCR'd text is taken for a
// printed cover label, and nearRunes the shortest label so taken: two
// misread characters in a long label, none in a short one, which could
// as well be a value's words.
const (
	nearLabel = 0.85
	nearRunes = 8
)

// indexNormNear is indexNorm for text OCR misread a character or two of:
// the stretch of raw whose normalised runes are most similar to needle,
// at least nearLabel (a long needle only), the earliest of equals, as raw
// byte offsets. The most similar, not the first similar enough: a value
// ending in the label's first character (柏浦区|区（县）…) keeps it.
func indexNormNear(raw, needle string) (int, int, bool) {
	if len([]rune(needle)) < nearRunes {
		return 0, 0, false
	}
	bi, bj, best := normNearest(raw, needle, nil)
	return bi, bj, best >= nearLabel
}

// normNearest is the stretch of raw whose normalised runes are most
// similar to needle (normalised), two runes shorter to two longer, the
// earliest of equals, leaving out stretches skip rejects: its raw byte
// offsets and similarity (0 when none).
func normNearest(raw, needle string, skip func(stretch []rune) bool) (int, int, float64) {
	want := []rune(needle)
	type pos struct {
		r        rune
		at, next int
	}
	var rs []pos
	for i, r := range raw {
		for _, nr := range Norm(string(r)) {
			rs = append(rs, pos{nr, i, i + len(string(r))})
		}
	}
	best, bi, bj := 0.0, 0, 0
	line := make([]rune, 0, len(want)+2)
	for i := range rs {
		for n := len(want) - 2; n <= len(want)+2; n++ {
			if n < 1 || i+n > len(rs) {
				continue
			}
			line = line[:0]
			for _, p := range rs[i : i+n] {
				line = append(line, p.r)
			}
			if skip != nil && skip(line) {
				continue
			}
			if sc := similarity(string(line), needle); sc > best {
				best, bi, bj = sc, rs[i].at, rs[i+n-1].next
			}
		}
	}
	return bi, bj, best
}

// coverAt reads s's blank after its label where index finds the label in
// a cover line, and says whether it found one.
func (m *mapper) coverAt(s *Spec, index func(raw, needle string) (int, int, bool)) bool {
	from, to := m.sectionRange(CoverSection)
	nl := Norm(s.Label)
	for i := from; i < to; i++ {
		u := &m.units[i]
		if !u.para {
			continue
		}
		_, end, ok := index(u.text, nl)
		if !ok {
			continue
		}
		rest := u.text[end:]
		col := s.Columns[0]
		var v string
		if col == "" {
			rest = m.cutAtNextLabel(rest, s)
			// A long value wraps onto the next printed line.
			for j := i + 1; j < to && j <= i+2; j++ {
				w := &m.units[j]
				if !w.para || w.norm == "" || m.isCoverText(w.norm) {
					break
				}
				rest += w.text
			}
			v = trimBlank(coverHint.ReplaceAllString(rest, ""))
		} else {
			v = m.beforeMarker(rest, s)
		}
		conf := 1.0
		if m.source == shenbao.SourceOCR {
			// Handwriting or type over an underline: without the reader's
			// own confidence, assume a reviewer should look.
			conf = 0.75
			if u.conf > 0 {
				conf = u.conf
			}
		}
		m.out.Fields = append(m.out.Fields, shenbao.Field{
			ID: s.FieldID(col), Key: s.Key, Section: s.Section, Label: s.FullLabel(), Column: col,
			Value: v, Confidence: conf, Page: pageOf(u.page), BBox: u.bbox, Source: m.source,
		})
		return true
	}
	return false
}

// trimBlank trims what an underlined blank leaves around a handwritten or
// OCR'd value: spaces, underscores, and the stray punctuation OCR makes of
// the underline.
func trimBlank(v string) string { return TrimBlank(v) }

// TrimBlank trims what an underlined blank leaves around a handwritten or
// OCR'd value (see trimBlank). Any space counts: Tesseract writes the
// blank after a cover label's colon as an ideographic space (U+3000) as
// often as not, and one left outside the cut kept the underline's _ after
// it in the value (　_2023年3月11日).
func TrimBlank(v string) string {
	return strings.TrimFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(blankMarks, r)
	})
}

// blankMarks are the marks OCR makes of a blank's underline.
const blankMarks = "_＿—-－,，.。．:：;；'\"“”‘’|｜"

// coverHint is the printed naming hint beside a blank, e.g.
// "[重庆市中小企业特色产业集群（XX产业）]", also with an X lost to OCR.
var coverHint = regexp.MustCompile(`[\[【(（][^\[【]*(XX|X ?产业).*$`)

// misreadHint reports the naming hint printed under a blank with its
// opening "(XX" misread as a few Latin letters ("CCX(省、市)XX(县、区)XX产业))").
func misreadHint(norm string) bool {
	loc := coverHint.FindStringIndex(norm)
	if loc == nil || loc[0] == 0 || loc[0] > 4 {
		return false
	}
	for _, r := range norm[:loc[0]] {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func pageOf(p int) *int {
	if p <= 0 {
		return nil
	}
	return &p
}

// beforeMarker returns the last word before the column's printed marker,
// after the previous marker of the same line.
func (m *mapper) beforeMarker(rest string, s *Spec) string {
	start, _, ok := indexNorm(rest, Norm(s.Columns[0]))
	if !ok && m.source == shenbao.SourceOCR {
		start, _, ok = indexNormLoose(rest, Norm(s.Columns[0]))
	}
	if !ok {
		return ""
	}
	seg := rest[:start]
	// Cut after any sibling marker that precedes this one.
	for _, r := range m.t.Rows {
		if r.Section != CoverSection || r.Label != s.Label || r.Key == s.Key {
			continue
		}
		for _, c := range r.Columns {
			if c == "" {
				continue
			}
			_, end, ok := indexNorm(seg, Norm(c))
			if !ok && m.source == shenbao.SourceOCR {
				_, end, ok = indexNormLoose(seg, Norm(c))
			}
			if ok {
				seg = seg[end:]
			}
		}
	}
	words := strings.Fields(seg)
	if len(words) == 0 {
		return ""
	}
	// OCR may glue the value to a marker it misread ("《区)“德阳区"):
	// the value starts after the last bracket or quote.
	w := words[len(words)-1]
	if i := strings.LastIndexAny(w, ")）〉》」]】\"“”'"); i >= 0 && m.source == shenbao.SourceOCR {
		_, n := utf8.DecodeRuneInString(w[i:])
		w = w[i+n:]
	}
	return trimBlank(w)
}

// cutAtNextLabel cuts a value where another cover label starts on the same
// line (OCR sometimes merges lines).
func (m *mapper) cutAtNextLabel(rest string, s *Spec) string {
	cut := len(rest)
	for _, r := range m.t.Rows {
		if r.Section != CoverSection || r.Label == s.Label {
			continue
		}
		start, _, ok := m.findLabel(rest, Norm(r.Label))
		if ok && start < cut {
			cut = start
		}
	}
	return rest[:cut]
}

// isCoverText reports whether a cover line is the form's own print: a
// label, the title, the maker line or the (XX…) hint.
func (m *mapper) isCoverText(norm string) bool {
	printed := func(p string) bool {
		// OCR may misread a character of it ([业和信息化部制).
		return p != "" && (strings.Contains(norm, p) || m.source == shenbao.SourceOCR && labelScore(norm, p) >= minLabelScore)
	}
	if strings.HasPrefix(norm, "(") || misreadHint(norm) || printed(Norm(m.t.Title)) || printed(Norm(m.t.Maker)) {
		return true
	}
	for _, r := range m.t.Rows {
		if r.Section != CoverSection {
			continue
		}
		if strings.HasPrefix(norm, Norm(r.Label)) {
			return true
		}
		if m.source != shenbao.SourceOCR {
			continue
		}
		if strings.HasPrefix(unbracketed(norm), unbracketed(Norm(r.Label))) {
			return true
		}
		if i, _, ok := indexNormNear(norm, Norm(r.Label)); ok && i == 0 {
			return true
		}
	}
	return strings.HasPrefix(norm, "填报说明")
}

// unbracketed drops the brackets of a normalised text, which OCR drops or
// doubles around printed words (区《〈县) for 区（县）), as indexNormLoose
// skips them.
func unbracketed(norm string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(ocrBrackets, r) {
			return -1
		}
		return r
	}, norm)
}

// summary reads a summary table: the header row names the columns by the
// template's labels, and every row with a number in 序号 is one cluster.
func (m *mapper) summary() {
	type colSpec struct {
		spec *Spec
		col  int
	}
	for i := range m.units {
		u := &m.units[i]
		if u.para {
			continue
		}
		var cols []colSpec
		for k := range m.t.Rows {
			s := &m.t.Rows[k]
			best, at := 0.0, -1
			for j, n := range u.norms {
				if sc := labelScore(n, Norm(s.Label)); sc > best {
					best, at = sc, j
				}
			}
			if best >= minLabelScore {
				cols = append(cols, colSpec{s, u.row.Cells[at].Col})
			}
		}
		if len(cols) < len(m.t.Rows)/2+1 {
			continue
		}
		for j := i + 1; j < len(m.units); j++ {
			v := &m.units[j]
			if v.para {
				if v.norm == "" {
					continue
				}
				break
			}
			if v.table != u.table && len(v.row.Cells) != len(u.row.Cells) {
				break
			}
			if len(v.row.Cells) == 0 || ParseNumber(v.norms[0]) == nil {
				continue
			}
			no := v.norms[0]
			for _, cs := range cols {
				var c *shenbao.Cell
				for x := range v.row.Cells {
					if v.row.Cells[x].Col == cs.col {
						c = &v.row.Cells[x]
					}
				}
				if c == nil {
					continue
				}
				val := cellValue(c)
				page, box := where(c)
				m.out.Fields = append(m.out.Fields, shenbao.Field{
					ID: cs.spec.Key + "." + no, Key: cs.spec.Key, Section: cs.spec.Section, Label: cs.spec.Label,
					Column: no, Value: val, Confidence: lineConfidence(c), Page: page, BBox: box, Source: m.source,
				})
				if cs.spec.Type == TypeLongText {
					m.out.Texts = append(m.out.Texts, shenbao.Text{
						ID: cs.spec.Key + "." + no, Key: cs.spec.Key, Section: cs.spec.Section, Label: cs.spec.Label,
						Text: val, Chars: len([]rune(StripSpace(val))), Limit: cs.spec.Limit,
						Confidence: lineConfidence(c), Page: page, BBox: box,
					})
				}
			}
		}
		return
	}
	for k := range m.t.Rows {
		m.out.NotFound = append(m.out.NotFound, m.t.Rows[k].Key)
	}
}
