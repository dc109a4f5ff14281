package layout

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/glyph"
)

// Mapped is what a template reads from a document's Content.
type Mapped struct {
	Fields     []shenbao.Field
	Checkboxes []shenbao.Checkbox
	Texts      []shenbao.Text
	// NotFound lists the keys of template rows that were not located.
	NotFound []string
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
	m := &mapper{t: t, source: sourceOf(c.Format)}
	m.flatten(c)
	if t.Kind == KindSummary {
		m.summary()
	} else {
		m.application()
		if m.source == shenbao.SourceOCR {
			m.countyNames()
			m.repairCity()
			m.repairCounty()
			m.crossRead()
			m.countyRead()
		}
	}
	return &m.out
}

// sameConcept pairs the rows that state the same thing twice: the cover
// page's blanks and the basic-information table.
var sameConcept = [][2]string{{"cover_name", "name"}, {"cover_org", "org"}, {"cover_dept", "dept"}}

// crossRead lowers the confidence of OCR'd values whose twin elsewhere on
// the form reads differently: one of the two is misread, and a reviewer
// should see which.
func (m *mapper) crossRead() {
	at := map[string]int{}
	for i, f := range m.out.Fields {
		at[f.ID] = i
	}
	for _, pair := range sameConcept {
		i, ok1 := at[pair[0]]
		j, ok2 := at[pair[1]]
		if !ok1 || !ok2 {
			continue
		}
		a, b := &m.out.Fields[i], &m.out.Fields[j]
		if a.Value == "" || b.Value == "" || Norm(a.Value) == Norm(b.Value) {
			continue
		}
		a.Confidence *= 0.7
		b.Confidence *= 0.7
	}
}

// county returns the index of the cover's county (所属地区) and its
// characters, or -1 when it is missing or too short to hold against the
// names (two characters or fewer).
func (m *mapper) county() (int, []rune) {
	ci := slices.IndexFunc(m.out.Fields, func(f shenbao.Field) bool { return f.Key == "region_county" })
	if ci < 0 {
		return -1, nil
	}
	cr := []rune(trimBlank(m.out.Fields[ci].Value))
	if len(cr) < 3 {
		return -1, nil
	}
	return ci, cr
}

// countyRead lowers the confidence of an OCR'd name that holds the
// cover's county with one character read differently (风溪市 where
// 所属地区 reads 凤溪市), and of the county itself: one of them is misread,
// however sure Tesseract is of each.
func (m *mapper) countyRead() {
	ci, cr := m.county()
	if ci < 0 {
		return
	}
	differs := false
	for i := range m.out.Fields {
		f := &m.out.Fields[i]
		if !slices.Contains(countyNamed, f.Key) {
			continue
		}
		rs := []rune(f.Value)
		for j := 0; j+len(cr) <= len(rs); j++ {
			if rs[j+len(cr)-1] != cr[len(cr)-1] {
				continue
			}
			if differing(rs[j:j+len(cr)], cr) == 1 {
				f.Confidence *= 0.7
				differs = true
				break
			}
		}
	}
	if differs {
		m.out.Fields[ci].Confidence *= 0.7
	}
}

// countyNames repairs the county in OCR'd names: Tesseract reads 县 as
// 具, and the names of the cluster, its department and its institution
// usually begin with the county the cover states in 所属地区. Only a
// "…具" whose characters before it are the county's (one may differ) is
// replaced, so 家具 and the like stay.
func (m *mapper) countyNames() {
	county := ""
	for _, f := range m.out.Fields {
		if f.Key == "region_county" {
			county = trimBlank(f.Value)
		}
	}
	cr := []rune(county)
	if len(cr) < 3 || cr[len(cr)-1] != '县' {
		return
	}
	stem := cr[:len(cr)-1]
	for i := range m.out.Fields {
		f := &m.out.Fields[i]
		if !slices.Contains(countyNamed, f.Key) {
			continue
		}
		rs := []rune(f.Value)
		for j := len(stem); j < len(rs); j++ {
			if rs[j] != '具' {
				continue
			}
			if differing(rs[j-len(stem):j], stem) <= 1 { // the stem has two characters or more
				copy(rs[j-len(stem):j+1], cr)
			}
		}
		f.Value = string(rs)
	}
}

// differing counts the positions where a and b (of a's length at least)
// hold different characters.
func differing(a, b []rune) int {
	n := 0
	for k, r := range a {
		if b[k] != r {
			n++
		}
	}
	return n
}

