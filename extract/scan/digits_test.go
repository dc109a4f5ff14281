package scan

import (
	"image"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// drawShapes puts ink shapes on a bitmap left to right: 'D' a digit
// (10×20), 'W' two digits touching (22×20), '.' a point on the baseline
// (4×4), ',' a speck of noise (1×1), '_' a speck (3×3) just under the
// next digit, 'H' a Chinese character (24×28, taller than digits), ' ' a
// gap.
func drawShapes(spec string) (*bitmap, image.Rectangle) {
	b := &bitmap{w: 200, h: 40, pix: make([]bool, 200*40)}
	fill := func(r image.Rectangle) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				b.pix[y*b.w+x] = true
			}
		}
	}
	// Each shape: its width, top and bottom, and the advance to the next.
	shapes := map[rune]struct{ w, y0, y1, adv int }{
		'D': {10, 10, 30, 14}, // a digit: full height
		'W': {22, 10, 30, 26}, // a wide character
		'.': {4, 26, 30, 8},   // a point on the baseline
		',': {1, 18, 19, 4},   // a speck
		'_': {3, 32, 35, 0},   // a speck just under the next digit
		'H': {24, 4, 32, 28},  // a Chinese character
		' ': {0, 0, 0, 10},    // a space
	}
	x := 10
	for _, c := range spec {
		if g, ok := shapes[c]; ok {
			at := x
			if c == '_' {
				at += 3
			}
			fill(image.Rect(at, g.y0, at+g.w, g.y1))
			x += g.adv
		}
	}
	return b, image.Rect(5, 5, x+5, 35)
}

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		ink, read, want string
		ok              bool
	}{
		{"D.DD", "395", "3.95", true},    // point dropped
		{"D.DD", "3233", "3.33", true},   // point read as a digit
		{"DD.DD", "7927", "79.27", true}, // point dropped
		{"DD.DD", "12.37", "12.37", true},
		{"DD.DD", "123.7", "123.7", false}, // point in the wrong place
		{"D.DD", "9", "9", false},          // digits lost
		{"DD.DD", "79", "79", false},
		{"DDD", "558", "558", true},
		{"D,DD", "558", "558", true}, // a speck is no point
		{"D_DD", "955", "955", true}, // nor is one under a digit
		{"DDD", "58", "58", false},
		{"W.DD", "1237", "1237", false}, // touching digits: the point cannot be placed
		{"WD", "558", "558", true},      // touching digits: fewer shapes than digits is fine
		{"DD", "12%", "12%", true},      // not a plain number: no opinion
		{"", "", "", true},
	}
	for _, tt := range tests {
		b, r := drawShapes(tt.ink)
		got, ok := checkDigits(b, r, tt.read)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ink %q read %q: got %q ok=%v, want %q ok=%v", tt.ink, tt.read, got, ok, tt.want, tt.ok)
		}
	}
}

// A number read with its unit after it is held against the ink before
// the unit: the point put back (750亿元), the digits doubted (79亿元).
func TestCheckNumberWithUnit(t *testing.T) {
	tests := []struct {
		ink, read, want string
		doubted         bool
	}{
		{"D.DD HH", "750亿元", "7.50亿元", false},
		{"D.DD HH", "7.50亿元", "7.50亿元", false},
		{"DD.DD HH", "12.37 亿元", "12.37 亿元", false},
		{"DD.DD HH", "79亿元", "79亿元", true},
		{"DD H", "13个", "13个", false},
		{"DD H", "1个", "1个", true},
		// Set tight, the unit cannot be cut off: nothing to say.
		{"D.DDHH", "750亿元", "750亿元", false},
		// The unit read is wider than the ink after the gap.
		{"D.DD H", "750亿元", "750亿元", false},
	}
	for _, tt := range tests {
		b, r := drawShapes(tt.ink)
		pg := &page{bin: b, em: 28}
		got, conf, _ := pg.checkNumber(r, tt.read, 0.9, 0.9)
		if got != tt.want || (conf < 0.9) != tt.doubted {
			t.Errorf("ink %q read %q: got %q (confidence %.2f), want %q doubted=%v", tt.ink, tt.read, got, conf, tt.want, tt.doubted)
		}
	}
}

