package extract_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/layout"
)

// corpusDirs are where the corpus lives: the shared development corpus
// beside the repository when present, and the copies kept in testdata so a
// fresh clone still measures something.
func corpusDirs(t testing.TB) []string {
	if _, err := os.Stat("../../shared/corpus"); err == nil {
		return []string{"../../shared/corpus"}
	}
	t.Log("../shared/corpus absent: measuring the copies in testdata/corpus")
	return []string{"../testdata/corpus"}
}

// TestCorpusAccuracy measures extraction against the ground truth of every
// corpus document whose format the engines handle, and requires 100 % for
// docx and digital PDF (the acceptance).
func TestCorpusAccuracy(t *testing.T) {
	ex := newExtractor()
	type row struct{ edition, format string }
	total := map[row]*corpus.Score{}
	docsByRow := map[row]int{}
	editionOK := map[row]int{}
	for _, dir := range corpusDirs(t) {
		docs, err := corpus.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			f := d.Format()
			if f == "scan" || (f == "pdf" && ex.PDFText == nil) {
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
			k := row{d.EditionID(), f}
			if total[k] == nil {
				total[k] = &corpus.Score{}
			}
			total[k].Add(s)
			docsByRow[k]++
			if s.Edition {
				editionOK[k]++
			}
			for i, miss := range s.Misses {
				if i == 15 {
					t.Errorf("%s: … %d more", d.Path, len(s.Misses)-15)
					break
				}
				t.Errorf("%s: %s", d.Path, miss)
			}
		}
	}
	var keys []row
	for k := range total {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].edition+keys[i].format < keys[j].edition+keys[j].format
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-16s %-5s %5s %8s %14s %14s %10s\n", "edition", "fmt", "docs", "edition", "fields", "checkboxes", "texts")
	for _, k := range keys {
		s := total[k]
		fmt.Fprintf(&b, "%-16s %-5s %5d %5d/%-2d %7d/%-6d %7d/%-6d %4d/%-5d\n", k.edition, k.format, docsByRow[k], editionOK[k], docsByRow[k], s.FieldsOK, s.Fields, s.BoxesOK, s.Boxes, s.TextsOK, s.Texts)
	}
	t.Log(b.String())
}

func newExtractor() *extract.Extractor {
	return extract.New(layout.MustLoad())
}
