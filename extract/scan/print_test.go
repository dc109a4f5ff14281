package scan

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

const longLabel = "集群内中小企业有效发明专利拥有量（包括发明专利、国防专利、植物新品种、国家级农作物品种）"

func TestPrintRest(t *testing.T) {
	ps := newPrintSet([]string{
		longLabel,
		"主导产业相关的国家级专精特新“小巨人”企业数量",
		"主导产业相关的省级专精特新中小企业数量",
		"主导产业相关的市级专精特新中小企业数量",
		"2021年",
		"集群主导产业产值占集群总产值比例(%)",
		"集群主导产业产值占集群总产值比例（%）",
	})
	// 30 px an em. The long label's rest after its first nine characters
	// is 35 ems; after "…拥有量（包括", 25.
	tests := []struct {
		name  string
		first string
		w1    int
		ws    []int
		want  []string
	}{
		{"rest over four lines", "集群内中小企业有效", 270, []int{270, 270, 270, 240},
			[]string{"发明专利拥有量（包", "括发明专利、国防专", "利、植物新品种、国", "家级农作物品种）"}},
		{"brackets read as ASCII", "集群内中小企业有效发明专利拥有量(包括", 570, []int{570, 180},
			[]string{"发明专利、国防专利、植物新品种、国家级", "农作物品种）"}},
		{"lines too short for the rest", "集群内中小企业有效", 270, []int{270, 90}, nil},
		{"lines too long for the rest", "集群内中小企业有效", 270, []int{270, 270, 270, 270, 270}, nil},
		{"a lower line wider than the first", "集群内中小企业有效", 270, []int{600, 60}, nil},
		{"first line misread", "集群内中小企亚有效", 270, []int{270, 270, 270, 240}, nil},
		{"two phrases fit alike", "主导产业相关的", 210, []int{210, 150}, nil},
		{"one of three phrases fits", "主导产业相关的", 210, []int{210, 240}, []string{"国家级专精特新", "“小巨人”企业数量"}},
		{"a phrase read whole: nothing left for the other lines", "2021年", 75, []int{75}, nil},
		{"the same label printed with other brackets", "集群主导产业产值占集群总产值比", 435, []int{75}, []string{"例(%)"}},
		{"too short a first line to tell", "集群", 60, []int{270}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ps.rest(tt.first, tt.w1, tt.ws, false, anyForm)
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
				t.Errorf("rest(%q) = %q, %v; want %q", tt.first, got, ok, tt.want)
			}
		})
	}
}

// printReader answers each region with the text given for its rectangle
// and records what it was asked to read.
type printReader struct {
	text  map[image.Rectangle]string
	asked []image.Rectangle
}

func (r *printReader) Page(_ context.Context, _ *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	out := make([]ocr.Result, len(regions))
	for i, reg := range regions {
		r.asked = append(r.asked, reg.Rect)
		if t := r.text[reg.Rect]; t != "" {
			out[i].Lines = []ocr.TextLine{{Text: t, Rect: reg.Rect, Conf: 0.95, Low: 0.9}}
		}
	}
	return out, nil
}

