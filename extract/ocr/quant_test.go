package ocr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQuantGraphs quantises each case with the ranges given and checks
// which operators it comes back with and, where ONNX Runtime is
// installed, that the integer model computes what the float one does
// within what 8 bits allow.
func TestQuantGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	spread := randomValues(r, 240*4*3*3, -0.5, 0.5)
	pw := randomValues(r, 8*240, -0.1, 0.1)
	dw := randomValues(r, 240*1*3*3, -0.5, 0.5)
	narrow := randomValues(r, 128*4, -1, 1)
	mm := randomValues(r, 6*3, -1, 1)
	bias := randomValues(r, 8, -4, 4)
	pad1 := intsAttr("pads", 1, 1, 1, 1)
	wide := tnode{"Conv", []string{"x", "W1"}, []string{"c"}, [][]byte{pad1}}
	all := map[string]qrange{"x": {-6, 6}, "c": {-12, 12}, "d": {-8, 8}, "e": {-8, 8}, "y": {-20, 20}}
	qdq := []string{"QuantizeLinear", "DequantizeLinear"}
	convQ := slices.Concat(qdq, []string{"DequantizeLinear", "DequantizeLinear", "Conv"}, qdq)
	for _, c := range []struct {
		name   string
		consts []tconst
		nodes  []tnode
		ranges map[string]qrange
		want   []string // operators after quantising; nil: the model unchanged
	}{{
		name:   "a pointwise convolution of 240 channels runs on integers",
		consts: []tconst{{"W1", []int64{240, 4, 3, 3}, spread, false}, {"W2", []int64{8, 240, 1, 1}, pw, false}, {"B2", []int64{8}, bias, false}},
		nodes:  []tnode{wide, {"Conv", []string{"c", "W2", "B2"}, []string{"y"}, nil}},
		ranges: all,
		want:   slices.Concat([]string{"Conv"}, convQ),
	}, {
		name:   "a product by constant weights runs on integers, its output float",
		consts: []tconst{{"B", []int64{6, 3}, mm, false}},
		nodes:  []tnode{{"MatMul", []string{"x", "B"}, []string{"y"}, nil}},
		ranges: all,
		want:   slices.Concat(qdq, []string{"DequantizeLinear", "MatMul"}),
	}, {
		name:   "both, one after the other",
		consts: []tconst{{"W1", []int64{240, 4, 3, 3}, spread, false}, {"W2", []int64{8, 240, 1, 1}, pw, false}, {"B", []int64{6, 3}, mm, false}},
		nodes:  []tnode{wide, {"Conv", []string{"c", "W2"}, []string{"d"}, nil}, {"MatMul", []string{"d", "B"}, []string{"y"}, nil}},
		ranges: all,
		want:   slices.Concat([]string{"Conv"}, convQ, qdq, []string{"DequantizeLinear", "MatMul"}),
	}, {
		name:   "a depthwise convolution stays float",
		consts: []tconst{{"W1", []int64{240, 4, 3, 3}, spread, false}, {"W2", []int64{240, 1, 3, 3}, dw, false}},
		nodes:  []tnode{wide, {"Conv", []string{"c", "W2"}, []string{"y"}, [][]byte{pad1, intAttr("group", 240)}}},
		ranges: all,
	}, {
		name:   "a pointwise convolution of fewer than 240 channels stays float",
		consts: []tconst{{"W", []int64{128, 4, 1, 1}, narrow, false}},
		nodes:  []tnode{{"Conv", []string{"x", "W"}, []string{"y"}, nil}},
		ranges: all,
	}, {
		name:   "a product of two computed values stays float",
		consts: []tconst{{"W1", []int64{240, 4, 3, 3}, spread, false}},
		nodes:  []tnode{{"Transpose", []string{"x"}, []string{"t"}, [][]byte{intsAttr("perm", 0, 1, 3, 2)}}, {"MatMul", []string{"x", "t"}, []string{"y"}, nil}},
		ranges: all,
	}, {
		name:   "without a range for every value quantised, nothing is",
		consts: []tconst{{"W1", []int64{240, 4, 3, 3}, spread, false}, {"W2", []int64{8, 240, 1, 1}, pw, false}, {"B", []int64{6, 3}, mm, false}},
		nodes:  []tnode{wide, {"Conv", []string{"c", "W2"}, []string{"d"}, nil}, {"MatMul", []string{"d", "B"}, []string{"y"}, nil}},
		ranges: map[string]qrange{"c": {-12, 12}},
	}, {
		name:   "an empty range is none",
		consts: []tconst{{"B", []int64{6, 3}, mm, false}},
		nodes:  []tnode{{"MatMul", []string{"x", "B"}, []string{"y"}, nil}},
		ranges: map[string]qrange{"x": {1, 1}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			model := buildModel(c.consts, c.nodes)
			x := randomValues(r, 4*5*6, -6, 6)
			ranges := c.ranges
			if c.want != nil {
				// The ranges the values take on x, as calibration measures
				// them, where ONNX Runtime is installed.
				g, err := parseGraph(model)
				if err != nil {
					t.Fatal(err)
				}
				if m, ok := measuredRanges(t, model, x, xDims, g.quantTargets()); ok && len(m) > 0 {
					ranges = m
				}
			}
			q, n, err := quantRecGraph(model, ranges)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if n != 0 || string(q) != string(model) {
					t.Fatalf("quantised %d: %v", n, opsOf(t, q))
				}
				return
			}
			if got := opsOf(t, q); !slices.Equal(got, c.want) {
				t.Fatalf("operators %v, want %v", got, c.want)
			}
			want, ok := evalModel(t, model, x, xDims)
			if !ok {
				return
			}
			out, _ := evalModel(t, q, x, xDims)
			if len(out) != len(want) {
				t.Fatalf("%d outputs, want %d", len(out), len(want))
			}
			var span, worst float64
			for i := range want {
				span = max(span, math.Abs(float64(want[i])))
				worst = max(worst, math.Abs(float64(out[i]-want[i])))
			}
			// 8 bits: a few steps of 1/255 of the ranges involved.
			if worst > 0.03*span {
				t.Errorf("outputs differ by up to %g of %g", worst, span)
			}
		})
	}
}

// TestQuantTwice: quantising a quantised model finds nothing more and
// keeps it as it is.
func TestQuantTwice(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	model := buildModel([]tconst{{"B", []int64{6, 3}, randomValues(r, 18, -1, 1), false}}, []tnode{{"MatMul", []string{"x", "B"}, []string{"y"}, nil}})
	q, n, err := quantRecGraph(model, map[string]qrange{"x": {-6, 6}})
	if err != nil || n != 1 {
		t.Fatalf("quantised %d (%v)", n, err)
	}
	again, n, err := quantRecGraph(q, map[string]qrange{"x": {-6, 6}})
	if err != nil || n != 0 || string(again) != string(q) {
		t.Errorf("quantising again: %d (%v)", n, err)
	}
}
