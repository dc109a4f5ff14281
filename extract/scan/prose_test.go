package scan

import (
	"context"
	"image"
	"slices"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// TestProseLines: the lines of a cell holding a long answer are left to
// Tesseract, but for a signature or a date under it; a value's lines — a list of three platforms' names on two or
// three lines, a short value, a lone line — are read by the value
// recogniser as before, in a cell of its own or in a table nested in one.
func TestProseLines(t *testing.T) {
	pg := newPage(1, 200, nil)
	pg.gray = image.NewGray(image.Rect(0, 0, 2000, 4000))
	y := 0
	// cell lays out one cell of the given lines (Tesseract's readings),
	// each its own piece.
	cell := func(lines ...string) *cellLay {
		c := &cellLay{}
		for _, l := range lines {
			r := image.Rect(100, y, 100+30*len([]rune(l)), y+30)
			y += 40
			p := pg.piece(r, ocr.Line)
			pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{{Text: l, Rect: r, Conf: 0.9, Low: 0.9}}})
			c.lines = append(c.lines, lineLay{rect: r, piece: p, whole: -1})
		}
		return c
	}
	answer := cell(
		"近年来，集群坚持“链长+链主”工作机制，组织6家企",
		"业开展精准招商，落地补链项目2个。建立重点招商项",
		"目库，近三年引进配套项目6个，总投资9.29亿元。",
		"负责人（签字）：余秀英",
		"2024年3月16日",
	)
	names := cell(
		"国家汽车零部件创新中心分中心、国家地方联合工程",
		"研究中心、国家汽车零部件产品质量检验检测中心",
	)
	shortLines := cell("省级工业设计中心", "省级企业技术中心", "市级重点实验室")
	value := cell("107.46")
	nestedAnswer := cell(
		"集群立足细分领域，绿色低碳服务满意度持续提升，",
		"建设能源管理中心，实现重点企业能耗数据实时采集，",
		"单位产值二氧化碳排放量逐年下降，绿色制造体系初步建立。",
	)
	outer := &cellLay{nested: []*tableLay{{cells: []*cellLay{nestedAnswer}, nested: true}}}
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{answer, names, shortLines, value, outer}}}}

	got := pg.proseLines(lay)
	want := map[int]bool{}
	for _, c := range []*cellLay{answer, nestedAnswer} {
		for _, l := range c.lines {
			// The signature and the date under the answer are values.
			want[l.piece] = l.piece != answer.lines[3].piece && l.piece != answer.lines[4].piece
		}
	}
	for i := range pg.pieces {
		if got[i] != want[i] {
			t.Errorf("piece %d %q: prose %v, want %v", i, pg.res[i].Lines[0].Text, got[i], want[i])
		}
	}

	// The value recogniser is asked for the values only.
	w := &fakeWitness{}
	pg.witness, pg.engine, pg.prose = w, ocr.EngineBoth, got
	if err := pg.witnessValues(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range pg.pieces {
		if asked := slices.Contains(w.asked, p.Rect); asked == want[i] {
			t.Errorf("piece %d %q: read by the value recogniser %v, want %v", i, pg.res[i].Lines[0].Text, asked, !want[i])
		}
	}
}
