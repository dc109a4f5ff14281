package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao/corpus"
)

// TestHeldOutDigital measures the digital documents of the held-out set
// (../shared/corpus2: Word files and PDFs exported from them, ticks in the
// field's styles — Wingdings 2 symbols and runs, content controls, ☑ ■ √ ☒)
// and requires every value, tick and long text right, as on the
// development corpus. The set is measured, never tuned to: a miss here is
// looked at by its class only.
func TestHeldOutDigital(t *testing.T) {
	const dir = "../../shared/corpus2"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/corpus2 absent")
	}
	docs, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ex := newExtractor()
	sheet := newScoreSheet()
	for _, d := range docs {
		f := d.Format()
		if f == "scan" || f == "pdf" && ex.PDFText == nil {
			continue
		}
		data, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ex.Extract(context.Background(), filepath.Base(d.Path), data)
		if err != nil {
			t.Errorf("%s: %v", d.Path, err)
			continue
		}
		s := corpus.Compare(rep, d)
		sheet.add(d.EditionID(), f, s)
		for _, miss := range s.Misses {
			t.Errorf("%s: %s", filepath.Base(d.Path), miss)
		}
	}
	t.Log(sheet.String())
}
