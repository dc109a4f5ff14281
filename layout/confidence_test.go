package layout

import (
	"testing"

	"github.com/shenbao/shenbao"
)

// A value's confidence is that of the lines holding it, not of the
// printed words beside it in the same cell (the declaration's promise
// and prompts).
func TestValueLinesConfidence(t *testing.T) {
	cell := &shenbao.Cell{Lines: []shenbao.Line{
		{Text: "本单位承诺此次申报的申请材料真实、合法。", Confidence: 0.93},
		{Text: "单位负责人（签字)：  程娜", Confidence: 0.85},
		{Text: "区（县）中小企业主管部门（公章】：", Confidence: 0.51},
		{Text: "2024年3月21日", Confidence: 0.99},
		{Text: "凤溪市仪器仪表产业园区", Confidence: 0.9},
		{Text: "管理委员会", Confidence: 0.8},
	}}
	tests := []struct {
		v    string
		want float64
		ok   bool
	}{
		{"程娜", 0.85, true},
		{"2024年3月21日", 0.99, true},
		{"凤溪市仪器仪表产业园区管理委员会", 0.8, true}, // wrapped: both lines
		{"李雷", 0, false},                // not in the cell: the caller keeps the cell's
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := valueLinesConfidence(cell, tt.v)
		if ok != tt.ok || got != tt.want {
			t.Errorf("valueLinesConfidence(%q) = %.2f, %v; want %.2f, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

// A misread label is sure when no other row's label comes near it, and
// keeps its score when another row's could be meant.
func TestAnchorConfidence(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	tests := []struct {
		key, cell string
		sure      bool
	}{
		{"sme_share", "集群内中小企业严值占集群总产值比例(%)", true}, // 产 → 严
		{"total_output", "集群总产值(亿元)", true},
		// 研发 half read as 从业: as near the employees' row as the
		// research staff's.
		{"rd_staff", "集群中小企业研业人员数量", false},
	}
	for _, tt := range tests {
		var s *Spec
		for i := range tp.Rows {
			if tp.Rows[i].Key == tt.key {
				s = &tp.Rows[i]
			}
		}
		if s == nil {
			t.Fatalf("no row %s", tt.key)
		}
		m := &mapper{t: tp, units: []unit{{row: &shenbao.Row{Cells: []shenbao.Cell{{Text: tt.cell}}}, norms: []string{Norm(tt.cell)}}}}
		a := anchor{u: 0, c: 0, score: labelScore(Norm(tt.cell), Norm(s.Label))}
		got := m.anchorConfidence(s, a)
		if sure := got == 1; sure != tt.sure {
			t.Errorf("%s read as %q (score %.2f): confidence %.2f, want sure=%v", tt.key, tt.cell, a.score, got, tt.sure)
		}
		if !tt.sure && got != a.score {
			t.Errorf("%s: doubtful anchor's confidence %.2f, want its score %.2f", tt.key, got, a.score)
		}
	}
}
