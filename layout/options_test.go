package layout

import (
	"testing"

	"github.com/shenbao/shenbao"
)

// TestSettleSingle holds a single-choice group's constraint to what it
// must decide (an ambiguous box against the rest) and what it must leave
// alone (clear readings, a group left blank, two sure ticks).
func TestSettleSingle(t *testing.T) {
	page := 3
	for _, tc := range []struct {
		name     string
		checked  []bool
		conf     []float64 // each box's mark confidence
		want     []bool
		wantSure []bool // confidence ≥ 0.9 after
	}{
		{"clear", []bool{true, false}, []float64{0.98, 0.98}, []bool{true, false}, []bool{true, true}},
		// A faint tick beside clearly empty boxes: the group is sure.
		{"faint tick, clean empties", []bool{false, true, false}, []float64{0.98, 0.7, 0.98}, []bool{false, true, false}, []bool{true, true, true}},
		// A tick barely above the threshold could be a smudge on a
		// group left blank: not made sure.
		{"tick at the threshold", []bool{true, false}, []float64{0.55, 0.98}, []bool{true, false}, []bool{false, true}},
		// No box ticked, one just under the threshold and standing out:
		// it is the answer, unsure.
		{"none ticked, one ambiguous", []bool{false, false, false}, []float64{0.98, 0.6, 0.97}, []bool{false, true, false}, []bool{true, false, true}},
		// A group left blank, every box clearly empty: left blank.
		{"blank", []bool{false, false}, []float64{0.98, 0.9}, []bool{false, false}, []bool{true, true}},
		// Two ticks, one ambiguous: the clear one is the answer.
		{"two ticked, one ambiguous", []bool{true, true}, []float64{0.98, 0.6}, []bool{true, false}, []bool{true, false}},
		// Two clear ticks: the applicant ticked both; read as drawn.
		{"two clear ticks", []bool{true, true}, []float64{0.98, 0.95}, []bool{true, true}, []bool{true, true}},
		// Two ambiguous boxes: nothing to choose between them.
		{"two ambiguous", []bool{false, false}, []float64{0.6, 0.62}, []bool{false, false}, []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cbs := make([]shenbao.Checkbox, len(tc.checked))
			ev := make([]float64, len(tc.checked))
			rest := make([]float64, len(tc.checked))
			for i := range cbs {
				cbs[i] = shenbao.Checkbox{Checked: tc.checked[i], Confidence: tc.conf[i], Page: &page}
				ev[i] = markEvidence(tc.checked[i], tc.conf[i])
				rest[i] = 1
			}
			settleSingle(cbs, ev, rest)
			for i, c := range cbs {
				if c.Checked != tc.want[i] || (c.Confidence >= 0.9) != tc.wantSure[i] {
					t.Errorf("box %d: checked %v (%.2f), want %v sure %v", i, c.Checked, c.Confidence, tc.want[i], tc.wantSure[i])
				}
			}
		})
	}
}

// TestMarkConfidence: the mark before an option is found though a pen
// tick spoiled the option's first character, but never the mark of
// another option one character apart.
func TestMarkConfidence(t *testing.T) {
	cell := &shenbao.Cell{Lines: []shenbao.Line{
		{Text: "□第一产业", Mark: 0.97},
		{Text: "☑笫二产业", Mark: 0.8},
		{Text: "☑三产业", Mark: 0.7},
		{Text: "□是", Mark: 0.9},
	}}
	for _, tc := range []struct {
		opt  string
		want float64
		ok   bool
	}{
		{"第一产业", 0.97, true},
		{"第二产业", 0.8, true}, // first character misread
		{"第三产业", 0.7, true}, // first character lost
		{"是", 0.9, true},
		{"否", 0, false},
		{"第四产业", 0, false},
	} {
		got, ok := markConfidence(cell, Norm(tc.opt))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %.2f %v, want %.2f %v", tc.opt, got, ok, tc.want, tc.ok)
		}
	}
}
