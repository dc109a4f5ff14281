package criteria

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// corpusScore is recall on planted defects and false alarms (error or
// warning findings) on applications planted with none, per kind.
type corpusScore struct {
	planted, found map[string]int
	falseAlarms    map[string]int
	missed, alarms []string
	files, clean   int
}

// scoreCorpus checks every *.truth.json under dir, building each report
// from the truth itself (perfect extraction), so the figures measure the
// checks alone. Kinds other packages own (summary_mismatch) are left out.
func scoreCorpus(t *testing.T, dir string) *corpusScore {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no truth files under %s: %v", dir, err)
	}
	set := layout.MustLoad()
	e := MustLoad()
	sc := &corpusScore{planted: map[string]int{}, found: map[string]int{}, falseAlarms: map[string]int{}}
	for _, p := range paths {
		tr, err := readTruth(p)
		if err != nil {
			t.Fatal(err)
		}
		rep, tm, err := reportFromTruth(tr, set)
		if err != nil {
			t.Fatal(err)
		}
		sc.files++
		findings := e.Check(rep, tm, "")
		var mine []defect
		for _, d := range tr.Defects {
			if d.Kind != shenbao.KindSummaryMismatch {
				mine = append(mine, d)
			}
		}
		for _, d := range mine {
			sc.planted[d.Kind]++
			hit := false
			for _, f := range findings {
				hit = hit || matches(f, d)
			}
			if hit {
				sc.found[d.Kind]++
			} else {
				sc.missed = append(sc.missed, fmt.Sprintf("%s: %s %s/%s [%s] %s", filepath.Base(p), d.Kind, d.Section, d.Label, d.Column, d.Detail))
			}
		}
		if len(tr.Defects) > 0 {
			continue
		}
		sc.clean++
		for _, f := range findings {
			if f.Severity == shenbao.SeverityInfo {
				continue
			}
			sc.falseAlarms[f.Kind]++
			sc.alarms = append(sc.alarms, fmt.Sprintf("%s: %s %s %s [%s] %s", filepath.Base(p), f.Severity, f.Rule, f.Label, f.Column, f.Message))
		}
	}
	return sc
}

func (sc *corpusScore) report(t *testing.T) {
	kinds := map[string]bool{}
	for k := range sc.planted {
		kinds[k] = true
	}
	for k := range sc.falseAlarms {
		kinds[k] = true
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	fmt.Fprintf(&b, "%d documents, %d without planted defects\n%-12s %8s %8s %8s %12s\n", sc.files, sc.clean, "kind", "planted", "found", "recall", "false alarms")
	tp, tf, fa := 0, 0, 0
	for _, k := range ks {
		r := 100.0
		if sc.planted[k] > 0 {
			r = 100 * float64(sc.found[k]) / float64(sc.planted[k])
		}
		fmt.Fprintf(&b, "%-12s %8d %8d %7.1f%% %12d\n", k, sc.planted[k], sc.found[k], r, sc.falseAlarms[k])
		tp += sc.planted[k]
		tf += sc.found[k]
		fa += sc.falseAlarms[k]
	}
	fmt.Fprintf(&b, "%-12s %8d %8d %7.1f%% %12d\n", "all", tp, tf, 100*float64(tf)/float64(max(tp, 1)), fa)
	t.Log("\n" + b.String())
	for _, m := range sc.missed {
		t.Errorf("missed %s", m)
	}
	for _, a := range sc.alarms {
		t.Errorf("false alarm %s", a)
	}
}

// TestCorpus measures the checks on the shared development corpus:
// recall 100 % on planted defects, no error or warning on clean files.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared corpus not present:", err)
	}
	scoreCorpus(t, dir).report(t)
}

// TestCorpusCopies runs the same measurement on the truth files kept in
// testdata, so that a fresh clone without the shared corpus checks it too.
func TestCorpusCopies(t *testing.T) {
	sc := scoreCorpus(t, filepath.Join("testdata", "corpus"))
	sc.report(t)
	if sc.clean == 0 || len(sc.planted) == 0 {
		t.Fatal("testdata/corpus needs clean and defective applications")
	}
}
