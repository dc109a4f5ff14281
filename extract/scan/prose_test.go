package scan

import (
	"context"
	"image"
	"maps"
	"slices"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// TestProseLines: the lines of a cell holding a long answer are the
// answer's, but for a signature or a date under it; a long label print
// completed is no answer; a value's lines — a list of three platforms' names on two or
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
	// A long label whose later lines print completed.
	label := cell(
		"集群内中小企业有效发明专利拥有量（包括发",
		"明专利、国防专利、植物新品种、国家级农作",
		"物品种、国家新药、国家一级中药保护品种",
		"、集成电路布图设计专有权等）",
	)
	// An answer under options, the group's remark taken from print
	// (completeRemarks): print that makes no label of the cell.
	remarked := cell(
		"集群已建成省级绿色工厂3家，绿色供应链管理企业2家，",
		"单位产值能耗较上年下降百分之三点二，能源管理中心已",
		"覆盖重点用能企业，清洁生产审核通过率持续提升。",
		"（需提供清单及佐证材料）",
	)
	pg.fromPrint = map[int]bool{}
	for _, l := range label.lines[1:] {
		pg.fromPrint[l.piece] = true
	}
	remark := remarked.lines[3].piece
	pg.fromPrint[remark], pg.remarks = true, map[int]bool{remark: true}
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{answer, names, shortLines, value, outer, label, remarked}}}}

	got := pg.proseLines(lay)
	want := map[int]bool{}
	for _, c := range []*cellLay{answer, nestedAnswer, remarked} {
		for _, l := range c.lines {
			// The signature and the date under the answer are values.
			want[l.piece] = l.piece != answer.lines[3].piece && l.piece != answer.lines[4].piece && l.piece != remark
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
		// Print is no value: nothing witnesses it.
		if asked, wantAsked := slices.Contains(w.asked, p.Rect), !want[i] && !pg.fromPrint[i]; asked != wantAsked {
			t.Errorf("piece %d %q: read by the value recogniser %v, want %v", i, pg.res[i].Lines[0].Text, asked, wantAsked)
		}
	}
}