// A label cell's lines after the first are the label's rest, unread; a
// value cell beside it that opens like print but does not fit is read
// whole, and so is a cell whose first line is not print.
func TestReadPiecesSkipsPrint(t *testing.T) {
	pg := newPage(1, 200, newPrintSet([]string{longLabel}))
	pg.gray = image.NewGray(image.Rect(0, 0, 2000, 1000))
	pg.bin = binarise(pg.gray)
	line := func(x, y, w int) lineLay {
		r := image.Rect(x, y, x+w, y+30)
		return lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1}
	}
	label := &cellLay{lines: []lineLay{line(0, 0, 270), line(0, 40, 270), line(0, 80, 270), line(0, 120, 270), line(0, 160, 240)}}
	value := &cellLay{lines: []lineLay{line(400, 0, 270), line(400, 40, 900)}}
	answer := &cellLay{lines: []lineLay{line(400, 200, 900), line(400, 240, 300)}}
	rd := &printReader{text: map[image.Rectangle]string{
		label.lines[0].rect:  "集群内中小企业有效",
		value.lines[0].rect:  "集群内中小企业有效",
		value.lines[1].rect:  "发明专利三件",
		answer.lines[0].rect: "近年来，集群围绕",
		answer.lines[1].rect: "产业链开展协作",
	}}
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{label, value, answer}}}}
	if err := pg.readPieces(context.Background(), lay, rd); err != nil {
		t.Fatal(err)
	}
	for _, l := range label.lines[1:] {
		if slices.Contains(rd.asked, l.rect) {
			t.Errorf("label line %v was read", l.rect)
		}
	}
	for _, c := range []*cellLay{value, answer} {
		for _, l := range c.lines {
			if !slices.Contains(rd.asked, l.rect) {
				t.Errorf("value line %v was not read", l.rect)
			}
		}
	}
	var got []string
	for _, l := range label.lines {
		txt, _, _ := pg.text(l.piece)
		got = append(got, txt)
	}
	if want := []string{"集群内中小企业有效", "发明专利拥有量（包", "括发明专利、国防专", "利、植物新品种、国", "家级农作物品种）"}; !slices.Equal(got, want) {
		t.Errorf("label cell = %q, want %q", got, want)
	}
	if len(pg.fromPrint) != 4 {
		t.Errorf("%d pieces from print, want 4", len(pg.fromPrint))
	}
	// Nothing taken from print is read a second time.
	if idx, _ := pg.secondReadings(); slices.ContainsFunc(idx, func(i int) bool { return pg.fromPrint[i] }) {
		t.Errorf("second readings %v include print", idx)
	}
}

// funcReader answers each region with read(region) and records the
// regions asked for.
// drawGlyphs inks n glyph boxes on g from (x0, y0), one em (29 px at 200
// dpi) apart, 25 px wide and 28 tall, but for the columns dx (0–24) of
// glyph k that blank says are blank, and returns the line's rectangle.
func drawGlyphs(g *image.Gray, x0, y0, n int, blank func(k, dx int) bool) image.Rectangle {
	for k := range n {
		for y := y0; y < y0+28; y++ {
			for dx := range 25 {
				if !blank(k, dx) {
					g.Pix[y*g.Stride+x0+29*k+dx] = 0
				}
			}
		}
	}
	return image.Rect(x0, y0, x0+29*n, y0+28)
}

// splitGap is the blank of a character whose left stroke stands apart,
// wider than the gap between two characters: a head cut there ends with
// the stroke, a sliver.
func splitGap(dx int) bool { return dx >= 4 && dx < 10 }

type funcReader struct {
	read  func(ocr.Region) string
	asked []image.Rectangle
}

func (r *funcReader) Page(_ context.Context, _ *image.Gray, regions []ocr.Region) ([]ocr.Result, error) {
	out := make([]ocr.Result, len(regions))
	for i, reg := range regions {
		r.asked = append(r.asked, reg.Rect)
		if t := r.read(reg); t != "" {
			// The characters evenly across the region, as a reader's
			// boxes are on a line of Chinese.
			rs := []rune(t)
			gs := make([]ocr.Glyph, len(rs))
			for k, c := range rs {
				x0 := reg.Rect.Min.X + reg.Rect.Dx()*k/len(rs)
				gs[k] = ocr.Glyph{Text: string(c), Rect: image.Rect(x0, reg.Rect.Min.Y, reg.Rect.Min.X+reg.Rect.Dx()*(k+1)/len(rs), reg.Rect.Max.Y), Conf: 0.95}
			}
			out[i].Lines = []ocr.TextLine{{Text: t, Rect: reg.Rect, Conf: 0.95, Low: 0.9, Glyphs: gs}}
		}
	}
	return out, nil
}

