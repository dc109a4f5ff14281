package layout

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
)

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
	if !isNumeric(typ) {
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