// TestProseReadByPPOCR: the lines of a cell shaped like a long answer
// are read by PP-OCR alone — the first too where no label is that long,
// else once the readings say the cell is an answer (read by Tesseract with
// the page's first lines, then by PP-OCR) —, and a line PP-OCR read that
// is not the answer's — the signature under it — goes back to Tesseract
// and the values' way. Short lines, cells of fewer than three lines,
// option cells and lines print may complete are left as they were.
func TestProseReadByPPOCR(t *testing.T) {
	pg := newPage(1, 200, nil)
	pg.gray = image.NewGray(image.Rect(0, 0, 2000, 4000))
	em := pg.em
	y := 0
	line := func(text string, ems int) (lineLay, image.Rectangle) {
		r := image.Rect(100, y, 100+ems*em, y+30)
		y += 40
		return lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1}, r
	}
	cell := func(lines ...lineLay) *cellLay { return &cellLay{lines: lines} }
	text := map[image.Rectangle]string{}
	add := func(s string, ems int) lineLay {
		l, r := line(s, ems)
		text[r] = s
		return l
	}
	answer := cell(
		add("近年来，集群坚持“链长+链主”工作机制，组织6家企", 25),
		add("业开展精准招商，落地补链项目2个。建立重点招商项", 25),
		add("目库，近三年引进配套项目6个，总投资9.29亿元。", 25),
		add("（1）2024年度：集群总产值达到165.48亿元，新增专精特新中小企业6家，研", maxValueEms+10),
		add("负责人（签字）：余秀英", 14),
		add("2024年3月16日", 9),
	)
	short := cell(
		add("集群立足细分领域，绿色低碳服务满意度持续提升，", 25),
		add("建设能源管理中心，实现重点企业能耗数据实时采集，", 25),
		add("单位产值二氧化碳排放量逐年下降，绿色制造体系初步建立。", 25),
	)
	names := cell(
		add("国家汽车零部件创新中心分中心、国家地方联合工程", 25),
		add("研究中心、国家汽车零部件产品质量检验检测中心", 25),
	)
	box := &mark{rect: image.Rect(100, y, 130, y+30)}
	options := cell(
		lineLay{rect: image.Rect(100, y, 600, y+30), piece: -1, whole: -1, segs: []segLay{{mark: box, piece: -1}}},
		add("名称：省级数字化车间、省级工业互联网平台、省级智能", 25),
		add("制造示范工厂、市级数字化转型促进中心等等等等", 25),
	)
	printed := cell(
		add("本单位承诺此次申报中小企业特色产业集群的申请材料", 25),
		add("（包括附件资料）真实、合法。如有不实之处，本单位", 25),
		add("愿意负相应责任，并承担由此产生的一切后果。", 25),
	)
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{answer, short, names, options, printed}}}}
	later := map[int]bool{printed.lines[1].piece: true, printed.lines[2].piece: true}

	got := answerLines(lay, later, em)
	want := map[int]bool{answer.lines[0].piece: true, answer.lines[1].piece: true, answer.lines[2].piece: true, answer.lines[3].piece: true,
		answer.lines[4].piece: true, short.lines[1].piece: true, short.lines[2].piece: true}
	if !maps.Equal(got, want) {
		t.Fatalf("answerLines = %v, want %v (the answers' lines but the short date and the first of three)", got, want)
	}

	pp := &fakeWitness{reads: map[image.Rectangle][]ocr.Reading{}}
	for r, s := range text {
		pp.reads[r] = []ocr.Reading{{Text: s, Rect: r, Min: 0.9, Chars: []ocr.CharProb{{Text: s, Prob: 0.95}}}}
	}
	tess := &funcReader{read: func(reg ocr.Region) string { return text[reg.Rect] }}
	pg.witness, pg.engine = pp, ocr.EngineBoth
	pg.res = make([]ocr.Result, len(pg.pieces))
	first, routed := firstReads(len(pg.pieces), later, got)
	ctx := context.Background()
	if _, err := pg.readSome(ctx, tess, first, nil); err != nil {
		t.Fatal(err)
	}
	if err := pg.readProse(ctx, routed); err != nil {
		t.Fatal(err)
	}
	pg.prose = pg.proseLines(lay)
	pp.asked, tess.asked = nil, nil
	if err := pg.settleProse(ctx, tess); err != nil {
		t.Fatal(err)
	}
	rect := func(l lineLay) image.Rectangle { return pg.pieces[l.piece].Rect }
	if !slices.Equal(pp.asked, []image.Rectangle{rect(short.lines[0])}) {
		t.Errorf("PP-OCR read %v after the readings, want the short answer's first line %v only", pp.asked, rect(short.lines[0]))
	}
	if !slices.Equal(tess.asked, []image.Rectangle{rect(answer.lines[4])}) {
		t.Errorf("Tesseract read %v after the readings, want the signature %v only (not the plan's line wider than any value)", tess.asked, rect(answer.lines[4]))
	}
	plan := answer.lines[3].piece
	if pg.prose[plan] {
		t.Errorf("the plan's line with a colon taken for prose")
	}
	for i := range pg.pieces {
		if wantPP := pg.prose[i] || i == plan; pg.byPP[i] != wantPP {
			t.Errorf("piece %d %q: read by PP-OCR %v, want %v", i, text[pg.pieces[i].Rect], pg.byPP[i], wantPP)
		}
		if pg.byPP[i] && pg.engineOf(i) != ocr.EnginePPOCR {
			t.Errorf("piece %d: engine %q, want %q", i, pg.engineOf(i), ocr.EnginePPOCR)
		}
	}
	for _, l := range append(answer.lines[:3:3], short.lines...) {
		if !pg.prose[l.piece] {
			t.Errorf("answer line %q not taken for prose", text[rect(l)])
		}
	}
}

// confReader is a funcReader whose lines read as sure as conf: a page
// that does not read clearly as it lies.
type confReader struct {
	funcReader
	conf float64
}

func (r *confReader) Page(ctx context.Context, img *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	out, err := r.funcReader.Page(ctx, img, regions)
	for i := range out {
		for j := range out[i].Lines {
			out[i].Lines[j].Conf = r.conf
		}
	}
	return out, err
}

