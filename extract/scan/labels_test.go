package scan

import (
	"context"
	"image"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// labelPage is a page of glyph boxes one em (29 px at 200 dpi) apart, in
// table cells of one line each, and a reader that reads a region as the
// characters of its line whose boxes it holds.
type labelPage struct {
	pg    *page
	lines map[int]string // a line's top → its text
	cells []*cellLay
}

func newLabelPage(t *testing.T, forms []Form, texts []string) *labelPage {
	t.Helper()
	lp := &labelPage{pg: newPage(1, 200, formsPrint(forms)), lines: map[int]string{}}
	pg := lp.pg
	pg.gray = image.NewGray(image.Rect(0, 0, 800, 60*len(texts)+40))
	for i := range pg.gray.Pix {
		pg.gray.Pix[i] = 255
	}
	for k, text := range texts {
		y0, n := 20+60*k, len([]rune(text))
		for c := range n {
			for y := y0; y < y0+28; y++ {
				for x := 100 + 29*c; x < 100+29*c+25; x++ {
					pg.gray.Pix[y*pg.gray.Stride+x] = 0
				}
			}
		}
		r := image.Rect(100, y0, 100+29*n, y0+28)
		lp.lines[y0] = text
		lp.cells = append(lp.cells, &cellLay{lines: []lineLay{{rect: r, piece: pg.piece(r, ocr.Line), whole: -1}}})
	}
	pg.bin = binarise(pg.gray)
	return lp
}

func (lp *labelPage) read(t *testing.T) *funcReader {
	t.Helper()
	return lp.readLay(t, []blockLay{{table: &tableLay{cells: lp.cells}}})
}

func (lp *labelPage) readLay(t *testing.T, lay []blockLay) *funcReader {
	t.Helper()
	rd := &funcReader{read: func(r ocr.Region) string {
		rs := []rune(lp.lines[r.Rect.Min.Y])
		from, to := (r.Rect.Min.X-100+4)/29, min(len(rs), (r.Rect.Max.X-100+4)/29)
		if from >= to {
			return ""
		}
		return string(rs[from:to])
	}}
	if err := lp.pg.readPieces(context.Background(), lay, rd); err != nil {
		t.Fatal(err)
	}
	return rd
}

func (lp *labelPage) text(k int) string {
	txt, _, _ := lp.pg.text(lp.cells[k].lines[0].piece)
	return strings.ReplaceAll(txt, " ", "")
}

func (lp *labelPage) rect(k int) image.Rectangle { return lp.cells[k].lines[0].rect }

var labelForms = []Form{{
	Print:  []string{"集群中小企业数量合计", "主导产业相关的省级企业数量", "主导产业相关的国家企业数量", "集群外商直接投资额万元"},
	Labels: []string{"集群中小企业数量合计", "主导产业相关的省级企业数量", "主导产业相关的国家企业数量", "集群外商直接投资额万元"},
}}

// A label cell is read by the head of its line: a head that opens one
// label its ink fits is that label; two labels that open alike and are as
// long are told apart by the labels around them, in the form's order. A
// value cell long enough to be headed is read whole, as before.
func TestLabelHeads(t *testing.T) {
	texts := []string{
		"集群中小企业数量合计", "二十一",
		"主导产业相关的省级企业数量", "三十",
		"主导产业相关的国家企业数量", "十二",
		"集群外商直接投资额万元",
		"湖北省孝感市凤溪市仪器仪表产业集群",
	}
	lp := newLabelPage(t, labelForms, texts)
	rd := lp.read(t)
	for _, k := range []int{0, 2, 4, 6} {
		if slices.Contains(rd.asked, lp.rect(k)) {
			t.Errorf("label %q was read whole", texts[k])
		}
		if got := lp.text(k); got != texts[k] || !lp.pg.fromPrint[lp.cells[k].lines[0].piece] {
			t.Errorf("label cell = %q (from print %v), want %q from print", got, lp.pg.fromPrint[lp.cells[k].lines[0].piece], texts[k])
		}
	}
	for _, k := range []int{1, 3, 5, 7} {
		if !slices.Contains(rd.asked, lp.rect(k)) || lp.pg.fromPrint[lp.cells[k].lines[0].piece] {
			t.Errorf("value %q was not read whole", texts[k])
		}
		if got := lp.text(k); got != texts[k] {
			t.Errorf("value cell = %q, want %q", got, texts[k])
		}
	}
}

// A label's head cut inside a character blurred on a 150-dpi copy reads
// with the character's sliver as a narrow mark after it (集群内! for
// 集群内中…): the label is still the one its head opens.
func TestLabelHeadSliver(t *testing.T) {
	texts := []string{"集群外商直接投资额万元", "二十一"}
	for _, sliver := range []string{"", "!", "|", ":"} {
		lp := newLabelPage(t, labelForms, texts)
		rd := &funcReader{read: func(r ocr.Region) string {
			rs := []rune(lp.lines[r.Rect.Min.Y])
			from, to := (r.Rect.Min.X-100+4)/29, min(len(rs), (r.Rect.Max.X-100+4)/29)
			if from >= to {
				return ""
			}
			if to < len(rs) && r.Rect.Min.Y == 20 {
				return string(rs[from:to]) + sliver
			}
			return string(rs[from:to])
		}}
		if err := lp.pg.readPieces(context.Background(), []blockLay{{table: &tableLay{cells: lp.cells}}}, rd); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(rd.asked, lp.rect(0)) {
			t.Errorf("sliver %q: the label was read whole", sliver)
		}
		if got := lp.text(0); got != texts[0] || !lp.pg.fromPrint[lp.cells[0].lines[0].piece] {
			t.Errorf("sliver %q: label cell = %q (from print %v), want %q from print", sliver, got, lp.pg.fromPrint[lp.cells[0].lines[0].piece], texts[0])
		}
	}
}

// A label that opens like two and fits both, with nothing around it to
// say which, is read past its head — not taken for either — and the
// head's reading and the rest's make the line.
func TestLabelHeadAmbiguous(t *testing.T) {
	texts := []string{"主导产业相关的国家企业数量"}
	lp := newLabelPage(t, labelForms, texts)
	rd := lp.read(t)
	if lp.pg.fromPrint[lp.cells[0].lines[0].piece] {
		t.Fatal("an ambiguous label was taken from print")
	}
	if slices.Contains(rd.asked, lp.rect(0)) {
		t.Error("the line was read whole after its head")
	}
	if got := lp.text(0); got != texts[0] {
		t.Errorf("label cell = %q, want %q", got, texts[0])
	}
}

// A long answer's cell — five lines of twenty ems and more, which no
// label fills — is not read by a head: its first line is read whole at
// once, and its lines below as before.
func TestLongAnswerNotHeaded(t *testing.T) {
	line := "近年来集群围绕主导产业开展强链补链工作引进配套企业"
	texts := []string{line, line, line, line, line, "集群中小企业数量合计"}
	lp := newLabelPage(t, labelForms, texts)
	answer := &cellLay{}
	for _, cl := range lp.cells[:5] {
		answer.lines = append(answer.lines, cl.lines...)
	}
	lp.cells = []*cellLay{answer, lp.cells[5]}
	rd := lp.read(t)
	first := answer.lines[0].rect
	for _, r := range rd.asked {
		if r.Min.Y == first.Min.Y && r != first {
			t.Errorf("the answer's first line was read by a head %v", r)
		}
	}
	for _, l := range answer.lines {
		if !slices.Contains(rd.asked, l.rect) {
			t.Errorf("answer line %v not read", l.rect)
		}
	}
	if slices.Contains(rd.asked, lp.cells[1].lines[0].rect) {
		t.Error("the label beside it was read whole, not by its head")
	}
}

// A cell at a table's right edge with a cell left of it holds a value,
// never a label: its line is read whole at once, not by a head; the label
// left of it is read by its head.
func TestAnswerCellNotHeaded(t *testing.T) {
	texts := []string{"集群中小企业数量合计", "湖北省孝感市凤溪市仪器仪表产业集群"}
	lp := newLabelPage(t, labelForms, texts)
	lp.cells[0].cell = gridCell{c0: 0, c1: 1}
	lp.cells[1].cell = gridCell{c0: 1, c1: 2}
	rd := lp.readLay(t, []blockLay{{table: &tableLay{t: gridTable{xs: []int{0, 90, 800}}, cells: lp.cells}}})
	value := lp.rect(1)
	for _, r := range rd.asked {
		if r.Min.Y == value.Min.Y && r != value {
			t.Errorf("the value was read by a head %v", r)
		}
	}
	if slices.Contains(rd.asked, lp.rect(0)) || lp.text(0) != texts[0] {
		t.Errorf("the label = %q, read whole %v; want it by its head", lp.text(0), slices.Contains(rd.asked, lp.rect(0)))
	}
}

func TestBestForms(t *testing.T) {
	tests := []struct {
		name  string
		votes []formMask
		want  formMask
	}{
		{"no votes", nil, anyForm},
		{"readings that fit no form", []formMask{0, 0}, anyForm},
		{"every reading fits both forms", []formMask{0b11, 0b11, 0b11}, anyForm},
		{"one form fits two more", []formMask{0b11, 0b01, 0b01}, 0b01},
		{"one form fits one more: not enough", []formMask{0b11, 0b01}, anyForm},
		{"two forms tie ahead of a third", []formMask{0b011, 0b011, 0b111}, 0b011},
	}
	for _, tt := range tests {
		if got := bestForms(tt.votes); got != tt.want {
			t.Errorf("%s: bestForms = %b, want %b", tt.name, got, tt.want)
		}
	}
}

// inOrder takes a cell for the one label its place allows, and leaves a
// cell whose place allows two, which a best match may leave out, or which
// stands beside a head that opened nothing.
func TestInOrder(t *testing.T) {
	ps := formsPrint([]Form{
		{Print: []string{"甲", "乙一", "乙二", "丙", "丁"}, Labels: []string{"甲", "乙一", "乙二", "丙"}},
		{Print: []string{"甲", "乙一", "乙二", "丙"}, Labels: []string{"甲", "乙二", "乙一", "丙"}},
	})
	idx := func(p string) int { return slices.IndexFunc(ps.phrases, func(r []rune) bool { return string(r) == p }) }
	a, b1, b2, c, d := idx("甲"), idx("乙一"), idx("乙二"), idx("丙"), idx("丁")
	tests := []struct {
		name  string
		fm    formMask
		signs [][]int
		want  map[int]string // sign → phrase
	}{
		{"between two anchors", 0b01, [][]int{{a}, {b1, b2}, {c}}, map[int]string{0: "甲", 2: "丙"}},
		{"two alike in a row", 0b01, [][]int{{a}, {b1, b2}, {b1, b2}, {c}}, map[int]string{0: "甲", 1: "乙一", 2: "乙二", 3: "丙"}},
		{"the other form's order", 0b10, [][]int{{a}, {b1, b2}, {b1, b2}, {c}}, map[int]string{0: "甲", 1: "乙二", 2: "乙一", 3: "丙"}},
		{"forms that disagree", 0b11, [][]int{{a}, {b1, b2}, {b1, b2}, {c}}, map[int]string{0: "甲", 3: "丙"}},
		{"out of order: left", 0b01, [][]int{{c}, {b1}, {a}}, nil},
		{"not a label of the order", 0b01, [][]int{{a}, {d}, {c}}, map[int]string{0: "甲", 2: "丙"}},
		// A head misread (blind: -1) may hide a label: the cells beside
		// it are not placed across it, those farther away are.
		{"a misread head between", 0b01, [][]int{{a}, {b1, b2}, {-1}, {b1, b2}, {c}}, map[int]string{0: "甲", 4: "丙"}},
		{"a value read whole between", 0b01, [][]int{{a}, {b1, b2}, {}, {b1, b2}, {c}}, map[int]string{0: "甲", 1: "乙一", 3: "乙二", 4: "丙"}},
	}
	for _, tt := range tests {
		var signs []cellSign
		for j, cs := range tt.signs {
			if slices.Equal(cs, []int{-1}) {
				signs = append(signs, cellSign{first: j, blind: true})
				continue
			}
			signs = append(signs, cellSign{first: j, cands: cs})
		}
		got := map[int]string{}
		for j, i := range ps.inOrder(signs, tt.fm) {
			got[j] = string(ps.phrases[i])
		}
		want := tt.want
		if want == nil {
			want = map[int]string{}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: inOrder = %v, want %v", tt.name, got, want)
		}
	}
}
