// Package corroborate makes a scan's values surer where the application
// itself bears them out. It runs after the corrections stage (package
// correct) and before the checks: layout maps, correct repairs and
// doubts, corroborate raises, criteria judge.
//
// A reading is sure on its own evidence (the recognisers' confidence,
// extract/scan). What this stage adds is evidence from elsewhere in the
// form, independent of how one cell's ink was read:
//
//   - ties: figures the form defines from one another (a share is a
//     part over a whole, a growth rate the change of a yearly level, a
//     fall the change from the first year to the last) hold within the
//     rounding of the printed figures. A misread digit breaks the
//     equality, so figures that satisfy it were read right — but only
//     the digits the equation is sensitive to: a value is corroborated
//     only when changing its last printed digit by one would break it.
//   - twins: the application states some things twice (the cluster name
//     on the cover and in 一、基本情况; the operator and the department;
//     the contact and the phone on the cover and in the table). Two
//     readings of different ink that agree character for character were
//     read right.
//   - plans: the plan table's 基准值 restates the tables' figures of the
//     base year (有效发明专利, 工业互联网普及率, 优质中小企业 as the sum of
//     专精特新, 小巨人 and 单项冠军 …); the two, read on different pages,
//     agreeing to the last digit were read right.
//   - form: a value both recognisers read alike, fairly surely, in
//     exactly its field's form (two decimals, a count, a phone number, a
//     date that exists).
//
// The form also speaks against a value: a reading that breaks a form the
// applicant has no reason to break (a phone number a digit short, a date
// that does not exist, a letter in a count or a person's name) is a
// misreading however sure the recogniser was, and is lowered under the
// review threshold so the reviewer sees it (misfits). Nothing else is
// lowered, and the stage never changes a value. It leaves alone what the corrections stage repaired (a repair is never
// sure on its own, and a repair copied from its twin is no second
// witness), values read from a text layer, blanks, and readings too
// doubtful to be rescued by agreement (below Floor).
package corroborate

