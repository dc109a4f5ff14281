package correct

import (
	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// The reader keeps what a recogniser read and carries, beside it, what its
// own evidence says a word reads as (shenbao.Line.Rereads): the boxes of
// the glyphs, the ink of a number. These rules decide whether a value
// takes the other reading, so that the change is recorded and lowers the
// value's confidence like every other repair.

// percentGlyph leaves out the digits Tesseract read inside the box of a
// per-cent sign's glyph (78% read as 789%, 11.99% as 11.99%6), where the
// reader's glyph boxes showed them there (see extract/ocr percentShadows:
// a digit after the sign inside its box, or one before it over most of
// the sign where the number then has the form's two digits and two
// decimals). A value that does not hold the word so read (PP-OCR's reading
// of the cell, or a real 12.3456 with no sign) stays as read.
type percentGlyph struct{}

func (percentGlyph) Name() string    { return "percent_glyph" }
func (percentGlyph) Title() string   { return "百分号字框" }
func (percentGlyph) Factor() float64 { return 0.85 }
func (percentGlyph) About() string {
	return "Tesseract 在百分号字框内读出的数字（789%→78%、11.99%6→11.99%），以识别时的字符框为据；值中没有这样读出的词时不动"
}

func (r percentGlyph) apply(d *Doc) {
	d.eachField(func(i int) {
		if v, ok := d.reread(d.Fields[i].ID, d.Fields[i].Value, shenbao.RereadPercentGlyph); ok {
			d.repair(i, r, v, 0)
		}
	})
	for i := range d.Texts {
		if v, ok := d.reread(d.Texts[i].ID, d.Texts[i].Text, shenbao.RereadPercentGlyph); ok {
			d.repairText(i, r, v)
		}
	}
}

// inkPoint puts back the decimal point of a number Tesseract dropped (3.95
// read as 395) or read as a digit (3.33 as 3233), where the reader found
// the point's dot in the ink between the digits and the digits' shapes
// account for the rest (see extract/scan checkDigits). Only in a numeric
// value or a plan target, and only the number so read standing alone: a
// real 11, or 1395 where 395 was read elsewhere, stays.
type inkPoint struct{}

func (inkPoint) Name() string    { return "ink_point" }
func (inkPoint) Title() string   { return "小数点墨迹" }
func (inkPoint) Factor() float64 { return 0.9 }
func (inkPoint) About() string {
	return "数字中漏读或读成数字的小数点（395→3.95、3233→3.33），以单元格墨迹中数字间的圆点为据；仅数字和规划目标值"
}

func (r inkPoint) apply(d *Doc) {
	d.eachField(func(i int) {
		if t := d.typ(i); !layout.IsNumeric(t) && t != layout.TypePlanTarget {
			return
		}
		if v, ok := d.reread(d.Fields[i].ID, d.Fields[i].Value, shenbao.RereadInkPoint); ok {
			d.repair(i, r, v, 0)
		}
	})
}

// reread applies to value the rereads of kind the reader left for the
// value id; ok is false when none applies.
func (d *Doc) reread(id, value, kind string) (string, bool) {
	changed := false
	for _, rr := range d.readings[id].Rereads {
		if rr.Kind != kind {
			continue
		}
		if v, ok := rr.Apply(value); ok {
			value, changed = v, true
		}
	}
	return value, changed
}