// headCase is a printed line whose head reads as head from its
// characters, and whether it is completed from print.
type headCase struct {
	name  string
	head  func(h []rune) string // the head's reading from its characters
	split bool                  // the fifth character's left stroke stands apart
	print bool                  // completed from print, not read whole
}

// An option's text is read up to a gap between characters past its first
// four ems; the rest comes from the option it opens when the rest's ink
// fits it, also when one character of the head is misread or its last
// is a sliver of the next read as a narrow mark (the gap cut inside a
// character blurred on a 150-dpi copy). An option that opens no printed
// one (a write-in), or whose head is two characters off, is read whole.
func TestOptionHeads(t *testing.T) {
	const option = "建立了共享制造机制开展通用"
	for _, c := range []headCase{
		{"read right", func(h []rune) string { return string(h) }, false, true},
		{"one character misread", func(h []rune) string { h[1] = '文'; return string(h) }, false, true},
		{"its last misread as a bar", func(h []rune) string { return string(h[:len(h)-1]) + "|" }, false, true},
		// The head cut inside a character: its sliver read as a mark.
		{"a sliver read as :", func(h []rune) string { return string(h) + ":" }, true, true},
		{"a sliver read as |", func(h []rune) string { return string(h) + "|" }, true, true},
		{"two characters misread", func(h []rune) string { h[1], h[3] = '文', '其'; return string(h) }, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := newPage(1, 200, newPrintSet([]string{option}))
			pg.gray = image.NewGray(image.Rect(0, 0, 1000, 400))
			for i := range pg.gray.Pix {
				pg.gray.Pix[i] = 255
			}
			// Glyphs one em apart (29 px at 200 dpi), a 4 px gap between; the
			// second of each character's 25 px has an inner gap of 1 px, like 际.
			glyphs := func(x0, y0, n, split int) image.Rectangle {
				return drawGlyphs(pg.gray, x0, y0, n, func(k, dx int) bool { return dx == 12 || k == split && splitGap(dx) })
			}
			split := -1
			if c.split {
				split = 4
			}
			printed := glyphs(100, 100, len([]rune(option)), split)
			writeIn := glyphs(100, 200, 12, -1)
			pg.bin = binarise(pg.gray)
			seg := func(r image.Rectangle) lineLay {
				r.Max.X += 80 // an option's piece runs on to the next box
				return lineLay{rect: r, piece: -1, whole: -1, segs: []segLay{{mark: &mark{}, rect: r, piece: pg.piece(r, ocr.Line)}}}
			}
			lay := []blockLay{{table: &tableLay{cells: []*cellLay{{lines: []lineLay{seg(printed), seg(writeIn)}}}}}}
			whole := printed.Max.X + 80
			rd := &funcReader{read: func(r ocr.Region) string {
				n := min(12, (r.Rect.Dx()+4)/29)
				if r.Rect.Min.Y < 200 {
					h := []rune(option)[:min(n, len([]rune(option)))]
					if r.Rect.Max.X < whole {
						return c.head(slices.Clone(h))
					}
					return string(h)
				}
				return string([]rune("其他：特色纺织服装产业")[:min(n, 11)])
			}}
			if err := pg.readPieces(context.Background(), lay, rd); err != nil {
				t.Fatal(err)
			}
			p0, p1 := lay[0].table.cells[0].lines[0].segs[0].piece, lay[0].table.cells[0].lines[1].segs[0].piece
			if got := !slices.Contains(rd.asked, pg.pieces[p0].Rect); got != c.print {
				t.Errorf("the printed option taken from print: %v, want %v", got, c.print)
			}
			if txt, _, _ := pg.text(p0); c.print && (txt != option || !pg.fromPrint[p0]) {
				t.Errorf("printed option = %q (from print %v), want %q", txt, pg.fromPrint[p0], option)
			}
			if !slices.Contains(rd.asked, pg.pieces[p1].Rect) || pg.fromPrint[p1] {
				t.Error("the write-in was not read whole")
			}
			// Its head was cut at a gap between characters, not inside one
			// (but for the one split).
			for _, r := range rd.asked {
				if r.Min.Y == printed.Min.Y && r != pg.pieces[p0].Rect && (r.Max.X-100)%29 != 25 && !c.split {
					t.Errorf("head cut at x=%d, inside a character", r.Max.X)
				}
			}
		})
	}
}

