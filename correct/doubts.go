package correct

import (
	"slices"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao/layout"
)

// Doubts lower the confidence of OCR'd values that read oddly, without
// changing them: a reviewer should look there. They are steps of the
// stage, not rules: they record no repair.

// readingDoubts doubts a value read from a cell whose form is unlikely for
// its row (see plausibility), and a name under no known surname.
type readingDoubts struct{}

func (readingDoubts) apply(d *Doc) {
	d.eachField(func(i int) {
		if _, ok := d.reading(i); !ok || d.fromDigits[i] {
			return
		}
		v := d.Fields[i].Value
		d.doubt(i, plausibility(d.typ(i), v))
		// A misreading Tesseract is sure of: a name under no known
		// surname.
		if s := d.spec(i); s != nil && s.Person && !layout.KnownSurname(v) {
			d.doubt(i, 0.6)
		}
	})
}

// blankDoubt doubts a blank read from a cell: OCR drops lone digits ("0",
// "1"), so a blank it read may not be blank on paper.
type blankDoubt struct{}

func (blankDoubt) apply(d *Doc) {
	d.eachField(func(i int) {
		if _, ok := d.reading(i); ok && !d.fromDigits[i] && strings.TrimSpace(d.Fields[i].Value) == "" {
			d.doubt(i, 0.6)
		}
	})
}

// sameConcept pairs the rows that state the same thing twice: the cover
// page's blanks and the basic-information table.
var sameConcept = [][2]string{{"cover_name", "name"}, {"cover_org", "org"}, {"cover_dept", "dept"}}

// twinDoubts doubts values the application states twice and OCR read
// differently (the cover's name and the table's): one of the two is
// misread. And a name that holds the cover's county with one character
// read differently (风溪市 where 所属地区 reads 凤溪市), with the county
// itself: one of them is misread, however sure Tesseract is of each.
type twinDoubts struct{}

func (twinDoubts) apply(d *Doc) {
	at := map[string]int{}
	for i, f := range d.Fields {
		at[f.ID] = i
	}
	for _, pair := range sameConcept {
		i, ok1 := at[pair[0]]
		j, ok2 := at[pair[1]]
		if !ok1 || !ok2 {
			continue
		}
		a, b := d.Fields[i].Value, d.Fields[j].Value
		if a == "" || b == "" || layout.Norm(a) == layout.Norm(b) {
			continue
		}
		d.doubt(i, 0.7)
		d.doubt(j, 0.7)
	}
	ci, cr := d.county()
	if ci < 0 {
		return
	}
	differs := false
	for i := range d.Fields {
		if !slices.Contains(countyNamed, d.Fields[i].Key) {
			continue
		}
		rs := []rune(d.Fields[i].Value)
		for j := 0; j+len(cr) <= len(rs); j++ {
			if rs[j+len(cr)-1] == cr[len(cr)-1] && differing(rs[j:j+len(cr)], cr) == 1 {
				d.doubt(i, 0.7)
				differs = true
				break
			}
		}
	}
	if differs {
		d.doubt(ci, 0.7)
	}
}

// plausibility is the factor for an OCR'd value whose form is unlikely
// for its row: a number that does not parse, more than the two decimals
// the form asks for, a percentage over 100; in words, a figure followed by
// no measure word, or marks a county does not write. Such a value is more
// often a misreading than a filing error, so a reviewer should look; the
// value stays, so the checks still see a real filing error.
func plausibility(typ, value string) float64 {
	if !layout.IsNumeric(typ) {
		if oddCounter(value) || oddMarks(value) {
			return 0.6
		}
		return 1
	}
	v := strings.TrimSpace(value)
	if v == "" || v == "无" {
		return 1
	}
	n := layout.ParseNumber(v)
	if n == nil {
		return 0.5
	}
	if i := strings.IndexAny(v, ".．"); i >= 0 && (len(strings.TrimRight(v[i+1:], "%％")) > 2 || typ == layout.TypeInteger) {
		// Three decimals, or any in a count: a speck read as a point.
		return 0.7
	}
	if typ == layout.TypePercent && (*n > 100 || *n < -100) {
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
