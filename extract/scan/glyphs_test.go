package scan

import (
	"image"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// font5x7 is a 5×7 pixel font of the digits, drawn three times as large:
// shapes as far apart as a form's printed digits, and as alike where they
// are alike (3, 8 and 9 share most strokes).
var font5x7 = [10][7]string{
	{".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
	{"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
	{".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
	{"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},
	{"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
	{"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
	{"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
	{"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
	{".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
	{".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
}

// drawNumber prints s ('0'–'9', '.' a point, '#' a blob no digit is
// like) at scale 3, flipping the pixels listed in noise (x, y pairs
// relative to the number's left top).
func drawNumber(s string, noise ...int) (*bitmap, image.Rectangle) {
	b := &bitmap{w: 400, h: 50, pix: make([]bool, 400*50)}
	set := func(x, y int) { b.pix[y*b.w+x] = true }
	x0, y0 := 10, 10
	x := x0
	for _, c := range s {
		switch {
		case c == '.':
			for dy := 18; dy < 21; dy++ {
				for dx := 0; dx < 3; dx++ {
					set(x+2+dx, y0+dy)
				}
			}
			x += 8
		case c == '#':
			for dy := 0; dy < 21; dy++ {
				for dx := 0; dx < 15; dx++ {
					set(x+dx, y0+dy)
				}
			}
			x += 19
		default:
			for row, line := range font5x7[c-'0'] {
				for col, p := range line {
					if p != '#' {
						continue
					}
					for dy := 0; dy < 3; dy++ {
						for dx := 0; dx < 3; dx++ {
							set(x+col*3+dx, y0+row*3+dy)
						}
					}
				}
			}
			x += 19
		}
	}
	for i := 0; i+1 < len(noise); i += 2 {
		p := (y0+noise[i+1])*b.w + x0 + noise[i]
		b.pix[p] = !b.pix[p]
	}
	return b, image.Rect(5, 5, x+5, 40)
}

func TestDigitBank(t *testing.T) {
	var bk digitBank
	for _, s := range []string{"1234", "56.78", "90", "3.38"} {
		b, r := drawNumber(s)
		bk.add(b, r, s)
	}
	// A sure reading the ink does not bear out is not filed.
	b, r := drawNumber("12")
	bk.add(b, r, "123")
	if bk.classes() != 10 || len(bk.shapes[3]) != 3 {
		t.Fatalf("bank: %d classes, %d shapes of 3", bk.classes(), len(bk.shapes[3]))
	}
	tests := []struct {
		ink   string
		noise []int
		want  string // "" for no reading
	}{
		{"56", nil, "56"},
		{"5.61", nil, "5.61"},
		{"71", []int{4, 4, 5, 5, 7, 10}, "71"}, // copier specks on the 7
		{"1", nil, "1"},
		{"8#", nil, ""},    // a mark no digit is like
		{"5..61", nil, ""}, // two points
		{"", nil, ""},      // nothing
	}
	for _, tt := range tests {
		b, r := drawNumber(tt.ink, tt.noise...)
		got, ok := bk.read(b, r)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("read %q = %q, want %q", tt.ink, got, tt.want)
		}
	}
	// Without shapes of 6, a 6 is no clear anything.
	bk.shapes[6] = nil
	b, r = drawNumber("6")
	if got, ok := bk.read(b, r); ok && got != "6" {
		t.Errorf("6 read as %q with no 6 in the bank", got)
	}
}

func TestPlainNumber(t *testing.T) {
	for s, want := range map[string]bool{"56": true, "5.61": true, "": false, ".5": false, "5.": false, "1.2.3": false, "12%": false, "7个": false} {
		if plainNumber(s) != want {
			t.Errorf("plainNumber(%q) = %v", s, !want)
		}
	}
}

// TestJudgeNumbers: on a page whose other numbers were read surely, a
// number the two readers dispute takes the reading its shapes give, and
// stays doubtful; a cell read as a word keeps its word.
func TestJudgeNumbers(t *testing.T) {
	b := &bitmap{w: 400, h: 50 * 6, pix: make([]bool, 400*50*6)}
	var pieces []ocr.Region
	var res []ocr.Result
	put := func(ink, text string, conf float64) int {
		nb, r := drawNumber(ink)
		row := len(pieces)
		copy(b.pix[row*50*b.w:], nb.pix)
		r = r.Add(image.Pt(0, row*50))
		pieces = append(pieces, ocr.Region{Rect: r, Mode: ocr.Line})
		res = append(res, ocr.Result{Lines: []ocr.TextLine{{Text: text, Conf: conf, Low: conf}}})
		return row
	}
	for _, s := range []string{"1234", "56.78", "90"} {
		put(s, s, 0.95)
	}
	disputed := put("56", "50", 0.84)
	word := put("8#", "否", 0.77)
	pg := &page{bin: b, pieces: pieces, res: res, em: 21, fromPrint: map[int]bool{}, digits: map[int]digitReading{
		disputed: {ocr.TextLine{Text: "58", Conf: 0.7}, pieces[disputed].Rect},
		word:     {ocr.TextLine{Text: "4", Conf: 0.5}, pieces[word].Rect},
	}}
	pg.judgeNumbers()
	if l := pg.res[disputed].Lines[0]; l.Text != "56" || l.Conf > judgedConf || pg.digits[disputed].line.Text != "56" {
		t.Errorf("disputed number: text %q (%.2f), digits %q", l.Text, l.Conf, pg.digits[disputed].line.Text)
	}
	if l := pg.res[word].Lines[0]; l.Text != "否" {
		t.Errorf("word cell now %q", l.Text)
	}
	if l := pg.res[0].Lines[0]; l.Text != "1234" || l.Conf != 0.95 {
		t.Errorf("sure number now %q (%.2f)", l.Text, l.Conf)
	}
}
