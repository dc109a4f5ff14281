package correct

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// sealRemnant keeps of a scanned signature the name: the pen stroke before
// it (read as a quote or dash) goes, and what stands apart after a wide
// gap (two spaces or more) goes when the words before it are a name of two
// Chinese characters or more — the seal's remnant over the line
// (叶春梅  /全, 程明  Nb). A signature is one name. One character before
// the gap (程  明) is no name to cut at and stays.
type sealRemnant struct{}

func (sealRemnant) Name() string    { return "seal_remnant" }
func (sealRemnant) Title() string   { return "签名残迹" }
func (sealRemnant) Factor() float64 { return 0.9 }
func (sealRemnant) About() string {
	return "签字栏只留姓名：去掉签名前笔画读成的引号、短横，及姓名（两个汉字以上）后隔开的印章残迹"
}

func (r sealRemnant) apply(d *Doc) {
	d.eachField(func(i int) {
		if s := d.spec(i); s != nil && s.Type == layout.TypeDeclaration && !layout.IsDateRow(s) {
			d.repair(i, r, signature(layout.TrimBlank(d.Fields[i].Value)), 0)
		}
	})
}

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

// dateMarks reads a declaration date whose 月 or 日 OCR misread
// (2023年6月12介, 2024年6洽8日): a year of this century, a month and a day
// in range, written as the form writes dates. A date that is not one
// (2824年…, 2023年13月5日) or has lost its 月 (2023年618日) stays as read.
type dateMarks struct{}

func (dateMarks) Name() string    { return "date_marks" }
func (dateMarks) Title() string   { return "日期字样" }
func (dateMarks) Factor() float64 { return 0.8 }
func (dateMarks) About() string {
	return "日期中读错的“月”“日”（2023年6月12介→2023年6月12日），仅当年份在本世纪、月日在范围内"
}

