package correct

import (
	"regexp"
	"slices"
	"strings"

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

// percentSign puts back the per-cent sign of a plan target that OCR read
// as the digits 96 (降低11.9896） for 降低11.98%）) or followed by a stray 0
// (27.27%0): the form's figures have two decimals, so a third and fourth
// digit 96 before a bracket or the end is the sign — where a sign belongs:
// in a target written in words, or in a bare number whose other column
// (base or target) carries a %. A bare four-decimal number otherwise stays
// as written, so that the decimals check still sees it.
type percentSign struct{}

func (percentSign) Name() string    { return "percent_sign" }
func (percentSign) Title() string   { return "百分号" }
func (percentSign) Factor() float64 { return 0.8 }
func (percentSign) About() string {
	return "规划目标中两位小数后读成“96”的百分号（11.9896）→11.98%）），及“%0”；仅在文字中或同一指标另一列带 % 时，单独的四位小数保留"
}

var (
	percentAs96 = regexp.MustCompile(`(\d\.\d{2})96([)）]|$)`)
	percentZero = regexp.MustCompile(`(\d\.\d{2})%0([)）]|$)`)
)

func (r percentSign) apply(d *Doc) {
	d.eachField(func(i int) {
		if d.typ(i) != layout.TypePlanTarget {
			return
		}
		v := d.Fields[i].Value
		w := percentZero.ReplaceAllString(v, "$1%$2")
		if layout.ParseNumber(v) == nil || d.siblingPercent(i) {
			w = percentAs96.ReplaceAllString(w, "$1%$2")
		}
		d.repair(i, r, w, 0)
	})
}

// siblingPercent says whether another column of field i's row holds a %.
func (d *Doc) siblingPercent(i int) bool {
	for j, f := range d.Fields {
		if j != i && f.Key == d.Fields[i].Key && strings.ContainsAny(f.Value, "%％") {
			return true
		}
	}
	return false
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
