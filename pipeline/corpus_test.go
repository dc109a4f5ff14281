package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/pipeline"
)

func corpusDir(t testing.TB) string {
	if _, err := os.Stat("../../shared/corpus"); err == nil {
		return "../../shared/corpus"
	}
	t.Log("../shared/corpus absent: measuring the copies in testdata/corpus")
	return "../testdata/corpus"
}

// matches says whether a finding reports a planted defect: same kind, same
// label (a repeated label carries its parent's prefix), same column where
// the defect names one.
func matches(f shenbao.Finding, d corpus.TDefect) bool {
	if f.Kind != d.Kind {
		return false
	}
	if f.Label != d.Label && !strings.HasSuffix(f.Label, "/"+d.Label) {
		return false
	}
	return d.Column == "" || f.Column == d.Column
}

// TestDefectRecall runs extraction and the checks on every digital corpus
// document (and, with SHENBAO_SCANS=1, every scan) and requires every
// planted defect to be found with the same kind on the same label, and no
// error or warning on clean applications (on clean scans no error: warnings
// there send unsure readings to a reviewer and are counted apart).
func TestDefectRecall(t *testing.T) {
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeline.Pipeline{Extractor: extract.New(layout.MustLoad()), Rules: rules}
	docs, err := corpus.Load(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	planted, found, falsePos, scanWarnings := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	cleanDocs := 0
	for _, d := range docs {
		if d.Format() == "scan" && os.Getenv("SHENBAO_SCANS") != "1" || strings.HasPrefix(d.Truth.Kind, "summary") {
			continue // scans take minutes (make bench); summaries: cross-document checks
		}
		data, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Extract(context.Background(), filepath.Base(d.Path), data)
		if err != nil {
			t.Errorf("%s: %v", d.Path, err)
			continue
		}
		for _, def := range d.Truth.Defects {
			planted[def.Kind]++
			ok := false
			for _, f := range rep.Findings {
				if matches(f, def) {
					ok = true
					break
				}
			}
			if ok {
				found[def.Kind]++
			} else {
				t.Errorf("%s: planted %s on %s/%s not reported (%s)", filepath.Base(d.Path), def.Kind, def.Label, def.Column, def.Detail)
			}
		}
		if len(d.Truth.Defects) == 0 {
			cleanDocs++
			for _, f := range rep.Findings {
				switch {
				case f.Severity == shenbao.SeverityInfo:
				case d.Format() == "scan" && f.Severity == shenbao.SeverityWarning:
					// On a scan, a value OCR is unsure of is a warning for
					// the reviewer (low_confidence, or a check resting on
					// such a value); only an error is a false alarm.
					scanWarnings[f.Kind]++
				default:
					falsePos[f.Kind]++
					t.Errorf("%s (clean): %s %s %s", filepath.Base(d.Path), f.Severity, f.Rule, f.Message)
				}
			}
		}
	}
	kinds := map[string]bool{}
	for k := range planted {
		kinds[k] = true
	}
	for k := range falsePos {
		kinds[k] = true
	}
	for k := range scanWarnings {
		kinds[k] = true
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-14s %8s %6s %8s %22s %26s\n", "kind", "planted", "found", "recall", "false pos (clean docs)", "review warnings (clean scans)")
	for _, k := range ks {
		recall := "-"
		if planted[k] > 0 {
			recall = fmt.Sprintf("%.0f%%", 100*float64(found[k])/float64(planted[k]))
		}
		fmt.Fprintf(&b, "%-14s %8d %6d %8s %22d %26d\n", k, planted[k], found[k], recall, falsePos[k], scanWarnings[k])
	}
	fmt.Fprintf(&b, "clean documents: %d\n", cleanDocs)
	t.Log(b.String())
}