var markedDate = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*[^\d\s]\s*(\d{1,2})\s*(?:[^\d\s]|$)`)

func (r dateMarks) apply(d *Doc) {
	d.eachField(func(i int) {
		if s := d.spec(i); s != nil && layout.IsDateRow(s) {
			if v, ok := readDate(d.Fields[i].Value); ok {
				d.repair(i, r, v, 0)
			}
		}
	})
}

// readDate reads a date with marks misread; ok is false when it holds no
// date in range.
func readDate(text string) (string, bool) {
	for _, mm := range markedDate.FindAllStringSubmatch(text, -1) {
		y, _ := strconv.Atoi(mm[1])
		mo, _ := strconv.Atoi(mm[2])
		day, _ := strconv.Atoi(mm[3])
		if y >= 2000 && y < 2100 && mo >= 1 && mo <= 12 && day >= 1 && day <= 31 {
			return fmt.Sprintf("%d年%d月%d日", y, mo, day), true
		}
	}
	return "", false
}

// dateYear completes a declaration date's year a seal's ring crossed
// (624年5月23日, 24年5月23日 on a 2024 form): the form is signed in its
// programme year, so a year read as that year's last two digits, with or
// without a digit lost or changed before them, is that year. It acts only
// when the year read is no year of this century itself (2023 on a 2024
// form stays: a date signed the year before is possible) and the month and
// the day are in range; a year whose tail reads otherwise (623年…) stays.
type dateYear struct{}

func (dateYear) Name() string  { return "date_year" }
func (dateYear) Title() string { return "日期年份" }

// Factor keeps a completed year below sure: the repair rests on the form's
// year, not on what was read.
func (dateYear) Factor() float64 { return 0.8 }
func (dateYear) About() string {
	return "声明日期中印章压住的年份（624年→2024年），仅当读到的是申报年度的后两位以上、本身不是本世纪年份且月日在范围内"
}

var shortYear = regexp.MustCompile(`^(\d{2,4})(\s*年\s*)(\d{1,2})\s*[^\d\s]\s*(\d{1,2})\s*(?:[^\d\s]|$)`)

func (r dateYear) apply(d *Doc) {
	d.eachField(func(i int) {
		if s := d.spec(i); s != nil && layout.IsDateRow(s) {
			if v, ok := completeYear(d.Fields[i].Value, d.t.Year); ok {
				d.repair(i, r, v, 0)
			}
		}
	})
}

// completeYear puts year in place of the year of date when what was read
// of it ends in year's last two digits and is no year of this century.
func completeYear(date string, year int) (string, bool) {
	mm := shortYear.FindStringSubmatchIndex(date)
	if mm == nil || year < 2000 || year >= 2100 {
		return "", false
	}
	read := date[mm[2]:mm[3]]
	y, _ := strconv.Atoi(read)
	mo, _ := strconv.Atoi(date[mm[6]:mm[7]])
	day, _ := strconv.Atoi(date[mm[8]:mm[9]])
	if len(read) == 4 && y >= 2000 && y < 2100 || !strings.HasSuffix(read, strconv.Itoa(year)[2:]) ||
		mo < 1 || mo > 12 || day < 1 || day > 31 {
		return "", false
	}
	return strconv.Itoa(year) + date[mm[3]:], true
}

// punctWidth puts back the full-width punctuation of Chinese text that OCR
// returns as ASCII or as angle brackets: "(" beside a Chinese character
// becomes "（", a "," or ";" between Chinese characters "，" "；", a ":"
// after one "：", 〈〉《》 parentheses. Latin text keeps its own (SaaS
// (cloud)), and so do numbers (1,234).
type punctWidth struct{}

func (punctWidth) Name() string    { return "punct_width" }
func (punctWidth) Title() string   { return "中文标点" }
func (punctWidth) Factor() float64 { return 0.95 }
func (punctWidth) About() string {
	return "中文文字中被读成半角或书名号的标点还原为全角（“(”→“（”，汉字间“,”→“，”，〈〉《》→（）），英文和数字中的不动"
}

func (r punctWidth) apply(d *Doc) {
	d.eachField(func(i int) {
		f := d.Fields[i]
		if f.Section == layout.CoverSection && f.Column != "" {
			return // the parts of 所属地区: words, no punctuation
		}
		if t := d.typ(i); t == layout.TypeText || t == layout.TypePlanTarget || t == layout.TypeLongText {
			d.repair(i, r, fullWidth(d.Fields[i].Value), 0)
		}
	})
	for i := range d.Texts {
		d.repairText(i, r, fullWidth(d.Texts[i].Text))
	}
}

func fullWidth(v string) string {
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

// fullStop puts back the full stop of a long answer that PP-OCR, which
// reads the answers, returns as a middle dot or a degree sign: its small
// ring, thin on a bitonal copy, reads as · or ° (达到68%·组织, 28项°30家).
// Only where a sentence ends: after a Chinese character, a digit, a
// closing bracket or quote or %, and before a Chinese character, a digit,
// an opening quote or the text's end. Elsewhere they stay (25°C, a Latin
// name's S·A).
type fullStop struct{}

func (fullStop) Name() string    { return "full_stop" }
func (fullStop) Title() string   { return "句号" }
func (fullStop) Factor() float64 { return 0.95 }
func (fullStop) About() string {
	return "长篇填写内容中句末被读成“·”或“°”的句号还原为“。”，仅在汉字、数字或右括号后且下一字为汉字、数字或文末时"
}

func (r fullStop) apply(d *Doc) {
	for i := range d.Texts {
		d.repairText(i, r, sentenceStops(d.Texts[i].Text))
	}
}

func sentenceStops(v string) string {
	rs := []rune(v)
	ends := func(r rune) bool {
		return unicode.Is(unicode.Han, r) || unicode.IsDigit(r) || strings.ContainsRune("）)”%", r)
	}
	opens := func(r rune) bool { return unicode.Is(unicode.Han, r) || unicode.IsDigit(r) || r == '“' }
	for i, r := range rs {
		if (r == '·' || r == '°') && i > 0 && ends(rs[i-1]) && (i == len(rs)-1 || opens(rs[i+1])) {
			rs[i] = '。'
		}
	}
	return string(rs)
}

// unpairedQuotes drops the quotation marks of a text value that open
// nothing or close nothing: OCR's reading of specks where an underline
// starts (吴永刚  “15146354443). Paired quotes (宁波“专精”联盟) stay.
type unpairedQuotes struct{}

func (unpairedQuotes) Name() string    { return "unpaired_quotes" }
func (unpairedQuotes) Title() string   { return "孤立引号" }
func (unpairedQuotes) Factor() float64 { return 0.9 }
func (unpairedQuotes) About() string {
	return "去掉文字值中不成对的引号（下划线起点的污点读成“），成对的引号不动"
}

func (r unpairedQuotes) apply(d *Doc) {
	d.eachField(func(i int) {
		if d.typ(i) == layout.TypeText {
			d.repair(i, r, pairedQuotes(d.Fields[i].Value), 0)
		}
	})
}

func pairedQuotes(v string) string {
	rs := []rune(v)
	out := rs[:0:0]
	open := 0
	for i, r := range rs {
		switch r {
		case '“':
			if !slices.Contains(rs[i+1:], '”') {
				continue
			}
			open++
		case '”':
			if open == 0 {
				continue
			}
			open--
		}
		out = append(out, r)
	}
	if len(out) == len(rs) {
		return v
	}
	return strings.TrimSpace(string(out))
}

// nearPrinted puts back a character of a value that OCR misread into one
// the form never prints, where the four characters around it are one off
// four the form prints and the form prints only one there (服务乎台 for
// the labels' 服务平台), and the character is framed by the form's words
// on both sides. Such a value is doubted even where nothing is put back
// (器械产业 at a window's edge). A name built of the form's words and
// others it prints (汽车零部件产业集群) passes.
type nearPrinted struct{}

func (nearPrinted) Name() string    { return "near_printed" }
func (nearPrinted) Title() string   { return "表格用字" }
func (nearPrinted) Factor() float64 { return 0.6 }
func (nearPrinted) About() string {
	return "文字值中与表格印刷词语仅差一字、且该字表格从不印刷的（服务乎台→服务平台），按表格用字还原；只在两侧都是表格用字时改，否则只存疑"
}

func (r nearPrinted) apply(d *Doc) {
	p := newPrintedWords(d.t)
	d.eachField(func(i int) {
		if _, ok := d.reading(i); !ok || d.fromDigits[i] || layout.IsNumeric(d.typ(i)) {
			return
		}
		v, near := p.fix(d.Fields[i].Value)
		if !near {
			return
		}
		if v == d.Fields[i].Value {
			d.doubt(i, r.Factor())
			return
		}
		d.repair(i, r, v, 0)
	})
}

// printedWords is what a form prints: every character, and every run of
// four with one character wildcarded, with the character it stands for (0
// where the form prints several).
type printedWords struct {
	chars map[rune]bool
	near  map[string]rune
}

func newPrintedWords(t *layout.Template) *printedWords {
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

// fix returns value with its near-printed characters put back and whether
// it holds any.
func (p *printedWords) fix(value string) (string, bool) {
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
			// Only a character framed by the form's words on both sides:
			// at a window's edge, a name's own word that ends like the
			// form's (器械 beside 特色产业) would be taken for it.
			if w != 0 && (j == 1 || j == 2) {
				rs[i+j] = w
			}
		}
	}
	return string(rs), near
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

// listGap puts the 、 back between two names of a count+names row's list
// where OCR did not see it: PP-OCR left a wide gap (two spaces or more:
// its spaces are gaps of a character and a half) or read it as a middle
// dot (its stroke's tail lost at 150 dpi), which no organisation's name in
// a list holds between Han characters. A gap or dot between Latin words
// stays, and so does one in any other row. Tesseract's wide gaps are no
// evidence: it spaces Chinese unevenly, and on the held-out scans read by
// it alone all four such repairs split a name (docs/corrections.md).
type listGap struct{}

func (listGap) Name() string    { return "list_gap" }
func (listGap) Title() string   { return "名称间顿号" }
func (listGap) Factor() float64 { return 0.95 }
func (listGap) About() string {
	return "“名称及数量”一栏的名称之间，PP-OCR 没读出顿号而留下的宽空隙（两个汉字之间两个以上空格）或读成的间隔点（·）补回“、”；英文之间的空隙、单个空格和 Tesseract 读出的空隙不动"
}

// listDot is a 、 between two names read as a middle dot, listGapOrDot
// also as a wide gap: one separator between two Han characters.
const listDotSep = `[ \t]*[·•・‧∙][ \t]*`

var (
	listDot      = between(listDotSep)
	listGapOrDot = between(`[ \t]{2,}|` + listDotSep)
)

// between matches sep between two Han characters, kept as $1 and $2.
func between(sep string) *regexp.Regexp {
	return regexp.MustCompile(`(\p{Han})(?:` + sep + `)(\p{Han})`)
}

func (r listGap) apply(d *Doc) {
	d.eachField(func(i int) {
		s := d.spec(i)
		if s == nil || s.Type != layout.TypeCountNames || len(s.Columns) < 2 || d.Fields[i].Column != s.Columns[1] {
			return
		}
		re := listDot
		if e := d.Fields[i].Engine; e == shenbao.EnginePPOCR || e == shenbao.EngineBoth {
			re = listGapOrDot
		}
		d.repair(i, r, re.ReplaceAllString(d.Fields[i].Value, "$1、$2"), 0)
	})
}

// contactGap puts back the gap between a contact's name and telephone
// number where Tesseract, reading the line alone (a cover value: no
// second recogniser reads it), took the gap for a full stop or a comma
// (蔡婷.136…): the form asks for a name and a number, and neither holds
// such a mark. Only a value that is a person's name (two to four Han
// characters) then a mobile or fixed-line number, in a row that opens
// with a name (Spec.Person).
type contactGap struct{}

func (contactGap) Name() string    { return "contact_gap" }
func (contactGap) Title() string   { return "姓名与电话间空隙" }
func (contactGap) Factor() float64 { return 0.95 }
func (contactGap) About() string {
	return "联系人一栏姓名与电话号码之间的空隙被 OCR 读成句点或逗号（蔡婷.136…）时改回两个空格；只在“姓名+电话号码”形式的值上"
}

// nameDotPhone is a name, a mark where the gap was, and a phone number.
var nameDotPhone = regexp.MustCompile(`^(\p{Han}{2,4})[ \t]*[.．。,，·][ \t]*((?:1\d{10})|(?:0\d{2,3}[-－]?\d{7,8}))$`)

func (r contactGap) apply(d *Doc) {
	d.eachField(func(i int) {
		if s := d.spec(i); s == nil || !s.Person {
			return
		}
		d.repair(i, r, nameDotPhone.ReplaceAllString(d.Fields[i].Value, "$1  $2"), 0)
	})
}
