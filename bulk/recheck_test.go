package bulk

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/crosscheck"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRecheckGolden holds the re-check's output to a golden file, so that
// making it faster cannot change what it finds: the corpus's Word
// applications and 16 variants of them (other counties and figures; every
// fourth with its long answers kept, so the copied-text check fires) are
// checked cold, with the checks across applications, then re-checked from
// the caches. Both runs must give the same findings, and those must be the
// golden file's (regenerate with -update after a deliberate change, and
// review the diff).
func TestRecheckGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts 30 documents")
	}
	vs := loadVariants(t)
	if len(vs) == 0 {
		t.Skip("no corpus")
	}
	var items []Item
	paths, _ := filepath.Glob("../testdata/corpus/*_docx.docx")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, Item{Path: filepath.Base(p), Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }})
	}
	for i := range 16 {
		v := vs[i%len(vs)]
		v.keepAnswers = i%4 == 3
		data := v.make(t, i)
		items = append(items, Item{Path: fmt.Sprintf("variant%02d.docx", i), Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }})
	}
	seg, err := crosscheck.NewSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	r := runner(t, cache)
	r.CrossOptions = crosscheck.Options{Segmenter: seg, Shingles: Shingles{Dir: filepath.Join(cache, "shingles")}}
	cold := findingLines(t, r.Run(context.Background(), items))
	again := r.Run(context.Background(), items)
	for _, res := range again.Results {
		if !res.Cached {
			t.Fatalf("%s was not re-checked from the cache", res.Path)
		}
	}
	warm := findingLines(t, again)
	if warm != cold {
		t.Errorf("the re-check from the cache differs from the cold run:\n%s\n====\n%s", warm, cold)
	}
	golden := filepath.Join("testdata", "recheck.golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(warm), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if warm != string(want) {
		t.Errorf("re-check findings differ from %s (rerun with -update and review the diff)", golden)
	}
}

// findingLines is every finding of a run, one line each, in the results'
// order, then the batch's: what a rule change's re-check answers.
func findingLines(t *testing.T, o *Outcome) string {
	var b strings.Builder
	for _, res := range o.Results {
		if res.Report == nil {
			t.Fatalf("%s failed: %+v", res.Path, res.Failure)
		}
		for _, f := range res.Report.Findings {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", res.Path, f.Kind, f.Rule, f.Severity, strings.Join(f.FieldIDs, ","), f.Column, f.Message, f.Basis)
		}
	}
	for _, c := range o.Batch {
		fmt.Fprintf(&b, "batch\t%s\t%s\t%s\t%s\t%s\n", c.Finding.Kind, c.Finding.Rule, c.Finding.Severity, strings.Join(c.Others, ","), c.Finding.Message)
	}
	return b.String()
}