// countyNamed are the keys of the names that begin with the county.
var countyNamed = []string{"cover_name", "name", "cover_org", "org", "cover_dept", "dept"}

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
	if a, ok := m.find(s.Label, p.u, end); ok {
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
		if m.source == shenbao.SourceOCR {
			typ := s.Type
			if typ == TypeCountNames && Norm(col) == "数量" {
				typ = TypeInteger
			}
			v := strings.TrimSpace(value)
			d, dc, digits := cellDigits(c)
			digits = digits && (IsNumeric(typ) || typ == TypePlanTarget && ParseNumber(v) != nil)
			if digits && v != "无" && (v == "" || ParseNumber(v) == nil) {
				// The digit reading of the same ink, where the first
				// reading is no number: sure only as the digits are.
				f.Value, f.Confidence = d, conf*dc*0.9
			} else {
				if digits && v != "无" && *ParseNumber(d) != *ParseNumber(v) {
					// The digit model read another number in the same
					// ink: a reviewer decides, shown the likelier one.
					f.Confidence *= 0.6
					if digitsLikelier(v, d, dc, lineConfidence(c)) {
						f.Value = d
					}
				}
				f.Confidence *= plausibility(typ, value)
				if IsNumeric(typ) && value != numericValue(c) && s.Type != TypeCountNames {
					// Read as letters and taken for digits: worth a look.
					f.Confidence *= 0.7
				}
				// Misreadings Tesseract is sure of: a name under no
				// known surname, a word one character off the form's.
				if s.Person && !knownSurname(value) {
					f.Confidence *= 0.6
				}
				if !IsNumeric(typ) && !s.IsCheckbox() {
					if v, ok := boxAsCharacter(f.Value); ok {
						f.Value = v
						f.Confidence *= 0.6
					}
				}
				if !IsNumeric(typ) {
					if v, near := m.nearPrinted(f.Value); near {
						f.Value = v
						f.Confidence *= 0.6
					}
				}
				if strings.TrimSpace(value) == "" {
					// OCR drops lone digits ("0", "1"): a blank it read may not be
					// blank on paper.
					f.Confidence *= 0.6
				}
			}
		}
	}
	if IsNumeric(s.Type) {
		f.Number = ParseNumber(f.Value)
	}
	m.out.Fields = append(m.out.Fields, f)
}

// boxInWords is an empty option box read between two Chinese characters.
var boxInWords = regexp.MustCompile(`(\p{Han})\s*□\s*(\p{Han})`)

// boxAsCharacter puts back the 口 that the scan reader took for an empty
// option box (出口额 read as 出 □额) in a value of a row that has no
// options: a box standing between two characters there is the character
// shaped like one.
func boxAsCharacter(v string) (string, bool) {
	w := boxInWords.ReplaceAllString(v, "${1}口${2}")
	return w, w != v
}

// nearPrinted says whether value holds four Chinese characters that are
// one character away from four printed on the form, the odd one being a
// character the form never prints (服务乎台 for the 服务平台 of the
// labels): a misreading more often than a coinage, and one Tesseract can
// be sure of. It returns value with such characters put back as the form
// prints them, where the form prints one only. Names that share the form's
// words (零部件产业集群 beside 特色产业集群) differ from it by characters it
// prints, and pass.
func (m *mapper) nearPrinted(value string) (string, bool) {
	p := m.t.print
	if p == nil {
		p = newPrintedWords(m.t) // a template not made by Parse
	}
	read := []rune(value)
	rs, near := slices.Clone(read), false
	for i := 0; i+4 <= len(read); i++ {
		for j, r := range read[i : i+4] {
			if !unicode.Is(unicode.Han, r) || p.chars[r] {
				continue
			}
			w, ok := p.near[wildcard(read[i:i+4], j)]
			if !ok || !allHan(read[i:i+4]) {
				continue
			}
			near = true
			// Put back only a character framed by the form's words on
			// both sides: at a window's edge, a name's own word that
			// ends like the form's (器械 beside 特色产业) would be taken
			// for it.
			if w != 0 && (j == 1 || j == 2) {
				rs[i+j] = w
			}
		}
	}
	return string(rs), near
}

// printedWords is what a form prints, for nearPrinted: every character,
// and every run of four with one character wildcarded, with the character
// it stands for (0 where the form prints several).
type printedWords struct {
	chars map[rune]bool
	near  map[string]rune
}

