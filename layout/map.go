package layout

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
)

// Mapped is what a template reads from a document's Content.
type Mapped struct {
	Fields     []shenbao.Field
	Checkboxes []shenbao.Checkbox
	Texts      []shenbao.Text
	// NotFound lists the keys of template rows that were not located.
	NotFound []string
	// Readings says, by field id (and long answer id), how each value
	// read from a table cell was read: what the corrections stage
	// (package correct) weighs besides the value itself.
	Readings map[string]Reading
}

// Reading is how a value was read from its cell, for the corrections
// stage: the label's anchor score, the cell's line confidence, and the
// digit model's reading of the same ink where a scan has one.
type Reading struct {
	Score float64 // how well the row's label was matched
	Line  float64 // the cell's line confidence (see lineConfidence)
	// Digits is the digit model's reading (see shenbao.Line.Digits) when
	// exactly one line of the cell has one that is a number.
	Digits     string
	DigitsConf float64
	// Rereads are the cell's words the reader's evidence says read
	// otherwise (shenbao.Line.Rereads), passed on as read: mapping does
	// not apply them, the corrections stage decides.
	Rereads []shenbao.Reread
}

// minLabelScore is the least similarity at which a cell is taken for a
// label: it lets an OCR'd label with a wrong character through, not a
// different row.
const minLabelScore = 0.75

// unit is one paragraph or one table row of the flattened document.
type unit struct {
	para    bool
	text    string // paragraph text
	norm    string // Norm(text) for paragraphs
	page    int
	bbox    *shenbao.Box
	conf    float64 // OCR confidence of a paragraph; 0 when unknown
	row     *shenbao.Row
	norms   []string // Norm of each cell's text
	table   int      // which table the row belongs to
	section int      // index into Template.Sections; -1 before any heading
}

type mapper struct {
	t      *Template
	units  []unit
	source string
	out    Mapped
}

// Map reads the template's rows from c. It never fails: what it cannot
// locate is listed in NotFound and reported as a blank with confidence 0,
// so the checks and the reviewer see it.
func Map(c *shenbao.Content, t *Template) *Mapped {
	m := &mapper{t: t, source: sourceOf(c.Format), out: Mapped{Readings: map[string]Reading{}}}
	m.flatten(c)
	if t.Kind == KindSummary {
		m.summary()
	} else {
		m.application()
	}
	return &m.out
}

func sourceOf(format string) string {
	switch format {
	case shenbao.FormatDOCX, shenbao.FormatDOC:
		return shenbao.SourceDOCX
	case shenbao.FormatPDFScan:
		return shenbao.SourceOCR
	}
	return shenbao.SourcePDFText
}

