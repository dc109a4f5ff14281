//go:build cgo

package ocr

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// testEngine starts an engine of n clients, closed when the test ends.
func testEngine(t *testing.T, n int) *Engine {
	t.Helper()
	e, err := New(Options{Clients: n})
	if err != nil {
		t.Skipf("Tesseract unavailable: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func loadGray(t testing.TB, name string) *image.Gray {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s is %T, want gray", name, img)
	}
	return g
}

// rows.png holds two rows of a scanned form table at 200 dpi: 联系人 |
// 曹春梅 | 联系方式 | 023-72434345 and 集群运营管理机构 | 龙川县汽车零部件
// 产业园区管理委员会, cells 4 px inside their rules.
var cells = []struct {
	rect image.Rectangle
	mode Mode
	want string // the whole text, or for a name a part of it: Tesseract
	// reads 曹 as 草 on this copy, which is its accuracy, not ours
}{
	{image.Rect(4, 4, 371, 49), Line, "联系人"},
	{image.Rect(379, 4, 746, 49), Line, "春梅"},
	{image.Rect(754, 4, 927, 49), Line, "联系方式"},
	{image.Rect(935, 4, 1274, 49), Numeric, "023-72434345"},
	{image.Rect(935, 4, 1274, 49), Digits, "023-72434345"},
	{image.Rect(4, 57, 371, 102), Text, "集群运营管理机构"},
	{image.Rect(379, 57, 1274, 102), Line, "龙川县汽车零部件产业园区管理委员会"},
}

func TestPageReadsCells(t *testing.T) {
	e := testEngine(t, 2)
	g := loadGray(t, "rows.png")
	regs := make([]Region, len(cells))
	for i, c := range cells {
		regs[i] = Region{Rect: c.rect, Mode: c.mode}
	}
	regs[3].Scale = 2
	res, err := e.Page(context.Background(), g, regs)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cells {
		var got []string
		for _, l := range res[i].Lines {
			got = append(got, l.Text)
			if !l.Rect.In(c.rect) {
				t.Errorf("%q: line box %v outside its region %v", c.want, l.Rect, c.rect)
			}
			if l.Conf < 0 || l.Conf > 1 {
				t.Errorf("%q: confidence %v", c.want, l.Conf)
			}
		}
		// preserve_interword_spaces keeps Tesseract from spacing out
		// Chinese characters, so the text must come back unspaced.
		if s := strings.Join(got, ""); s != c.want && !(len([]rune(s)) == 3 && strings.HasSuffix(s, c.want)) {
			t.Errorf("region %d: read %q, want %q", i, s, c.want)
		}
	}
}

// TestPoolConcurrent reads from several goroutines at once: each region
// takes its own client from the pool, so results must not mix.
// TestDigitsReadLoneNumber: a lone "21" in a table cell (lone_21.png, cut
// from a 300 dpi scan) is read by chi_sim as 刘, and as nothing in Numeric
// mode; the digit model reads it.
func TestDigitsReadLoneNumber(t *testing.T) {
	e := testEngine(t, 1)
	g := loadGray(t, "lone_21.png")
	res, err := e.Page(context.Background(), g, []Region{{Rect: g.Rect, Mode: Digits, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Lines) != 1 || res[0].Lines[0].Text != "21" {
		t.Errorf("read %+v, want 21", res[0].Lines)
	}
}

func TestPoolConcurrent(t *testing.T) {
	e := testEngine(t, 2)
	g := loadGray(t, "rows.png")
	var wg sync.WaitGroup
	for k := 0; k < 4; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Page(context.Background(), g, []Region{{Rect: cells[0].rect, Mode: Line}, {Rect: cells[2].rect, Mode: Line}})
			if err != nil {
				t.Error(err)
				return
			}
			if len(res[0].Lines) != 1 || res[0].Lines[0].Text != "联系人" || len(res[1].Lines) != 1 || res[1].Lines[0].Text != "联系方式" {
				t.Errorf("concurrent read: %+v", res)
			}
		}()
	}
	wg.Wait()
}

func TestPageCancelled(t *testing.T) {
	e := testEngine(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := loadGray(t, "rows.png")
	if _, err := e.Page(ctx, g, []Region{{Rect: cells[0].rect}, {Rect: cells[1].rect}}); err == nil {
		t.Error("cancelled context: no error")
	}
}

func TestEncodePGM(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 3))
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	b := encodePGM(nil, g, image.Rect(1, 1, 3, 3), 1, nil)
	want := "P5\n4 4\n255\n" + string([]byte{255, 255, 255, 255, 255, 5, 6, 255, 255, 9, 10, 255, 255, 255, 255, 255})
	if string(b) != want {
		t.Errorf("encodePGM = %q, want %q", b, want)
	}
}

