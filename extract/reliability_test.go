package extract_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/corpus"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
	"github.com/shenbao/shenbao/layout"
)

// reliability is a calibration table of OCR'd values: per confidence
// band, how many values were read and how many of them were right. A
// confidence is honest when a band's share right is at least its lower
// edge, and useful when most values sit in the top bands.
type reliability struct {
	n, right [len(bandEdges)]int
	// unsure counts the values under 0.9 by class (the row's type, the
	// engine, repaired or not, the band), right and wrong: where the
	// straight-through share is lost, without one document's strings.
	unsure map[string]*[2]int
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
		right := corpus.Same(f.Value, tf.Value)
		r.count(f.Confidence, right)
		if f.Confidence < corpus.SureThreshold {
			r.note(f, rep, right)
		}
	}
}

// note counts an unsure value f of rep in its class.
func (r *reliability) note(f shenbao.Field, rep *shenbao.Report, right bool) {
	repaired := "read"
	for _, x := range rep.Repairs {
		if x.FieldID == f.ID {
			repaired = "repaired:" + x.Rule
		}
	}
	band := "<0.5"
	for _, lo := range bandEdges {
		if f.Confidence >= lo {
			band = fmt.Sprintf("≥%.1f", lo)
			break
		}
	}
	typ := rowType(rep.Edition.ID, f.Key)
	switch typ {
	case "count_names":
		typ += "/" + f.Column
	case "text", "declaration":
		typ += "/" + f.Key
	}
	k := fmt.Sprintf("%-24s %-10s %-24s %s", typ, f.Engine, repaired, band)
	if r.unsure == nil {
		r.unsure = map[string]*[2]int{}
	}
	if r.unsure[k] == nil {
		r.unsure[k] = &[2]int{}
	}
	if right {
		r.unsure[k][0]++
	} else {
		r.unsure[k][1]++
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
	if len(r.unsure) > 0 {
		b.WriteString("under 0.9 by class (type, engine, repair, band): right wrong\n")
		keys := make([]string, 0, len(r.unsure))
		for k := range r.unsure {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s %4d %4d\n", k, r.unsure[k][0], r.unsure[k][1])
		}
	}
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

// cachedContent reads the scan data() once and keeps its content at path;
// a kept content is read from there.
func cachedContent(t testing.TB, ex *extract.Extractor, path string, data func() []byte) (*shenbao.Content, error) {
	t.Helper()
	var scanErr error
	c, err := corpus.Kept(path, func() (*shenbao.Content, error) {
		d := data()
		c, err := ex.Scan(context.Background(), bytes.NewReader(d), int64(len(d)))
		scanErr = err
		return c, err
	})
	if err != nil && err != scanErr {
		t.Fatal(err) // the kept reading, not the scan: the measurement is broken
	}
	return c, err
}

// readKept reads scan d as readDoc does, keeping what the scan reader
// read in dir (HELDOUT_KEEP) and taking it from there when kept: the
// report is the kept reading settled again from its evidence (resettle),
// mapped, corrected, corroborated and checked by the code under test.
// The time is the scan's only when it was read now.
func readKept(t testing.TB, ex *extract.Extractor, d corpus.Doc, dir string) (string, *shenbao.Report, time.Duration, error) {
	f := fmt.Sprintf("scan%d", d.Truth.DPI)
	name := filepath.Base(d.Path)
	start := time.Now()
	c, err := cachedContent(t, ex, filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".json"), func() []byte {
		b, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
	if err != nil {
		return f, nil, 0, err
	}
	dt := time.Since(start)
	resettle(c)
	rep := &shenbao.Report{File: name, Format: shenbao.FormatPDFScan, Pages: len(c.Pages)}
	ex.Apply(rep, c)
	rep.Findings = append(rep.Findings, ex.LowConfidence(rep)...)
	return f, rep, dt, nil
}

// resettle builds each settled value line's confidence again from its
// evidence with today's ocr.Witnessed, so that a kept content measures the
// combination being calibrated. A line capped below what the combination
// gave when it was read (ink the reading missed, extract/scan) keeps the
// cap.
func resettle(c *shenbao.Content) {
	each := func(ls []shenbao.Line) {
		for k := range ls {
			l := &ls[k]
			if l.PP <= 0 || l.Engine == shenbao.EngineTesseract {
				continue
			}
			agree := l.Engine == shenbao.EngineBoth
			conf := ocr.Witnessed(l.PP, agree, l.Tess)
			if l.Confidence < oldWitnessed(l.PP, agree, l.Tess)-1e-6 {
				conf = min(conf, l.Confidence)
			}
			l.Confidence, l.Weakest = conf, conf
		}
	}
	var table func(t *shenbao.Table)
	table = func(t *shenbao.Table) {
		for _, r := range t.Rows {
			for k := range r.Cells {
				each(r.Cells[k].Lines)
				for n := range r.Cells[k].Tables {
					table(&r.Cells[k].Tables[n])
				}
			}
		}
	}
	for _, b := range c.Blocks {
		if b.Table != nil {
			table(b.Table)
		}
	}
}

// oldWitnessed is the combination the kept contents were read with.
func oldWitnessed(p float64, agree bool, t float64) float64 {
	if agree {
		return 1 - (1-p)*(1-t)
	}
	return p * 0.85
}

// rowType is the type of key's row in edition id's template.
func rowType(id, key string) string {
	t, ok := layout.MustLoad().Get(id)
	if !ok {
		return "?"
	}
	for _, r := range t.Rows {
		if r.Key == key {
			return r.Type
		}
	}
	return "?"
}