// The plain lines of a cell of option boxes — the remark under the
// group, its question — are read by their heads and completed from print
// when a head opens one printed phrase the line's ink fits, also with
// one character of the head misread (勾 read as 匀, as Tesseract mostly
// reads it there): what is printed there is the print's. A write-in, or
// a head two characters off, is read whole.
func TestRemarkHeads(t *testing.T) {
	const remark = "（注：勾选需提供佐证材料）"
	pg := newPage(1, 200, newPrintSet([]string{"是"}))
	pg.print.other = newPrintSet([]string{remark, "（需提供清单及佐证材料）"})
	pg.gray = image.NewGray(image.Rect(0, 0, 1000, 400))
	for i := range pg.gray.Pix {
		pg.gray.Pix[i] = 255
	}
	lines := []string{
		"是",
		"(注:匀选需提供佐证材料)",
		"(注:勾选需提供佐证材料)",
		"名称：省级数字化车间、省级工业互联网平台",
		"(注:色先需提供佐证材料)",
	}
	// Each character's ink and pitch by its width: an em (29 px at 200
	// dpi) for Chinese, half for ASCII, 4 px between; starts[k] are line
	// k's characters' left edges.
	starts := make([][]int, len(lines))
	cl := &cellLay{}
	for k, ln := range lines {
		x, y0 := 100, 40*k+1
		if k == 0 {
			x = 140 // after its box
		}
		x0 := x
		for _, r := range ln {
			w := 25
			if !ocr.Wide(r) {
				w = 10
			}
			starts[k] = append(starts[k], x)
			for y := y0; y < y0+27; y++ {
				for xx := x; xx < x+w; xx++ {
					pg.gray.Pix[y*pg.gray.Stride+xx] = 0
				}
			}
			x += w + 4
		}
		lr := image.Rect(x0, 40*k, x, 40*k+29)
		if k == 0 {
			m := &mark{kind: markEmpty, rect: image.Rect(100, 0, 128, 29)}
			cl.lines = append(cl.lines, lineLay{rect: image.Rect(100, 0, x, 29), piece: -1, whole: -1, segs: []segLay{{mark: m, rect: lr, piece: pg.piece(lr, ocr.Line)}}})
			continue
		}
		cl.lines = append(cl.lines, lineLay{rect: lr, piece: pg.piece(lr, ocr.Line), whole: -1})
	}
	pg.bin = binarise(pg.gray)
	rd := &funcReader{read: func(r ocr.Region) string {
		k := r.Rect.Min.Y / 40
		var b strings.Builder
		for i, c := range []rune(lines[k]) {
			if x := starts[k][i]; x >= r.Rect.Min.X && x < r.Rect.Max.X {
				b.WriteRune(c)
			}
		}
		return b.String()
	}}
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{cl}}}}
	if err := pg.readPieces(context.Background(), lay, rd); err != nil {
		t.Fatal(err)
	}
	for k, want := range []struct {
		text      string
		fromPrint bool
	}{
		1: {remark, true},
		2: {"(注:勾选需提供佐证材料）", true},
		3: {lines[3], false},
		4: {lines[4], false},
	} {
		if k == 0 {
			continue
		}
		l := cl.lines[k]
		if got, _, _ := pg.text(l.piece); got != want.text || pg.fromPrint[l.piece] != want.fromPrint {
			t.Errorf("line %d = %q (from print %v), want %q (%v)", k, got, pg.fromPrint[l.piece], want.text, want.fromPrint)
		}
		if whole := slices.Contains(rd.asked, l.rect); whole == want.fromPrint {
			t.Errorf("line %d read whole %v, want %v", k, whole, !want.fromPrint)
		}
		if !slices.ContainsFunc(rd.asked, func(r image.Rectangle) bool { return r.Min == l.rect.Min && r.Max.X < l.rect.Max.X }) {
			t.Errorf("line %d: its head was not read", k)
		}
	}
}

