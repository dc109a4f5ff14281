//go:build cgo

package ocr

import (
	"math"
	"slices"
	"testing"
)

// testRuntime opens the installed ONNX Runtime, if there is one.
func testRuntime(t *testing.T) (*ortRuntime, bool) {
	t.Helper()
	dir := FindModels(ModelDirs(""))
	if dir == "" {
		return nil, false
	}
	lib, err := findRuntime(dir)
	if err != nil {
		return nil, false
	}
	rt, err := openRuntime(lib)
	if err != nil {
		t.Fatal(err)
	}
	return rt, true
}

// evalModel runs model on x with ONNX Runtime, if it is installed.
func evalModel(t *testing.T, model []byte, x []float32, dims []int64) ([]float32, bool) {
	t.Helper()
	rt, ok := testRuntime(t)
	if !ok {
		return nil, false
	}
	defer rt.close()
	s, err := rt.newSession(model, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	out, _, err := s.run(append([]float32(nil), x...), dims)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out...), true
}

// TestFoldRecGraph folds the installed recognition model: operators go,
// folding again finds nothing, and on the cells of rows.png (batched as
// the reader batches them) every score is the original's within float
// rounding and every reading the same.
func TestFoldRecGraph(t *testing.T) {
	m := testModels(t)
	folded, removed, err := foldRecGraph(m.Rec)
	if err != nil {
		t.Fatal(err)
	}
	if removed < 100 {
		t.Errorf("removed %d operators; PP-OCRv4's graph has 28 hard swishes and their scales", removed)
	}
	if _, n, err := foldRecGraph(folded); err != nil || n != 0 {
		t.Errorf("folding again removed %d (%v)", n, err)
	}
	if err := checkRecModel(folded, len(m.Classes)); err != nil {
		t.Errorf("folded model: %v", err)
	}
	g := loadGray(t, "rows.png")
	var crops []lineCrop
	for _, c := range cells {
		crops = append(crops, splitLines(g, c.rect)...)
	}
	data, w := prepareBatch(g, crops)
	dims := []int64{int64(len(crops)), 3, recHeight, int64(w)}
	rt, err := openRuntime(m.Lib)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	var scores [2][]float32
	var shape []int64
	for k, model := range [][]byte{m.Rec, folded} {
		s, err := rt.newSession(model, 1)
		if err != nil {
			t.Fatal(err)
		}
		out, sh, err := s.run(slices.Clone(data), dims)
		if err != nil {
			t.Fatal(err)
		}
		scores[k], shape = slices.Clone(out), sh
		s.close()
	}
	var worst float64
	for i := range scores[0] {
		worst = max(worst, math.Abs(float64(scores[0][i]-scores[1][i])))
	}
	if worst > 1e-4 {
		t.Errorf("scores differ by up to %g", worst)
	}
	p := newPPOCR(nil, m.Classes, 1)
	per := int(shape[1] * shape[2])
	for i := range crops {
		a, b := p.decode(scores[0][i*per:(i+1)*per]), p.decode(scores[1][i*per:(i+1)*per])
		if a.Text != b.Text || math.Abs(a.Min-b.Min) > 1e-4 {
			t.Errorf("line %d: %q (%.5f) folded, %q (%.5f) unfolded", i, b.Text, b.Min, a.Text, a.Min)
		}
		if a.Text == "" && i < 3 {
			t.Errorf("line %d read nothing", i)
		}
	}
}

// measuredRanges runs model on x with ONNX Runtime, if it is installed,
// and returns the range each value named takes.
func measuredRanges(t *testing.T, model []byte, x []float32, dims []int64, names []string) (map[string]qrange, bool) {
	t.Helper()
	cm, err := calibrationModel(model, names)
	if err != nil {
		t.Fatal(err)
	}
	rt, ok := testRuntime(t)
	if !ok {
		return nil, false
	}
	defer rt.close()
	if len(names) == 0 {
		return map[string]qrange{}, true
	}
	s, err := rt.session(cm, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	vals, err := s.runMany(slices.Clone(x), dims, names)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]qrange{}
	for i, n := range names {
		out[n] = qrange{slices.Min(vals[i]), slices.Max(vals[i])}
	}
	return out, true
}