// A Tesseract reading whose ink shows a point keeps its text as read and
// carries no reread of it (the ink_point rule is retired), and is not
// doubted for the point alone; one whose digits the ink does not account
// for is.
func TestReadingKeepsText(t *testing.T) {
	tests := []struct {
		ink, read string
		conf      float64
	}{
		{"D.DD", "395", 0.9},
		{"D.DD HH", "750亿元", 0.9},
		{"D.DD", "3.95", 0.9},
		{"DD", "11", 0.9},
		{"DD", "1357", 0.5},
	}
	for _, tt := range tests {
		b, r := drawShapes(tt.ink)
		pg := &page{bin: b, em: 28, pieces: []ocr.Region{{Rect: r}},
			res: []ocr.Result{{Lines: []ocr.TextLine{{Text: tt.read, Rect: r, Conf: 0.9, Low: 0.9}}}}}
		text, conf, _, rereads := pg.reading(0)
		if text != tt.read || len(rereads) != 0 || conf != tt.conf {
			t.Errorf("ink %q read %q: text %q at %.2f, rereads %+v; want the text as read at %.2f, no reread", tt.ink, tt.read, text, conf, rereads, tt.conf)
		}
	}
}

func FuzzCheckDigits(f *testing.F) {
	for _, s := range []string{"395", "3.95", "", "1.2.3", "٣"} {
		f.Add("D.DD", s)
	}
	f.Fuzz(func(t *testing.T, ink, s string) {
		if len(ink) > 6 {
			return
		}
		b, r := drawShapes(ink)
		got, _ := checkDigits(b, r.Intersect(image.Rect(0, 0, b.w, b.h)), s)
		if len(got) > len(s)+1 {
			t.Fatalf("checkDigits(%q) grew to %q", s, got)
		}
	})
}

func TestBeforeUnit(t *testing.T) {
	em := 30
	// Digits stand 20 px tall, a Chinese character 28.
	draw := func(digits [][2]int, chars [][2]int) *bitmap {
		b := &bitmap{w: 400, h: 40, pix: make([]bool, 400*40)}
		fillColumns(b, 12, 32, digits...)
		fillColumns(b, 5, 33, chars...)
		return b
	}
	// "13 个": two digits, a space, a character.
	b := draw([][2]int{{10, 22}, {26, 38}}, [][2]int{{52, 80}})
	r, ok := beforeUnit(b, image.Rect(5, 0, 85, 40), em)
	if !ok || r.Max.X <= 38 || r.Max.X >= 52 {
		t.Errorf("13 个: cut at %d (ok %v), want between the 3 and the 个", r.Max.X, ok)
	}
	// "11.31": the 31 after the point is as wide as a character, but no
	// taller than the digits.
	b = draw([][2]int{{10, 16}, {20, 26}, {42, 70}}, nil)
	if r, ok := beforeUnit(b, image.Rect(5, 0, 75, 40), em); ok {
		t.Errorf("11.31: cut at %d, want none", r.Max.X)
	}
	// "13个" set tight: no space to cut at.
	b = draw([][2]int{{10, 22}, {24, 36}}, [][2]int{{38, 66}})
	if r, ok := beforeUnit(b, image.Rect(5, 0, 70, 40), em); ok {
		t.Errorf("13个 set tight: cut at %d, want none", r.Max.X)
	}
}