// TestRunOnAnswerPage: a page that is nothing but a long answer run on
// from the page before has no line read before its answer to tell how it
// lies. Its first line is read by Tesseract and says: the rest are read
// by PP-OCR alone when it reads clearly, by Tesseract when it does not
// (a page upside down, whose PP-OCR readings would be sure nonsense).
func TestRunOnAnswerPage(t *testing.T) {
	for _, tc := range []struct {
		name        string
		conf        float64
		tess, byPPs int
	}{
		{"upright", 0.93, 1, 5},
		{"unclear", 0.4, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg := newPage(1, 200, nil)
			pg.gray = image.NewGray(image.Rect(0, 0, 2000, 4000))
			var lines []lineLay
			pp := &fakeWitness{reads: map[image.Rectangle][]ocr.Reading{}}
			for k := range 6 {
				r := image.Rect(100, 40*k, 100+37*pg.em, 40*k+30)
				lines = append(lines, lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1})
				pp.reads[r] = []ocr.Reading{{Text: "建立重点招商项目库，近三年引进配套项目", Rect: r, Min: 0.9, Chars: []ocr.CharProb{{Text: "建", Prob: 0.95}}}}
			}
			lay := []blockLay{{table: &tableLay{cells: []*cellLay{{lines: lines}}}}}
			tess := &confReader{funcReader: funcReader{read: func(ocr.Region) string { return "建立重点招商项目库，近三年引进配套项目" }}, conf: tc.conf}
			pg.witness, pg.engine = pp, ocr.EngineBoth
			if err := pg.readPieces(context.Background(), lay, tess); err != nil {
				t.Fatal(err)
			}
			if len(tess.asked) != tc.tess || len(pp.asked) != tc.byPPs {
				t.Errorf("Tesseract read %d lines, PP-OCR %d; want %d and %d", len(tess.asked), len(pp.asked), tc.tess, tc.byPPs)
			}
			if len(tess.asked) > 0 && tess.asked[0] != lines[0].rect {
				t.Errorf("Tesseract read %v first, want the first line %v", tess.asked[0], lines[0].rect)
			}
		})
	}
}

// TestProseRouteRunOn: the later lines of a cell whose first line opened
// no printed phrase are PP-OCR's when that first line reads long, or when
// they hold an answer's worth of ink though it reads short (a paragraph's
// last words at the top of a page). A cell of a few short lines under a
// short first line is left to Tesseract.
func TestProseRouteRunOn(t *testing.T) {
	pg := newPage(1, 200, nil)
	pg.gray = image.NewGray(image.Rect(0, 0, 2000, 4000))
	pg.witness, pg.engine = &fakeWitness{}, ocr.EngineBoth
	y := 0
	group := func(first string, firstEms int, ems ...int) printGroup {
		r := image.Rect(100, y, 100+firstEms*pg.em, y+30)
		y += 40
		g := printGroup{first: pg.piece(r, ocr.Line)}
		pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{{Text: first, Rect: r, Conf: 0.9, Low: 0.9}}})
		for _, e := range ems {
			r := image.Rect(100, y, 100+e*pg.em, y+30)
			y += 40
			g.later = append(g.later, pg.piece(r, ocr.Line))
			pg.res = append(pg.res, ocr.Result{})
		}
		return g
	}
	runOn := group("向高端化发展。", 7, 37, 37, 37)
	long := group("近年来，集群坚持“链长+链主”工作机制，组织", 22, 14, 14)
	label := group("集群内中小企业", 8, 20, 20)
	groups := []printGroup{runOn, long, label}
	var unread []int
	for _, g := range groups {
		unread = append(unread, g.later...)
	}
	pp, rest := pg.proseRoute(groups, unread, 0.9)
	if want := append(slices.Clone(runOn.later), long.later...); !slices.Equal(pp, want) {
		t.Errorf("PP-OCR reads %v, want %v", pp, want)
	}
	if !slices.Equal(rest, label.later) {
		t.Errorf("Tesseract reads %v, want %v", rest, label.later)
	}
}