func TestPrintBetween(t *testing.T) {
	ps := newPrintSet([]string{"建立了共享制造机制，开展通用生产设备、物流、仓储等共享", "建立了共享车间、共享工厂"})
	// 30 px an em; "建立了共享制" read 180 px wide.
	tests := []struct {
		name, last string
		w          int
		want       string
		ok         bool
	}{
		{"the middle fits", "仓储等共享", 480, "造机制，开展通用生产设备、物流、", true},
		{"the middle does not fit", "仓储等共享", 300, "", false},
		{"the next line is not the option's end", "集群已提供的服务", 480, "", false},
	}
	for _, tt := range tests {
		got, ok := ps.between("建立了共享制", tt.last, 180, tt.w, anyForm)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: between = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// A head read one character off an option is completed from that option
// (looseOnly), but a head some option opens with exactly was read right:
// when that option's rest does not fit the line (its end wrapped onto the
// next), the option one character off that does fit is another one, and
// the line is not taken for it.
func TestLooseOnly(t *testing.T) {
	const (
		wrapped = "开展了智能制造能力成熟度评估或数据管理能力成熟度评估等推广工作"
		other   = "开展了节能诊断，建立节能管控系统、余热余压回收设施等"
	)
	ps := newPrintSet([]string{wrapped, other})
	// The line's ink fits other's rest, not wrapped's.
	fitsOther := func(p, head []rune) ([]rune, bool) {
		return p[len(head):], string(p) == other
	}
	for _, c := range []struct {
		name, first, head string
		ok                bool
	}{
		{"read right, its option wrapped", "开展了智能", "", false},
		{"one character misread", "开展了节熊", "开展了节能", true},
		{"two characters misread", "开展了苗熊", "", false},
	} {
		head, rest, ok := ps.looseOnly(c.first, anyForm, fitsOther)
		if ok != c.ok || ok && (string(head) != c.head || string(head)+string(rest) != other) {
			t.Errorf("%s: looseOnly(%q) = %q+%q, %v; want %q, %v", c.name, c.first, string(head), string(rest), ok, c.head, c.ok)
		}
	}
}

// A paragraph outside the tables is read by its head; the rest comes from
// the printed paragraph it opens when its lines' ink fits that rest. A
// paragraph that opens none, or whose ink is a line longer than the
// printed one, is read whole.
func TestNoteParagraphs(t *testing.T) {
	for _, c := range []headCase{
		{"read right", func(h []rune) string { return string(h) }, false, true},
		{"one character misread", func(h []rune) string { h[2] = '峰'; return string(h) }, false, true},
		{"a sliver read as !", func(h []rune) string { return string(h) + "!" }, true, true},
		{"two characters misread", func(h []rune) string { h[1], h[3] = '峰', '其'; return string(h) }, false, false},
	} {
		t.Run(c.name, func(t *testing.T) { noteParagraphs(t, c.head, c.split, c.print) })
	}
}

// noteParagraphs reads a printed note whose head reads as head, its fifth
// character split when split, and wants it from print when print.
func noteParagraphs(t *testing.T, head func(h []rune) string, split, print bool) {
	const note = "集群应如实填报所附各表要求文字简洁数据准确详实填报数据将依权限对相关部门和单位开放共享仅供审核验证和查阅用"
	n := len([]rune(note))
	pg := newPage(1, 200, newPrintSet([]string{"集群名称"}))
	pg.print.notes = newPrintSet([]string{note})
	pg.gray = image.NewGray(image.Rect(0, 0, 1200, 800))
	for i := range pg.gray.Pix {
		pg.gray.Pix[i] = 255
	}
	// Glyphs one em apart (29 px at 200 dpi), as in TestOptionHeads.
	glyphs := func(x0, y0, n int) lineLay {
		r := drawGlyphs(pg.gray, x0, y0, n, func(k, dx int) bool { return split && y0 == 40 && k == 4 && splitGap(dx) })
		return lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1}
	}
	// The printed paragraph: an indented first line of 20, then 22, then
	// the rest; a paragraph that opens no printed one; the printed one
	// with a last line longer than its rest (a word added); a lone line.
	lines := []lineLay{
		glyphs(158, 40, 20), glyphs(100, 80, 22), glyphs(100, 120, n-42),
		glyphs(158, 200, 20), glyphs(100, 240, 20),
		glyphs(158, 320, 20), glyphs(100, 360, 22), glyphs(100, 400, n-42+8), glyphs(100, 480, 12),
	}
	pg.bin = binarise(pg.gray)
	var lay []blockLay
	for _, l := range lines {
		lay = append(lay, blockLay{y: l.rect.Min.Y, lines: []lineLay{l}})
	}
	rd := &funcReader{read: func(r ocr.Region) string {
		k := min(22, (r.Rect.Dx()+4)/29)
		if r.Rect.Min.Y >= 200 && r.Rect.Min.Y < 300 {
			return string([]rune("本集群近三年主导产业产值年均增长百分之十二以上，带动就业人数逐年增加并形成完整产业链条")[:k])
		}
		if r.Rect.Min.Y == 40 && r.Rect.Dx() < 20*29-4 {
			return head([]rune(note)[:k])
		}
		return string([]rune(note)[:k])
	}}
	if err := pg.readPieces(context.Background(), lay, rd); err != nil {
		t.Fatal(err)
	}
	var got string
	for _, l := range lines[:3] {
		if whole := slices.Contains(rd.asked, l.rect); whole == print {
			t.Errorf("printed paragraph's line %v read whole: %v, want %v", l.rect, whole, !print)
		}
		txt, _, _ := pg.text(l.piece)
		got += txt
		if pg.fromPrint[l.piece] != print {
			t.Errorf("line %v from print %v, want %v", l.rect, pg.fromPrint[l.piece], print)
		}
	}
	if print && got != note {
		t.Errorf("paragraph = %q, want %q", got, note)
	}
	for _, l := range lines[3:] {
		if !slices.Contains(rd.asked, l.rect) || pg.fromPrint[l.piece] {
			t.Errorf("line %v of a paragraph that is not the print was not read", l.rect)
		}
	}
}

// A cell whose lines open with a box-like ink has the text after each
// mark read by its head first; its options are read, and its lines whole
// besides, only when most of its lines open with marks or the heads open
// the form's options, even with the character after a ☑ misread. A long
// answer whose lines open now and then with 国 or 回 is read once, as
// text: by PP-OCR where it reads the answers, never by Tesseract whole.
func TestTentativeReadOnce(t *testing.T) {
	const option = "开展了通用生产设备共享"
	type line struct {
		text string // the whole reading, a mark's glyph first when marked
		mark bool
	}
	longAnswer := []line{
		{"国家级专精特新小巨人企业十二家，省级专精特新", true},
		{"企业四十家，集群内规上企业研发投入持续增长，", false},
		{"回收利用体系逐步完善，集群企业建成绿色工厂", true},
		{"八家，单位产值能耗较上年下降百分之三点二，", false},
		{"主要产品国内市场占有率稳步提升，龙头企业带", false},
	}
	mostly := []line{
		{"数开展了通用生产设备共享平台建设，集群企业共享设", true},
		{"服务十台，单位产值能耗较上年下降百分之三点二，龙", true},
		{"企业带动配套企业协同发展，主要产品国内市场占有率", false},
	}
	for _, c := range []struct {
		name  string
		lines []line
		pp    bool // PP-OCR reads the answers
		stand bool
	}{
		{"long answer", longAnswer, false, false},
		{"long answer, PP-OCR reading the answers", longAnswer, true, false},
		{"a group ticked throughout", []line{{"☑开展了通用生产设备共享", true}, {"☑开展了通用生产设备共享", true}}, true, true},
		{"a group ticked throughout, its options short", []line{{"☑是", true}, {"☑否", true}}, false, true},
		// Most lines opening with dense characters (数, 服 blurred into
		// squares on a 150-dpi copy), one head opening a printed phrase
		// but no phrase as long as the line: a long answer still.
		{"a long answer, most lines marked", mostly, false, false},
		// A head opening a printed phrase far shorter than its line
		// opens nothing; one opening a write-in's prompt (its colon)
		// does, whatever follows.
		{"a long answer, a line opening a short printed phrase", []line{
			{"数开展了通用生产设备共享平台建设，集群企业共享设", true}, {"企业四十家，集群内规上企业研发投入持续增长，", false},
			{"服务十台，单位产值能耗较上年下降百分之三点二，龙", true}, {"八家，单位产值能耗较上年下降百分之三点二，", false},
		}, false, false},
		{"an option with a write-in", []line{
			{"☑已建立，名称：集群企业质量检测公共服务平台", true}, {"集群内企业共享检测设备", false}, {"其他", false},
		}, true, true},
		{"a long answer, most lines marked, PP-OCR reading the answers", mostly, true, false},
		{"the character after ☑ misread", []line{
			{"集群已开展的工作：", false}, {"区于展了通用生产设备共享", true}, {"（注：勾选需提供佐证材料）", false}, {"其他", false},
		}, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := newPage(1, 200, newPrintSet([]string{option, "已建立，名称："}))
			pg.gray = image.NewGray(image.Rect(0, 0, 1000, 400))
			for i := range pg.gray.Pix {
				pg.gray.Pix[i] = 255
			}
			// Characters one em (29 px) apart, 25 px of ink each.
			for k, ln := range c.lines {
				for i := range len([]rune(ln.text)) {
					for y := 40*k + 1; y < 40*k+28; y++ {
						for x := 100 + 29*i; x < 100+29*i+25; x++ {
							pg.gray.Pix[y*pg.gray.Stride+x] = 0
						}
					}
				}
			}
			pg.bin = binarise(pg.gray)
			cl := &cellLay{}
			for k, ln := range c.lines {
				n := len([]rune(ln.text))
				lr := image.Rect(100, 40*k, 100+29*n, 40*k+29)
				if !ln.mark {
					cl.lines = append(cl.lines, lineLay{rect: lr, piece: pg.piece(lr, ocr.Line), whole: -1})
					continue
				}
				m := &mark{kind: markTick, rect: image.Rect(100, 40*k, 128, 40*k+29), tentative: true}
				seg := image.Rect(129, 40*k, lr.Max.X, lr.Max.Y)
				l := lineLay{rect: lr, piece: -1, whole: pg.piece(lr, ocr.Line), segs: []segLay{{mark: m, rect: seg, piece: pg.piece(seg, ocr.Line)}}}
				cl.lines = append(cl.lines, l)
			}
			// What a region reads: the characters whose ink lies in it.
			read := func(r image.Rectangle) string {
				rs := []rune(c.lines[r.Min.Y/40].text)
				i0, i1 := (r.Min.X-100+28)/29, min(len(rs), (r.Max.X-100+4)/29)
				if i0 >= i1 {
					return ""
				}
				return string(rs[i0:i1])
			}
			lay := []blockLay{{table: &tableLay{cells: []*cellLay{cl}}}}
			rd := &funcReader{read: func(r ocr.Region) string { return read(r.Rect) }}
			pp := &fakeWitness{reads: map[image.Rectangle][]ocr.Reading{}}
			if c.pp {
				for _, l := range cl.lines {
					pp.reads[l.rect] = []ocr.Reading{{Text: read(l.rect), Rect: l.rect, Min: 0.9, Chars: []ocr.CharProb{{Text: read(l.rect), Prob: 0.95}}}}
				}
				pg.witness, pg.engine = pp, ocr.EngineBoth
			}
			if err := pg.readPieces(context.Background(), lay, rd); err != nil {
				t.Fatal(err)
			}
			prose := pg.proseLines(lay)
			for _, l := range cl.lines {
				if l.whole < 0 {
					continue
				}
				seg := l.segs[0]
				if screened := !mostlyMarked(cl) || pg.longMarked(cl); screened && !slices.ContainsFunc(rd.asked, func(r image.Rectangle) bool {
					return r.Min == seg.rect.Min && r.Dx() < seg.rect.Dx() && r.Dx() >= headEms*pg.em
				}) {
					t.Errorf("the head after mark %v was not read", seg.rect)
				}
				byTess, byPP := slices.Contains(rd.asked, l.rect), slices.Contains(pp.asked, l.rect)
				if wantPP := c.pp && !c.stand; byPP != wantPP || byTess == wantPP {
					t.Errorf("line %v read whole by Tesseract %v, by PP-OCR %v; want by PP-OCR %v", l.rect, byTess, byPP, wantPP)
				}
				if got := slices.Contains(rd.asked, seg.rect); got != c.stand {
					t.Errorf("option %v read: %v, want %v", seg.rect, got, c.stand)
				}
				if pg.unneeded[seg.piece] == c.stand || pg.asText[l.whole] == c.stand {
					t.Errorf("option %v unneeded %v, line as text %v; want %v", seg.rect, pg.unneeded[seg.piece], pg.asText[l.whole], !c.stand)
				}
				if want := !c.stand; prose[l.whole] != want {
					t.Errorf("line %v prose %v, want %v", l.rect, prose[l.whole], want)
				}
				if t0, _, _ := pg.text(l.whole); t0 != read(l.rect) {
					t.Errorf("line %v reads %q, want %q", l.rect, t0, read(l.rect))
				}
			}
			// What was never read is not read again.
			if idx, _ := pg.secondReadings(); slices.ContainsFunc(idx, func(i int) bool { return pg.unneeded[i] }) {
				t.Errorf("second readings %v include options never needed", idx)
			}
		})
	}
}