func TestComposeDate(t *testing.T) {
	read := func(ss ...string) []ocr.Result {
		var out []ocr.Result
		for _, s := range ss {
			out = append(out, ocr.Result{Lines: []ocr.TextLine{{Text: s, Conf: 0.9, Low: 0.85}}})
		}
		return out
	}
	for _, tt := range []struct {
		parts []ocr.Result
		want  string
	}{
		{read("2024", "3", "16"), "2024年3月16日"},
		{read("2022", "10", "17"), "2022年10月17日"},
		{read("2022", "13", "17"), ""},                // no such month
		{read("202", "3", "16"), ""},                  // a digit lost
		{read("2024", "3+", "16"), ""},                // not a number
		{append(read("2024", "3"), ocr.Result{}), ""}, // nothing read
	} {
		got, conf, ok := composeDate(tt.parts)
		if got != tt.want || ok != (tt.want != "") || (ok && conf != 0.85) {
			t.Errorf("composeDate(%v) = %q, %.2f, %v; want %q", tt.parts, got, conf, ok, tt.want)
		}
	}
	for s, want := range map[string]bool{
		"2024年:3.月-36朋": true, "2022年厅月17日": true, "2023年3月9日": true, "年 月 日": false, "申报时间:2023年6月13日": true,
		"近三年突破关键技术5项，2023年实现产值增长12%，月均": false,
	} {
		if got := dateLike(s); got != want {
			t.Errorf("dateLike(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDateGroups(t *testing.T) {
	em := 29
	draw := func(spans ...[2]int) *bitmap {
		b := &bitmap{w: 300, h: 40, pix: make([]bool, 300*40)}
		fillColumns(b, 5, 35, spans...)
		return b
	}
	// 2022 年 10 月 17 日 as scanned: the 1s stand 8 px from the next
	// digit, the spaces 11–18 px.
	b := draw([2]int{10, 73}, [2]int{84, 112}, [2]int{126, 132}, [2]int{140, 153},
		[2]int{165, 188}, [2]int{206, 212}, [2]int{220, 233}, [2]int{249, 267})
	g, ok := dateGroups(b, image.Rect(5, 0, 275, 40), em)
	if !ok || len(g) != 6 || g[2].Min.X != 126 || g[2].Max.X != 153 || g[4].Min.X != 206 || g[4].Max.X != 233 {
		t.Errorf("groups %v (ok %v), want 2022|年|10|月|17|日", g, ok)
	}
	// Set tight (2022年10月17日): no gap stands out.
	b = draw([2]int{10, 73}, [2]int{76, 104}, [2]int{107, 113}, [2]int{116, 129},
		[2]int{132, 155}, [2]int{158, 164}, [2]int{167, 180}, [2]int{183, 201})
	if g, ok := dateGroups(b, image.Rect(5, 0, 210, 40), em); ok {
		t.Errorf("tight date split into %v", g)
	}
}

// fillColumns inks rows y0..y1 of each span of columns: glyphs as boxes.
func fillColumns(b *bitmap, y0, y1 int, spans ...[2]int) {
	for _, sp := range spans {
		for y := y0; y < y1; y++ {
			for x := sp[0]; x < sp[1]; x++ {
				b.pix[y*b.w+x] = true
			}
		}
	}
}

// checkNumber cuts a unit off by the ink before checking the number; any
// reading and any ink must come back no longer than a point more, with
// its unit, and never surer.
func FuzzCheckNumber(f *testing.F) {
	for _, s := range []string{"750亿元", "7.50 亿元", "0.76吨/万元", "13个", "亿元", "1/"} {
		f.Add("D.DD HH", s)
	}
	f.Fuzz(func(t *testing.T, ink, s string) {
		if len(ink) > 8 {
			return
		}
		b, r := drawShapes(ink)
		pg := &page{bin: b, em: 28}
		got, conf, low := pg.checkNumber(r.Intersect(image.Rect(0, 0, b.w, b.h)), s, 0.9, 0.9)
		// The number may change as checkDigits changes it (a point put
		// back, or read for a digit); the unit stays as read.
		unit := strings.TrimLeft(s, "0123456789.")
		if len(got) > len(s)+1 || !strings.HasSuffix(got, unit) {
			t.Fatalf("checkNumber(%q) = %q", s, got)
		}
		if conf > 0.9 || low > 0.9 {
			t.Fatalf("checkNumber(%q) raised the confidence to %.2f/%.2f", s, conf, low)
		}
	})
}
