package correct

import (
	"regexp"
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// digitShapes reads a numeric cell's text that is no number as the number
// its marks are shaped like: letters for digits (| l I ｜ 工 for 1, O o 〇
// for 0; 工 is a serif 1 whose foot and head read as strokes), a
// full-width or Chinese point, a colon between digits (a point read too
// tall: 217:52), stray marks around it and a printed note after it
// (47个（需提供清单）); a serif 1 blurred at low resolution reads as a
// bracket (14.2], [101.30) and 11 as the numeral Ⅱ. It changes nothing that is a number already (a real
// 11 stays 11) or that does not become one (工业, 12:30:00).
type digitShapes struct{}

func (digitShapes) Name() string    { return "digit_shapes" }
func (digitShapes) Title() string   { return "数字字形" }
func (digitShapes) Factor() float64 { return 0.7 }
func (digitShapes) About() string {
	return "数字单元格中形似数字的字母和符号（| l I 工 [ ]→1，Ⅱ→11，O o 〇→0，全角点、数字间的冒号→小数点）及残留标点，仅在改后成为数字时更正"
}

func (r digitShapes) apply(d *Doc) {
	d.eachField(func(i int) {
		if layout.IsNumeric(d.typ(i)) {
			d.repair(i, r, numberShapes(d.Fields[i].Value), 0)
		}
	})
}

// numberShapes is digitShapes on one value; v itself when it is a number
// already or does not become one.
func numberShapes(v string) string {
	if v == "" || layout.ParseNumber(v) != nil || v == "无" {
		return v
	}
	fixed := v
	if i := strings.IndexAny(fixed, "(（〈《["); i > 0 {
		fixed = fixed[:i]
	}
	fixed = strings.TrimRight(strings.Trim(fixed, strayMarks+" "), "个家件项人次 ")
	fixed = digitFix.Replace(fixed)
	fixed = colonPoint.ReplaceAllString(fixed, "$1.$2")
	if layout.ParseNumber(fixed) != nil {
		return fixed
	}
	return v
}

// strayMarks are what OCR makes of specks around a number.
const strayMarks = "\"'“”‘’`,.，。、:：;；_-—=~"

// lookalikes are the letters OCR reads for digits, each before its digit.
var lookalikes = []string{"|", "1", "l", "1", "I", "1", "｜", "1", "工", "1", "]", "1", "[", "1", "Ⅱ", "11", "O", "0", "o", "0", "〇", "0"}

var (
	digitFix   = strings.NewReplacer(append(slices.Clone(lookalikes), "．", ".", "。", ".", "，", ".", " ", "")...)
	colonPoint = regexp.MustCompile(`^(\d+):(\d{1,2})$`)
)

// percentShadow undoes Tesseract's habits with a per-cent sign it did
// read: digits it reads into the sign's glyph after a two-decimal number
// (14.509%6, 14.5096%, 14.50%6, 14.509% for 14.50%), and "%。" read as
// "%“" — with a 9 before the sign to drop only where the number then has
// two digits (799%“ for 79%。): in 89%“ the 9 is the number's own. Only a
// reading Tesseract took part in (a field whose engine is tesseract or
// unnamed, and the long answers, which Tesseract reads alone): PP-OCR has
// not the habit, and a PP-OCR reading of 12.349% is a real third decimal.
// A number without a sign read (34.1996) stays: it may be a real fourth
// decimal, which the decimals check must see.
type percentShadow struct{}

func (percentShadow) Name() string    { return "percent_shadow" }
func (percentShadow) Title() string   { return "百分号残影" }
func (percentShadow) Factor() float64 { return 0.8 }
func (percentShadow) About() string {
	return "Tesseract 把百分号读出的多余数字（14.509%6、14.5096%、14.50%6、14.509%→14.50%）及“%。”读成的“%“”；仅在两位小数之后，仅对 Tesseract 参与识别的内容"
}

var (
	percentMisread = regexp.MustCompile(`(\d\.\d\d)(?:9%6|96%|%6|9%)`)
	percentQuote   = regexp.MustCompile(`(^|[^\d.])(\d\d)9%“|(\d)%“`)
)

func (r percentShadow) apply(d *Doc) {
	d.eachField(func(i int) {
		if e := d.Fields[i].Engine; e == "" || e == shenbao.EngineTesseract {
			d.repair(i, r, unshadow(d.Fields[i].Value), 0)
		}
	})
	for i := range d.Texts {
		d.repairText(i, r, unshadow(d.Texts[i].Text))
	}
}

// unshadow is percentShadow on one reading.
func unshadow(s string) string {
	s = percentMisread.ReplaceAllString(s, "$1%")
	return percentQuote.ReplaceAllString(s, "$1$2$3%")
}

// digitModel weighs the digit model's reading of a numeric cell (the
// English model, whose digits are far better than the Chinese model's;
// see shenbao.Line.Digits) against the first reading. Where the first is
// no number the digit reading is taken, as sure as it is; where both are
// numbers and differ, the value is doubted, and the digit reading taken
// when it is likelier: it holds the first and more (11 for 11.31), has the
// per-cent sign the first read as two digits, or is much surer. It leaves
// a cell both read alike, a 无, and a cell with no digit reading.
type digitModel struct{}

func (digitModel) Name() string    { return "digit_model" }
func (digitModel) Title() string   { return "数字模型重读" }
func (digitModel) Factor() float64 { return 0.6 }
func (digitModel) About() string {
	return "数字单元格由数字专用模型重读：首读不成数字时取重读；两读不同则存疑，重读明显更可信（多出小数、百分号或置信度高得多）时取重读"
}

func (r digitModel) apply(d *Doc) {
	d.eachField(func(i int) {
		rd, ok := d.reading(i)
		if !ok || rd.Digits == "" {
			return
		}
		typ := d.typ(i)
		v := strings.TrimSpace(d.Fields[i].Value)
		if v == "无" || !(layout.IsNumeric(typ) || typ == layout.TypePlanTarget && layout.ParseNumber(v) != nil) {
			return
		}
		if v == "" || layout.ParseNumber(v) == nil {
			// Sure only as the digits are.
			d.repair(i, r, rd.Digits, rd.Score*rd.DigitsConf*0.9)
			d.fromDigits[i] = true
			return
		}
		if *layout.ParseNumber(rd.Digits) == *layout.ParseNumber(v) {
			return
		}
		if digitsLikelier(v, rd.Digits, rd.DigitsConf, rd.Line) {
			d.repair(i, r, rd.Digits, 0)
			return
		}
		// Another number in the same ink: a reviewer decides.
		d.doubt(i, r.Factor())
	})
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
