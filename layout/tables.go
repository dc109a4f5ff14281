package layout

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
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

// cutYear is a year header whose first digits a scan lost (019年, 19年):
// at least its last two digits and 年.
var cutYear = regexp.MustCompile(`^\d{2,3}年$`)

// yearCol reads a header cell as a year column: exactly (2021年), or on a
// scan with its first digits lost at the cell's edge (019年, 19年) when
// that leaves exactly one of the edition's years, or with its 年 lost
// (2021) when it is one of them.
func (m *mapper) yearCol(norm string) (string, bool) {
	if isYearHeader(norm) {
		return norm, true
	}
	if m.source != shenbao.SourceOCR {
		return "", false
	}
	// No form puts an option box before a year: a scan's mark there is
	// the reader taking the year's first digit for a box with ink in it
	// (☑2020年), and the year is still the header.
	if rs := []rune(norm); len(rs) > 1 && shenbao.MarkState(rs[0]) != 0 {
		if y, ok := m.yearCol(string(rs[1:])); ok {
			return y, true
		}
	}
	if len(norm) == 4 && slices.ContainsFunc(m.t.Years, func(y int) bool { return strconv.Itoa(y) == norm }) {
		return norm + "年", true
	}
	if !cutYear.MatchString(norm) {
		return "", false
	}
	found := ""
	for _, y := range m.t.Years {
		if h := strconv.Itoa(y) + "年"; strings.HasSuffix(h, norm) {
			if found != "" {
				return "", false
			}
			found = h
		}
	}
	return found, found != ""
}

