package pdftext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

// corpusDir is the shared development corpus beside the repository; tests
// over it are skipped on a fresh clone.
const corpusDir = "../../../shared/corpus"

type truth struct {
	Fields []struct {
		Label, Column, Value string
	}
	Checkboxes []struct {
		Group, Option string
		Checked       bool
	}
	Texts []struct {
		Label, Text string
	}
}

// TestCorpus checks, for every digital PDF of the corpus, that each truth
// value and each line of each long text is found inside one block or cell
// (whitespace aside), and that each checkbox option is preceded by a mark
// of the right state in its group's rows. It does not map fields (that is
// package layout's work); it shows that nothing the mapper needs is lost,
// split between cells or garbled here.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.pdf"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := readBytes(t, b)
			if strings.HasSuffix(name, "_scan.pdf") {
				if shenbao.ErrorCode(err) != shenbao.ENEEDSOCR {
					t.Fatalf("scan: got %v, want needs_ocr", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var tr truth
			js, err := os.ReadFile(strings.TrimSuffix(f, ".pdf") + ".truth.json")
			if err != nil {
				t.Skip("no truth")
			}
			if err := json.Unmarshal(js, &tr); err != nil {
				t.Fatal(err)
			}
			blob, groups := flatten(c)
			for _, fd := range tr.Fields {
				if v := squash(fd.Value); v != "" && !strings.Contains(blob, v) {
					t.Errorf("field %s %s: %q not found", fd.Label, fd.Column, fd.Value)
				}
			}
			for _, tx := range tr.Texts {
				for _, l := range strings.Split(tx.Text, "\n") {
					if v := squash(l); v != "" && !strings.Contains(blob, v) {
						t.Errorf("text %s: line %q not found", tx.Label, l)
					}
				}
			}
			for _, cb := range tr.Checkboxes {
				if !markBefore(groups, squash(cb.Group), squash(cb.Option), cb.Checked) {
					t.Errorf("checkbox %s / %s: no %v mark", cb.Group, cb.Option, cb.Checked)
				}
			}
		})
	}
}

// flatten returns every paragraph and cell text (whitespace removed,
// separated by NUL), and the table rows grouped with the rows their label
// continues into (Merged first cell).
func flatten(c *shenbao.Content) (string, []string) {
	var parts, rows []string
	var walk func(t *shenbao.Table)
	walk = func(t *shenbao.Table) {
		for _, r := range t.Rows {
			var row strings.Builder
			for _, cell := range r.Cells {
				parts = append(parts, squash(cell.Text))
				row.WriteString(squash(cell.Text) + "\x00")
				for i := range cell.Tables {
					walk(&cell.Tables[i])
				}
			}
			if len(r.Cells) > 0 && r.Cells[0].Merged && len(rows) > 0 {
				rows[len(rows)-1] += row.String()
			} else {
				rows = append(rows, row.String())
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Table != nil {
			walk(b.Table)
		} else {
			parts = append(parts, squash(b.Text))
		}
	}
	return strings.Join(parts, "\x00"), rows
}

func markBefore(rows []string, group, option string, checked bool) bool {
	var cand []string
	for _, r := range rows {
		if strings.Contains(r, group) {
			cand = append(cand, r)
		}
	}
	if len(cand) == 0 {
		cand = rows
	}
	for _, r := range cand {
		for i := strings.Index(r, option); i >= 0; {
			if i > 0 {
				rs := []rune(r[:i])
				m := rs[len(rs)-1]
				st := shenbao.MarkState(m)
				if st == 0 {
					st = shenbao.RawMark(m)
				}
				if (st > 0) == checked && st != 0 {
					return true
				}
			}
			j := strings.Index(r[i+len(option):], option)
			if j < 0 {
				break
			}
			i += len(option) + j
		}
	}
	return false
}