func (m *mapper) flatten(c *shenbao.Content) {
	tables := 0
	var addTable func(t *shenbao.Table, page int)
	addTable = func(t *shenbao.Table, page int) {
		id := tables
		tables++
		for i := range t.Rows {
			r := &t.Rows[i]
			u := unit{row: r, table: id, page: page}
			for _, cell := range r.Cells {
				u.norms = append(u.norms, Norm(cell.Text))
			}
			m.units = append(m.units, u)
			for j := range r.Cells {
				for k := range r.Cells[j].Tables {
					addTable(&r.Cells[j].Tables[k], r.Cells[j].Page)
				}
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Table != nil {
			addTable(b.Table, b.Page)
			continue
		}
		m.units = append(m.units, unit{para: true, text: b.Text, norm: Norm(b.Text), page: b.Page, bbox: b.BBox, conf: b.Confidence})
	}
	// Sections: a paragraph that is a section heading starts the section.
	sec := -1
	for i := range m.units {
		u := &m.units[i]
		if u.para && u.norm != "" {
			for j := sec + 1; j < len(m.t.Sections); j++ {
				h := Norm(m.t.Sections[j])
				if m.t.Sections[j] == CoverSection {
					continue
				}
				if u.norm == h || strings.HasPrefix(u.norm, h) && len(u.norm) < len(h)+12 || similarity(u.norm, h) >= 0.8 {
					sec = j
					break
				}
			}
		}
		u.section = sec
	}
}

// sectionRange returns the units of a section, or every unit when the
// document shows no heading for it (a scan that lost it, say).
func (m *mapper) sectionRange(section string) (int, int) {
	idx := -1
	for i, s := range m.t.Sections {
		if s == section {
			idx = i
		}
	}
	if section == CoverSection {
		end := len(m.units)
		for i, u := range m.units {
			if u.section >= 0 || !u.para && i > 0 {
				end = i
				break
			}
		}
		return 0, end
	}
	start, end := -1, len(m.units)
	for i, u := range m.units {
		if u.section == idx && start < 0 {
			start = i
		}
		if start >= 0 && u.section > idx {
			end = i
			break
		}
	}
	if start < 0 {
		return 0, len(m.units)
	}
	return start, end
}

// anchor is a located label: the unit (row) and the cell holding it.
type anchor struct {
	u, c  int
	score float64
}

// find locates label among the table cells of units [from, to): the best
// score wins, the earliest on a tie.
func (m *mapper) find(label string, from, to int) (anchor, bool) {
	nl := Norm(label)
	best := anchor{u: -1}
	for i := from; i < to && i < len(m.units); i++ {
		u := &m.units[i]
		if u.para {
			continue
		}
		for j, n := range u.norms {
			if u.row.Cells[j].Merged || n == "" {
				continue
			}
			s := labelScore(n, nl)
			if s > best.score {
				best = anchor{u: i, c: j, score: s}
				if s == 1 {
					return best, true
				}
			}
		}
	}
	return best, best.score >= minLabelScore
}

// block returns the rows an anchor's label cell spans: its own row and the
// following rows of the same table that continue it (vMerge).
func (m *mapper) block(a anchor) []int {
	rows := []int{a.u}
	col := m.units[a.u].row.Cells[a.c].Col
	for i := a.u + 1; i < len(m.units); i++ {
		u := &m.units[i]
		if u.para || u.table != m.units[a.u].table {
			break
		}
		cont := false
		for _, c := range u.row.Cells {
			if c.Col == col && c.Merged {
				cont = true
			}
		}
		if !cont {
			break
		}
		rows = append(rows, i)
	}
	return rows
}

// right returns the cells of row u to the right of column col.
func (m *mapper) right(u int, after *shenbao.Cell) []*shenbao.Cell {
	var out []*shenbao.Cell
	row := m.units[u].row
	for i := range row.Cells {
		c := &row.Cells[i]
		if c.Col >= after.Col+after.Span && !c.Merged {
			out = append(out, c)
		}
	}
	return out
}

func (m *mapper) application() {
	cursor := map[string]int{}
	for i := range m.t.Rows {
		s := &m.t.Rows[i]
		if s.Section == CoverSection {
			m.cover(s)
			continue
		}
		from, to := m.sectionRange(s.Section)
		if c, ok := cursor[s.Section]; ok && c > from {
			// Rows come in the form's order; look after the last one first.
			if a, ok := m.locate(s, c, to); ok {
				cursor[s.Section] = a.u
				m.read(s, a)
				continue
			}
		}
		if a, ok := m.locate(s, from, to); ok {
			cursor[s.Section] = a.u
			m.read(s, a)
			continue
		}
		m.notFound(s)
	}
}

// locate finds a row spec's anchor in units [from, to), through its parent
// row where the label repeats.
func (m *mapper) locate(s *Spec, from, to int) (anchor, bool) {
	if s.Type == TypePlanTarget {
		return m.locatePlan(s, from, to)
	}
	if s.Type == TypeLongText && Norm(s.Label) == Norm(s.Section) {
		// The plan: the answer is the section's table cell itself, by far
		// the longest cell of the section (or of the document, when a scan
		// lost the heading).
		best, bestLen := anchor{}, -1
		for i := from; i < to; i++ {
			if m.units[i].para {
				continue
			}
			for j, n := range m.units[i].norms {
				if len(n) > bestLen {
					best, bestLen = anchor{u: i, c: j, score: 1}, len(n)
				}
			}
		}
		return best, bestLen >= 0
	}
	if s.Parent == "" {
		return m.find(s.Label, from, to)
	}
	p, ok := m.find(s.Parent, from, to)
	if !ok {
		// The parent above the cursor: its second sub-row and on.
		sf, _ := m.sectionRange(s.Section)
		p, ok = m.find(s.Parent, sf, to)
	}
	if !ok {
		return m.find(s.Label, from, to)
	}
	// The label sits in the parent's block or in the next few rows, not
	// past the next row label of the section: a sub-label OCR misread
	// (圈系方式) must not be passed over for the same sub-label of the
	// next parent.
	rows := m.block(p)
	last := rows[len(rows)-1]
	end := min(last+4, to)
	for i := last + 1; i < end; i++ {
		if m.rowLabelOf(s.Section, s.Parent, i) {
			end = i
			break
		}
	}
	a, ok := m.find(s.Label, p.u, end)
	if !ok || a.score < 1 {
		if b, ok := m.findMerged(s, p.u, end); ok {
			return b, true
		}
	}
	if ok {
		if a.u == p.u && a.c == p.c {
			// The parent cell itself can't be the label's cell.
			if b, ok := m.find(s.Label, p.u+1, end); ok {
				return b, true
			}
		}
		return a, true
	}
	return anchor{}, false
}

// rowLabelOf says whether unit i starts with the label of a row of the
// section that has no parent, other than except.
func (m *mapper) rowLabelOf(section, except string, i int) bool {
	u := &m.units[i]
	if u.para || len(u.norms) == 0 || u.row.Cells[0].Merged {
		return false
	}
	for _, r := range m.t.Rows {
		if r.Section == section && r.Parent == "" && r.Label != except && labelScore(u.norms[0], Norm(r.Label)) >= minLabelScore {
			return true
		}
	}
	return false
}

func (m *mapper) notFound(s *Spec) {
	m.out.NotFound = append(m.out.NotFound, s.Key)
	switch {
	case s.IsCheckbox():
		for i, o := range s.Options {
			m.out.Checkboxes = append(m.out.Checkboxes, shenbao.Checkbox{
				ID: s.OptionID(i), Key: s.Key, Section: s.Section, Group: s.FullLabel(), Option: o,
			})
		}
	case s.Type == TypeLongText:
		m.out.Texts = append(m.out.Texts, shenbao.Text{ID: s.Key, Key: s.Key, Section: s.Section, Label: s.FullLabel(), Limit: s.Limit})
	default:
		for _, col := range s.Columns {
			m.addField(s, col, "", 0, nil)
		}
	}
}

func (m *mapper) read(s *Spec, a anchor) {
	if s.Type != TypePlanTarget && s.Type != TypeLongText && !s.IsCheckbox() {
		a.score = m.anchorConfidence(s, a)
	}
	switch s.Type {
	case TypeChoice, TypeMultiChoice:
		m.readChoice(s, a)
	case TypeLongText:
		m.readLongText(s, a)
	case TypeStandards:
		m.readStandards(s, a)
	case TypeCountNames:
		m.readCountNames(s, a)
	case TypePlanTarget:
		m.readPlan(s, a)
	case TypeDeclaration:
		m.readDeclaration(s, a)
	default:
		if len(s.Columns) == 1 && ColumnYear(s.Columns[0]) == 0 {
			m.readSingle(s, a)
		} else {
			m.readYears(s, a)
		}
	}
}

func (m *mapper) cell(a anchor) *shenbao.Cell { return &m.units[a.u].row.Cells[a.c] }

// addField appends a field read from cell c (nil when not located).
func (m *mapper) addField(s *Spec, col, value string, conf float64, c *shenbao.Cell) {
	f := shenbao.Field{
		ID: s.FieldID(col), Key: s.Key, Section: s.Section, Label: s.FullLabel(), Column: col,
		Value: value, Unit: s.Unit, Year: ColumnYear(col), Confidence: conf, Source: m.source,
	}
	if c != nil {
		f.Page, f.BBox = where(c)
		f.Confidence = conf * lineConfidence(c)
		f.Engine = cellEngine(c)
		r := Reading{Score: conf, Line: lineConfidence(c), Rereads: cellRereads(c)}
		r.Digits, r.DigitsConf, _ = cellDigits(c)
		m.out.Readings[f.ID] = r
	}
	if IsNumeric(s.Type) {
		f.Number = ParseNumber(f.Value)
	}
	m.out.Fields = append(m.out.Fields, f)
}

// cellRereads gathers the rereads of the lines of cells.
func cellRereads(cells ...*shenbao.Cell) []shenbao.Reread {
	var out []shenbao.Reread
	for _, c := range cells {
		for _, l := range c.Lines {
			out = append(out, l.Rereads...)
		}
	}
	return out
}

func where(c *shenbao.Cell) (*int, *shenbao.Box) {
	var page *int
	if c.Page > 0 {
		p := c.Page
		page = &p
	}
	return page, c.BBox
}

// cellEngine is the recogniser that read a cell: the weakest of its lines'
// (Tesseract alone, then PP-OCR alone, then both).
func cellEngine(c *shenbao.Cell) string {
	e := ""
	for _, l := range c.Lines {
		switch {
		case l.Engine == shenbao.EngineTesseract || e == shenbao.EngineTesseract:
			e = shenbao.EngineTesseract
		case l.Engine == shenbao.EnginePPOCR || e == shenbao.EnginePPOCR:
			e = shenbao.EnginePPOCR
		case l.Engine != "":
			e = l.Engine
		}
	}
	return e
}

func lineConfidence(c *shenbao.Cell) float64 { return linesConfidence(c.Lines) }

// valueLinesConfidence is the confidence of the lines of c that hold
// value v — the line it is in, or the lines it was joined from when it
// wraps — apart from the cell's other lines (printed words around it).
// ok is false when no line holds it, and for a cell without lines.
func valueLinesConfidence(c *shenbao.Cell, v string) (float64, bool) {
	want := StripSpace(v)
	if want == "" {
		return 0, false
	}
	var ls []shenbao.Line
	for _, l := range c.Lines {
		t := StripSpace(l.Text)
		if strings.Contains(t, want) || len([]rune(t)) >= 2 && strings.Contains(want, t) {
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 {
		return 0, false
	}
	return linesConfidence(ls), true
}

func linesConfidence(lines []shenbao.Line) float64 {
	conf := 1.0
	for _, l := range lines {
		if l.Confidence > 0 && l.Confidence < conf {
			conf = l.Confidence
		}
		// One doubtful word is enough to doubt a value, but Tesseract
		// rates some right characters of a sure line as low as 0.5.
		if l.Weakest > 0 && l.Weakest+0.3 < conf {
			conf = l.Weakest + 0.3
		}
	}
	return conf
}

var numberRE = regexp.MustCompile(`^[-+－]?\d[\d,，]*(\.\d+)?$`)

// numberFold takes out digit grouping and signs' full-width and plus forms;
// built once (a Replacer is safe for concurrent use), not per number.
var numberFold = strings.NewReplacer(",", "", "，", "", "－", "-", "+", "")

// ParseNumber reads a number as forms write it (12.34, 1,234, -5.45, 20%,
// 29个) and returns nil for anything else (无, blanks, words).
func ParseNumber(v string) *float64 {
	s := strings.TrimSpace(v)
	s = strings.TrimRight(s, "%％个家件项人次亿万元")
	s = strings.TrimSpace(s)
	if !numberRE.MatchString(s) {
		return nil
	}
	s = numberFold.Replace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	return &f
}

// cellValue is a cell's text as one value: lines joined (a space only
// between Latin or digit runs), outer space trimmed.
func cellValue(c *shenbao.Cell) string { return joinLines(c.Text) }

func joinLines(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			prev, _ := lastRune(b.String())
			first := []rune(l)[0]
			if isLatin(prev) && isLatin(first) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

func isLatin(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// numericValue is the value of a count or amount cell: its first line
// without the printed unit or note ("  29  个\n(需提供清单)" → "29"). A
// scan often reads the note on the number's own line ("71个(需提供清单)"):
// a bracket after the number opens print too, so it is cut here rather
// than left for a correction rule to "repair" at lowered confidence.
func numericValue(c *shenbao.Cell) string {
	for _, l := range strings.Split(c.Text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if i := strings.IndexAny(l, "(（"); i > 0 && strings.ContainsAny(l[:i], "0123456789") {
			l = l[:i]
		}
		return strings.TrimSpace(strings.TrimRight(l, "个家件项人次 "))
	}
	return ""
}

func (m *mapper) value(s *Spec, c *shenbao.Cell) string {
	if IsNumeric(s.Type) {
		return numericValue(c)
	}
	return cellValue(c)
}

// indexNorm finds the normalised needle in raw text, skipping whitespace and
// folding width as Norm does, and returns raw byte offsets.
func indexNorm(raw, needle string) (int, int, bool) {
	return indexNormSkipping(raw, needle, "")
}

// indexNormLoose is indexNorm that also skips brackets, which OCR drops or
// doubles around a printed marker (县市、区) for 县（市、区）).
func indexNormLoose(raw, needle string) (int, int, bool) {
	return indexNormSkipping(raw, needle, ocrBrackets)
}

// ocrBrackets are the normalised brackets OCR drops or doubles around a
// printed word.
const ocrBrackets = "()[]"

func indexNormSkipping(raw, needle, skip string) (int, int, bool) {
	var want []rune
	for _, r := range needle {
		if !strings.ContainsRune(skip, r) {
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return 0, 0, false
	}
	type pos struct {
		r    rune
		at   int
		next int
	}
	var rs []pos
	for i, r := range raw {
		n := Norm(string(r))
		for _, nr := range n {
			if !strings.ContainsRune(skip, nr) {
				rs = append(rs, pos{nr, i, i + len(string(r))})
			}
		}
	}
	for i := 0; i+len(want) <= len(rs); i++ {
		ok := true
		for j := range want {
			if rs[i+j].r != want[j] {
				ok = false
				break
			}
		}
		if ok {
			return rs[i].at, rs[i+len(want)-1].next, true
		}
	}
	return 0, 0, false
}
