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

// reliability is a calibration table of OCR'd values: per confidence
// band, how many values were read and how many of them were right. A
// confidence is honest when a band's share right is at least its lower
// edge, and useful when most values sit in the top bands.
type reliability struct {
	n, right [len(bandEdges)]int
}

// bandEdges are the bands' lower edges, top band first: 0.9 is where a
// value goes straight through, 0.8 where a low_confidence finding starts.
var bandEdges = [...]float64{0.95, 0.9, 0.8, 0.5, 0}

// add counts the values of rep that truth d states.
func (r *reliability) add(rep *shenbao.Report, d corpus.Doc) {
	fields := map[string]shenbao.Field{}
	for _, f := range rep.Fields {
		fields[f.Section+"|"+f.Label+"|"+f.Column] = f
	}
	for _, tf := range d.Truth.Fields {
		f, ok := fields[tf.Section+"|"+tf.FullLabel()+"|"+tf.Column]
		if !ok {
			continue
		}
		r.count(f.Confidence, corpus.Same(f.Value, tf.Value))
	}
}

func (r *reliability) count(conf float64, right bool) {
	for b, lo := range bandEdges {
		if conf >= lo {
			r.n[b]++
			if right {
				r.right[b]++
			}
			return
		}
	}
}

// sure is how many values were read at ≥ 0.9, and how many were wrong.
func (r *reliability) sure() (n, wrong int) {
	for b, lo := range bandEdges {
		if lo >= corpus.SureThreshold {
			n += r.n[b]
			wrong += r.n[b] - r.right[b]
		}
	}
	return n, wrong
}

func (r *reliability) String() string {
	var b strings.Builder
	total := 0
	for _, n := range r.n {
		total += n
	}
	b.WriteString("confidence   values  share   right\n")
	for i, lo := range bandEdges {
		hi := "1"
		if i > 0 {
			hi = fmt.Sprintf("%.2f", bandEdges[i-1])
		}
		fmt.Fprintf(&b, "[%.2f,%4s]  %6d  %5.1f%%  %5d = %5.1f%%\n", lo, hi, r.n[i], pct(r.n[i], total), r.right[i], pct(r.right[i], r.n[i]))
	}
	n, wrong := r.sure()
	fmt.Fprintf(&b, "read at ≥ 0.9: %d of %d values (%.1f%%), right %d (%.2f%%), wrong %d\n", n, total, pct(n, total), n-wrong, pct(n-wrong, n), wrong)
	return b.String()
}

// TestConfidenceReliability prints the reliability table of the values
// read from the development corpus's scans (with SHENBAO_SCANS=1; make
// bench runs it) and holds the one promise a confidence makes: no value
// read at ≥ 0.9 is wrong.
func TestConfidenceReliability(t *testing.T) {
	if os.Getenv("SHENBAO_SCANS") == "" {
		t.Skip("SHENBAO_SCANS=1 reads the corpus's scans")
	}
	docs := corpusDocs(t)
	ex := newExtractor()
	ex.ScanWith(scanpdf.Options{Timeout: 20 * time.Minute})
	per := map[string]*reliability{}
	var all reliability
	for _, d := range docs {
		if d.Format() != "scan" {
			continue
		}
		f, rep, _, err := readDoc(t, ex, d)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(d.Path), err)
			continue
		}
		if per[f] == nil {
			per[f] = &reliability{}
		}
		per[f].add(rep, d)
		all.add(rep, d)
	}
	for f, r := range per {
		t.Logf("%s:\n%s", f, r)
	}
	t.Logf("all scans:\n%s", &all)
	if _, wrong := all.sure(); wrong > 0 {
		t.Errorf("%d values wrong at confidence ≥ 0.9, want none", wrong)
	}
}
