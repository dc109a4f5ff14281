package extract_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/soffice"
)

// officeExport is a Word file of the corpora as a clerk's office would
// turn it into a PDF, with the truth it must read to.
type officeExport struct {
	name string
	docx []byte
	doc  corpus.Doc
	pdf  []byte
	// cover holds the cover values a variant lengthened (the truth then
	// no longer applies): the Word file must read them, the PDF as it.
	cover []string
}

// TestOfficeExports exports every Word file of the corpora (../shared/corpus
// or testdata/corpus, and ../shared/corpus2 when present) to PDF with
// LibreOffice, and requires the PDF to read exactly as the truth says — every
// value, tick and long text — and exactly as the Word file itself reads. The
// ticks of a Word file written as ☑/■/□ are also rewritten the ways offices
// write them (tickStyles: Wingdings 2 symbols, Wingdings 2 runs, checkbox
// content controls), and the cover's department and operator written too
// long for their line, so that they wrap with a bracketed tail
// (lengthenCover); those variants are exported and read too: of the first
// application by default, of every one with SHENBAO_EXPORTS=1. Needs
// LibreOffice; about two seconds a document. EXPORT_KEEP=dir keeps the PDFs.
func TestOfficeExports(t *testing.T) {
	ex := newExtractor()
	if ex.PDFText == nil {
		t.Skip("no PDF text reader")
	}
	cases := officeExports(t, exportSet{variants: os.Getenv("SHENBAO_EXPORTS") == "1"})
	sheet := newScoreSheet()
	for _, c := range cases {
		want, err := ex.Extract(context.Background(), c.name+".docx", c.docx)
		if err != nil {
			t.Errorf("%s.docx: %v", c.name, err)
			continue
		}
		got, err := ex.Extract(context.Background(), c.name+".pdf", c.pdf)
		if err != nil {
			t.Errorf("%s.pdf: %v", c.name, err)
			continue
		}
		if got.Format != shenbao.FormatPDFText {
			t.Errorf("%s.pdf read as %s", c.name, got.Format)
		}
		if c.cover != nil {
			for _, v := range c.cover {
				if !readsValue(want, v) {
					t.Errorf("%s.docx: cover value %q not read", c.name, v)
				}
			}
		} else {
			s := corpus.Compare(got, c.doc)
			sheet.add(c.doc.EditionID(), "export", s)
			for _, m := range s.Misses {
				t.Errorf("%s.pdf: %s", c.name, m)
			}
			for _, m := range corpus.Compare(want, c.doc).Misses {
				t.Errorf("%s.docx: %s", c.name, m)
			}
		}
		for _, d := range readingDiffs(want, got) {
			t.Errorf("%s: pdf differs from docx: %s", c.name, d)
		}
	}
	t.Log(sheet.String())
}

// exportSet says which office exports to make: the tick and cover
// variants of every application or of the first only, or none (plain);
// with first, only the first application, unchanged.
type exportSet struct{ variants, first, plain bool }