func newPrintedWords(t *Template) *printedWords {
	p := &printedWords{chars: map[rune]bool{}, near: map[string]rune{}}
	add := func(s string) {
		for _, run := range hanRuns(s) {
			for _, r := range run {
				p.chars[r] = true
			}
			for i := 0; i+4 <= len(run); i++ {
				for j := range 4 {
					k := wildcard(run[i:i+4], j)
					if w, ok := p.near[k]; ok && w != run[i+j] {
						p.near[k] = 0
					} else {
						p.near[k] = run[i+j]
					}
				}
			}
		}
	}
	add(t.Title)
	for _, s := range t.Rows {
		add(s.Section + " " + s.Parent + " " + s.Label + " " + strings.Join(s.Columns, " ") + " " + strings.Join(s.Options, " "))
	}
	return p
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// wildcard returns g with its j-th character replaced by '?'.
func wildcard(g []rune, j int) string {
	return string(g[:j]) + "?" + string(g[j+1:])
}

// hanRuns splits s into its runs of Chinese characters.
func hanRuns(s string) [][]rune {
	var out [][]rune
	var cur []rune
	for _, r := range s + " " {
		if unicode.Is(unicode.Han, r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	return out
}

// digitsLikelier says whether the digit model's reading d of a number is
// likelier than the Chinese model's v: when it holds v and more (v dropped
// digits or a point: 11 for 11.31, 3 for 13), when it has the percent
// sign the Chinese model reads as two digits (16.6626 for 16.66%), or when
// the digit model is much surer of it.
func digitsLikelier(v, d string, dconf, vconf float64) bool {
	if len(d) > len(v) && strings.Contains(d, v) {
		return true
	}
	if p := strings.TrimSuffix(d, "%"); p != d && strings.HasPrefix(v, p) && len(v)-len(p) <= 3 {
		return true
	}
	return dconf >= vconf+0.2
}

// cellDigits returns the digit reading of a cell (see shenbao.Line.Digits)
// when exactly one of its lines has one that is a number.
func cellDigits(c *shenbao.Cell) (string, float64, bool) {
	var d string
	conf := 0.0
	for _, l := range c.Lines {
		if l.Digits == "" {
			continue
		}
		if d != "" {
			return "", 0, false // two candidates: no telling which
		}
		// A trailing sign is the 个 the digit model read as one.
		d, conf = strings.TrimRight(l.Digits, "+-"), l.DigitsConfidence
	}
	if d == "" || ParseNumber(d) == nil {
		return "", 0, false
	}
	return d, conf, true
}

// plausibility lowers the confidence of an OCR'd value whose form is
// unlikely for its row: a number that does not parse, more than the two
// decimals the form asks for, a percentage over 100. Such a value is more
// often a misreading than a filing error, so a reviewer should look.
func plausibility(typ, value string) float64 {
	if !IsNumeric(typ) {
		if oddCounter(value) || oddMarks(value) {
			return 0.6
		}
		return 1
	}
	v := strings.TrimSpace(value)
	if v == "" || v == "无" {
		return 1
	}
	n := ParseNumber(v)
	if n == nil {
		return 0.5
	}
	if i := strings.IndexAny(v, ".．"); i >= 0 && (len(strings.TrimRight(v[i+1:], "%％")) > 2 || typ == TypeInteger) {
		// Three decimals, or any in a count: a speck read as a point.
		return 0.7
	}
	if typ == TypePercent && (*n > 100 || *n < -100) {
		return 0.7
	}
	return 1
}

// oddMarks reports marks a county does not write and OCR makes of specks
// and strokes: a value that starts with a separator (";市级工程…"), an
// ASCII full stop between Chinese characters (17家.出口额), a bracket
// without its partner (省仪器仪表[程).
func oddMarks(v string) bool {
	rs := []rune(strings.TrimSpace(v))
	if len(rs) == 0 {
		return false
	}
	if strings.ContainsRune(";；,，.。、:：", rs[0]) {
		return true
	}
	han := func(i int) bool { return i >= 0 && i < len(rs) && unicode.Is(unicode.Han, rs[i]) }
	open := 0
	for i, r := range rs {
		switch r {
		case '.':
			if han(i-1) && han(i+1) {
				return true
			}
		case '(', '（', '[', '【', '［':
			open++
		case ')', '）', ']', '】', '］':
			if open--; open < 0 {
				return true
			}
		}
	}
	return open != 0
}

// counters are the characters that follow a figure in the form's answers:
// measure words and units. A figure followed by another character (平台4唉
// for 平台4个) is far more often OCR's misreading of a small 个 than what
// the county wrote.
const counters = "个家项件人次名位户亿万千百十元角台套座所条种类批期届轮款部间处栋辆架艘只株头亩年月日天周吨度倍米克升瓦%％以余多后前内上下左右至及和或、，。；：）)"

// oddCounter reports a figure followed by a Chinese character that is no
// measure word or unit.
func oddCounter(v string) bool {
	rs := []rune(v)
	for i := 1; i < len(rs); i++ {
		if rs[i-1] >= '0' && rs[i-1] <= '9' && unicode.Is(unicode.Han, rs[i]) && !strings.ContainsRune(counters, rs[i]) {
			return true
		}
	}
	return false
}

func where(c *shenbao.Cell) (*int, *shenbao.Box) {
	var page *int
	if c.Page > 0 {
		p := c.Page
		page = &p
	}
	return page, c.BBox
}

func lineConfidence(c *shenbao.Cell) float64 {
	conf := 1.0
	for _, l := range c.Lines {
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

// ParseNumber reads a number as forms write it (12.34, 1,234, -5.45, 20%,
// 29个) and returns nil for anything else (无, blanks, words).
func ParseNumber(v string) *float64 {
	s := strings.TrimSpace(v)
	s = strings.TrimRight(s, "%％个家件项人次亿万元")
	s = strings.TrimSpace(s)
	if !numberRE.MatchString(s) {
		return nil
	}
	s = strings.NewReplacer(",", "", "，", "", "－", "-", "+", "").Replace(s)
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
// without the printed unit or note ("  29  个\n(需提供清单)" → "29").
func numericValue(c *shenbao.Cell) string {
	for _, l := range strings.Split(c.Text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		return strings.TrimSpace(strings.TrimRight(l, "个家件项人次 "))
	}
	return ""
}

func (m *mapper) value(s *Spec, c *shenbao.Cell) string {
	if IsNumeric(s.Type) {
		v := numericValue(c)
		if m.source == shenbao.SourceOCR {
			v = ocrDigits(v)
		}
		return v
	}
	return m.text(cellValue(c))
}

// text is a value of running text as the form holds it: for OCR, Chinese
// punctuation restored where the reader gave ASCII or angle brackets.
func (m *mapper) text(v string) string {
	if m.source != shenbao.SourceOCR {
		return v
	}
	return ocrPunct(v)
}

// ocrPunct puts back the full-width punctuation of Chinese text that OCR
// returns as ASCII or as angle brackets: "(" beside a Chinese character
// becomes "（", a "," between Chinese characters "，", 〈〉《》 parentheses.
func ocrPunct(v string) string {
	rs := []rune(v)
	han := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.Is(unicode.Han, rs[i]) || strings.ContainsRune("（）“”、。，：；", rs[i]))
	}
	for i, r := range rs {
		switch r {
		case '〈', '《':
			rs[i] = '（'
		case '〉', '》':
			rs[i] = '）'
		case '(':
			if han(i-1) || han(i+1) {
				rs[i] = '（'
			}
		case ')':
			if han(i-1) || han(i+1) || i == len(rs)-1 && strings.ContainsRune(string(rs[:i]), '（') {
				rs[i] = '）'
			}
		case ',':
			if han(i-1) && han(i+1) {
				rs[i] = '，'
			}
		case ';':
			if han(i-1) && han(i+1) {
				rs[i] = '；'
			}
		case ':':
			if han(i - 1) {
				rs[i] = '：'
			}
		}
	}
	return string(rs)
}

// ocrDigits undoes the letters OCR reads for digits in a cell that holds a
// number ("|" and "l" for 1, "O" for 0, a full-width point); a cell that
// does not become a number is left as read.
func ocrDigits(v string) string {
	if v == "" || ParseNumber(v) != nil || v == "无" {
		return v
	}
	// A printed note after the number on the same line ("47个（需提供清单）"),
	// and the stray marks OCR leaves around it (a quote, a trailing comma).
	fixed := v
	if i := strings.IndexAny(fixed, "(（〈《["); i > 0 {
		fixed = fixed[:i]
	}
	fixed = strings.TrimRight(strings.Trim(fixed, ocrStray+" "), "个家件项人次 ")
	fixed = ocrDigitFix.Replace(fixed)
	// A colon between digits is a decimal point read too tall (217:52).
	fixed = colonPoint.ReplaceAllString(fixed, "$1.$2")
	if ParseNumber(fixed) != nil {
		return fixed
	}
	return v
}

const ocrStray = "\"'“”‘’`,.，。、:：;；_-—=~"

// lookalikes are the letters OCR reads for digits, each before its digit;
// 工 is a serif 1 (its foot and head read as strokes) where only a number
// can stand.
var lookalikes = []string{"|", "1", "l", "1", "I", "1", "｜", "1", "工", "1", "O", "0", "o", "0", "〇", "0"}

// hasLookalike says whether v holds a letter ocrDigits takes for a digit.
func hasLookalike(v string) bool {
	for i := 0; i < len(lookalikes); i += 2 {
		if strings.Contains(v, lookalikes[i]) {
			return true
		}
	}
	return false
}

var (
	ocrDigitFix = strings.NewReplacer(append(slices.Clone(lookalikes), "．", ".", "。", ".", "，", ".", " ", "")...)
	colonPoint  = regexp.MustCompile(`^(\d+):(\d{1,2})$`)
)

func (m *mapper) readSingle(s *Spec, a anchor) {
	for _, u := range m.block(a) {
		if cells := m.right(u, m.cell(a)); len(cells) > 0 {
			c := cells[0]
			if m.source == shenbao.SourceOCR && strings.TrimSpace(c.Text) == "" {
				c = onlyFilled(cells, c)
			}
			m.addField(s, s.Columns[0], m.value(s, c), a.score, c)
			return
		}
	}
	m.addField(s, s.Columns[0], "", 0, nil)
}

// onlyFilled returns the one cell of cells that holds text, or def. A
// scan's grid can cut a merged value cell (a single value in a row of a
// yearly table) along the columns of the rows around it, leaving the value
// in whichever piece it was written in.
func onlyFilled(cells []*shenbao.Cell, def *shenbao.Cell) *shenbao.Cell {
	var found *shenbao.Cell
	for _, c := range cells {
		if strings.TrimSpace(c.Text) == "" && len(c.Lines) == 0 {
			continue
		}
		if found != nil {
			return def
		}
		found = c
	}
	if found == nil {
		return def
	}
	return found
}

var yearHeader = regexp.MustCompile(`^\d{4}年$`)

func isYearHeader(norm string) bool { return yearHeader.MatchString(norm) }

// span is a column range of a header cell.
type span struct {
	from, to int
	text     string
}

func overlaps(c *shenbao.Cell, h span) bool {
	return c.Col < h.to && c.Col+c.Span > h.from
}

// tableYears finds the year header row (年度 | 2021年 | 2022年 | …) that
// governs row u: the nearest such row above it in the same table.
func (m *mapper) tableYears(u int) []span {
	for i := u; i >= 0; i-- {
		v := &m.units[i]
		if v.para || v.table != m.units[u].table {
			break
		}
		var hs []span
		all := true
		for j, c := range v.row.Cells {
			if j == 0 || c.Merged {
				continue
			}
			if !isYearHeader(v.norms[j]) {
				all = false
				break
			}
			hs = append(hs, span{c.Col, c.Col + c.Span, v.norms[j]})
		}
		if all && len(hs) >= 2 {
			return hs
		}
	}
	return nil
}

// readYears reads a row of values by year, whatever way the edition lays
// the years out: a header row above (年度 | 2021年 | …), a header inside the
// row's own block with the values in the next row, or a year and its value
// on each line of the block.
func (m *mapper) readYears(s *Spec, a anchor) {
	label := m.cell(a)
	rows := m.block(a)
	vals := map[string]*shenbao.Cell{}
	for bi, u := range rows {
		cells := m.right(u, label)
		if len(cells) == 0 {
			continue
		}
		norms := make([]string, len(cells))
		allYears := true
		for i, c := range cells {
			norms[i] = Norm(c.Text)
			if !isYearHeader(norms[i]) {
				allYears = false
			}
		}
		switch {
		case allYears && len(cells) >= 2 && bi+1 < len(rows):
			// Header inside the block, values in the next row.
			next := m.right(rows[bi+1], label)
			for i, h := range cells {
				for _, v := range next {
					if overlaps(v, span{h.Col, h.Col + h.Span, ""}) {
						vals[norms[i]] = v
					}
				}
			}
		case len(cells) >= 2 && isYearHeader(norms[0]):
			vals[norms[0]] = cells[1]
		}
	}
	if len(vals) == 0 {
		if hs := m.tableYears(a.u); hs != nil {
			for _, c := range m.right(a.u, label) {
				for _, h := range hs {
					if overlaps(c, h) {
						vals[h.text] = c
					}
				}
			}
		}
	}
	for _, col := range s.Columns {
		if c, ok := vals[Norm(col)]; ok {
			m.addField(s, col, m.value(s, c), a.score, c)
		} else {
			m.addField(s, col, "", 0, nil)
		}
	}
}

// readStandards reads the standards table: under the label, rows of
// 类别 | 主持数量 | 参与数量 repeated once per year. The label's own row
// (the header) says which column is which; a data row's cells are taken
// by those columns, so that a cell OCR read empty or wrong does not shift
// the others, and a category OCR misread (际 for 国际) is known by its
// characters or, failing that, by its row.
func (m *mapper) readStandards(s *Spec, a anchor) {
	label := m.cell(a)
	rows := m.block(a)
	years := m.tableYears(a.u)
	yearOf := func(c *shenbao.Cell, group int) string {
		for _, h := range years {
			if overlaps(c, h) {
				return h.text
			}
		}
		if group < len(m.t.Years) {
			return strconv.Itoa(m.t.Years[group]) + "年"
		}
		return ""
	}
	type group struct {
		cat, host, part int // columns
		year            string
	}
	var groups []group
	head := m.right(a.u, label)
	if len(head) >= 3 && len(head)%3 == 0 {
		for g := 0; g+2 < len(head); g += 3 {
			host, part := head[g+1].Col, head[g+2].Col
			if t := Norm(head[g+1].Text); strings.Contains(t, "参") && !strings.Contains(t, "持") {
				host, part = part, host
			}
			groups = append(groups, group{head[g].Col, host, part, yearOf(head[g], g/3)})
		}
	}
	cats := standardCategories(s)
	vals := map[string]*shenbao.Cell{}
	for k, u := range rows[1:] {
		cells := m.right(u, label)
		if groups == nil {
			m.standardsByOrder(cells, yearOf, vals)
			continue
		}
		at := map[int]*shenbao.Cell{}
		for _, c := range cells {
			at[c.Col] = c
		}
		for _, g := range groups {
			catText := ""
			if c := at[g.cat]; c != nil {
				catText = Norm(c.Text)
			}
			cat := matchCategory(catText, cats, k)
			if cat == "" {
				continue
			}
			if c := at[g.host]; c != nil {
				vals[cat+"/主持数量/"+g.year] = c
			}
			if c := at[g.part]; c != nil {
				vals[cat+"/参与数量/"+g.year] = c
			}
		}
	}
	for _, col := range s.Columns {
		if c, ok := vals[Norm(col)]; ok {
			m.addField(s, col, numericValue(c), a.score, c)
		} else {
			m.addField(s, col, "", 0, nil)
		}
	}
}

// standardsByOrder reads a data row of the standards table whose header
// is not three columns a year: each category cell and the two after it.
func (m *mapper) standardsByOrder(cells []*shenbao.Cell, yearOf func(*shenbao.Cell, int) string, vals map[string]*shenbao.Cell) {
	group := 0
	for i := 0; i < len(cells); i++ {
		cat := Norm(cells[i].Text)
		if cat == "" || ParseNumber(cat) != nil {
			continue
		}
		y := yearOf(cells[i], group)
		group++
		for j := i + 1; j < len(cells) && j <= i+2; j++ {
			vals[cat+"/"+[...]string{"主持数量", "参与数量"}[j-i-1]+"/"+y] = cells[j]
		}
		i += 2
	}
}

// standardCategories lists the template's categories (国际, 国家, …) in
// the form's order, from its column ids 类别/角色/年.
func standardCategories(s *Spec) []string {
	var out []string
	for _, col := range s.Columns {
		cat, _, _ := strings.Cut(Norm(col), "/")
		if !slices.Contains(out, cat) {
			out = append(out, cat)
		}
	}
	return out
}

// matchCategory names the category of data row k from its OCR'd text: the
// category it spells, else the only one containing all its characters,
// else the category printed in that row of the form.
func matchCategory(text string, cats []string, k int) string {
	if slices.Contains(cats, text) {
		return text
	}
	var hits []string
	if text != "" {
		for _, c := range cats {
			if !strings.ContainsFunc(text, func(r rune) bool { return !strings.ContainsRune(c, r) }) {
				hits = append(hits, c)
			}
		}
	}
	if len(hits) == 1 {
		return hits[0]
	}
	if k < len(cats) {
		return cats[k]
	}
	return ""
}

var (
	countRE = regexp.MustCompile(`数量[:：]?\s*([^\n个]*?)\s*个?\s*(\n|$)`)
	namesRE = regexp.MustCompile(`(?s)名称[:：]?(.*)$`)
)

func (m *mapper) readCountNames(s *Spec, a anchor) {
	cells := m.right(a.u, m.cell(a))
	if len(cells) == 0 {
		m.notFound(s)
		return
	}
	c := cells[0]
	text := c.Text
	for _, col := range s.Columns {
		v, conf := "", a.score
		switch Norm(col) {
		case "数量":
			if mm := countRE.FindStringSubmatch(text); mm != nil {
				v = strings.TrimSpace(mm[1])
			}
			if m.source == shenbao.SourceOCR {
				raw := v
				if v = ocrDigits(v); v != raw && hasLookalike(raw) {
					// Read as letters and taken for digits: worth a look.
					conf *= 0.7
				}
			}
		case "名称":
			if mm := namesRE.FindStringSubmatch(text); mm != nil {
				v = joinLines(mm[1])
			}
		}
		m.addField(s, col, v, conf, c)
	}
}

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
			cb.Confidence = conf * sim * a.score * lineConfidence(c)
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
			if glyph.State(text[i-1]) == 0 || glyph.State(text[i]) != 0 {
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
		if glyph.State(text[i-1]) == 0 || glyph.State(text[i]) != 0 {
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
		s := glyph.State(text[j])
		if s == 0 {
			break
		}
		if s > 0 {
			return 1
		}
		st = s
	}
	if st == 0 && i > 0 {
		return glyph.Raw(text[i-1])
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

func (m *mapper) readLongText(s *Spec, a anchor) {
	var c *shenbao.Cell
	var text string
	if Norm(s.Label) == Norm(s.Section) {
		// The plan: the whole answer cell, less what the form prints in it,
		// and its continuation where a scan's page break left it as rows
		// of its own in the same table.
		c = m.cell(a)
		text = c.Text
		sec := m.units[a.u].section
		for i := a.u + 1; i < len(m.units); i++ {
			u := &m.units[i]
			if u.section != sec {
				break
			}
			if u.para || u.table != m.units[a.u].table && !continuesText(u) {
				continue
			}
			for _, x := range u.row.Cells {
				if strings.TrimSpace(x.Text) != "" {
					text += "\n" + x.Text
				}
			}
		}
	} else {
		cells := m.right(a.u, m.cell(a))
		if len(cells) == 0 {
			m.notFound(s)
			return
		}
		c = cells[0]
		text = c.Text
	}
	text = m.text(stripPrinted(text, s))
	page, box := where(c)
	m.out.Texts = append(m.out.Texts, shenbao.Text{
		ID: s.Key, Key: s.Key, Section: s.Section, Label: s.FullLabel(), Text: text,
		Chars: len([]rune(StripSpace(text))), Limit: s.Limit,
		Confidence: a.score * lineConfidence(c), Page: page, BBox: box,
	})
}

// continuesText reports a row that carries on a long answer cut by a page
// break: one cell of running text, not a row of a table of figures.
func continuesText(u *unit) bool {
	filled := 0
	long := false
	for i, c := range u.row.Cells {
		if u.norms[i] == "" {
			continue
		}
		filled++
		long = long || len([]rune(u.norms[i])) >= 40
		if strings.HasPrefix(u.norms[i], "方向") || strings.HasPrefix(u.norms[i], "指标") || c.Merged {
			return false
		}
	}
	return filled == 1 && long
}

// printedNotes are the form's own words inside an answer cell: the limit
// heading and the 备注 on plan targets. They are not part of the answer.
var printedNotes = []*regexp.Regexp{
	regexp.MustCompile(`^\s*[（(〈<《][^)）〉>》\n]{0,8}字以内\s*[)）〉>》]?\s*\n?`),
	regexp.MustCompile(`(?s)[（(]\s*备\s*注\s*[:：].*?[)）][ \t]*(\n|$)`),
	regexp.MustCompile(`(?m)^[ \t]*[（(〈<《]\s*(注|需|如涉及)[^)）〉>》\n]*[)）〉>》][ \t]*$`),
}

func stripPrinted(text string, s *Spec) string {
	for _, re := range printedNotes {
		text = re.ReplaceAllString(text, "")
	}
	return strings.TrimSpace(text)
}

// locatePlan finds a plan-target row: its 指标 (label) under its 方向
// (parent), in the target table of the plan section.
func (m *mapper) locatePlan(s *Spec, from, to int) (anchor, bool) {
	dir := ""
	np, nl := Norm(s.Parent), Norm(s.Label)
	best := anchor{u: -1}
	for i := from; i < to; i++ {
		u := &m.units[i]
		if u.para {
			continue
		}
		cells := u.row.Cells
		for j := range cells {
			// A blank direction continues the one above: a 方向 cell
			// the page break cut leaves its lower part blank on a scan.
			// A lone cell is the table around the targets, no row of it.
			if cells[j].Col == 0 && !cells[j].Merged && u.norms[j] != "" && len(cells) > 1 {
				dir = u.norms[j]
			}
		}
		for j := range cells {
			if cells[j].Col == 0 || cells[j].Merged {
				continue
			}
			sl := labelScore(u.norms[j], nl)
			if sl < minLabelScore {
				continue
			}
			sp := 1.0
			if np != "" {
				sp = labelScore(dir, np)
			}
			if sp < minLabelScore {
				continue
			}
			if sc := sl * sp; sc > best.score {
				best = anchor{u: i, c: j, score: sc}
			}
		}
	}
	return best, best.u >= 0
}

func (m *mapper) readPlan(s *Spec, a anchor) {
	// The header row (方向 | 指标 | 2023年基准值 | 2026年目标值) names the columns.
	heads := map[string]span{}
	for i := a.u; i >= 0; i-- {
		v := &m.units[i]
		if v.para || v.table != m.units[a.u].table {
			break
		}
		for j, c := range v.row.Cells {
			heads[v.norms[j]] = span{c.Col, c.Col + c.Span, v.norms[j]}
		}
		if _, ok := heads[Norm("指标")]; ok {
			break
		}
		heads = map[string]span{}
	}
	cells := m.right(a.u, m.cell(a))
	for k, col := range s.Columns {
		var c *shenbao.Cell
		if h, ok := heads[Norm(col)]; ok {
			for _, v := range cells {
				if overlaps(v, h) {
					c = v
				}
			}
		} else if k < len(cells) {
			c = cells[k]
		}
		if c == nil {
			m.addField(s, col, "", 0, nil)
			continue
		}
		v := m.text(cellValue(c))
		if m.source == shenbao.SourceOCR {
			v = ocrPercent(v)
		}
		m.addField(s, col, v, a.score, c)
	}
}

// ocrPercent restores the per-cent sign of a plan target that OCR read as
// the digits 96 ("降低11.9896）" for 降低11.98%）) or followed by a stray
// 0 ("27.27%0"): the form's figures have two decimals, so a third and
// fourth digit "96" right before a bracket or the end is the sign.
func ocrPercent(v string) string {
	v = percentAs96.ReplaceAllString(v, "$1%$2")
	return percentZero.ReplaceAllString(v, "$1%$2")
}

var (
	percentAs96 = regexp.MustCompile(`(\d\.\d{2})96([)）]|$)`)
	percentZero = regexp.MustCompile(`(\d\.\d{2})%0([)）]|$)`)
)

// stampPrompt is the printed prompt of the department's seal under the
// signature (县（市、区）中小企业主管部门（公章）), which OCR may read
// without its colon.
var stampPrompt = regexp.MustCompile(`主管部门|[公盖]章`)

var dateRE = regexp.MustCompile(`\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日`)

// readDeclaration reads the 真实性声明 cell: the signer after the printed
// 负责人（签字）： and the date written under it.
func (m *mapper) readDeclaration(s *Spec, a anchor) {
	cells := m.right(a.u, m.cell(a))
	if len(cells) == 0 {
		m.notFound(s)
		return
	}
	c := cells[0]
	col := s.Columns[0]
	v := ""
	if Norm(col) == Norm("日期") {
		text := c.Text
		// The date is the one written after the signature line.
		if _, end, ok := indexNorm(text, Norm(m.signerMarker(s))); ok {
			text = text[end:]
		}
		if d := dateRE.FindString(text); d != "" {
			v = strings.Join(strings.Fields(d), "")
		} else if m.source == shenbao.SourceOCR {
			v = ocrDate(text)
		}
	} else if end, ok := m.signerPrompt(c.Text, col); ok {
		// The name follows the prompt, possibly wrapped onto the next
		// lines, up to the next printed prompt (…（公章）：) or the date.
		var parts []string
		for i, l := range strings.Split(c.Text[end:], "\n") {
			l = strings.TrimSpace(l)
			if i > 0 && (strings.ContainsAny(l, ":：") || dateRE.MatchString(l) || strings.Contains(l, "年") && strings.Contains(l, "月") || stampPrompt.MatchString(l)) {
				break
			}
			if l != "" {
				parts = append(parts, l)
			}
		}
		v = joinLines(strings.Join(parts, "\n"))
		if m.source == shenbao.SourceOCR {
			// The pen stroke before a signature reads as a quote or a dash.
			v = signature(trimBlank(v))
		}
	}
	m.addField(s, col, v, a.score, c)
}

// signature keeps of an OCR'd signature the name: the words before a wide
// gap (two spaces or more), when they are two Chinese characters or more.
// What stands apart after a name is the seal's remnant over the line
// (叶春梅  /全, 程明  Nb): a signature is one name.
func signature(v string) string {
	name, _, ok := strings.Cut(v, "  ")
	if !ok {
		return v
	}
	han := 0
	for _, r := range name {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	if han < 2 {
		return v
	}
	return strings.TrimSpace(name)
}

// signerPrompt finds the end of the printed signature prompt in text. On
// a scan the prompt's tail is often misread (（签字7）, （签字js:), so there
// it is found by its head (…负责人) and ends at the bracket or colon that
// closes it.
func (m *mapper) signerPrompt(text, prompt string) (int, bool) {
	if _, end, ok := indexNorm(text, Norm(prompt)); ok {
		return end, true
	}
	if m.source != shenbao.SourceOCR {
		return 0, false
	}
	head, _, ok := strings.Cut(prompt, "负责人")
	if !ok {
		return 0, false
	}
	_, end, ok := indexNorm(text, Norm(head+"负责人"))
	if !ok {
		return 0, false
	}
	line, _, _ := strings.Cut(text[end:], "\n")
	if i := strings.LastIndexAny(line, ")）:："); i >= 0 && len([]rune(line[:i])) <= 8 {
		_, size := utf8.DecodeRuneInString(line[i:])
		return end + i + size, true
	}
	return end + len(line), true
}

// ocrDate reads a date whose 月 or 日 OCR misread (2023年6月12介,
// 2024年6洽8日): a year of this century, a month and a day in range.
func ocrDate(text string) string {
	for _, mm := range ocrDateRE.FindAllStringSubmatch(text, -1) {
		y, _ := strconv.Atoi(mm[1])
		mo, _ := strconv.Atoi(mm[2])
		d, _ := strconv.Atoi(mm[3])
		if y >= 2000 && y < 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
			return fmt.Sprintf("%d年%d月%d日", y, mo, d)
		}
	}
	return ""
}

var ocrDateRE = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*[^\d\s]\s*(\d{1,2})\s*(?:[^\d\s]|$)`)

// signerMarker is the printed signature prompt of the declaration, from the
// sibling row that reads the signer.
func (m *mapper) signerMarker(s *Spec) string {
	for _, r := range m.t.Rows {
		if r.Type == TypeDeclaration && r.Label == s.Label && len(r.Columns) == 1 && Norm(r.Columns[0]) != Norm("日期") {
			return r.Columns[0]
		}
	}
	return ""
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
