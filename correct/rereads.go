package correct

import (
	"github.com/shenbao/shenbao"
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
