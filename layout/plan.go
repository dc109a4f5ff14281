package layout

import (
	"regexp"
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
)

func (m *mapper) readLongText(s *Spec, a anchor) {
	var c *shenbao.Cell
	var text string
	var more []*shenbao.Cell // the continuation's cells
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
			if u.para || u.table != m.units[a.u].table && !continuesText(u, m.t.Anchors.PlanHeader) {
				continue
			}
			for k, x := range u.row.Cells {
				if strings.TrimSpace(x.Text) != "" {
					text += "\n" + x.Text
					more = append(more, &u.row.Cells[k])
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
	text = stripPrinted(text, s)
	page, box := where(c)
	m.out.Texts = append(m.out.Texts, shenbao.Text{
		ID: s.Key, Key: s.Key, Section: s.Section, Label: s.FullLabel(), Text: text,
		Chars: len([]rune(StripSpace(text))), Limit: s.Limit,
		Confidence: a.score * lineConfidence(c), Page: page, BBox: box,
	})
	if rs := cellRereads(append([]*shenbao.Cell{c}, more...)...); len(rs) > 0 {
		m.out.Readings[s.Key] = Reading{Score: a.score, Line: lineConfidence(c), Rereads: rs}
	}
}

// continuesText reports a row that carries on a long answer cut by a page
// break: one cell of running text, not a row of a table of figures.
func continuesText(u *unit, header []string) bool {
	filled := 0
	long := false
	for i, c := range u.row.Cells {
		if u.norms[i] == "" {
			continue
		}
		filled++
		long = long || len([]rune(u.norms[i])) >= 40
		if c.Merged || slices.ContainsFunc(header, func(h string) bool { return strings.HasPrefix(u.norms[i], Norm(h)) }) {
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
	indicator := Norm(m.t.Anchors.PlanHeader[1])
	heads := map[string]span{}
	for i := a.u; i >= 0; i-- {
		v := &m.units[i]
		if v.para || v.table != m.units[a.u].table {
			break
		}
		for j, c := range v.row.Cells {
			heads[v.norms[j]] = span{c.Col, c.Col + c.Span, v.norms[j]}
		}
		if _, ok := heads[indicator]; ok {
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
		m.addField(s, col, cellValue(c), a.score, c)
	}
}