// yearRow reads the cells of a row (less its label) as year headers, or
// says it is none. Every cell must read as a year column; on a scan, a
// row of as many cells as the edition has years, one of them an exact
// year header and every one that reads as a year in its place (年度 |
// 19 | 2020年 | 01 4[), is the edition's years in order.
func (m *mapper) yearRow(norms []string) ([]string, bool) {
	out := make([]string, len(norms))
	all := true
	for i, n := range norms {
		if y, ok := m.yearCol(n); ok {
			out[i] = y
		} else {
			all = false
		}
	}
	if all {
		return out, len(norms) >= 2
	}
	if m.source != shenbao.SourceOCR || len(norms) != len(m.t.Years) || len(norms) < 2 {
		return nil, false
	}
	exact := false
	for i, y := range m.t.Years {
		want := strconv.Itoa(y) + "年"
		if out[i] != "" && out[i] != want {
			return nil, false
		}
		exact = exact || norms[i] == want
		out[i] = want
	}
	return out, exact
}

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
		var norms []string
		for j, c := range v.row.Cells {
			if j == 0 || c.Merged {
				continue
			}
			hs = append(hs, span{c.Col, c.Col + c.Span, ""})
			norms = append(norms, v.norms[j])
		}
		if years, ok := m.yearRow(norms); ok {
			for k := range hs {
				hs[k].text = years[k]
			}
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
	// byLine[k] is the value of the block's k-th row where each row
	// holds a year and its value; lineYears, how many of those years
	// read, all in the edition's order.
	byLine, lineYears := make([]*shenbao.Cell, len(rows)), 0
	inOrder := len(rows) == len(m.t.Years)
	for bi, u := range rows {
		cells := m.right(u, label)
		if len(cells) == 0 {
			inOrder = false
			continue
		}
		norms := make([]string, len(cells))
		for i, c := range cells {
			norms[i] = Norm(c.Text)
		}
		years, allYears := m.yearRow(norms)
		first, firstYear := m.yearCol(norms[0])
		if len(cells) == 2 {
			byLine[bi] = cells[1]
			if firstYear {
				lineYears++
				inOrder = inOrder && bi < len(m.t.Years) && first == strconv.Itoa(m.t.Years[bi])+"年"
			}
		} else {
			inOrder = false
		}
		switch {
		case allYears && bi+1 < len(rows):
			// Header inside the block, values in the next row.
			next := m.right(rows[bi+1], label)
			for i, h := range cells {
				for _, v := range next {
					if overlaps(v, span{h.Col, h.Col + h.Span, ""}) {
						vals[years[i]] = v
					}
				}
			}
		case len(cells) >= 2 && firstYear:
			vals[first] = cells[1]
		}
	}
	if m.source == shenbao.SourceOCR && inOrder && lineYears > 0 && lineYears < len(rows) {
		// A year and its value a line, as many lines as the edition has
		// years, every year that reads in its place: a year OCR could
		// not read ([ZU 2]) is the one its line stands for.
		for k, c := range byLine {
			vals[strconv.Itoa(m.t.Years[k])+"年"] = c
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
	roles := standardRoles(s)
	head := m.right(a.u, label)
	if len(head) >= 3 && len(head)%3 == 0 {
		for g := 0; g+2 < len(head); g += 3 {
			host, part := head[g+1].Col, head[g+2].Col
			if readsAsSecond(Norm(head[g+1].Text), roles) {
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
			m.standardsByOrder(cells, roles, yearOf, vals)
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
				vals[cat+"/"+roles[0]+"/"+g.year] = c
			}
			if c := at[g.part]; c != nil {
				vals[cat+"/"+roles[1]+"/"+g.year] = c
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
func (m *mapper) standardsByOrder(cells []*shenbao.Cell, roles [2]string, yearOf func(*shenbao.Cell, int) string, vals map[string]*shenbao.Cell) {
	group := 0
	for i := 0; i < len(cells); i++ {
		cat := Norm(cells[i].Text)
		if cat == "" || ParseNumber(cat) != nil {
			continue
		}
		y := yearOf(cells[i], group)
		group++
		for j := i + 1; j < len(cells) && j <= i+2; j++ {
			vals[cat+"/"+roles[j-i-1]+"/"+y] = cells[j]
		}
		i += 2
	}
}

// standardRoles are the two roles of the standards table (主持数量,
// 参与数量), as the template's column ids 类别/角色/年 name them, in order.
func standardRoles(s *Spec) [2]string {
	var out [2]string
	n := 0
	for _, col := range s.Columns {
		parts := strings.Split(Norm(col), "/")
		if len(parts) == 3 && n < 2 && (n == 0 || parts[1] != out[0]) {
			out[n] = parts[1]
			n++
		}
	}
	return out
}

// readsAsSecond says whether a header cell (OCR'd, maybe misread) names
// the second role: it holds a character only the second role's name has
// and none only the first's (参 without 主 or 持).
func readsAsSecond(head string, roles [2]string) bool {
	only := func(a, b string) bool {
		return strings.ContainsFunc(head, func(r rune) bool { return strings.ContainsRune(a, r) && !strings.ContainsRune(b, r) })
	}
	return only(roles[1], roles[0]) && !only(roles[0], roles[1])
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

// countNamesRE reads a count+names cell by the row's two printed
// prompts (数量：__个 名称：__): the count after the first, the names after
// the second.
func countNamesRE(s *Spec) (count, names *regexp.Regexp) {
	return regexp.MustCompile(regexp.QuoteMeta(s.Columns[0]) + `[:：]?\s*([^\n个]*?)\s*个?\s*(\n|$)`),
		regexp.MustCompile(`(?s)` + regexp.QuoteMeta(s.Columns[1]) + `[:：]?(.*)$`)
}

// mergedScore is what a label found after another row's in one cell is
// worth: the scan lost the rule between the two rows, and which of the
// cell's prompts are the row's is read from their order alone. Under the
// review threshold, and under corroborate.TypedFloor: the form of a
// reading bears out the reading, not the row it was taken for.
const mergedScore = 0.75

// findMerged finds, on a scan, a count+names row whose rule above it the
// scan lost: its label read exactly, after the label of the row above in
// one cell (省级…情况其他…情况), the two rows' prompts run on in the value
// cell beside it. Its score is mergedScore.
func (m *mapper) findMerged(s *Spec, from, to int) (anchor, bool) {
	if m.source != shenbao.SourceOCR || s.Type != TypeCountNames || len(s.Columns) < 2 {
		return anchor{}, false
	}
	for i := from; i < to && i < len(m.units); i++ {
		u := &m.units[i]
		if u.para {
			continue
		}
		for j, n := range u.norms {
			if !u.row.Cells[j].Merged && m.mergedPart(s, n) > 0 {
				return anchor{u: i, c: j, score: mergedScore}, true
			}
		}
	}
	return anchor{}, false
}

// mergedPart is which of a merged label cell's rows s is (0 for the first,
// or a cell of s alone): how many labels of the rows under the same parent
// the cell holds, exactly, before s's.
func (m *mapper) mergedPart(s *Spec, cell string) int {
	at := strings.Index(cell, Norm(s.Label))
	if at <= 0 {
		return 0
	}
	k := 0
	for _, r := range m.t.Rows {
		if r.Key != s.Key && r.Section == s.Section && r.Parent == s.Parent {
			if i := strings.Index(cell, Norm(r.Label)); i >= 0 && i < at {
				k++
			}
		}
	}
	return k
}

func (m *mapper) readCountNames(s *Spec, a anchor) {
	cells := m.right(a.u, m.cell(a))
	if len(cells) == 0 {
		m.notFound(s)
		return
	}
	c := cells[0]
	text := c.Text
	if k := m.mergedPart(s, m.units[a.u].norms[a.c]); k > 0 && m.source == shenbao.SourceOCR {
		// Rows run together by a lost rule: the row's prompts are the
		// k-th count prompt's and on; none there, nothing is read.
		at := -1
		for n, from := 0, 0; n <= k; n++ {
			i := strings.Index(text[from:], s.Columns[0])
			if i < 0 {
				at = -1
				break
			}
			at, from = from+i, from+i+len(s.Columns[0])
		}
		if at < 0 {
			m.addField(s, s.Columns[0], "", 0, nil)
			m.addField(s, s.Columns[1], "", 0, nil)
			return
		}
		text = text[at:]
	}
	countRE, namesRE := countNamesRE(s)
	count, names := "", ""
	if mm := countRE.FindStringSubmatch(text); mm != nil {
		count = strings.TrimSpace(mm[1])
	}
	if mm := namesRE.FindStringSubmatch(text); mm != nil {
		names = joinLines(mm[1])
	}
	if m.source == shenbao.SourceOCR {
		// A scan that lost the rule under the row runs the next row's
		// prompts on: the names end where a count prompt starts again.
		// (A 、 OCR did not see between two names is the corrections
		// stage's list_gap rule.)
		if i := strings.Index(names, s.Columns[0]); i > 0 {
			names = strings.TrimSpace(names[:i])
		}
	}
	m.addField(s, s.Columns[0], count, a.score, c)
	m.addField(s, s.Columns[1], names, a.score, c)
}
