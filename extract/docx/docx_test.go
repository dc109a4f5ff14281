package docx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

const docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>`
const docTail = `</w:body></w:document>`

// makeDocx builds a minimal .docx around a body fragment.
func makeDocx(t testing.TB, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(docHead + body + docTail))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(t testing.TB, data []byte) (*shenbao.Content, error) {
	t.Helper()
	return Read(context.Background(), bytes.NewReader(data), int64(len(data)))
}

func cellText(t *testing.T, c *shenbao.Content) string {
	t.Helper()
	for _, b := range c.Blocks {
		if b.Table != nil {
			return b.Table.Rows[0].Cells[len(b.Table.Rows[0].Cells)-1].Text
		}
	}
	t.Fatal("no table")
	return ""
}

func tableOf(cell string) string {
	return `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>主导产业所属产业类型</w:t></w:r></w:p></w:tc><w:tc>` + cell + `</w:tc></w:tr></w:tbl>`
}

// Every way Word writes a tick ends up as ☑ or □ before the option.
func TestTickStyles(t *testing.T) {
	tests := []struct {
		name, cell, want string
	}{
		{"glyphs", `<w:p><w:r><w:t>□第一产业 ☑第二产业 ■第三产业</w:t></w:r></w:p>`, "□第一产业 ☑第二产业 ■第三产业"},
		{"wingdings2 run", `<w:p><w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>£</w:t></w:r><w:r><w:t>第一产业</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>R</w:t></w:r><w:r><w:t>第二产业</w:t></w:r></w:p>`, "□第一产业☑第二产业"},
		{"sym element", `<w:p><w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r><w:r><w:t>第一产业</w:t></w:r><w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r><w:r><w:t>第二产业</w:t></w:r></w:p>`, "□第一产业☑第二产业"},
		{"sym element in other fonts", `<w:p><w:r><w:sym w:font="Segoe UI Symbol" w:char="2610"/></w:r><w:r><w:t>第一产业</w:t></w:r><w:r><w:sym w:font="Segoe UI Symbol" w:char="2611"/></w:r><w:r><w:t>第二产业</w:t></w:r><w:r><w:sym w:font="宋体" w:char="F0A3"/></w:r><w:r><w:t>第三产业</w:t></w:r><w:r><w:sym w:font="宋体" w:char="F052"/></w:r><w:r><w:t>第四产业</w:t></w:r><w:r><w:sym w:font="宋体" w:char="4E00"/></w:r></w:p>`, "☐第一产业☑第二产业□第三产业☑第四产业"},
		{"content control", `<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t>第一产业</w:t></w:r><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t>第二产业</w:t></w:r></w:p>`, "□第一产业☑第二产业"},
		{"form field", `<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>第一产业</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>第二产业</w:t></w:r></w:p>`, "□第一产业☑第二产业"},
		{"enclosed character field", `<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> eq \o\ac(□,√)</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>是</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> eq \o\ac(□, )</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>否</w:t></w:r></w:p>`, "☑是□否"},
		{"deleted text", `<w:p><w:r><w:t>☑第二产业</w:t></w:r><w:del><w:r><w:delText>☑第三产业</w:delText></w:r></w:del></w:p>`, "☑第二产业"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := read(t, makeDocx(t, tableOf(tt.cell)))
			if err != nil {
				t.Fatal(err)
			}
			if got := cellText(t, c); got != tt.want {
				t.Errorf("cell = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMergedAndNested(t *testing.T) {
	body := `<w:tbl>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>标准</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t>2021年</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:gridBefore w:val="0"/></w:trPr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>国际</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>inner</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr>
