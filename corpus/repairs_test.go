package corpus

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// Each repair is judged on its own step against the truth: made right,
// closer, broke a right value, further, neither, or on a value the truth
// does not name.
func TestScoreRepairs(t *testing.T) {
	d := Doc{Truth: &Truth{
		Fields: []TField{
			{Section: "二", Label: "比例", Column: "2021年", Value: "14.50%"},
			{Section: "二", Label: "数量", Column: "2021年", Value: "11"},
			{Section: "八", Label: "目标", Column: "目标值", Value: "下降8.53%"},
			{Section: "封面", Label: "主管部门", Value: "盛阳县经济和信息化局"},
		},
		Texts: []TText{{Section: "四", Label: "情况", Text: "达到63%。组织"}},
	}}
	rep := &shenbao.Report{
		Fields: []shenbao.Field{
			{ID: "share.2021", Section: "二", Label: "比例", Column: "2021年"},
			{ID: "count.2021", Section: "二", Label: "数量", Column: "2021年"},
			{ID: "plan.target", Section: "八", Label: "目标", Column: "目标值"},
			{ID: "dept", Section: "封面", Label: "主管部门"},
		},
		Texts: []shenbao.Text{{ID: "txt", Section: "四", Label: "情况"}},
		Repairs: []shenbao.Repair{
			{FieldID: "share.2021", Rule: "a", Read: "14.509%6", Value: "14.50%"},   // made right
			{FieldID: "count.2021", Rule: "a", Read: "11", Value: "1l"},             // broke a right value
			{FieldID: "plan.target", Rule: "b", Read: "下降8.5396", Value: "下降8.53%"}, // made right
			{FieldID: "dept", Rule: "b", Read: "盛阳具经济和信息化局", Value: "盛阳具经济和信息化局 "},  // neither
			{FieldID: "txt", Rule: "b", Read: "达到639%“。组织", Value: "达到63%。组织"},      // a long answer made right
			{FieldID: "gone", Rule: "c", Read: "x", Value: "y"},                     // no truth
			{FieldID: "plan.target", Rule: "c", Read: "下降8.53", Value: "下降8.5"},     // further
		},
	}
	got := ScoreRepairs(rep, d)
	want := map[string]RepairScore{
		"a": {Repairs: 2, Helped: 1, MadeRight: 1, Hurt: 1, BrokeRight: 1, FieldRepairs: 2},
		"b": {Repairs: 3, Helped: 2, MadeRight: 2, Neither: 1, FieldRepairs: 2, TextRepairs: 1},
		"c": {Repairs: 2, Hurt: 1, Untold: 1, FieldRepairs: 1},
	}
	for rule, w := range want {
		if got[rule] == nil || *got[rule] != w {
			t.Errorf("%s: %+v, want %+v", rule, got[rule], w)
		}
	}
	if l := got.Line(); l != "a=2/1/1/0 b=3/2/0/1 c=2/0/1/0" {
		t.Errorf("line %q", l)
	}
	sum := RepairScores{}
	sum.Add(got)
	sum.Add(got)
	if s := sum["b"]; s.Repairs != 6 || s.Helped != 4 || s.TextRepairs != 2 {
		t.Errorf("added: %+v", s)
	}
	// a helped once and hurt once: it does not earn its place; b does; c
	// helped nothing; d made no repair at all.
	table := sum.String([]string{"a", "b", "d"})
	for _, line := range []string{"a ", "b ", "c ", "d "} {
		var row string
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, line) {
				row = l
			}
		}
		if want := map[string]string{"a ": "retire", "b ": "keep", "c ": "retire", "d ": "retire"}[line]; !strings.HasSuffix(row, want) {
			t.Errorf("row %q: want verdict %s\n%s", row, want, table)
		}
	}
}
