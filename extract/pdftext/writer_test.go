package pdftext

import (
	"bytes"
	"fmt"
	"strings"
)

// A tiny PDF writer for tests: enough to build pages with text in chosen
// fonts and ruling lines, so that geometry cases and hostile documents are
// generated instead of committed.

type pdfWriter struct{ objs []string }

func (w *pdfWriter) add(body string) int {
	w.objs = append(w.objs, body)
	return len(w.objs)
}

func (w *pdfWriter) stream(dict, data string) int {
	return w.add(fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data))
}

// set replaces object id's body (for objects that refer forward).
func (w *pdfWriter) set(id int, body string) { w.objs[id-1] = body }

func (w *pdfWriter) bytes(root int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(w.objs))
	for i, o := range w.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, root, xref)
	return b.Bytes()
}

// testPage describes one generated page.
type testPage struct {
	content string // content stream; fonts /F1 (Latin+CJK via ToUnicode), /F2 (Wingdings 2), /F3 (Type0), /F4 (OpenSymbol for Wingdings 2)
	rotate  int
	box     string // MediaBox, default A4
}

// cjkCodes are the byte codes font F1 maps to Chinese characters through
// its ToUnicode CMap, the way LibreOffice writes CJK subsets as WinAnsi
// TrueType fonts.
var cjkCodes = map[rune]byte{'中': 0x81, '文': 0x82, '数': 0x83, '量': 0x84, '名': 0x85, '称': 0x86}

// enc writes s in font F1's codes as a PDF hex string.
func enc(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		if c, ok := cjkCodes[r]; ok {
			fmt.Fprintf(&b, "%02x", c)
		} else {
			fmt.Fprintf(&b, "%02x", byte(r))
		}
	}
	b.WriteByte('>')
	return b.String()
}

func buildPDF(pages []testPage) []byte {
	w := &pdfWriter{}
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def 1 begincodespacerange <00> <FF> endcodespacerange\n")
	// Codes 01–1F decode to the private-use area: the mojibake of a font
	// whose ToUnicode is useless.
	cm.WriteString("2 beginbfrange <20> <7E> <0020> <01> <1F> <E001> endbfrange\n")
	fmt.Fprintf(&cm, "%d beginbfchar\n", len(cjkCodes))
	for r := '\u4e00'; r <= '\u9fff'; r++ { // map order would vary the bytes
		if c, ok := cjkCodes[r]; ok {
			fmt.Fprintf(&cm, "<%02x> <%04x>\n", c, r)
		}
	}
	cm.WriteString("endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
	tu := w.stream("", cm.String())
	widths := make([]string, 0, 224)
	for c := 32; c < 256; c++ {
		wd := 500
		if c >= 0x81 && c <= 0x86 {
			wd = 1000
		}
		widths = append(widths, fmt.Sprint(wd))
	}
	f1 := w.add(fmt.Sprintf("<< /Type /Font /Subtype /TrueType /BaseFont /BAAAAA+UMingCN /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [%s] /ToUnicode %d 0 R >>", strings.Join(widths, " "), tu))
	f2 := w.add("<< /Type /Font /Subtype /TrueType /BaseFont /CAAAAA+Wingdings2 /FirstChar 32 /LastChar 255 >>")
	// F3: a Type0 font with 2-byte codes (Identity-H), as Word and most
	// other producers write CJK text.
	tu3 := w.stream("", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n"+
		"4 beginbfchar <0001> <96c6> <0002> <7fa4> <0003> <0031> <0004> <0032> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
	cid := w.add("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [3 4 500] >>")
	f3 := w.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", cid, tu3))
	// F4: OpenSymbol standing in for a Wingdings 2 the exporting machine
	// lacked (LibreOffice): the ToUnicode keeps the symbol font's codes in
	// the private-use area, U+F052 for R, U+F054 for T, U+F0A3 for £.
	tu4 := w.stream("", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <00> <FF> endcodespacerange\n"+
		"4 beginbfchar <01> <F052> <02> <F054> <03> <F0A3> <04> <F041> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
	f4 := w.add(fmt.Sprintf("<< /Type /Font /Subtype /TrueType /BaseFont /DAAAAA+OpenSymbol /Encoding /WinAnsiEncoding /FirstChar 1 /LastChar 4 /Widths [1000 1000 1000 1000] /ToUnicode %d 0 R >>", tu4))
	res := w.add(fmt.Sprintf("<< /Font << /F1 %d 0 R /F2 %d 0 R /F3 %d 0 R /F4 %d 0 R >> >>", f1, f2, f3, f4))
	pagesID := w.add("")
	var kids []string
	for _, p := range pages {
		c := w.stream("", p.content)
		box := p.box
		if box == "" {
			box = "0 0 595.28 841.89"
		}
		kids = append(kids, fmt.Sprintf("%d 0 R", w.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [%s] /Rotate %d /Resources %d 0 R /Contents %d 0 R >>", pagesID, box, p.rotate, res, c))))
	}
	w.set(pagesID, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	return w.bytes(w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesID)))
}

// text shows s in font F1 at 10.5 pt with its baseline at (x, y) in PDF
// coordinates (bottom-left origin).
func text(x, y float64, s string) string {
	return fmt.Sprintf("BT /F1 10.5 Tf %.2f %.2f Td %s Tj ET\n", x, y, enc(s))
}

// grid draws the rules of a table the way LibreOffice does: one stroked
// segment per border. rows are the y of horizontal rules (top to bottom,
// PDF coordinates) and cols the x of vertical rules; skipTop and skipBottom
// leave a rule out (a row cut by a page break).
func grid(cols, rows []float64, skipTop, skipBottom bool) string {
	var b strings.Builder
	for i, y := range rows {
		if (i == 0 && skipTop) || (i == len(rows)-1 && skipBottom) {
			continue
		}
		fmt.Fprintf(&b, "q 1 w %.2f %.2f m %.2f %.2f l S Q\n", cols[0]-0.5, y, cols[len(cols)-1]+0.5, y)
	}
	for _, x := range cols {
		fmt.Fprintf(&b, "q 1 w %.2f %.2f m %.2f %.2f l S Q\n", x, rows[0], x, rows[len(rows)-1])
	}
	return b.String()
}

// filledGrid draws the same rules as grid, as thin filled rectangles (the
// way Word's PDF export draws cell borders).
func filledGrid(cols, rows []float64) string {
	var b strings.Builder
	for _, y := range rows {
		fmt.Fprintf(&b, "%.2f %.2f %.2f 0.75 re f\n", cols[0], y-0.375, cols[len(cols)-1]-cols[0])
	}
	for _, x := range cols {
		fmt.Fprintf(&b, "%.2f %.2f 0.75 %.2f re f\n", x-0.375, rows[len(rows)-1], rows[0]-rows[len(rows)-1])
	}
	return b.String()
}
