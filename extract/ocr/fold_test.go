package ocr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// A tiny ONNX model builder for the fold's cases: opset 9 as PP-OCRv4's
// export, one input x [1,4,5,6] and one output y.

type tnode struct {
	op      string
	in, out []string
	attrs   [][]byte
}

type tconst struct {
	name string
	dims []int64
	data []float32
	node bool // a Constant node, as Paddle2ONNX writes weights, not an initializer
}

var xDims = []int64{1, 4, 5, 6}

func tensorBytes(c tconst) []byte {
	name := c.name
	if c.node {
		name = ""
	}
	return encodeTensor(name, &onnxTensor{dims: c.dims, data: c.data})
}

func intsAttr(name string, vs ...int64) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, name)
	for _, v := range vs {
		b = protowire.AppendTag(b, 8, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(v))
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, 7) // INTS
}

// valueInfoBytes is a ValueInfoProto of a float tensor; a dimension of 0
// is free (named n), nil dimensions no shape at all.
func valueInfoBytes(name string, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		if d > 0 {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		} else {
			dim = appendString(dim, 2, "n")
		}
		shape = protowire.AppendTag(shape, 1, protowire.BytesType)
		shape = protowire.AppendBytes(shape, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, 1, protowire.VarintType)
	tt = protowire.AppendVarint(tt, 1)
	if dims != nil {
		tt = protowire.AppendTag(tt, 2, protowire.BytesType)
		tt = protowire.AppendBytes(tt, shape)
	}
	var typ []byte
	typ = protowire.AppendTag(typ, 1, protowire.BytesType)
	typ = protowire.AppendBytes(typ, tt)
	b := appendString(nil, 1, name)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, typ)
}

func buildModel(consts []tconst, nodes []tnode) []byte {
	var g []byte
	addNode := func(n tnode) {
		on := &onnxNode{op: n.op, in: n.in, out: n.out, attrs: n.attrs}
		g = protowire.AppendTag(g, 1, protowire.BytesType)
		g = protowire.AppendBytes(g, on.encode())
	}
	for _, c := range consts {
		if c.node {
			var a []byte
			a = protowire.AppendTag(a, 1, protowire.BytesType)
			a = protowire.AppendString(a, "value")
			a = protowire.AppendTag(a, 5, protowire.BytesType)
			a = protowire.AppendBytes(a, tensorBytes(c))
			a = protowire.AppendTag(a, 20, protowire.VarintType)
			a = protowire.AppendVarint(a, 4) // TENSOR
			addNode(tnode{op: "Constant", out: []string{c.name}, attrs: [][]byte{a}})
		}
	}
	for _, n := range nodes {
		addNode(n)
	}
	g = protowire.AppendTag(g, 2, protowire.BytesType)
	g = protowire.AppendString(g, "case")
	for _, c := range consts {
		if !c.node {
			g = protowire.AppendTag(g, 5, protowire.BytesType)
			g = protowire.AppendBytes(g, tensorBytes(c))
		}
	}
	g = protowire.AppendTag(g, 11, protowire.BytesType)
	g = protowire.AppendBytes(g, valueInfoBytes("x", xDims))
	g = protowire.AppendTag(g, 12, protowire.BytesType)
	g = protowire.AppendBytes(g, valueInfoBytes("y", nil))
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType)
	m = protowire.AppendVarint(m, 8)
	var ops []byte
	ops = protowire.AppendTag(ops, 2, protowire.VarintType)
	ops = protowire.AppendVarint(ops, 9)
	m = protowire.AppendTag(m, 8, protowire.BytesType)
	m = protowire.AppendBytes(m, ops)
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	return protowire.AppendBytes(m, g)
}

// opsOf lists the model's operators other than Constant, in order.
func opsOf(t *testing.T, model []byte) []string {
	t.Helper()
	g, err := parseGraph(model)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range g.nodes {
		if n.op != "Constant" {
			out = append(out, n.op)
		}
	}
	return out
}

func randomValues(r *rand.Rand, n int, lo, hi float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = lo + (hi-lo)*r.Float32()
	}
	return out
}