// wrapped_tail.png: a plan-table cell of a scanned form at 200 dpi whose
// value 建成公共服务平台4个 wraps its 个 onto a line of its own.
func TestBeforeReadsWrappedTail(t *testing.T) {
	e := testEngine(t, 1)
	g := loadGray(t, "wrapped_tail.png")
	line, tail := image.Rect(20, 20, 308, 51), image.Rect(149, 57, 177, 87)
	res, err := e.Page(context.Background(), g, []Region{
		{Rect: tail, Mode: Line},
		{Rect: tail, Mode: Line, Before: line},
	})
	if err != nil {
		t.Fatal(err)
	}
	alone, after := res[0], res[1]
	if len(alone.Lines) == 1 && alone.Lines[0].Text == "个" && alone.Lines[0].Low >= 0.6 {
		t.Logf("read alone as a sure 个: Tesseract no longer needs the line before")
	}
	if len(after.Lines) != 1 || after.Lines[0].Text != "个" {
		t.Fatalf("after its line: %+v, want 个 alone", after.Lines)
	}
	if r := after.Lines[0].Rect; !r.In(tail) || r.Dx() < tail.Dx()/2 {
		t.Errorf("box %v, want inside the tail %v and most of it", r, tail)
	}
	if l := after.Lines[0]; len(alone.Lines) > 0 && l.Low <= alone.Lines[0].Low {
		t.Errorf("after its line read at %.2f, no surer than alone (%q at %.2f)", l.Low, alone.Lines[0].Text, alone.Lines[0].Low)
	}
}

// grey_paper_3.png: a one-digit cell of a 300 dpi scan (3) whose paper,
// after flattening, is a light gray, framed by white. Read as it is, the
// margin and the paper split Tesseract's threshold; the number readings
// whiten the region's paper first.
func TestNumberOnGreyPaper(t *testing.T) {
	e := testEngine(t, 1)
	g := loadGray(t, "grey_paper_3.png")
	cell := image.Rect(20, 20, g.Rect.Dx()-20, g.Rect.Dy()-20)
	for _, mode := range []Mode{Numeric, Digits} {
		res, err := e.Page(context.Background(), g, []Region{{Rect: cell, Mode: mode, Scale: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res[0].Lines; len(got) != 1 || got[0].Text != "3" || got[0].Low < 0.8 {
			t.Errorf("mode %d: %+v, want a sure 3", mode, got)
		}
	}
}

func TestPaperLUT(t *testing.T) {
	for _, tt := range []struct {
		paper, ink uint8
		white      bool // left as it is
	}{
		{238, 90, false},
		{252, 90, true},
		{100, 20, true}, // a dark block, not paper
	} {
		g := image.NewGray(image.Rect(0, 0, 40, 20))
		for i := range g.Pix {
			g.Pix[i] = tt.paper
		}
		for x := 10; x < 14; x++ {
			for y := 4; y < 16; y++ {
				g.SetGray(x, y, color.Gray{tt.ink})
			}
		}
		lut := paperLUT(g, g.Rect)
		if (lut == nil) != tt.white {
			t.Errorf("paper %d: lut %v, want nil %v", tt.paper, lut != nil, tt.white)
			continue
		}
		if lut != nil && (lut[tt.paper] != 255 || lut[tt.ink] <= tt.ink || lut[tt.ink] > 128) {
			t.Errorf("paper %d → %d, ink %d → %d", tt.paper, lut[tt.paper], tt.ink, lut[tt.ink])
		}
	}
}

// lone_guo.png: the 国 a 300 dpi scan's cell line ends with (…中心、国),
// left unread by the line model. Read as a line again it is still
// nothing; as one character it is 国.
func TestCharReadsBoxGlyph(t *testing.T) {
	e := testEngine(t, 1)
	g := loadGray(t, "lone_guo.png")
	rest := image.Rect(20, 20, g.Rect.Dx()-20, g.Rect.Dy()-20)
	res, err := e.Page(context.Background(), g, []Region{{Rect: rest, Mode: Line}, {Rect: rest, Mode: Char}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Lines) > 0 && res[0].Lines[0].Text == "国" {
		t.Logf("read as a line too: Tesseract no longer drops it")
	}
	if got := res[1].Lines; len(got) != 1 || got[0].Text != "国" || got[0].Low < 0.8 {
		t.Errorf("as one character: %+v, want a sure 国", got)
	}
}

// TestModeFromFirstRead: a region is read as its mode says whatever its
// client read before. A two-line region read as one Line (a single line
// forced) comes back as one line from a fresh client as from one that
// has just read a number; before, a fresh client read it as a block, two
// lines.
func TestModeFromFirstRead(t *testing.T) {
	g := loadGray(t, "rows.png")
	two := Region{Rect: image.Rect(379, 4, 746, 102), Mode: Line}
	read := func(before []Region) Result {
		e := testEngine(t, 1)
		cl := <-e.pool
		defer func() { e.pool <- cl }()
		for _, r := range before {
			if _, err := cl.read(g, r); err != nil {
				t.Fatal(err)
			}
		}
		res, err := cl.read(g, two)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	fresh := read(nil)
	after := read([]Region{{Rect: cells[3].rect, Mode: Numeric}, {Rect: cells[1].rect, Mode: Line}})
	if len(fresh.Lines) != 1 || !reflect.DeepEqual(fresh, after) {
		t.Errorf("fresh client read %+v, after a number %+v; want the same one line", fresh, after)
	}
}
