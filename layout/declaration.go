package layout

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
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