import (
	"math"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// Sure is the confidence a corroborated value is raised to: above the
// straight-through threshold (0.9), as a value both its reading and the
// application's own arithmetic or wording bear out.
const Sure = 0.95

// Floor is the least confidence a reading must have to be raised: below
// it the recognisers doubted it too much (a guess that happens to fit is
// still a guess), and the reviewer looks at it anyway.
const Floor = 0.5

// Change is one value the stage made surer or doubted, and why.
type Change struct {
	FieldID string
	// By names the evidence: "tie:<stated key>", "plan:<plan key>",
	// "twin:<key>" or "type:<row type>"; for a doubt, "misfit:<form>".
	By             string
	Before, After  float64
	CorroboratedBy []string // the other fields of the evidence
}

// Apply doubts the values of fields (a scan's mapping with template t,
// after the corrections stage made repairs) that break their field's
// form, raises the confidence of those the application bears out, and
// returns what it changed.
func Apply(fields []shenbao.Field, repairs []shenbao.Repair, t *layout.Template) []Change {
	if t == nil || t.Kind == layout.KindSummary {
		return nil
	}
	d := newDoc(fields, repairs, t)
	// Doubts first: a value that breaks its form is raised by nothing.
	d.misfits()
	for _, tie := range ties {
		tie.apply(d)
	}
	d.plans()
	d.twins()
	d.typed()
	return d.changed
}

type doc struct {
	fields   []shenbao.Field
	t        *layout.Template
	types    map[string]string
	byID     map[string]int
	repaired map[string]bool
	person   map[string]bool // rows that hold a person's name alone
	doubted  map[string]bool // fields lowered for breaking their form
	changed  []Change
}

func newDoc(fields []shenbao.Field, repairs []shenbao.Repair, t *layout.Template) *doc {
	d := &doc{fields: fields, t: t, types: map[string]string{}, byID: map[string]int{}, repaired: map[string]bool{}, person: map[string]bool{}, doubted: map[string]bool{}}
	for _, r := range t.Rows {
		d.types[r.Key] = r.Type
		// The cover's contact holds a phone after the name.
		d.person[r.Key] = r.Person && r.Key != inContact.cover
	}
	for i, f := range fields {
		d.byID[f.ID] = i
	}
	for _, r := range repairs {
		d.repaired[r.FieldID] = true
	}
	return d
}

// at is the field of key in year y (0: the single value), or -1.
func (d *doc) at(key string, y int) int {
	for i, f := range d.fields {
		if f.Key == key && fieldYear(f) == y {
			return i
		}
	}
	return -1
}

// years are key's data years, ascending.
func (d *doc) years(key string) []int {
	var ys []int
	for _, f := range d.fields {
		if f.Key == key {
			if y := fieldYear(f); y != 0 {
				ys = append(ys, y)
			}
		}
	}
	for i := 1; i < len(ys); i++ {
		for j := i; j > 0 && ys[j] < ys[j-1]; j-- {
			ys[j], ys[j-1] = ys[j-1], ys[j]
		}
	}
	return ys
}

// latest is key's single value, or its value in its last data year.
func (d *doc) latest(key string) int {
	if ys := d.years(key); len(ys) > 0 {
		return d.at(key, ys[len(ys)-1])
	}
	return d.at(key, 0)
}

func fieldYear(f shenbao.Field) int {
	if f.Year != 0 {
		return f.Year
	}
	return layout.ColumnYear(f.Column)
}

// candidate says whether field i may be raised: read by OCR, not
// repaired, not blank, not breaking its form, and not too doubtful.
func (d *doc) candidate(i int) bool {
	f := d.fields[i]
	return f.Source == shenbao.SourceOCR && !d.repaired[f.ID] && !d.doubted[f.ID] && strings.TrimSpace(f.Value) != "" && f.Confidence >= Floor
}

// raise makes field i sure, by the evidence named by, resting on others.
func (d *doc) raise(i int, by string, others []int) {
	f := &d.fields[i]
	if f.Confidence >= Sure {
		return
	}
	r := Change{FieldID: f.ID, By: by, Before: f.Confidence, After: Sure}
	for _, j := range others {
		if j != i {
			r.CorroboratedBy = append(r.CorroboratedBy, d.fields[j].ID)
		}
	}
	f.Confidence = Sure
	d.changed = append(d.changed, r)
}

// lower doubts field i: its reading breaks its field's form (why), so no
// evidence raises it and the reviewer is asked to look.
func (d *doc) lower(i int, why string) {
	f := &d.fields[i]
	d.changed = append(d.changed, Change{FieldID: f.ID, By: why, Before: f.Confidence, After: Doubt})
	f.Confidence = Doubt
	d.doubted[f.ID] = true
}

// figure is a printed number: its value and the unit of its last digit
// (0.01 for 12.34, 1 for 120).
type figure struct {
	v, ulp float64
}

// iv is the interval a figure stands for, half a last digit either side
// (none for a count).
func (x figure) iv() iv { return iv{x.v - x.ulp/2, x.v + x.ulp/2} }

// bumped is the figure with its last digit changed by k.
func (x figure) bumped(k float64) figure {
	if x.ulp == 0 {
		return figure{x.v + k, 0}
	}
	return figure{x.v + k*x.ulp, x.ulp}
}

// counted says whether field i is a count: an integer row, or the count
// of a count+names row.
func (d *doc) counted(i int) bool {
	f := d.fields[i]
	switch d.types[f.Key] {
	case layout.TypeInteger:
		return true
	case layout.TypeCountNames:
		for _, r := range d.t.Rows {
			if r.Key == f.Key && len(r.Columns) > 0 {
				return f.Column == r.Columns[0]
			}
		}
	}
	return false
}

// number reads field i as a figure: a plain decimal number, a percent
// sign or unit allowed after it.
func (d *doc) number(i int) (figure, bool) {
	s := strings.TrimSpace(d.fields[i].Value)
	s = strings.TrimRight(s, "%％")
	s = strings.TrimSpace(s)
	if s == "" {
		return figure{}, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	dot := strings.IndexByte(s, '.')
	for k, r := range s {
		if (r < '0' || r > '9') && k != dot {
			return figure{}, false
		}
	}
	if s == "" || s == "." || dot == len(s)-1 || dot == 0 {
		return figure{}, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return figure{}, false
	}
	ulp := 1.0
	if dot >= 0 {
		ulp = math.Pow(10, -float64(len(s)-dot-1))
	} else if d.counted(i) {
		// A count is exact: 497 firms are not 496.5 to 497.5.
		ulp = 0
	}
	if neg {
		v = -v
	}
	return figure{v, ulp}, true
}

// iv is a closed interval of reals.
type iv struct{ lo, hi float64 }

func (a iv) mul(b iv) iv {
	p := [4]float64{a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi}
	return iv{min(p[0], p[1], p[2], p[3]), max(p[0], p[1], p[2], p[3])}
}

// div assumes b does not hold zero; callers check.
func (a iv) div(b iv) iv {
	p := [4]float64{a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi}
	return iv{min(p[0], p[1], p[2], p[3]), max(p[0], p[1], p[2], p[3])}
}

func (a iv) scale(k float64) iv {
	if k < 0 {
		return iv{a.hi * k, a.lo * k}
	}
	return iv{a.lo * k, a.hi * k}
}

func (a iv) shift(k float64) iv { return iv{a.lo + k, a.hi + k} }

func (a iv) overlaps(b iv) bool { return a.lo <= b.hi+1e-9 && b.lo <= a.hi+1e-9 }

func (a iv) positive() bool { return a.lo > 0 }
