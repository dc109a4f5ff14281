package scan

import (
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	"maps"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

func loadPage(t testing.TB, name string) *image.Gray {
	t.Helper()
	return grayDropColour(decodePage(t, name))
}

// decodePage decodes the image testdata/name as it is.
func decodePage(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// drawTable paints a ruled table on white: rows and columns at the given
// positions, with the listed borders left out (merged cells) and one rule
// broken by small gaps, as a faint copy breaks them.
func drawTable(w, h int, xs, ys []int, noV map[[2]int]bool, noH map[[2]int]bool) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	black := image.NewUniform(color.Gray{20})
	for r := range ys {
		for c := 0; c+1 < len(xs); c++ {
			if noH[[2]int{r, c}] {
				continue
			}
			draw.Draw(g, image.Rect(xs[c], ys[r]-1, xs[c+1]+2, ys[r]+2), black, image.Point{}, draw.Src)
		}
	}
	for c := range xs {
		for r := 0; r+1 < len(ys); r++ {
			if noV[[2]int{r, c}] {
				continue
			}
			draw.Draw(g, image.Rect(xs[c]-1, ys[r], xs[c]+2, ys[r+1]+2), black, image.Point{}, draw.Src)
		}
	}
	// Break the third horizontal rule every 70 px.
	for x := xs[0] + 30; x < xs[len(xs)-1]; x += 70 {
		draw.Draw(g, image.Rect(x, ys[2]-2, x+4, ys[2]+3), image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	}
	return g
}

func TestGridMergedAndBroken(t *testing.T) {
	xs := []int{100, 400, 700, 1000}
	ys := []int{100, 160, 220, 280, 340, 400}
	// Row 1: columns 1-2 merged (no vertical at xs[2]). Rows 3-4 in
	// column 0 merged (no horizontal at ys[4] in column 0).
	g := drawTable(1200, 600, xs, ys, map[[2]int]bool{{1, 2}: true}, map[[2]int]bool{{4, 0}: true})
	b := binarise(g)
	p := paramsFor(200)
	hs, vs := findRules(b, p)
	tables := findTables(hs, vs, p, b.w)
	if len(tables) != 1 {
		t.Fatalf("found %d tables, want 1", len(tables))
	}
	tb := tables[0]
	if len(tb.xs) != 4 || len(tb.ys) != 6 {
		t.Fatalf("grid %v × %v, want 4 column and 6 row boundaries", tb.xs, tb.ys)
	}
	type span struct{ r0, r1, c0, c1 int }
	got := map[span]bool{}
	for _, c := range tb.cells {
		got[span{c.r0, c.r1, c.c0, c.c1}] = true
	}
	for _, want := range []span{{1, 2, 1, 3}, {3, 5, 0, 1}, {2, 3, 0, 1}, {0, 1, 2, 3}} {
		if !got[want] {
			t.Errorf("missing cell %+v; cells %+v", want, tb.cells)
		}
	}
	if len(tb.cells) != 5*3-1-1 {
		t.Errorf("%d cells, want 13", len(tb.cells))
	}
}

// TestRulePiecesJoinAlongOnly: a column rule that stops for some rows and
// starts again a pixel further right is two rules, not one across the
// rows between (which split a column of labels in two); a thin stroke
// further down once made the old join run over the gap.
func TestRulePiecesJoinAlongOnly(t *testing.T) {
	p := paramsFor(200)
	ink := func(x, y int) bool {
		switch {
		case x >= 99 && x <= 101 && y < 400: // upper rows' rule, centre 100
			return true
		case x >= 100 && x <= 102 && y >= 1000 && y < 1400: // lower rows', centre 101
			return true
		case x == 99 && y >= 1500 && y < 1560: // a thin stroke below
			return true
		}
		return false
	}
	// Rules are found along the rows of a bitmap: here 300 rows (x, the
	// position across) of 2000 pixels (y, along).
	b := &bitmap{w: 2000, h: 300, pix: make([]bool, 2000*300)}
	for x := 0; x < b.h; x++ {
		for y := 0; y < b.w; y++ {
			b.pix[x*b.w+y] = ink(x, y)
		}
	}
	vs := rules(b, p.minLenV, p)
	var long []seg
	for _, v := range vs {
		if v.b-v.a > 300 {
			long = append(long, v)
		}
		if v.a < 400 && v.b > 1000 {
			t.Errorf("rule %+v runs over the rows between 400 and 1000", v)
		}
	}
	if len(long) != 2 {
		t.Errorf("rules %+v, want the two parts", vs)
	}
}

func TestLoneRulesAreNoTable(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 800, 400))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	// Cover-page underlines: horizontal rules with nothing crossing them.
	for _, y := range []int{100, 200, 300} {
		draw.Draw(g, image.Rect(100, y, 700, y+2), image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
	}
	// The black frame a copier leaves at the sheet's edges is no rule:
	// it would make the page one table.
	for _, r := range []image.Rectangle{image.Rect(0, 0, 800, 2), image.Rect(0, 398, 800, 400), image.Rect(0, 0, 2, 400), image.Rect(798, 0, 800, 400)} {
		draw.Draw(g, r, image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
	}
	p := paramsFor(200)
	hs, vs := findRules(binarise(g), p)
	if len(hs) != 3 || len(vs) != 0 {
		t.Errorf("%d horizontal and %d vertical rules, want the 3 underlines", len(hs), len(vs))
	}
	if tb := findTables(hs, vs, p, 800); len(tb) != 0 {
		t.Errorf("underlines made %d tables", len(tb))
	}
}

// TestDeskew skews a real page by known angles and requires the corrected
// page to be straight within 0.1°.
func TestDeskew(t *testing.T) {
	g := loadPage(t, "cq2024_p3_200dpi_colour.jpg")
	g = flatten(g, 50)
	g = rotate(g, skewAngle(binarise(g)))
	for _, d := range []float64{-3.1, -0.45, 0.8, 2.6} {
		sk := rotate(g, d)
		a := skewAngle(binarise(sk))
		if math.Abs(a+d) > 0.1 {
			t.Errorf("skewed by %.2f°: estimated correction %.2f°", d, a)
		}
		if r := skewAngle(binarise(rotate(sk, a))); math.Abs(r) > 0.1 {
			t.Errorf("skewed by %.2f°: %.2f° left after correction", d, r)
		}
	}
}

func TestOnSide(t *testing.T) {
	g := flatten(loadPage(t, "nat2024_p3_300dpi_gray.jpg"), 75)
	if onSide(binarise(g)) {
		t.Error("upright page taken as lying on its side")
	}
	if !onSide(binarise(rotate90(g, 1))) {
		t.Error("page turned 90° not recognised")
	}
	if !onSide(binarise(rotate90(g, 3))) {
		t.Error("page turned 270° not recognised")
	}
}

func TestFlattenEvensLighting(t *testing.T) {
	// Paper falls from 250 to 120 across the page; text is 60 % of the
	// local paper brightness everywhere.
	g := image.NewGray(image.Rect(0, 0, 600, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 600; x++ {
			paper := 250 - 130*float64(x)/600
			v := paper
			if (x/10+y/10)%7 == 0 {
				v = paper * 0.4
			}
			g.Pix[y*g.Stride+x] = uint8(v)
		}
	}
	f := flatten(g, 50)
	b := binarise(f)
	for y := 0; y < 400; y += 3 {
		for x := 0; x < 600; x += 3 {
			ink := (x/10+y/10)%7 == 0
			if b.pix[y*b.w+x] != ink && x%10 != 0 && x%10 != 9 && y%10 != 0 && y%10 != 9 {
				t.Fatalf("pixel %d,%d: ink %v, want %v (flat %d)", x, y, b.pix[y*b.w+x], ink, f.Pix[y*f.Stride+x])
			}
		}
	}
}

func TestDropColour(t *testing.T) {
	tests := []struct {
		name    string
		r, g, b uint8
		ink     bool
	}{
		{"black text", 20, 22, 25, true},
		{"gray text", 90, 90, 90, true},
		{"red seal", 220, 40, 50, false},
		{"dark red seal", 170, 30, 35, false},
		{"blue pen", 40, 50, 200, true},
		{"black pen in blue", 30, 40, 90, true},
		{"paper", 240, 238, 230, false},
	}
	for _, tt := range tests {
		if got := dropColour(tt.r, tt.g, tt.b) < inkCut; got != tt.ink {
			t.Errorf("%s: ink %v, want %v", tt.name, got, tt.ink)
		}
	}
}

// drawMark paints one option mark at x on a line of height em.
func drawMark(g *image.Gray, kind markKind, x, y, em int) {
	black := image.NewUniform(color.Gray{0})
	box := image.Rect(x, y, x+em, y+em)
	outline := func() {
		for _, r := range []image.Rectangle{
			{box.Min, image.Pt(box.Max.X, box.Min.Y+2)}, {image.Pt(box.Min.X, box.Max.Y-2), box.Max},
			{box.Min, image.Pt(box.Min.X+2, box.Max.Y)}, {image.Pt(box.Max.X-2, box.Min.Y), box.Max},
		} {
			draw.Draw(g, r, black, image.Point{}, draw.Src)
		}
	}
	stroke := func(x0, y0, x1, y1 float64) { penStroke(g, x0, y0, x1, y1) }
	e := float64(em)
	fx, fy := float64(x), float64(y)
	switch kind {
	case markEmpty:
		outline()
	case markBoxed:
		outline()
		stroke(fx+0.2*e, fy+0.5*e, fx+0.45*e, fy+0.8*e)
		stroke(fx+0.45*e, fy+0.8*e, fx+0.85*e, fy+0.2*e)
	case markFilled:
		draw.Draw(g, box, black, image.Point{}, draw.Src)
	case markTick:
		stroke(fx+0.05*e, fy+0.55*e, fx+0.35*e, fy+0.95*e)
		stroke(fx+0.35*e, fy+0.95*e, fx+0.95*e, fy+0.05*e)
	}
}

// penStroke draws a black line 3 px wide from (x0,y0) to (x1,y1), in
// steps short enough to leave no gap on lines up to 200 px.
func penStroke(g *image.Gray, x0, y0, x1, y1 float64) {
	black := image.NewUniform(color.Gray{0})
	for s := 0.0; s <= 1; s += 0.005 {
		px, py := int(x0+(x1-x0)*s), int(y0+(y1-y0)*s)
		draw.Draw(g, image.Rect(px-1, py-1, px+2, py+2), black, image.Point{}, draw.Src)
	}
}

func TestFindMarks(t *testing.T) {
	const em = 26
	g := image.NewGray(image.Rect(0, 0, 900, 60))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	kinds := []markKind{markEmpty, markBoxed, markFilled, markTick, markEmpty}
	for i, k := range kinds {
		drawMark(g, k, 20+i*170, 15, em)
		// Option text after each mark: a 十 standing for a character.
		x := 20 + i*170 + em + 8
		draw.Draw(g, image.Rect(x, 27, x+22, 29), image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
		draw.Draw(g, image.Rect(x+10, 16, x+12, 40), image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
	}
	b := binarise(g)
	ms := findMarks(g, b, b, image.Rect(0, 15, 900, 15+em), em)
	if len(ms) != len(kinds) {
		t.Fatalf("found %d marks %+v, want %d", len(ms), ms, len(kinds))
	}
	var all []*mark
	for i := range ms {
		all = append(all, &ms[i])
	}
	decideMarks(all)
	for i, m := range ms {
		if m.kind != kinds[i] {
			t.Errorf("mark %d: kind %d, want %d (fill %.2f)", i, m.kind, kinds[i], m.fill)
		}
		if m.checked() != (kinds[i] != markEmpty) {
			t.Errorf("mark %d: checked %v", i, m.checked())
		}
	}
}

// Ticks drawn by pen past the box join it into a larger shape; the box
// is found inside it and decides by what it holds.
func TestFindPenMarks(t *testing.T) {
	const em, y = 26, 40
	g, fill := whitePage(1200, 100)
	stroke := func(x0, y0, x1, y1 float64) { penStroke(g, x0, y0, x1, y1) }
	e := float64(em)
	pens := []struct {
		what    string
		draw    func(x, y float64)
		checked bool
	}{
		{"empty", func(x, y float64) {}, false},
		{"cross inside", func(x, y float64) {
			stroke(x+0.2*e, y+0.2*e, x+0.8*e, y+0.8*e)
			stroke(x+0.8*e, y+0.2*e, x+0.2*e, y+0.8*e)
		}, true},
		{"cross over the box", func(x, y float64) {
			stroke(x-0.5*e, y-0.5*e, x+1.5*e, y+1.5*e)
			stroke(x+1.5*e, y-0.5*e, x-0.5*e, y+1.5*e)
		}, true},
		{"tick running out at the top right", func(x, y float64) {
			stroke(x+0.2*e, y+0.5*e, x+0.45*e, y+0.85*e)
			stroke(x+0.45*e, y+0.85*e, x+1.3*e, y-0.5*e)
		}, true},
		{"tick starting in the box and running far out of it", func(x, y float64) {
			stroke(x+0.1*e, y+0.5*e, x+0.4*e, y+0.9*e)
			stroke(x+0.4*e, y+0.9*e, x+1.6*e, y-0.9*e)
		}, true},
		{"stroke touching the box from outside", func(x, y float64) {
			stroke(x+e, y+0.5*e, x+1.6*e, y-0.5*e)
		}, false},
	}
	for i, p := range pens {
		x := 20 + i*170
		drawMark(g, markEmpty, x, y, em)
		p.draw(float64(x), float64(y))
		// Option text after the mark: a 十 standing for a character.
		tx := x + 2*em + 8
		fill(image.Rect(tx, y+12, tx+22, y+14), 0)
		fill(image.Rect(tx+10, y+1, tx+12, y+25), 0)
	}
	b := binarise(g)
	// The line is as tall as its ink, the pen's included, as lineRects
	// lays it; marks are looked for at most 1.25 em tall, as layLines
	// does.
	line := lineRects(b, g.Rect, nil, 3, 4*em)
	if len(line) != 1 {
		t.Fatalf("lines %v, want one", line)
	}
	ms := findMarks(g, b, b, line[0], min(line[0].Dy(), em*5/4))
	if len(ms) != len(pens) {
		t.Fatalf("found %d marks %+v, want %d", len(ms), ms, len(pens))
	}
	// Ink spreading left and down from a box-like shape is characters
	// blurred together (、集), not a pen mark: no box there.
	g2, fill2 := whitePage(300, 100)
	drawMark(g2, markEmpty, 100, y, em)
	fill2(image.Rect(75, y+10, 100, y+14), 0)
	fill2(image.Rect(110, y+em, 114, y+2*em), 0)
	b2 := binarise(g2)
	if got := findMarks(g2, b2, b2, image.Rect(0, y-2, 300, y+2*em+2), em); len(got) != 0 {
		t.Errorf("box with ink left and below: %+v, want no mark", got)
	}
	// Decided against the page's empty boxes, as every page's marks are.
	var all []*mark
	for i := range ms {
		all = append(all, &ms[i])
	}
	decideMarks(all)
	for i, m := range ms {
		if m.checked() != pens[i].checked {
			t.Errorf("%s: checked %v, want %v (kind %d, fill %.2f)", pens[i].what, m.checked(), pens[i].checked, m.kind, m.fill)
		}
	}
}

func TestTidy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"集 群 名 称", "集群名称"},
		{"2024 年 6 月 9 日", "2024年6月9日"},
		{"吴永刚  15146354443", "吴永刚  15146354443"},
		{"Smart Factory 项目", "Smart Factory项目"},
		{" 值比例 (%) ", "值比例(%)"},
	}
	for _, tt := range tests {
		if got := tidy(tt.in); got != tt.want {
			t.Errorf("tidy(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBrokenNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"95汉8": true, "本到7": true, "ZES5": true, "28汉5": true,
		"95.78": false, "昌": false, "": false, "建成公共服务平台4个": false,
	} {
		if got := brokenNumber(s); got != want {
			t.Errorf("brokenNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestUnitOrJunk(t *testing.T) {
	for s, want := range map[string]bool{
		"3个": true, "13 个": true, "五区Y": true, "": true,
		"100": false, "95汉8": false, "12.5": false,
	} {
		if got := unitOrJunk(s); got != want {
			t.Errorf("unitOrJunk(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNumericLike(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"111.26", true}, {"-5.88", true}, {"13.99%", true}, {"1 030", true},
		{"2023年", false}, {"96 家", false}, {"", false}, {"...", false},
	}
	for _, tt := range tests {
		if got := numericLike(tt.in); got != tt.want {
			t.Errorf("numericLike(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// Tesseract's per-cent habits are undone for holding its reading against
// PP-OCR's; a sign read already and plain numbers are as read.
func TestPercentWitness(t *testing.T) {
	tests := []struct {
		in, want string
		sure     bool
	}{
		{"14.509%6", "14.50%", false},
		{"0.62吨/万元(降低11.989%6)", "0.62吨/万元(降低11.98%)", false},
		{"34.1996", "34.19%", false},
		{"23.66%", "23.66%", true},
		{"1996", "1996", true},
		{"2.05", "2.05", true},
		{"工序数控化率达到63%“。组织", "工序数控化率达到63%。组织", false},
		{"满意度达到799%“。开展", "满意度达到79%。开展", false},
		{"覆盖率达到89%“。研发", "覆盖率达到89%。研发", false},
		{"满意度达到79%“。开展", "满意度达到79%。开展", false},
		{"增长9%“。", "增长9%。", false},
	}
	for _, tt := range tests {
		got, c := percentWitness(tt.in)
		if got != tt.want || (c == 1) != tt.sure {
			t.Errorf("percentWitness(%q) = %q, %v; want %q, sure %v", tt.in, got, c, tt.want, tt.sure)
		}
	}
}

func TestLabelledLineStartsParagraph(t *testing.T) {
	mk := func(text string, x0, x1, y int) readLine {
		return readLine{rect: image.Rect(x0, y, x1, y+30), text: text}
	}
	ls := []readLine{
		mk("所属区县：龙川县", 100, 1500, 100), // underline runs to the margin
		mk("区（县）中小企业主管部门（盖章）：龙川县经济和信息化", 100, 1500, 150),
		mk("委员会", 100, 200, 200), // a wrapped blank
	}
	ps := paragraphs(ls, 100, 1500, 30, true)
	if len(ps) != 2 || joinText(ps[1]) != "区（县）中小企业主管部门（盖章）：龙川县经济和信息化委员会" {
		t.Errorf("paragraphs: %d, %+v", len(ps), ps)
	}
}

// TestCellFieldLabelStartsParagraph: in a cell, 名称： under 数量：0个 is a
// line of its own even though the line above is as wide (a short value);
// joined, the count could not be read. A wrapped line of prose is joined.
func TestCellFieldLabelStartsParagraph(t *testing.T) {
	mk := func(text string, x0, x1, y int) readLine {
		return readLine{rect: image.Rect(x0, y, x1, y+30), text: text}
	}
	ls := []readLine{
		mk("数量: 0个", 100, 260, 100),
		mk("名称:无", 100, 230, 140),
	}
	if ps := paragraphs(ls, 100, 260, 30, false); len(ps) != 2 {
		t.Errorf("数量/名称: %d paragraphs, want 2", len(ps))
	}
	ls = []readLine{
		mk("集群依托松源县高新技术产业开发区管理委员会，引入", 100, 1500, 100),
		mk("绿色制造系统解决方案供应商3家：为企业提供服务。", 100, 1400, 140),
	}
	if ps := paragraphs(ls, 100, 1500, 30, false); len(ps) != 1 {
		t.Errorf("wrapped prose: %d paragraphs, want 1", len(ps))
	}
}

// TestUnread: ink wider than half the line's height left or right of what
// Tesseract read is a dropped character, whatever its confidence says.
func TestUnread(t *testing.T) {
	piece := image.Rect(100, 100, 700, 130)
	for _, tt := range []struct {
		name string
		read image.Rectangle
		want bool
	}{
		{"all read", image.Rect(102, 101, 698, 129), false},
		{"last character dropped", image.Rect(100, 100, 670, 130), true},
		{"first character dropped", image.Rect(130, 100, 700, 130), true},
		{"a narrow margin", image.Rect(110, 100, 695, 130), false},
	} {
		pg := &page{pieces: []ocr.Region{{Rect: piece, Mode: ocr.Line}},
			res: []ocr.Result{{Lines: []ocr.TextLine{{Text: "名称：国家汽车零部件创新中心分中心、", Rect: tt.read, Conf: 0.95}}}}}
		if got := pg.unread(0); got != tt.want {
			t.Errorf("%s: unread = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCleanBlanks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"集群名称:“”龙川县汽车零部件产业集群", "集群名称:龙川县汽车零部件产业集群"},
		{"所属区县: _龙川县_", "所属区县:龙川县"},
		{"主管部门〈盖章) :。”龙川县经济和信息化委员会", "主管部门〈盖章) :龙川县经济和信息化委员会"},
		{"联系人及联系电话:“刘雪梅“17365918451", "联系人及联系电话:刘雪梅  17365918451"},
		{"集群运营管理机构:，”盛阳县高端紧固件产业园运营管理有限公司", "集群运营管理机构:盛阳县高端紧固件产业园运营管理有限公司"},
		{"近年来，集群坚持“链长+链主”工作机制", "近年来，集群坚持“链长+链主”工作机制"},
	}
	for _, tt := range tests {
		if got := cleanBlanks(tt.in); got != tt.want {
			t.Errorf("cleanBlanks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// upsideDown must be exactly the binarised turned page: orient reads the
// turned page's lines from it.
func TestUpsideDownBitmap(t *testing.T) {
	g := grayDropColour(loadPage(t, "cq2024_p6_200dpi_tables.jpg"))
	want, got := binarise(rotate90(g, 2)), upsideDown(binarise(g))
	if want.w != got.w || want.h != got.h || !slices.Equal(want.pix, got.pix) {
		t.Error("upsideDown(binarise(g)) differs from binarise(rotate90(g, 2))")
	}
}

// TestTails: a line of a character or two under a full line of the same
// cell continues it and is read again after that line's end when its own
// reading is unsure; a short first line, a short line under another short
// one, and a sure reading are left alone.
func TestTails(t *testing.T) {
	pg := &page{em: 30}
	full := func(y int) image.Rectangle { return image.Rect(100, y, 400, y+30) }
	short := func(y int) image.Rectangle { return image.Rect(100, y, 130, y+30) }
	ls := func(rs ...image.Rectangle) []lineLay {
		var out []lineLay
		for _, r := range rs {
			out = append(out, lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1})
		}
		return out
	}
	wrapped := ls(full(0), short(40))                        // pieces 0, 1
	unsureButSure := ls(full(100), short(140))               // 2, 3
	shortFirst := ls(short(200), full(240))                  // 4, 5
	shortUnderShort := ls(full(300), short(340), short(380)) // 6, 7, 8
	for _, c := range [][]lineLay{wrapped, unsureButSure, shortFirst, shortUnderShort} {
		pg.noteTails(c)
	}
	if want := map[int]int{1: 0, 3: 2, 7: 6}; !maps.Equal(pg.follows, want) {
		t.Fatalf("follows = %v, want %v", pg.follows, want)
	}
	pg.res = make([]ocr.Result, len(pg.pieces))
	pg.res[1] = ocr.Result{Lines: []ocr.TextLine{{Text: "唉", Conf: 0.01, Low: 0.01}}}
	pg.res[3] = ocr.Result{Lines: []ocr.TextLine{{Text: "个", Conf: 0.95, Low: 0.95}}}
	pg.res[7] = ocr.Result{Lines: []ocr.TextLine{{Text: "。", Conf: 0.92, Low: 0.92}}}
	idx, regs := pg.tailReadings()
	if !slices.Equal(idx, []int{1}) {
		t.Fatalf("tails read again: %v, want only piece 1", idx)
	}
	if r := regs[0]; r.Rect != short(40) || r.Before != image.Rect(160, 0, 400, 30) {
		t.Errorf("region %+v, want the tail after the last 8 em of its line", r)
	}
}

// TestEndReadings: ink left unread at a line's end (more than half the
// line's height) is read again, alone and after the line; a line read to
// its end is not.
func TestEndReadings(t *testing.T) {
	pg := &page{em: 30}
	line := image.Rect(100, 0, 700, 30)
	pg.piece(line, ocr.Line)
	pg.piece(line, ocr.Line)
	pg.piece(line, ocr.Line)
	pg.res = []ocr.Result{
		{Lines: []ocr.TextLine{{Text: "名称：国家汽车零部件创新中心分中心、", Rect: image.Rect(100, 0, 655, 30), Conf: 0.9}}},
		{Lines: []ocr.TextLine{{Text: "名称：国家汽车零部件创新中心分中心、国", Rect: image.Rect(100, 0, 690, 30), Conf: 0.9}}},
		{Lines: []ocr.TextLine{{Text: "名称：国家汽车零部件创新中心分", Rect: image.Rect(100, 0, 600, 30), Conf: 0.9}}},
	}
	idx, regs := pg.endReadings()
	if !slices.Equal(idx, []int{0, 2}) || len(regs) != 4 {
		t.Fatalf("lines read again: %v (%d regions), want lines 0 and 2 twice", idx, len(regs))
	}
	for k, tt := range []struct {
		rest image.Rectangle
		mode ocr.Mode // alone: one character's width or more
	}{
		{image.Rect(655, 0, 700, 30), ocr.Char},
		{image.Rect(600, 0, 700, 30), ocr.Line},
	} {
		alone, after := regs[2*k], regs[2*k+1]
		if alone.Rect != tt.rest || !alone.Before.Empty() || alone.Mode != tt.mode {
			t.Errorf("line %d: first region %+v, want the rest %v alone in mode %d", idx[k], alone, tt.rest, tt.mode)
		}
		if want := image.Rect(tt.rest.Min.X-8*pg.em, 0, tt.rest.Min.X, 30); after.Rect != tt.rest || after.Before != want || after.Mode != ocr.Line {
			t.Errorf("line %d: second region %+v, want the rest after the last 8 em read (%v)", idx[k], after, want)
		}
	}
}

// The underlines of a cover's blanks go — a short one with text standing
// on it, a hairline lighter than ink — but not the bottom stroke of a
// glyph that rests on one, nor a heading's strokes that line up like a
// rule and have their glyphs' ink under them.
func TestClearRules(t *testing.T) {
	g, fill := whitePage(1400, 500)
	// A short blank (about 14 mm): an underline 3 px thick with a glyph
	// standing on it: two stems and a bottom stroke resting on the rule.
	fill(image.Rect(100, 100, 210, 103), 30)
	fill(image.Rect(130, 70, 133, 98), 30)
	fill(image.Rect(170, 70, 173, 98), 30)
	fill(image.Rect(120, 98, 185, 100), 30)
	// A hairline lighter than ink (a 200 dpi copy of it), 40 mm, under
	// a glyph's stem.
	fill(image.Rect(300, 200, 620, 201), 175)
	fill(image.Rect(400, 170, 403, 199), 30)
	// Strokes of a large heading that line up over 12 mm with ink under
	// them along their length.
	fill(image.Rect(700, 300, 795, 304), 30)
	for x := 700; x < 795; x += 6 {
		fill(image.Rect(x, 304, x+3, 330), 30)
	}
	clearAndCheck(t, g, []inkAt{
		{"short underline left of the glyph", 105, 101, false},
		{"short underline right of the glyph", 200, 101, false},
		{"glyph's bottom stroke on the underline", 150, 99, true},
		{"glyph's stem", 131, 80, true},
		{"hairline", 350, 200, false},
		{"hairline", 600, 200, false},
		{"stem over the hairline", 401, 185, true},
		{"heading stroke", 750, 302, true},
	})
}

// whitePage is a blank 200 dpi page and a brush that paints on it.
func whitePage(w, h int) (*image.Gray, func(image.Rectangle, uint8)) {
	g := image.NewGray(image.Rect(0, 0, w, h))
	fill := func(r image.Rectangle, v uint8) {
		draw.Draw(g, r, image.NewUniform(color.Gray{v}), image.Point{}, draw.Src)
	}
	fill(g.Rect, 255)
	return g, fill
}

// inkAt is a point of a page and whether ink should be left there.
type inkAt struct {
	what string
	x, y int
	want bool
}

// clearAndCheck finds the rules and tables of a 200 dpi page, clears the
// rules, and checks what ink is left.
func clearAndCheck(t *testing.T, g *image.Gray, want []inkAt) {
	t.Helper()
	b := binarise(g)
	pg := newPage(1, 200, nil)
	hs, vs := findRules(b, pg.p)
	pg.clearRules(g, b, hs, vs, findTables(hs, vs, pg.p, b.w))
	for _, c := range want {
		if ink := g.GrayAt(c.x, c.y).Y < 200; ink != c.want {
			t.Errorf("%s at (%d,%d): ink %v, want %v", c.what, c.x, c.y, ink, c.want)
		}
	}
}

// Inside a table only verticals that meet a rule, or line up with one
// that does, are rules: the tall stroke of a signature written large in
// its cell stays, or the erased band cuts the glyph (叶 read as 叶 cut in
// two, "=-").
func TestClearRulesKeepsStrokes(t *testing.T) {
	g, fill := whitePage(1400, 600)
	// The frame, one row rule and one column rule.
	fill(image.Rect(100, 100, 1300, 103), 30)
	fill(image.Rect(100, 497, 1300, 500), 30)
	fill(image.Rect(100, 100, 103, 500), 30)
	fill(image.Rect(1297, 100, 1300, 500), 30)
	fill(image.Rect(100, 200, 1300, 203), 30)
	fill(image.Rect(400, 100, 403, 500), 30)
	// A column rule faded into two pieces, only the upper meeting the row
	// rule.
	fill(image.Rect(1000, 203, 1003, 300), 30)
	fill(image.Rect(1000, 310, 1003, 497), 30)
	// A glyph's tall stem with its cross stroke, apart from every rule.
	fill(image.Rect(700, 300, 705, 360), 30)
	fill(image.Rect(680, 320, 725, 324), 30)
	clearAndCheck(t, g, []inkAt{
		{"column rule", 401, 300, false},
		{"faded rule's upper piece", 1001, 250, false},
		{"faded rule's lower piece", 1001, 400, false},
		{"glyph's stem", 702, 340, true},
		{"glyph's cross stroke", 690, 322, true},
	})
}