// A line's start opens an option loosely with one of its first four
// characters misread, or one character too many before them; not with two
// misread, and not from anywhere else in the option.
func TestOpensLoosely(t *testing.T) {
	ps := newPrintSet([]string{"开展了清洁生产评价等工作", "建立了水资源梯级循环利用", "是"})
	for _, c := range []struct {
		text string
		want bool
	}{
		{"于展了清洁生产评价等工作", true},
		{"和结展了清洁生产评价", true},
		{"健立了水资源梯级循环利用", true},
		{"开展了清洁生产", true},
		{"于拓了清洁生产", false},
		{"清洁生产评价等工作", false},
		{"水资源梯级循环利用", false},
		{"是", false},
		{"集群企业建成绿色工厂", false},
	} {
		if got := ps.opensLoosely(c.text); got != c.want {
			t.Errorf("opensLoosely(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// A screen's head opens print exactly, or loosely unless it is a printed
// phrase's rest after its first character: the "mark" before it is then
// that character (国 of 国家级…), not a box. A misread first character of
// a real option (于展 for 开展) still opens.
func TestScreenOpens(t *testing.T) {
	ps := newPrintSet([]string{"国家级试点示范项目", "级试点情况说明", "开展了通用生产设备共享"})
	for _, c := range []struct {
		text string
		want bool
	}{
		{"开展了通用生", true},
		{"于展了通用生", true},
		{"级试点情况", true},
		{"家级试点示", false}, // 国 the mark; loosely 级试点情… after its first
		{"家级试点", false},
		{"绩效等先进", false},
	} {
		if got := ps.screenOpens(c.text, nil); got != c.want {
			t.Errorf("screenOpens(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if !ps.opensLoosely("家级试点示") {
		t.Error("the case the screen must refuse opens no phrase loosely: the test tests nothing")
	}
}