</w:tbl>`
	c, err := read(t, makeDocx(t, body))
	if err != nil {
		t.Fatal(err)
	}
	rows := c.Blocks[0].Table.Rows
	if got := rows[0].Cells[1]; got.Col != 1 || got.Span != 3 {
		t.Errorf("gridSpan cell = col %d span %d, want 1,3", got.Col, got.Span)
	}
	if !rows[1].Cells[0].Merged || rows[0].Cells[0].Merged {
		t.Errorf("vMerge: restart merged=%v, continue merged=%v", rows[0].Cells[0].Merged, rows[1].Cells[0].Merged)
	}
	inner := rows[1].Cells[1]
	if len(inner.Tables) != 1 || inner.Tables[0].Rows[0].Cells[0].Text != "inner" {
		t.Errorf("nested table not read: %+v", inner)
	}
}

// Hostile input: each gives a typed error quickly, never a panic.
func TestHostile(t *testing.T) {
	bomb := func() []byte {
		// A small zip whose document.xml inflates past the limit: 200 MB of
		// zeros compress to about 200 KB.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("word/document.xml")
		w.Write([]byte(docHead))
		zero := make([]byte, 1<<20)
		for i := 0; i < 200; i++ {
			w.Write(zero)
		}
		zw.Close()
		return buf.Bytes()
	}
	good := makeDocx(t, `<w:p><w:r><w:t>x</w:t></w:r></w:p>`)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>`
	var lb bytes.Buffer
	zw := zip.NewWriter(&lb)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(laughs))
	zw.Close()
	deep := makeDocx(t, strings.Repeat("<w:tbl><w:tr><w:tc>", 300)+strings.Repeat("</w:tc></w:tr></w:tbl>", 300))
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"empty", nil, shenbao.EINVALID},
		{"text file", []byte("hello, this is not a zip"), shenbao.EINVALID},
		{"truncated", good[:len(good)/2], shenbao.EINVALID},
		{"zip without document", func() []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			z.Create("other.txt")
			z.Close()
			return b.Bytes()
		}(), shenbao.EINVALID},
		{"zip bomb", bomb(), shenbao.ETOOLARGE},
		{"billion laughs", lb.Bytes(), shenbao.EINVALID},
		{"deep nesting", deep, shenbao.ETOOLARGE},
		{"malformed xml", makeDocx(t, `<w:p><w:r><w:t>x</w:r></w:p>`), shenbao.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := read(t, tt.data)
			var se *shenbao.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *shenbao.Error", err)
			}
			if se.Code != tt.code {
				t.Errorf("code = %s (%s), want %s", se.Code, se.Message, tt.code)
			}
			if !strings.Contains(se.Message, "/") {
				t.Errorf("message %q is not bilingual", se.Message)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestCorpusGolden(t *testing.T) {
	// The structure of one real application, as text; regenerate with -update.
	data, err := os.ReadFile("../../testdata/corpus/nat2024_01_docx.docx")
	if err != nil {
		t.Fatal(err)
	}
	c, err := read(t, data)
	if err != nil {
		t.Fatal(err)
	}
	got := String(c)
	golden := filepath.Join("testdata", "nat2024_01_docx.golden.txt")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("content differs from %s; run go test -update and review the diff", golden)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(makeDocx(f, tableOf(`<w:p><w:r><w:t>☑是 □否</w:t></w:r></w:p>`)))
	f.Add(makeDocx(f, `<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent/></w:sdt></w:p>`))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err == nil && c == nil {
			t.Fatal("nil content without error")
		}
		if err != nil {
			var se *shenbao.Error
			if !errors.As(err, &se) {
				t.Fatalf("untyped error %v", err)
			}
		}
	})
}

func BenchmarkRead(b *testing.B) {
	paths, _ := filepath.Glob("../../testdata/corpus/*_docx.docx")
	if len(paths) == 0 {
		b.Skip("no corpus")
	}
	var docs [][]byte
	for _, p := range paths {
		d, _ := os.ReadFile(p)
		docs = append(docs, d)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := docs[i%len(docs)]
		if _, err := Read(context.Background(), bytes.NewReader(d), int64(len(d))); err != nil {
			b.Fatal(err)
		}
	}
}
