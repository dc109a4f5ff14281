package ocr

import (
	"image"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

func TestParseHOCR(t *testing.T) {
	// Tesseract 5.3's own output for a line of a scanned cover (made with
	// `tesseract LINE.png - -l chi_sim --psm 7 -c hocr_char_boxes=1 hocr`).
	doc, err := os.ReadFile("testdata/line.hocr")
	if err != nil {
		t.Fatal(err)
	}
	words, err := parseHOCR(doc)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, w := range words {
		text = append(text, w.Text)
		if w.Line != 1 {
			t.Errorf("word %q on line %d, want 1", w.Text, w.Line)
		}
		var joined strings.Builder
		for _, c := range w.Chars {
			joined.WriteString(c.Text)
			if !c.Rect.In(w.Rect) {
				t.Errorf("char %q %v outside its word %q %v", c.Text, c.Rect, w.Text, w.Rect)
			}
		}
		if joined.String() != w.Text {
			t.Errorf("word %q, chars %q", w.Text, joined.String())
		}
	}
	if got := strings.Join(text, "|"); got != "湘潭|市|青水|区|和|泵|业|产|业|集|群" {
		t.Errorf("words %s", got)
	}
	if w := words[0]; w.Rect != image.Rect(40, 45, 154, 105) || w.Conf != 0.86 ||
		w.Chars[0].Rect != image.Rect(40, 46, 117, 105) || w.Chars[0].Conf < 0.981 || w.Chars[0].Conf > 0.982 {
		t.Errorf("first word %+v", w)
	}

	// Two lines of one block, escaped text, a word without characters.
	doc = []byte(`<div class='ocr_page' id='page_1' title='bbox 0 0 100 100'>
 <div class='ocr_carea'><p class='ocr_par'>
  <span class='ocr_line' id='line_1_1' title="bbox 0 0 90 20">
   <span class='ocrx_word' title='bbox 0 0 40 20; x_wconf 91'><span class='ocrx_cinfo' title='x_bboxes 0 0 20 20; x_conf 90'>A</span><span class='ocrx_cinfo' title='x_bboxes 20 0 40 20; x_conf 80'>&amp;</span></span>
   <span class='ocrx_word' title='bbox 50 0 90 20; x_wconf 12'></span>
  </span>
  <span class='ocr_textfloat' title="bbox 0 30 90 50">
   <span class='ocrx_word' title='bbox 0 30 40 50; x_wconf 77'><span class='ocrx_cinfo' title='x_bboxes 0 30 40 50; x_conf 77'>&lt;</span></span>
  </span>
 </p></div></div>`)
	words, err = parseHOCR(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(words) != 3 || words[0].Text != "A&" || words[0].Line != words[1].Line || words[1].Text != "" ||
		words[2].Text != "<" || words[2].Line == words[0].Line || words[0].Chars[1].Conf != 0.8 {
		t.Errorf("words %+v", words)
	}
}

func TestPercentShadows(t *testing.T) {
	word := func(chars ...Glyph) Word {
		w := Word{Chars: chars}
		for _, c := range chars {
			w.Text += c.Text
		}
		return w
	}
	g := func(s string, x0, x1 int) Glyph { return Glyph{Text: s, Rect: image.Rect(x0, 0, x1, 20)} }
	tests := []struct {
		name string
		w    Word
		want string
	}{
		// Boxes as Tesseract placed them on scanned pages.
		{"a digit inside the sign", word(g("7", 687, 701), g("8", 703, 717), g("9", 721, 729), g("%", 719, 745), g("。", 759, 767)), "78%。"},
		{"a digit holding most of the sign", word(g("1", 763, 793), g("5", 787, 803), g("9", 794, 821), g("%", 811, 824)), "15%"},
		{"two digits over one sign", word(g("1", 1225, 1235), g("1", 1240, 1251), g(".", 1255, 1259), g("9", 1262, 1277), g("9", 1279, 1294), g("9", 1294, 1302), g("%", 1301, 1309), g("6", 1295, 1321)), "11.99%"},
		// A true last digit shares part of its width with the sign's
		// box (59 % here) and stays.
		{"a true digit next to the sign", word(g("6", 986, 1017), g("3", 1012, 1029), g("%", 1019, 1045)), "63%"},
		{"a true last digit over most of the sign", word(g("8", 247, 259), g("%", 249, 273)), "8%"},
		{"a three-digit rate whose last digit is no shadow", word(g("1", 10, 22), g("5", 24, 36), g("0", 38, 50), g("%", 52, 76)), "150%"},
		{"three decimals where the form has two", word(g("2", 888, 902), g("6", 905, 920), g(".", 922, 927), g("8", 929, 944), g("9", 946, 961), g("9", 962, 970), g("%", 963, 989)), "26.89%"},
		{"a true digit, boxes apart", word(g("1", 588, 596), g("0", 601, 614), g("%", 616, 630)), "10%"},
		{"no sign", word(g("9", 10, 20), g("9", 12, 20)), "99"},
		{"a character over the sign is not a digit", word(g("率", 0, 30), g("%", 20, 40)), "率%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alt, changed := percentShadows(tt.w)
			if !changed {
				alt = tt.w.Text
			}
			if alt != tt.want || changed != (tt.want != tt.w.Text) {
				t.Errorf("got %q (changed %v), want %q", alt, changed, tt.want)
			}
			// The word keeps what Tesseract read; the line carries the
			// other reading as evidence, for the corrections stage.
			ls := Lines([]Word{tt.w})
			var want []shenbao.Reread
			if changed {
				want = []shenbao.Reread{{Kind: shenbao.RereadPercentGlyph, Read: tt.w.Text, As: tt.want}}
			}
			if len(ls) != 1 || ls[0].Text != tt.w.Text || !slices.Equal(ls[0].Rereads, want) {
				t.Errorf("lines %+v, want %q with rereads %+v", ls, tt.w.Text, want)
			}
		})
	}
}

// FuzzParseHOCR: the reader's output is parsed inside the scan child, where
// a panic would lose the whole document.
func FuzzParseHOCR(f *testing.F) {
	if doc, err := os.ReadFile("testdata/line.hocr"); err == nil {
		f.Add(doc)
	}
	f.Add([]byte(`<span class='ocrx_word' title='bbox 1 2 3'><span class='ocrx_cinfo' title='x_bboxes a b c d; x_conf NaN'>x</span>`))
	f.Add([]byte(`</span></span><span class='ocrx_cinfo' title='x_bboxes 0 0 1 1'>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		words, err := parseHOCR(doc)
		if err != nil {
			return
		}
		for _, w := range words {
			if w.Conf < 0 || w.Conf > 1 {
				t.Fatalf("confidence %v", w.Conf)
			}
			percentShadows(w)
			Lines([]Word{w})
		}
	})
}

func BenchmarkParseHOCR(b *testing.B) {
	doc, err := os.ReadFile("testdata/line.hocr")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parseHOCR(doc); err != nil {
			b.Fatal(err)
		}
	}
}