// TestFoldGraphs folds each case and checks which operators remain and,
// where ONNX Runtime is installed, that the folded model computes what
// the original does, borders of padded convolutions included.
func TestFoldGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w3 := randomValues(r, 4*4*3*3, -1, 1)
	dw := randomValues(r, 4*1*3*3, -1, 1)
	pw := randomValues(r, 3*4*1*1, -1, 1)
	bias := randomValues(r, 4, -1, 1)
	pad1 := intsAttr("pads", 1, 1, 1, 1)
	clip := func(lo, hi float32) [][]byte { return [][]byte{floatAttr("min", lo), floatAttr("max", hi)} }
	for _, c := range []struct {
		name   string
		consts []tconst
		nodes  []tnode
		want   []string // operators after folding
	}{{
		name: "scale and shift after a convolution become its weights and bias",
		consts: []tconst{{"W", []int64{4, 4, 3, 3}, w3, true}, {"B", []int64{4}, bias, true},
			{"k", []int64{1}, []float32{1.7}, true}, {"b", []int64{1, 4, 1, 1}, []float32{0.1, -0.2, 0.3, 0.5}, true}},
		nodes: []tnode{{"Conv", []string{"x", "W", "B"}, []string{"c"}, [][]byte{pad1}},
			{"Mul", []string{"k", "c"}, []string{"m"}, nil}, {"Add", []string{"m", "b"}, []string{"y"}, nil}},
		want: []string{"Conv"},
	}, {
		name:   "a convolution without bias gains one",
		consts: []tconst{{"W", []int64{4, 4, 3, 3}, w3, false}, {"k", []int64{4, 1, 1}, []float32{1, 2, 3, -4}, false}},
		nodes: []tnode{{"Conv", []string{"x", "W"}, []string{"c"}, [][]byte{pad1}},
			{"Mul", []string{"c", "k"}, []string{"y"}, nil}},
		want: []string{"Conv"},
	}, {
		name:   "a convolution read twice keeps its scale",
		consts: []tconst{{"W", []int64{4, 4, 3, 3}, w3, true}, {"k", []int64{1}, []float32{1.7}, true}},
		nodes: []tnode{{"Conv", []string{"x", "W"}, []string{"c"}, [][]byte{pad1}},
			{"Mul", []string{"k", "c"}, []string{"m"}, nil}, {"Add", []string{"m", "c"}, []string{"y"}, nil}},
		want: []string{"Conv", "Mul", "Add"},
	}, {
		name:   "a scale of one value per row is no channel's",
		consts: []tconst{{"W", []int64{4, 4, 3, 3}, w3, true}, {"k", []int64{1, 1, 5, 1}, []float32{1, 2, 3, 4, 5}, true}},
		nodes: []tnode{{"Conv", []string{"x", "W"}, []string{"c"}, [][]byte{pad1}},
			{"Mul", []string{"k", "c"}, []string{"y"}, nil}},
		want: []string{"Conv", "Mul"},
	}, {
		name:   "hard swish becomes x·HardSigmoid(x)",
		consts: []tconst{{"three", []int64{1}, []float32{3}, true}, {"six", []int64{1}, []float32{6}, true}},
		nodes: []tnode{{"Add", []string{"x", "three"}, []string{"a"}, nil}, {"Clip", []string{"a"}, []string{"cl"}, clip(0, 6)},
			{"Mul", []string{"x", "cl"}, []string{"m"}, nil}, {"Div", []string{"m", "six"}, []string{"y"}, nil}},
		want: []string{"HardSigmoid", "Mul"},
	}, {
		name:   "a clip to other bounds is no hard swish",
		consts: []tconst{{"three", []int64{1}, []float32{3}, true}, {"six", []int64{1}, []float32{6}, true}},
		nodes: []tnode{{"Add", []string{"x", "three"}, []string{"a"}, nil}, {"Clip", []string{"a"}, []string{"cl"}, clip(0, 5)},
			{"Mul", []string{"x", "cl"}, []string{"m"}, nil}, {"Div", []string{"m", "six"}, []string{"y"}, nil}},
		want: []string{"Add", "Clip", "Mul", "Div"},
	}, {
		name:   "a hard swish's product also read elsewhere stays",
		consts: []tconst{{"three", []int64{1}, []float32{3}, true}, {"six", []int64{1}, []float32{6}, true}},
		nodes: []tnode{{"Add", []string{"x", "three"}, []string{"a"}, nil}, {"Clip", []string{"a"}, []string{"cl"}, clip(0, 6)},
			{"Mul", []string{"x", "cl"}, []string{"m"}, nil}, {"Div", []string{"m", "six"}, []string{"d"}, nil},
			{"Add", []string{"d", "m"}, []string{"y"}, nil}},
		want: []string{"Add", "Clip", "Mul", "Div", "Add"},
	}, {
		name:   "scale before a padded depthwise convolution folds, its shift stays",
		consts: []tconst{{"k", []int64{1}, []float32{-0.8}, true}, {"b", []int64{1}, []float32{0.6}, true}, {"W", []int64{4, 1, 3, 3}, dw, true}},
		nodes: []tnode{{"Mul", []string{"k", "x"}, []string{"m"}, nil}, {"Add", []string{"m", "b"}, []string{"a"}, nil},
			{"Conv", []string{"a", "W"}, []string{"y"}, [][]byte{pad1, intAttr("group", 4)}}},
		want: []string{"Add", "Conv"},
	}, {
		name:   "a zero scale keeps a padded convolution's shift where it was",
		consts: []tconst{{"k", []int64{4, 1, 1}, []float32{1, 0, 2, 3}, true}, {"b", []int64{1}, []float32{0.6}, true}, {"W", []int64{4, 1, 3, 3}, dw, true}},
		nodes: []tnode{{"Mul", []string{"k", "x"}, []string{"m"}, nil}, {"Add", []string{"m", "b"}, []string{"a"}, nil},
			{"Conv", []string{"a", "W"}, []string{"y"}, [][]byte{pad1, intAttr("group", 4)}}},
		want: []string{"Mul", "Add", "Conv"},
	}, {
		name:   "scale and shift before a 1×1 convolution become its weights and bias",
		consts: []tconst{{"k", []int64{1, 4, 1, 1}, []float32{0.5, 2, -1, 3}, true}, {"b", []int64{4, 1, 1}, []float32{0.1, 0.2, -0.3, 0.4}, true}, {"W", []int64{3, 4, 1, 1}, pw, true}},
		nodes: []tnode{{"Mul", []string{"x", "k"}, []string{"m"}, nil}, {"Add", []string{"b", "m"}, []string{"a"}, nil},
			{"Conv", []string{"a", "W"}, []string{"y"}, nil}},
		want: []string{"Conv"},
	}, {
		name:   "a product of two computed values is no scale",
		consts: []tconst{{"b", []int64{1}, []float32{0.6}, true}, {"W", []int64{3, 4, 1, 1}, pw, true}},
		nodes: []tnode{{"Mul", []string{"x", "x"}, []string{"m"}, nil}, {"Add", []string{"m", "b"}, []string{"a"}, nil},
			{"Conv", []string{"a", "W"}, []string{"y"}, nil}},
		want: []string{"Mul", "Add", "Conv"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			model := buildModel(c.consts, c.nodes)
			folded, removed, err := foldRecGraph(model)
			if err != nil {
				t.Fatal(err)
			}
			got := opsOf(t, folded)
			if !slices.Equal(got, c.want) {
				t.Fatalf("operators %v, want %v", got, c.want)
			}
			if removed != len(c.nodes)-len(c.want) {
				t.Errorf("removed %d, want %d", removed, len(c.nodes)-len(c.want))
			}
			if removed == 0 && string(folded) != string(model) {
				t.Error("a model with nothing to fold came back changed")
			}
			again, n, err := foldRecGraph(folded)
			if err != nil || n != 0 || string(again) != string(folded) {
				t.Errorf("folding again removed %d (%v)", n, err)
			}
			x := randomValues(r, 4*5*6, -6, 6)
			want, ok := evalModel(t, model, x, xDims)
			if !ok {
				return
			}
			out, _ := evalModel(t, folded, x, xDims)
			if len(out) != len(want) {
				t.Fatalf("%d outputs, want %d", len(out), len(want))
			}
			for i := range want {
				if d := math.Abs(float64(out[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("output %d: %g, original %g", i, out[i], want[i])
				}
			}
		})
	}
}

// TestFoldMalformed: what does not parse is an error, not a panic.
func TestFoldMalformed(t *testing.T) {
	model := buildModel([]tconst{{"k", []int64{2}, []float32{1, 2}, false}}, []tnode{{"Mul", []string{"x", "k"}, []string{"y"}, nil}})
	for _, b := range [][]byte{nil, {0x3a}, model[:len(model)-3], append([]byte{0x3a, 0x02, 0x0a}, model...)} {
		if _, _, err := foldRecGraph(b); err == nil {
			t.Errorf("%x…: no error", b[:min(len(b), 8)])
		}
	}
	short := buildModel([]tconst{{"k", []int64{3}, []float32{1, 2}, false}}, []tnode{{"Mul", []string{"x", "k"}, []string{"y"}, nil}})
	if _, _, err := foldRecGraph(short); err == nil {
		t.Error("a tensor of 2 values for dimensions [3]: no error")
	}
}

// FuzzFoldRecGraph: whatever the bytes, folding, and quantising what it
// folded with a range for every value it asks about, return an error or a
// model that parses, and never panic.
func FuzzFoldRecGraph(f *testing.F) {
	f.Add(buildModel([]tconst{{"W", []int64{4, 4, 3, 3}, make([]float32, 144), true}, {"k", []int64{1}, []float32{2}, true}},
		[]tnode{{"Conv", []string{"x", "W"}, []string{"c"}, nil}, {"Mul", []string{"k", "c"}, []string{"y"}, nil}}))
	f.Add(buildModel([]tconst{{"three", []int64{1}, []float32{3}, true}, {"six", []int64{1}, []float32{6}, true}},
		[]tnode{{"Add", []string{"x", "three"}, []string{"a"}, nil}, {"Clip", []string{"a"}, []string{"cl"}, [][]byte{floatAttr("min", 0), floatAttr("max", 6)}},
			{"Mul", []string{"x", "cl"}, []string{"m"}, nil}, {"Div", []string{"m", "six"}, []string{"y"}, nil}}))
	f.Add(buildModel([]tconst{{"k", []int64{4, 1, 1}, []float32{1, 2, 3, 4}, false}, {"W", []int64{2, 4, 1, 1}, make([]float32, 8), false}},
		[]tnode{{"Mul", []string{"x", "k"}, []string{"m"}, nil}, {"Conv", []string{"m", "W"}, []string{"y"}, [][]byte{intAttr("group", 1)}}}))
	f.Add(buildModel([]tconst{{"W", []int64{240, 4, 1, 1}, make([]float32, 960), false}, {"B", []int64{6, 3}, make([]float32, 18), false}},
		[]tnode{{"Conv", []string{"x", "W"}, []string{"c"}, nil}, {"MatMul", []string{"c", "B"}, []string{"y"}, nil},
			{"Slice", []string{"y"}, []string{"z"}, [][]byte{intsAttr("starts", 0), intsAttr("ends", 1), intsAttr("axes", 3)}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _, err := foldRecGraph(b)
		if err != nil {
			return
		}
		g, err := parseGraph(out)
		if err != nil {
			t.Fatalf("folded model does not parse: %v", err)
		}
		ranges := map[string]qrange{}
		for _, name := range g.quantTargets() {
			ranges[name] = qrange{-1, 2}
		}
		q, _, err := quantRecGraph(out, ranges)
		if err != nil {
			return
		}
		if _, err := parseGraph(q); err != nil {
			t.Fatalf("quantised model does not parse: %v", err)
		}
	})
}