// officeExports makes the cases and exports them all in one LibreOffice run.
func officeExports(t *testing.T, set exportSet) []officeExport {
	t.Helper()
	conv := &soffice.Converter{}
	if !conv.Available() {
		t.Skip("LibreOffice not installed")
	}
	docs := corpusDocs(t)
	if held, err := corpus.Load("../../shared/corpus2"); err == nil {
		docs = append(docs, held...)
	}
	var cases []officeExport
	variants := 0
	for _, d := range docs {
		if d.Format() != "docx" {
			continue
		}
		data, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(d.Path), ".docx")
		if strings.Contains(d.Path, "corpus2") {
			name = "corpus2/" + name
		}
		if set.first && (len(d.Truth.Checkboxes) == 0 || len(cases) > 0) {
			continue
		}
		cases = append(cases, officeExport{name: name, docx: data, doc: d})
		if set.first || set.plain || len(d.Truth.Checkboxes) == 0 || strings.Contains(d.Path, "corpus2") || variants > 0 && !set.variants {
			continue
		}
		variants++
		for _, st := range tickStyles {
			v, n, err := rewriteTicks(data, st.run)
			if err != nil {
				t.Fatalf("%s: %v", d.Path, err)
			}
			if n == 0 {
				t.Fatalf("%s: no tick runs to rewrite", d.Path)
			}
			cases = append(cases, officeExport{name: name + "~" + st.name, docx: v, doc: d})
		}
		v, long, err := lengthenCover(data)
		if err != nil {
			t.Fatalf("%s: %v", d.Path, err)
		}
		cases = append(cases, officeExport{name: name + "~longcover", docx: v, doc: d, cover: long})
	}
	in := make([][]byte, len(cases))
	for i, c := range cases {
		in[i] = c.docx
	}
	start := time.Now()
	pdfs, err := conv.ToPDF(context.Background(), in, "docx")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LibreOffice exported %d documents in %.0f s", len(cases), time.Since(start).Seconds())
	keep := os.Getenv("EXPORT_KEEP") // a directory to look at the exports in
	for i := range cases {
		cases[i].pdf = pdfs[i]
		if keep != "" {
			if err := os.WriteFile(filepath.Join(keep, strings.ReplaceAll(cases[i].name, "/", "_")+".pdf"), pdfs[i], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cases
}

// tickStyles are the ways Word files in the field write a tick and an empty
// box, each given as the run that replaces a run holding one mark.
var tickStyles = []struct {
	name string
	run  func(checked bool) string
}{{
	// Insert ▸ Symbol ▸ Wingdings 2: R ☑ and £ □ as <w:sym>.
	name: "wd2sym",
	run: func(checked bool) string {
		return `<w:r><w:sym w:font="Wingdings 2" w:char="` + pick(checked, "F052", "F0A3") + `"/></w:r>`
	},
}, {
	// The letters typed in the font Wingdings 2.
	name: "wd2run",
	run: func(checked bool) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2" w:eastAsia="Wingdings 2" w:cs="Wingdings 2"/></w:rPr><w:t>` + pick(checked, "R", "£") + `</w:t></w:r>`
	},
}, {
	// Developer ▸ Check Box Content Control: ☒ and ☐ in MS Gothic.
	name: "sdt",
	run: func(checked bool) string {
		return `<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="` + pick(checked, "1", "0") + `"/>` +
			`<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>` +
			`<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:hAnsi="MS Gothic" w:eastAsia="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>` + pick(checked, "☒", "☐") + `</w:t></w:r></w:sdtContent></w:sdt>`
	},
}}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// markRun is a run whose whole text is one character: the corpus writes
// each tick and box as such a run before its option.
var markRun = regexp.MustCompile(`<w:r>(?:<w:rPr>(?:[^<]|<[^/])*</w:rPr>)?<w:t(?: [^>]*)?>(.)</w:t></w:r>`)

// rewriteTicks returns the docx with every run of one mark (☑ ■ □…)
// replaced by run(checked), and how many it replaced.
func rewriteTicks(docx []byte, run func(checked bool) string) ([]byte, int, error) {
	n := 0
	out, err := rewriteDocument(docx, func(s string) string {
		s = markRun.ReplaceAllStringFunc(s, func(r string) string {
			m := markRun.FindStringSubmatch(r)
			st := shenbao.MarkState([]rune(m[1])[0])
			if st == 0 {
				return r
			}
			n++
			return run(st > 0)
		})
		if !strings.Contains(s[:min(len(s), 4096)], "xmlns:w14=") {
			s = strings.Replace(s, "<w:document ", `<w:document xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" `, 1)
		}
		return s
	})
	return out, n, err
}

// rewriteDocument returns the docx with word/document.xml passed through
// edit, every other part as it was.
func rewriteDocument(docx []byte, edit func(string) string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if f.Name == "word/document.xml" {
			data = []byte(edit(string(data)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readingDiffs lists where two reports of one application read differently:
// edition, any value, tick or long text by id.
func readingDiffs(a, b *shenbao.Report) []string {
	var d []string
	if a.Edition.ID != b.Edition.ID {
		d = append(d, fmt.Sprintf("edition %s vs %s", a.Edition.ID, b.Edition.ID))
	}
	fields := map[string]string{}
	for _, f := range a.Fields {
		fields[f.ID] = f.Value
	}
	for _, f := range b.Fields {
		if v, ok := fields[f.ID]; !ok || !corpus.Same(v, f.Value) {
			d = append(d, fmt.Sprintf("field %s: %q vs %q", f.ID, v, f.Value))
		}
		delete(fields, f.ID)
	}
	for id, v := range fields {
		d = append(d, fmt.Sprintf("field %s: %q vs not reported", id, v))
	}
	boxes := map[string]bool{}
	for _, x := range a.Checkboxes {
		boxes[x.ID] = x.Checked
	}
	for _, x := range b.Checkboxes {
		if v, ok := boxes[x.ID]; !ok || v != x.Checked {
			d = append(d, fmt.Sprintf("checkbox %s: %v vs %v", x.ID, v, x.Checked))
		}
		delete(boxes, x.ID)
	}
	for id := range boxes {
		d = append(d, fmt.Sprintf("checkbox %s: not reported in the pdf", id))
	}
	texts := map[string]string{}
	for _, x := range a.Texts {
		texts[x.ID] = x.Text
	}
	for _, x := range b.Texts {
		if v, ok := texts[x.ID]; !ok || !corpus.Same(v, x.Text) {
			d = append(d, fmt.Sprintf("text %s differs", x.ID))
		}
		delete(texts, x.ID)
	}
	for id := range texts {
		d = append(d, fmt.Sprintf("text %s not reported in the pdf", id))
	}
	return d
}

// coverBlank is the first text run after the cover's department or
// operator label: the value filled in.
var coverBlank = regexp.MustCompile(`(?:管理机构|盖章[)）])[:：]</w:t></w:r>(?:<w:r>(?:<w:rPr>(?:[^<]|<[^/])*</w:rPr>)?<w:t(?: [^>]*)?>)([^<]+)</w:t>`)

// lengthenCover returns the docx with the cover's department and operator
// values made too long for their line with bracketed notes
// (鹤田县经济开发区管理委员会（筹）（筹）…): a line may break neither after
// an opening bracket nor before a closing one, so it breaks before a note,
// and the tail on the next line opens with a bracket as the printed hints
// do. It returns the values as they must now read.
func lengthenCover(docx []byte) ([]byte, []string, error) {
	var long []string
	out, err := rewriteDocument(docx, func(s string) string {
		return coverBlank.ReplaceAllStringFunc(s, func(r string) string {
			m := coverBlank.FindStringSubmatchIndex(r)
			v := strings.TrimSpace(r[m[2]:m[3]])
			nv := v + strings.Repeat("（筹）", 8)
			long = append(long, nv)
			return r[:m[2]] + "  " + nv + "  " + r[m[3]:]
		})
	})
	if err == nil && len(long) != 2 {
		err = fmt.Errorf("%d cover values found, want the department and the operator", len(long))
	}
	return out, long, err
}

// readsValue reports whether rep reads v as one of its values.
func readsValue(rep *shenbao.Report, v string) bool {
	for _, f := range rep.Fields {
		if corpus.Same(f.Value, v) {
			return true
		}
	}
	return false
}
