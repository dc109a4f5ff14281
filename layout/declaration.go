package layout

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// stampPrompt is the printed prompt of the department's seal under the
// signature (县（市、区）中小企业主管部门（公章）), which OCR may read
// without its colon, or with 主管部门 misread under the seal, or with no
// more than its 县（市、区） read.
var stampPrompt = regexp.MustCompile(`主管部门|[公盖]章|中小企业|市、区`)

// sealSpecks are what OCR reads a seal's leftover speck beside a name as.
const sealSpecks = "·.,，。、'\"`‘’“”-_~|!！ "

var dateRE = regexp.MustCompile(`\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日`)

// looseDate is a date with its 月 or 日 written or read otherwise: a year,
// a number, any mark, a number, any mark or the end.
var looseDate = regexp.MustCompile(`\d{4}\s*年\s*\d{1,2}\s*[^\d\s]\s*\d{1,2}\s*(?:[^\d\s]|$)`)

// shortYearDate is a scanned date whose year lost or changed a digit under
// a seal's ring (624年5月23日, 24年5月23日): two to four digits before 年,
// then a month and a day as looseDate reads them.
var shortYearDate = regexp.MustCompile(`\d{2,4}\s*年\s*\d{1,2}\s*[^\d\s]\s*\d{1,2}\s*(?:[^\d\s]|$)`)

// partialDate is a scanned date of which a year and a day were read and
// the month between them was not (2021年  9日), or as a speck or two of
// the ring (2021年 、 9日): the department's seal is stamped over the
// date, and its ring can hide the month whole.
var partialDate = regexp.MustCompile(`(\d{4})\s*年[^\d年月日]{0,3}?(\d{1,2})\s*日`)

// partialTrust scales the confidence of a date read without its month:
// the date was written, what it is must be read off the paper.
const partialTrust = 0.5

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
	v, partial := "", false
	if isDateRow(s) {
		text := c.Text
		// The date is the one written after the signature line.
		if _, end, ok := indexNorm(text, Norm(m.signerMarker(s))); ok {
			text = text[end:]
		}
		if d := dateRE.FindString(text); d != "" {
			v = strings.Join(strings.Fields(d), "")
		} else {
			// A date whose 月 or 日 was misread (2023年6月12介) is
			// taken as written; the corrections stage reads it.
			v = strings.Join(strings.Fields(looseDate.FindString(text)), "")
		}
		if v == "" && m.source == shenbao.SourceOCR {
			// A year a seal's ring crossed is taken as read too: the
			// corrections stage completes it from the programme year
			// only when what was read is that year's tail.
			v = strings.Join(strings.Fields(shortYearDate.FindString(text)), "")
		}
		if v == "" && m.source == shenbao.SourceOCR {
			// A date whose month a seal's ring hid was written all the
			// same: kept as read and unsure, so that the reviewer is
			// asked to read the month, not told the date is missing.
			if mm := partialDate.FindStringSubmatch(text); mm != nil {
				v, partial = mm[1]+"年"+mm[2]+"日", true
			}
		}
	} else if end, ok := m.signerPrompt(c.Text, col); ok {
		prompt, _, _ := strings.Cut(c.Text[:end][strings.LastIndex(c.Text[:end], "\n")+1:], "\n")
		// The name follows the prompt, possibly wrapped onto the next
		// lines, up to the next printed prompt (…（公章）：) or the date.
		var parts []string
		for i, l := range strings.Split(c.Text[end:], "\n") {
			l = strings.TrimSpace(l)
			if i == 0 {
				// A seal's ring joins the stamp's prompt to the name's
				// line (吕建国  产、县市、区)中小企业主管部门…).
				if loc := stampPrompt.FindStringIndex(l); loc != nil {
					l = l[:loc[0]]
				}
			}
			if i > 0 && (strings.ContainsAny(l, ":：") || dateRE.MatchString(l) || strings.Contains(l, "年") && strings.Contains(l, "月") || stampPrompt.MatchString(l)) {
				break
			}
			// On a scan a line under the prompt is what a seal left (a
			// character of its ring read as 福, the date's line run into
			// it) unless it starts where the prompt's line does: a long
			// prompt wraps the name.
			if i > 0 && m.source == shenbao.SourceOCR && !wrapsUnder(c, prompt, l) {
				break
			}
			if l != "" {
				parts = append(parts, l)
			}
		}
		v = joinLines(strings.Join(parts, "\n"))
		if m.source == shenbao.SourceOCR {
			// A speck a seal left beside the name reads as a dot or a
			// stroke; a name opens and ends with a character.
			v = strings.Trim(v, sealSpecks)
		}
	}
	m.addField(s, col, v, a.score, c)
	// The cell holds the printed promise and prompts besides the value;
	// how surely they were read says nothing of the name or the date.
	if lc, ok := valueLinesConfidence(c, v); ok {
		f := &m.out.Fields[len(m.out.Fields)-1]
		f.Confidence = a.score * lc
		r := m.out.Readings[f.ID]
		r.Line = lc
		m.out.Readings[f.ID] = r
	}
	if partial {
		f := &m.out.Fields[len(m.out.Fields)-1]
		f.Confidence *= partialTrust
	}
}

