package scan

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// On a page of paragraphs a paragraph of one line is read by its head
// too, and a stray mark read before its number does not keep it from
// its print; on a page with fewer paragraphs a lone line outside the
// tables (a cover's label and value) is read whole, never by its head.
func TestNoteOneLine(t *testing.T) {
	notes := []string{
		"1.集群应如实填报所附各表要求文字简洁数据准确详实填报数据将依权限对相关部门开放共享仅供审核验证用",
		"2.各必填栏目不得空缺无相关情况时应填写无数据有小数时保留小数点后两位并提供必要的清单及佐证材料",
		"3.集群运营管理机构是指对产业集群集中运营管理的产业园区管委会园区运营企业或公共服务机构等法人主体",
		"4.佐证材料包括主管部门第三方机构出具的证明或申报主体自我声明",
		"11.为确保文件信息的正确采集填表时不得改变表格样式",
	}
	for _, c := range []struct {
		name  string
		paras []string // one line each of 30 characters, the rest on the next
		lone  string   // a line alone
		read  string   // what the lone line's head reads as
		from  bool     // the lone line taken from print
	}{
		{"a page of paragraphs", notes[:3], notes[3], notes[3], true},
		{"a stray mark before the number", notes[:3], notes[4], "]" + notes[4], true},
		{"a cover", notes[:1], notes[3], notes[3], false},
	} {
		t.Run(c.name, func(t *testing.T) {
			pg := newPage(1, 200, newPrintSet([]string{"集群名称"}))
			pg.print.notes = newPrintSet(notes)
			pg.gray = image.NewGray(image.Rect(0, 0, 1200, 800))
			for i := range pg.gray.Pix {
				pg.gray.Pix[i] = 255
			}
			// Characters a pitch apart, 29 px for Chinese and 15 for digits
			// and ASCII; the reader reads what a region's boxes hold.
			type line struct {
				rs []rune
				x  []int // each character's left edge
			}
			text := map[int]line{}
			glyphs := func(x0, y0 int, rs []rune) lineLay {
				l := line{rs: rs}
				x := x0
				for _, c := range rs {
					w := 29
					if !ocr.Wide(c) {
						w = 15
					}
					for yy := y0; yy < y0+28; yy++ {
						for xx := x; xx < x+w-4; xx++ {
							pg.gray.Pix[yy*pg.gray.Stride+xx] = 0
						}
					}
					l.x = append(l.x, x)
					x += w
				}
				text[y0] = l
				r := image.Rect(x0, y0, x-4, y0+28)
				return lineLay{rect: r, piece: pg.piece(r, ocr.Line), whole: -1}
			}
			var lines []lineLay
			y := 40
			for _, p := range c.paras {
				rs := []rune(p)
				lines = append(lines, glyphs(158, y, rs[:30]), glyphs(100, y+40, rs[30:]))
				y += 100
			}
			lone := glyphs(158, y, []rune(c.lone))
			lines = append(lines, lone)
			pg.bin = binarise(pg.gray)
			var lay []blockLay
			for _, l := range lines {
				lay = append(lay, blockLay{y: l.rect.Min.Y, lines: []lineLay{l}})
			}
			r := &funcReader{read: func(r ocr.Region) string {
				l := text[r.Rect.Min.Y]
				var b strings.Builder
				if r.Rect.Min.Y == lone.rect.Min.Y {
					b.WriteString(strings.TrimSuffix(c.read, c.lone)) // the stray mark
				}
				for k, x := range l.x {
					if x >= r.Rect.Min.X && x < r.Rect.Max.X-8 {
						b.WriteRune(l.rs[k])
					}
				}
				return b.String()
			}}
			if err := pg.readPieces(context.Background(), lay, r); err != nil {
				t.Fatal(err)
			}
			wasHeaded := slices.ContainsFunc(r.asked, func(a image.Rectangle) bool { return a.Min.Y == lone.rect.Min.Y && a != lone.rect })
			if got := pg.fromPrint[lone.piece]; got != c.from {
				t.Fatalf("lone line from print = %v, want %v", got, c.from)
			}
			if txt, _, _ := pg.text(lone.piece); c.from && txt != c.lone {
				t.Errorf("lone line = %q, want %q", txt, c.lone)
			}
			if !c.from && wasHeaded {
				t.Error("a lone line off a page of paragraphs was read by its head")
			}
		})
	}
}
