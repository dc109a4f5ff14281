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
	p := newPipeline(t)
	docs, err := corpus.Load(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	sc := newDefectScore()
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
		sc.add(t, d, rep)
	}
	t.Log(sc.String())
}

func newPipeline(t testing.TB) *pipeline.Pipeline {
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Pipeline{Extractor: extract.New(layout.MustLoad()), Rules: rules}
}

// defectScore tallies, per kind, the planted defects and those found, and
// on clean applications the false alarms (errors, and warnings on digital
// documents) and the warnings a scan's unsure readings raise for review.
type defectScore struct {
	planted, found, falsePos, scanWarnings map[string]int
	cleanDocs                              int
	// otherWarnings counts the clean scans' warnings other than
	// low_confidence: checks that fire on an unsure reading.
	otherWarnings int
}

func newDefectScore() *defectScore {
	return &defectScore{planted: map[string]int{}, found: map[string]int{}, falsePos: map[string]int{}, scanWarnings: map[string]int{}}
}

// add scores rep against d's planted defects, reporting each miss and
// each false alarm as a test error.
func (s *defectScore) add(t testing.TB, d corpus.Doc, rep *shenbao.Report) {
	t.Helper()
	for _, def := range d.Truth.Defects {
		s.planted[def.Kind]++
		ok := false
		for _, f := range rep.Findings {
			if matches(f, def) {
				ok = true
				break
			}
		}
		if ok {
			s.found[def.Kind]++
		} else {
			t.Errorf("%s: planted %s on %s/%s not reported (%s)", filepath.Base(d.Path), def.Kind, def.Label, def.Column, def.Detail)
		}
	}
	if len(d.Truth.Defects) > 0 {
		return
	}
	s.cleanDocs++
	for _, f := range rep.Findings {
		switch {
		case f.Severity == shenbao.SeverityInfo:
		case d.Format() == "scan" && f.Severity == shenbao.SeverityWarning:
			// On a scan, a value OCR is unsure of is a warning for
			// the reviewer (low_confidence, or a check resting on
			// such a value); only an error is a false alarm.
			s.scanWarnings[f.Kind]++
			if f.Kind != shenbao.KindLowConfidence {
				s.otherWarnings++
				t.Logf("%s (clean): warning resting on an unsure reading: %s %s", filepath.Base(d.Path), f.Rule, f.Message)
			}
		default:
			s.falsePos[f.Kind]++
			t.Errorf("%s (clean): %s %s %s", filepath.Base(d.Path), f.Severity, f.Rule, f.Message)
		}
	}
}

// recall is the share of planted defects found, in percent.
func (s *defectScore) recall() float64 {
	n, f := 0, 0
	for k, v := range s.planted {
		n += v
		f += s.found[k]
	}
	if n == 0 {
		return 100
	}
	return 100 * float64(f) / float64(n)
}

func (s *defectScore) String() string {
	kinds := map[string]bool{}
	for _, m := range []map[string]int{s.planted, s.falsePos, s.scanWarnings} {
		for k := range m {
			kinds[k] = true
		}
	}
	ks := make([]string, 0, len(kinds))
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-14s %8s %6s %8s %22s %26s\n", "kind", "planted", "found", "recall", "false pos (clean docs)", "review warnings (clean scans)")
	for _, k := range ks {
		recall := "-"
		if s.planted[k] > 0 {
			recall = fmt.Sprintf("%.0f%%", 100*float64(s.found[k])/float64(s.planted[k]))
		}
		fmt.Fprintf(&b, "%-14s %8d %6d %8s %22d %26d\n", k, s.planted[k], s.found[k], recall, s.falsePos[k], s.scanWarnings[k])
	}
	fmt.Fprintf(&b, "clean documents: %d; recall %.1f%%; warnings on clean scans other than low_confidence: %d\n", s.cleanDocs, s.recall(), s.otherWarnings)
	return b.String()
}
