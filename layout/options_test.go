package layout

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
		// Two clear ticks: the applicant ticked both; read as drawn,
		// sure from a text layer, unsure on a scan.
		{"two clear ticks", []bool{true, true}, []float64{0.98, 0.95}, []bool{true, true}, []bool{true, true}},
		{"two clear ticks scanned", []bool{true, true}, []float64{0.98, 0.95}, []bool{true, true}, []bool{false, false}},
		// One clear tick on a scan stays sure.
		{"clear scanned", []bool{true, false}, []float64{0.98, 0.98}, []bool{true, false}, []bool{true, true}},
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
			settleSingle(cbs, ev, rest, strings.HasSuffix(tc.name, "scanned"))
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

// TestChoiceGroupsAgreeWithTruth: a group the templates call single
// choice holds one tick in every application of the corpora, a planted
// "no option ticked" defect aside, since settleSingle unticks an
// ambiguous second tick of such a group; a multichoice group wrongly
// typed choice would lose answers there.
func TestChoiceGroupsAgreeWithTruth(t *testing.T) {
	set := MustLoad()
	var paths []string
	for _, dir := range []string{"../testdata/corpus", "../../shared/corpus", "../../shared/corpus2"} {
		ps, _ := filepath.Glob(filepath.Join(dir, "*.truth.json"))
		paths = append(paths, ps...)
	}
	if len(paths) == 0 {
		t.Skip("no corpus truth files")
	}
	type box struct {
		Key, Parent, Group string
		Checked            bool
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var truth struct {
			Edition    string
			Checkboxes []box
			Defects    []struct{ Kind, Key, Detail string }
		}
		if err := json.Unmarshal(data, &truth); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		tpl, ok := set.Get(truth.Edition)
		if !ok {
			continue
		}
		single := map[string]bool{}
		for _, s := range tpl.Rows {
			if s.IsCheckbox() {
				single[s.Key] = !s.Multi()
			}
		}
		blank := map[string]bool{}
		for _, d := range truth.Defects {
			if d.Kind == "checkbox" && strings.Contains(d.Detail, "no option ticked") {
				blank[d.Key] = true
			}
		}
		ticks := map[string]int{}
		for _, b := range truth.Checkboxes {
			if _, ok := single[b.Key]; !ok {
				t.Errorf("%s: group %s not in template %s", filepath.Base(p), b.Key, truth.Edition)
			}
			k := b.Key + "|" + b.Parent + "|" + b.Group
			if _, ok := ticks[k]; !ok {
				ticks[k] = 0
			}
			if b.Checked {
				ticks[k]++
			}
		}
		for k, n := range ticks {
			key := strings.SplitN(k, "|", 2)[0]
			if single[key] && n != 1 && !(n == 0 && blank[key]) {
				t.Errorf("%s: single-choice group %s has %d ticks", filepath.Base(p), k, n)
			}
		}
	}
}

// TestPlaceBySlotNeverSure: an option whose words a pen tick spoiled is
// placed by the rank of its run of marks, but only when the marks and
// the options found line up, and a box placed by inference alone is
// never sure, however clear its mark.
func TestPlaceBySlotNeverSure(t *testing.T) {
	cell := &shenbao.Cell{Lines: []shenbao.Line{{Text: "☑甲□乙☑丙", Mark: 0.99}}}
	text := []rune("☑甲□乙☑？")
	owner := make([]*shenbao.Cell, len(text))
	lineOf := make([]*shenbao.Line, len(text))
	for i := range text {
		owner[i], lineOf[i] = cell, &cell.Lines[0]
	}
	for _, tc := range []struct {
		name   string
		ats    []int
		placed bool
	}{
		{"third option unread", []int{1, 3, -1}, true},
		{"options found out of step with the marks", []int{3, 1, -1}, false},
		{"every option found", []int{1, 3, 5}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cbs := make([]shenbao.Checkbox, 3)
			ev, rest := make([]float64, 3), make([]float64, 3)
			(&mapper{}).placeBySlot(cbs, text, owner, lineOf, tc.ats, ev, rest, 1)
			got := cbs[2]
			if got.Checked != tc.placed {
				t.Fatalf("third box checked %v, want %v", got.Checked, tc.placed)
			}
			if tc.placed && (got.Confidence <= 0 || got.Confidence >= 0.9) {
				t.Errorf("placed box at confidence %.2f, want above 0 and below 0.9", got.Confidence)
			}
		})
	}
}

// TestAssignment: an option found by similarity is as sure as its mark
// when its reading can be no other option of the group (a character
// misread, a pen tick read as a mark inside it), and stays lowered by the
// similarity when the assignment is in doubt: a reading nearly as like a
// sibling option, a short option with a character misread, a reading
// barely like its option.
func TestAssignment(t *testing.T) {
	quality := []string{"开展了先进质量管理模式推广、品牌管理标准宣贯、质量诊断服务等工作", "获得了集体商标、地理标志产品批准认证或证明商标通过注册", "建立了品牌运营机制", "依托质量技术基础公共服务平台，提供计量、测试、认证等服务"}
	modes := []string{"建有国家智能制造、工业互联网以及其它国家新模式新业态试点示范项目", "建有省级智能制造、工业互联网以及其它国家新模式新业态试点示范项目", "开展了智能制造、工业互联网等新模式新业态创新应用推广"}
	water := []string{"是", "否", "不涉及"}
	for _, tc := range []struct {
		name string
		text string // the group's text as read
		opts []string
		i    int // the option looked for
		sure bool
	}{
		// Must change: each was capped at its similarity (0.87–0.97).
		{"pen tick read inside the option", "□开展了先进质量管理模式推广、品牌管理标准宣贯、质量诊断服务等工作☑建立☑品牌运营机制", quality, 2, true},
		{"first character misread", "☑获得了集体商标、地理标志产品批准认证或证明商标通过注册☑健立了品牌运营机制", quality, 2, true},
		{"long option, two misread", "☑建有国家智能制造、工业互联网以及其它国家新模式新业态试点示范项目□开屐了智能制造、工业互联网等新模式新业态创新应用推J", modes, 2, true},
		// Must leave alone: the reading is nearly as like a sibling.
		{"sibling one character apart", "□建有国家智能制造、工业互联网以及其它国家新模式新业态试点示☑项目□建有省级智能制造", modes, 0, false},
		// A short option with one of its three characters misread.
		{"short option misread", "☑你涉及", water, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := []rune(Norm(tc.text))
			var later [][]rune
			for _, o := range tc.opts[tc.i+1:] {
				later = append(later, []rune(Norm(o)))
			}
			opt := []rune(Norm(tc.opts[tc.i]))
			at, n, _, sim := findOptionOCR(text, opt, 0, later)
			if at < 0 {
				t.Fatalf("option %q not found in %q", tc.opts[tc.i], tc.text)
			}
			if sim >= 1 {
				t.Fatalf("option %q read exactly: not a case of similarity", tc.opts[tc.i])
			}
			got := assignment(text[at:at+n], tc.i, tc.opts, sim)
			if (got >= 1) != tc.sure || got < sim {
				t.Errorf("assignment %.3f (similarity %.3f), want sure %v", got, sim, tc.sure)
			}
		})
	}
	// A reading barely like its option is not made sure, whatever the
	// group's other options.
	if got := assignment([]rune("甲乙丙丁戊己庚辛"), 0, []string{"甲乙丙丁戊子丑寅", "天地"}, 0.78); got != 0.78 {
		t.Errorf("barely like: assignment %.3f, want 0.78", got)
	}
}