// signerPrompt finds the end of the printed signature prompt in text. On
// a scan the prompt's tail is often misread (（签字7）, （签字js:), so there
// it is found by its head (what precedes its bracket: 单位负责人) and ends at the bracket or colon that
// closes it.
func (m *mapper) signerPrompt(text, prompt string) (int, bool) {
	if _, end, ok := indexNorm(text, Norm(prompt)); ok {
		return end, true
	}
	if m.source != shenbao.SourceOCR {
		return 0, false
	}
	head, _, ok := strings.Cut(Norm(prompt), "(")
	if !ok || head == "" {
		return 0, false
	}
	_, end, ok := indexNorm(text, head)
	if !ok {
		// A character of the prompt itself misread or lost under a
		// seal's clutter (单位责人（签字）：): the prompt is the part of
		// a line that reads nearly as it.
		if end, ok := fuzzyPrompt(text, Norm(prompt)); ok {
			return end, true
		}
		// Misread worse where a seal's ring ran into its line: its head
		// and its bracketed close still stand (单位须政人（刊）：).
		return shapedPrompt(text, head)
	}
	line, _, _ := strings.Cut(text[end:], "\n")
	// The last close among the line's first characters: a close further
	// on is the stamp's prompt's, joined to the line by a seal's ring.
	head9 := line
	if rs := []rune(line); len(rs) > 9 {
		head9 = string(rs[:9])
	}
	if i := strings.LastIndexAny(head9, ")）:："); i >= 0 {
		_, size := utf8.DecodeRuneInString(line[i:])
		return end + i + size, true
	}
	// Its close read as a comma (（签字吕，彭艳).
	if i := strings.IndexAny(line, "，,"); i >= 0 && len([]rune(line[:i])) <= 8 {
		_, size := utf8.DecodeRuneInString(line[i:])
		return end + i + size, true
	}
	return end + len(line), true
}

// IsDateRow says whether a declaration row holds the date: the one that
// is no person's signature.
func IsDateRow(s *Spec) bool { return isDateRow(s) }

func isDateRow(s *Spec) bool { return s.Type == TypeDeclaration && !s.Person }

// signerMarker is the printed signature prompt of the declaration, from the
// sibling row that reads the signer.
func (m *mapper) signerMarker(s *Spec) string {
	for _, r := range m.t.Rows {
		if r.Type == TypeDeclaration && r.Label == s.Label && len(r.Columns) == 1 && !isDateRow(&r) {
			return r.Columns[0]
		}
	}
	return ""
}

// promptSim is how alike a line's part must read to the printed signature
// prompt to stand for it: one character in five misread or lost. The
// department's stamp prompt (…主管部门（公章）：) comes no closer than
// about three in four to the signer's (…主管部门负责人（签字）：).
const promptSim = 0.8

// fuzzyPrompt finds in text the part of a line most like prompt
// (normalised) at promptSim or more, and returns where it ends. A part
// naming the seal (公章) is the stamp's prompt, never the signer's.
func fuzzyPrompt(text, prompt string) (int, bool) {
	stamp := func(w []rune) bool { return strings.ContainsAny(string(w), "公盖") }
	best, bestEnd := 0.0, 0
	off := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		if _, end, sim := normNearest(line, prompt, stamp); sim >= promptSim && sim > best {
			best, bestEnd = sim, off+end
		}
		off += len(line)
	}
	return bestEnd, best > 0
}

// headSim is how alike the words before a bracket must read to the
// prompt's head (单位负责人) when the prompt is known by its shape: three
// characters in five, its last one among them.
const headSim = 0.6

// shapedPrompt finds in text the signature prompt known by its shape where
// too many of its characters were misread for fuzzyPrompt (a seal's ring
// read into the same line): words reading at headSim or more as head and
// ending in head's last character (人: the signer is a person, where the
// stamp's prompt ends in 部门), then a bracket holding at most three
// characters and the colon that closes it. What follows the colon is the
// name. A bracket naming the seal (公章) is the stamp's, never the signer's.
func shapedPrompt(text, head string) (int, bool) {
	want := []rune(head)
	if len(want) < 3 {
		return 0, false
	}
	type pos struct {
		r    rune
		next int
	}
	var rs []pos
	for i, r := range text {
		if r == '\n' {
			rs = append(rs, pos{r, i + 1}) // a line's end, which Norm drops
		}
		for _, nr := range Norm(string(r)) {
			rs = append(rs, pos{nr, i + len(string(r))})
		}
	}
	for i, p := range rs {
		if p.r != '(' || i == 0 || rs[i-1].r != want[len(want)-1] {
			continue
		}
		close := -1
		for j := i + 1; j < len(rs) && j <= i+5; j++ {
			if rs[j].r == ':' {
				close = j
				break
			}
			if strings.ContainsRune("公盖章\n", rs[j].r) {
				break
			}
		}
		if close < 0 {
			continue
		}
		for n := len(want) - 1; n <= len(want)+1; n++ {
			if n > i {
				break
			}
			w := make([]rune, 0, n)
			for _, q := range rs[i-n : i] {
				w = append(w, q.r)
			}
			if !strings.ContainsAny(string(w), "公盖章\n") && similarity(string(w), head) >= headSim {
				return rs[close].next, true
			}
		}
	}
	return 0, false
}

// wrapsUnder says whether the cell's line reading next starts, like a
// wrapped line, within two line heights of where the line holding prompt
// starts. Without boxes it cannot be told, and is not.
func wrapsUnder(c *shenbao.Cell, prompt, next string) bool {
	find := func(t string) (shenbao.Line, bool) {
		t = StripSpace(t)
		for _, l := range c.Lines {
			if lt := StripSpace(l.Text); t != "" && (lt == t || strings.Contains(lt, t)) {
				return l, true
			}
		}
		return shenbao.Line{}, false
	}
	p, ok1 := find(prompt)
	n, ok2 := find(next)
	if !ok1 || !ok2 {
		return false
	}
	h := p.BBox[3] - p.BBox[1]
	return n.BBox[1] >= p.BBox[1] && n.BBox[0]-p.BBox[0] < 2*h && p.BBox[0]-n.BBox[0] < 2*h
}
