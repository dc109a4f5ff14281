// Package correct is the corrections stage: after layout has mapped a
// scanned document's cells onto its template, it puts right what OCR is
// known to misread (digits Tesseract reads into a per-cent sign, letters
// for digits, ASCII punctuation in Chinese text, …) and lowers the
// confidence of what it cannot trust. A rule stays only while it helps on
// the held-out scans with the default recognisers (docs/corrections.md).
//
// The stage is an ordered list of named rules, each a small type with its
// own tests. It runs on OCR'd values only; every change it makes is
// recorded as a shenbao.Repair (what was read, what it became, which rule)
// and lowers the value's confidence, in one place (Doc.repair). layout maps;
// this package corrects; nothing else edits values.
package correct

import (
	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// Rule is one named correction.
type Rule interface {
	// Name is the rule's stable id, as repairs record it.
	Name() string
	// Title is its name for reviewers (Chinese), as the review page shows
	// it: 识别为「…」，已按「Title」更正.
	Title() string
	// About says in one line what it changes and what it leaves alone.
	About() string
	// Factor is what a repaired value's confidence is multiplied by: less
	// than 1, as a repaired value is never as sure as a clean reading.
	Factor() float64
	apply(d *Doc)
}

// step is one stage of the pass: a Rule, or a doubt that lowers the
// confidence of what reads oddly without changing it.
type step interface{ apply(d *Doc) }

// steps is the stage in order. First the words the reader's own evidence
// reads otherwise (glyph boxes) take that reading, then
// values are put in their form (signature, date, per-cent, digits,
// punctuation), then the digit model's reading is weighed against them,
// then single values are doubted and repaired by the form's print, and
// last the names are held against each other.
var steps = []step{
	percentGlyph{},
	sealRemnant{},
	dateYear{},
	dateMarks{},
	percentShadow{},
	digitShapes{},
	punctWidth{},
	fullStop{},
	unpairedQuotes{},
	listGap{},
	contactGap{},
	digitModel{},
	readingDoubts{},
	nearPrinted{},
	blankDoubt{},
	cityName{},
	twinDoubts{},
}

// Rules lists the stage's rules in the order they run.
func Rules() []Rule {
	var out []Rule
	for _, s := range steps {
		if r, ok := s.(Rule); ok {
			out = append(out, r)
		}
	}
	return out
}

// Title returns the reviewers' name of the rule named name, or name when
// no rule is called so (a report from another version).
func Title(name string) string {
	for _, r := range Rules() {
		if r.Name() == name {
			return r.Title()
		}
	}
	return name
}

// Doc is what the stage works on: one mapped application.
type Doc struct {
	Fields []shenbao.Field
	Texts  []shenbao.Text

	t        *layout.Template
	specs    map[string]*layout.Spec
	readings map[string]layout.Reading
	// fromDigits marks the fields whose value is the digit model's
	// reading: the doubts about the first reading do not apply to it.
	fromDigits map[int]bool
	repairs    []shenbao.Repair
}

// Apply runs the stage over m, a scan's mapping with template t, and
// returns the repairs it made. Values read from a text layer or a Word
// file are left alone, and so is a summary table, read as printed.
func Apply(m *layout.Mapped, t *layout.Template) []shenbao.Repair {
	d := newDoc(m, t)
	if t.Kind == layout.KindSummary || !d.scanned() {
		return []shenbao.Repair{}
	}
	for _, s := range steps {
		s.apply(d)
	}
	m.Fields, m.Texts = d.Fields, d.Texts
	return d.repairs
}

func newDoc(m *layout.Mapped, t *layout.Template) *Doc {
	d := &Doc{Fields: m.Fields, Texts: m.Texts, t: t, specs: map[string]*layout.Spec{},
		readings: m.Readings, fromDigits: map[int]bool{}, repairs: []shenbao.Repair{}}
	for i := range t.Rows {
		d.specs[t.Rows[i].Key] = &t.Rows[i]
	}
	if d.readings == nil {
		d.readings = map[string]layout.Reading{}
	}
	return d
}

// scanned says whether the document's values were read by OCR.
func (d *Doc) scanned() bool {
	for _, f := range d.Fields {
		if f.Source == shenbao.SourceOCR {
			return true
		}
	}
	return false
}

// spec returns the template row of field i (nil for none).
func (d *Doc) spec(i int) *layout.Spec { return d.specs[d.Fields[i].Key] }

// typ is field i's row type as its value is read: the count of a
// count+names row (its first column) is an integer.
func (d *Doc) typ(i int) string {
	s := d.spec(i)
	if s == nil {
		return ""
	}
	if s.Type == layout.TypeCountNames && len(s.Columns) > 0 && d.Fields[i].Column == s.Columns[0] {
		return layout.TypeInteger
	}
	return s.Type
}

// ocr says whether field i was read by OCR: the only values the stage
// touches.
func (d *Doc) ocr(i int) bool { return d.Fields[i].Source == shenbao.SourceOCR }

// reading returns how field i was read from its cell, if it was.
func (d *Doc) reading(i int) (layout.Reading, bool) {
	r, ok := d.readings[d.Fields[i].ID]
	return r, ok
}

// repair sets field i to value by rule r: the one place a value changes
// and its confidence is lowered, by r's factor and to at most limit when
// limit is above 0. Nothing happens when value is what the field holds.
func (d *Doc) repair(i int, r Rule, value string, limit float64) {
	f := &d.Fields[i]
	if value == f.Value {
		return
	}
	f.Confidence = d.record(f.ID, r, f.Value, value, f.Confidence, limit)
	f.Value = value
	if s := d.spec(i); s != nil && layout.IsNumeric(s.Type) {
		f.Number = layout.ParseNumber(value)
	}
}

// repairText sets long text i to text by rule r, as repair does a field.
func (d *Doc) repairText(i int, r Rule, text string) {
	x := &d.Texts[i]
	if text == x.Text {
		return
	}
	x.Confidence = d.record(x.ID, r, x.Text, text, x.Confidence, 0)
	x.Text = text
	x.Chars = len([]rune(layout.StripSpace(text)))
}

func (d *Doc) record(id string, r Rule, read, value string, before, limit float64) float64 {
	after := before * r.Factor()
	if limit > 0 && limit < after {
		after = limit
	}
	d.repairs = append(d.repairs, shenbao.Repair{
		FieldID: id, Rule: r.Name(), Read: read, Value: value, ConfidenceBefore: before, ConfidenceAfter: after,
	})
	return after
}

// doubt lowers field i's confidence without changing its value.
func (d *Doc) doubt(i int, factor float64) { d.Fields[i].Confidence *= factor }

// readConfidence is field i's confidence without what the stage's repairs
// took from it (its doubts stay): how sure the reading was of what it saw.
func (d *Doc) readConfidence(i int) float64 {
	c := d.Fields[i].Confidence
	for _, r := range d.repairs {
		if r.FieldID == d.Fields[i].ID && r.ConfidenceAfter > 0 {
			c *= r.ConfidenceBefore / r.ConfidenceAfter
		}
	}
	return c
}

// eachField calls fn for every OCR'd field.
func (d *Doc) eachField(fn func(i int)) {
	for i := range d.Fields {
		if d.ocr(i) {
			fn(i)
		}
	}
}
