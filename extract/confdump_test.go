//go:build cgo

package extract_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract/scanpdf"
)

// TestConfidenceDump writes, for every value of the development scans
// (../shared/corpus) and of lab copies of its digital PDFs, what its
// confidence was built from and whether it was right: the data the
// confidence is calibrated on offline, so that a threshold is fitted
// without reading scans again per try. Never the held-out corpus2.
//
// SHENBAO_CONFDUMP=dir names where the read contents are kept (a scan is
// read once; a rerun maps the kept contents again in seconds) and the
// features written (features.tsv). CONFDUMP_LAB=N adds lab copies of the
// first N digital PDFs in each of the lab's three styles
// (CONFDUMP_STYLE=150dpi: those whose name holds it; CONFDUMP_SCANS=0:
// lab copies only; CONFDUMP_KEPT=1: only what is kept, no scan read).
func TestConfidenceDump(t *testing.T) {
	dir := os.Getenv("SHENBAO_CONFDUMP")
	if dir == "" {
		t.Skip("SHENBAO_CONFDUMP=dir dumps value features of the development scans")
	}
	const dev = "../../shared/corpus"
	docs, err := corpus.Load(dev)
	if err != nil {
		t.Skip("../shared/corpus absent")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ex := newExtractor()
	// A loaded machine must not cut a scan short: it would drop out of
	// the data, not be measured slower.
	ex.ScanWith(scanpdf.Options{Timeout: 30 * time.Minute})
	type source struct {
		name, class string
		doc         corpus.Doc
		data        func() []byte
	}
	var srcs []source
	for _, d := range docs {
		if d.Format() == "scan" && os.Getenv("CONFDUMP_SCANS") != "0" {
			d := d
			srcs = append(srcs, source{strings.TrimSuffix(filepath.Base(d.Path), ".pdf"), fmt.Sprintf("scan%d", d.Truth.DPI), d, func() []byte {
				b, err := os.ReadFile(d.Path)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}})
		}
	}
	nlab := 0
	fmt.Sscan(os.Getenv("CONFDUMP_LAB"), &nlab)
	k := 0
	for _, d := range docs {
		if d.Format() != "pdf" || strings.Contains(d.EditionID(), "summary") || k >= nlab {
			continue
		}
		k++
		for i, st := range labStyles {
			if !strings.Contains(st.name, os.Getenv("CONFDUMP_STYLE")) {
				continue
			}
			d, st, seed := d, st, uint64(100*k+i)
			srcs = append(srcs, source{strings.TrimSuffix(filepath.Base(d.Path), ".pdf") + "_" + st.name, fmt.Sprintf("lab%.0f", st.dpi), d, func() []byte {
				return labCopy(t, d.Path, st, seed, 99)
			}})
		}
	}
	out, err := os.Create(filepath.Join(dir, "features"+os.Getenv("CONFDUMP_STYLE")+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	fmt.Fprintln(out, "doc\tclass\tid\ttype\tpara\tright\tconf\tengine\tpp\ttess\tline\tscore\trepaired\tvalue\ttruth")
	for _, s := range srcs {
		path := filepath.Join(dir, s.name+".json")
		if _, err := os.Stat(path); err != nil && os.Getenv("CONFDUMP_KEPT") != "" {
			continue
		}
		content, err := cachedContent(t, ex, path, s.data)
		if err != nil {
			t.Logf("%s: %v", s.name, err)
			continue
		}
		resettle(content)
		rep := &shenbao.Report{Format: shenbao.FormatPDFScan}
		ex.Apply(rep, content)
		tmpl, ok := ex.Templates.Get(rep.Edition.ID)
		if !ok {
			t.Logf("%s: edition %s", s.name, rep.Edition.ID)
			continue
		}
		types := map[string]string{}
		for _, r := range tmpl.Rows {
			types[r.Key] = r.Type
		}
		repaired := map[string]bool{}
		for _, r := range rep.Repairs {
			repaired[r.FieldID] = true
		}
		fields := map[string]shenbao.Field{}
		for _, f := range rep.Fields {
			fields[f.Section+"|"+f.Label+"|"+f.Column] = f
		}
		for _, tf := range s.doc.Truth.Fields {
			f, ok := fields[tf.Section+"|"+tf.FullLabel()+"|"+tf.Column]
			if !ok {
				continue
			}
			ev := fieldEvidence(content, f)
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%v\t%v\t%.4f\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%v\t%q\t%q\n",
				s.name, s.class, f.ID, types[f.Key], ev.para, corpus.Same(f.Value, tf.Value), f.Confidence, f.Engine,
				ev.pp, ev.tess, ev.line, ev.score(f), repaired[f.ID], f.Value, tf.Value)
		}
	}
}

// dumpEvidence is the OCR evidence under one field: the smallest over the
// lines of its cell (or paragraph).
type dumpEvidence struct {
	para           bool
	pp, tess, line float64
}

// score is the part of the field's confidence that is not its lines':
// the label's anchor score, the type checks, the repairs.
func (e dumpEvidence) score(f shenbao.Field) float64 {
	if e.line <= 0 {
		return 0
	}
	return f.Confidence / e.line
}

func fieldEvidence(c *shenbao.Content, f shenbao.Field) dumpEvidence {
	ev := dumpEvidence{pp: 1, tess: 1, line: 1}
	if f.BBox == nil || f.Page == nil {
		return dumpEvidence{}
	}
	found := false
	take := func(ls []shenbao.Line) {
		for _, l := range ls {
			found = true
			if l.PP > 0 {
				ev.pp = min(ev.pp, l.PP)
				ev.tess = min(ev.tess, l.Tess)
			} else {
				ev.pp = 0
			}
			if l.Confidence > 0 {
				ev.line = min(ev.line, l.Confidence)
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Page != *f.Page {
			continue
		}
		if b.Table == nil {
			if b.BBox != nil && *b.BBox == *f.BBox {
				ev.para = true
				found = true
				ev.pp, ev.tess, ev.line = 0, 0, b.Confidence
			}
			continue
		}
		var table func(t *shenbao.Table)
		table = func(t *shenbao.Table) {
			for _, r := range t.Rows {
				for _, cell := range r.Cells {
					if cell.BBox != nil && *cell.BBox == *f.BBox {
						take(cell.Lines)
					}
					for n := range cell.Tables {
						table(&cell.Tables[n])
					}
				}
			}
		}
		table(b.Table)
	}
	if !found {
		return dumpEvidence{}
	}
	return ev
}
