package layout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedOf names the source document of each edition (testdata/seeds, a copy
// of shared/seeds): every label and option of a template must be printed
// there, so templates stay copies of the forms and not of our memory.
var seedOf = map[string]string{
	"nat2022": "000", "nat2022-summary": "000",
	"gd2023":  "001",
	"nat2023": "002", "nat2023-summary": "002",
	"cq2024": "003", "cq2024-summary": "003",
	"nat2024": "004", "nat2024-summary": "004",
}

func seedText(t *testing.T, prefix string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "seeds", prefix+"_*.txt"))
	if len(paths) != 1 {
		t.Fatalf("seed %s: found %v", prefix, paths)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	// The exports escape underscores and wrap checkboxes in HTML; neither is
	// part of a label.
	s := strings.NewReplacer(`\_`, "", "_", "", `<input type="checkbox"/>`, "", "<p>", "", "</p>", "", "|", "", "*", "").Replace(string(data))
	return Norm(s)
}

func TestTemplatesFollowSeeds(t *testing.T) {
	set := MustLoad()
	for _, tp := range set.All() {
		seed := seedText(t, seedOf[tp.ID])
		// The rest of the print too: a scan takes what matches it for
		// print, so it must be the form's.
		for _, p := range tp.Print {
			if !strings.Contains(seed, Norm(p)) {
				t.Errorf("%s: print %q is not printed in seed %s", tp.ID, p, seedOf[tp.ID])
			}
		}
		for _, r := range tp.Rows {
			if r.LabelSource != "" {
				continue // the seed lost this part; the label's origin is recorded
			}
			phrases := append([]string{r.Label}, r.Options...)
			if r.Parent != "" {
				phrases = append(phrases, r.Parent)
			}
			for _, p := range phrases {
				if !strings.Contains(seed, Norm(p)) {
					t.Errorf("%s/%s: %q is not printed in seed %s", tp.ID, r.Key, p, seedOf[tp.ID])
				}
			}
		}
	}
}
