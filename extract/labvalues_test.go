//go:build cgo

package extract_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/corpus"
)

// TestScanLabValues scans whole digital applications of the corpus in the
// lab's 150-dpi gray style (labStyles[0]: blur, noise, skew, JPEG 40) —
// the field's hardest resolution, which the corpus's own scans (200 and
// 300 dpi) do not have — reads them through the production path and
// lists the values read wrong, with their confidence, so a reader change
// is tuned on copies of the development corpus, never on the held-out
// scans. It prints figures; the floors live in TestHeldOut and
// TestCorpusAccuracy. Slow: SHENBAO_LAB=1 and LAB_VALUES=REGEXP (the
// documents, e.g. nat2024_0[34]_pdf).
func TestScanLabValues(t *testing.T) {
	pat := os.Getenv("LAB_VALUES")
	if os.Getenv("SHENBAO_LAB") != "1" || pat == "" {
		t.Skip("SHENBAO_LAB=1 LAB_VALUES=REGEXP reads whole applications at 150 dpi")
	}
	ex := newExtractor()
	if ex.Scan == nil {
		t.Skip("no scan engine")
	}
	only := regexp.MustCompile(pat)
	st := labStyles[0]
	var total corpus.Score
	for i, d := range corpusDocs(t) {
		name := strings.TrimSuffix(filepath.Base(d.Path), ".pdf")
		if d.Format() != "pdf" || strings.HasPrefix(d.Truth.Kind, "summary") || !only.MatchString(name) {
			continue
		}
		data := labCopy(t, d.Path, st, uint64(i+1), 99)
		rep, ok := readCopy(t, ex, name+"_"+st.name+".pdf", data, os.Getenv("LAB_KEEP"))
		if !ok {
			continue
		}
		s := corpus.Compare(rep, d)
		total.Add(s)
		var misses []string
		for _, m := range s.Misses {
			if strings.HasPrefix(strings.TrimSpace(m), "field ") {
				misses = append(misses, m)
			}
		}
		t.Logf("%s: values %d/%d, straight through %d, wrong at ≥ 0.9 %d\n  %s", name, s.FieldsOK, s.Fields, s.FieldsSure, s.WrongSure,
			strings.Join(misses, "\n  "))
	}
	if total.Fields == 0 {
		t.Skip("no document matched LAB_VALUES")
	}
	t.Logf("lab values at 150 dpi: %d/%d right, %d straight through, wrong at ≥ 0.9: %d", total.FieldsOK, total.Fields, total.FieldsSure, total.WrongSure)
}
