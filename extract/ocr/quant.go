package ocr

import (
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// PP-OCR runs on 8-bit integers where most of its arithmetic is: the
// pointwise (1×1) convolutions of its backbone and its matrix products by
// constant weights (the attention's projections and the 6625-class head).
// Their weights are quantised to int8 per output channel when the model
// is loaded, and their inputs and outputs to uint8 over ranges measured
// beforehand on the corpus's value lines, each range leaving out its
// rarest extremes (quant_ranges.json, written by `go test ./extract -run
// TestCalibratePPOCR -update`, valid for the one model whose SHA-256 it
// names). The graph gets them as QuantizeLinear / DequantizeLinear pairs,
// which ONNX Runtime fuses into its integer kernels (QLinearConv,
// MatMulIntegerToFloat; VNNI where the processor has it); the model's
// opset is raised from 9 to 10 for them. Depthwise convolutions stay
// float: quantised too, the model ran at 34 µs per column instead of 31,
// their integer kernels costing more in conversions than they save. A
// model the ranges were not measured on runs in float.

//go:embed quant_ranges.json
var quantRangesJSON []byte

// quantRanges are calibrated ranges for one model.
type quantRanges struct {
	// Model is the SHA-256 of the installed model file they were
	// measured on.
	Model string `json:"model"`
	// Values maps each quantised value to its [lo, hi].
	Values map[string][2]float32 `json:"values"`
}

// embeddedRanges returns the ranges built in, if they were measured on
// model (its bytes as installed).
func embeddedRanges(model []byte) (map[string]qrange, bool) {
	var r quantRanges
	if err := json.Unmarshal(quantRangesJSON, &r); err != nil || len(r.Values) == 0 {
		return nil, false
	}
	sum := sha256.Sum256(model)
	if r.Model != hex.EncodeToString(sum[:]) {
		return nil, false
	}
	out := make(map[string]qrange, len(r.Values))
	for k, v := range r.Values {
		out[k] = qrange{v[0], v[1]}
	}
	return out, true
}

// quantRecGraph returns the folded model with its pointwise convolutions
// and constant matrix products quantised by ranges, and how many; a
// target without a range (another model) leaves the model as it is.
func quantRecGraph(folded []byte, ranges map[string]qrange) ([]byte, int, error) {
	g, err := parseGraph(folded)
	if err != nil {
		return nil, 0, err
	}
	n := g.quantizeWith(ranges)
	if n == 0 {
		return folded, 0, nil
	}
	return g.encode(), n, nil
}

// quantizeWith quantises g by ranges when they hold every value it asks
// about and g has no operator raiseOpset10 cannot carry, and returns how
// many operators it quantised (0: g unchanged).
func (g *onnxGraph) quantizeWith(ranges map[string]qrange) int {
	targets := g.quantTargets()
	if len(targets) == 0 {
		return 0
	}
	for _, n := range g.nodes {
		if !n.dead && n.domain == "" && slices.Contains(opset10Changed, n.op) {
			return 0
		}
	}
	for _, t := range targets {
		r, ok := ranges[t]
		if !ok || !(r.hi > r.lo) || math.IsInf(float64(r.hi-r.lo), 0) {
			return 0
		}
	}
	g.index()
	return g.quantize(ranges)
}

// quantTargets lists the values whose ranges quantize needs: each
// pointwise convolution's input and output, each constant matrix
// product's input.
func (g *onnxGraph) quantTargets() []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, n := range g.nodes {
		switch {
		case n.dead:
		case g.quantConv(n):
			add(n.in[0])
			add(n.out[0])
		case g.quantMatMul(n):
			add(n.in[0])
		}
	}
	return out
}

func (g *onnxGraph) quantConv(n *onnxNode) bool {
	if n.op != "Conv" || n.domain != "" || !g.pointwise(n) {
		return false
	}
	w, _, _ := g.conv(n)
	return max(w.dims[0], w.dims[1]) >= quantMinChannels
}

// quantMinChannels is the fewest channels, in or out, of a convolution
// run on integers: those of the network's last stages, over maps a
// quarter of the input's height or less. The five before them (16 to 128
// channels over the widest maps) lose in 8 bits what a lone character
// read alone needs: with them quantised, lone digits of a 150-dpi lab
// copy read alone went from 0.99 sure to 0.50–0.93, or read 0 as O and 1
// as nothing (TestQuantRecGraph, TestPPOCRPackedSameAsAlone); without
// them they read as in float.
const quantMinChannels = 240

func (g *onnxGraph) quantMatMul(n *onnxNode) bool {
	if n.op != "MatMul" || n.domain != "" || len(n.in) != 2 || len(n.out) != 1 {
		return false
	}
	w := g.consts[n.in[1]]
	return w != nil && len(w.dims) == 2 && w.dims[0] > 0 && w.dims[1] > 0 && g.consts[n.in[0]] == nil
}

// calibrationModel returns the folded model with the values names as its
// outputs too, after its own.
func calibrationModel(folded []byte, names []string) ([]byte, error) {
	g, err := parseGraph(folded)
	if err != nil {
		return nil, err
	}
	return g.withOutputs(names), nil
}

// withOutputs encodes g with the values names as outputs too, after its
// own: what calibration measures.
func (g *onnxGraph) withOutputs(names []string) []byte {
	for _, n := range names {
		var tt []byte
		tt = protowire.AppendTag(tt, 1, protowire.VarintType)
		tt = protowire.AppendVarint(tt, 1) // FLOAT
		var tp []byte
		tp = protowire.AppendTag(tp, 1, protowire.BytesType)
		tp = protowire.AppendBytes(tp, tt)
		var vi []byte
		vi = appendString(vi, 1, n)
		vi = protowire.AppendTag(vi, 2, protowire.BytesType)
		vi = protowire.AppendBytes(vi, tp)
		g.extraOutputs = append(g.extraOutputs, vi)
	}
	return g.encode()
}

// qrange is a value's calibrated range, what its uint8 quantisation covers.
type qrange struct{ lo, hi float32 }

func (r qrange) params() (scale float32, zero uint8) {
	lo, hi := min(r.lo, 0), max(r.hi, 0)
	if hi-lo < 1e-8 {
		return 1, 0
	}
	scale = (hi - lo) / 255
	z := math.Round(float64(-lo / scale))
	return scale, uint8(max(0, min(255, z)))
}

// quantize rewrites the convolutions (and matrix products by constants)
// of the folded graph to run on 8-bit integers: each input and output
// quantised to uint8 by ranges[value] and each weight to int8 per output
// channel, as Q/DQ pairs that ONNX Runtime fuses into its integer kernels
// (the activations' in the default domain at opset 10, raised here; the
// weights' per-channel DQ in com.microsoft's, which opset 10 lacks).
// Values without a range stay float.
func (g *onnxGraph) quantize(ranges map[string]qrange) int {
	n := 0
	var nodes []*onnxNode
	for _, nd := range g.nodes {
		if nd.dead {
			nodes = append(nodes, nd)
			continue
		}
		var pre, post []*onnxNode
		switch {
		case g.quantConv(nd):
			w, bias, ok := g.conv(nd)
			if !ok {
				break
			}
			rin, ok1 := ranges[nd.in[0]]
			rout, ok2 := ranges[nd.out[0]]
			if !ok1 || !ok2 {
				break
			}
			sx, zx := rin.params()
			xq := g.qdq(nd.in[0], sx, zx, &pre)
			cout := int(w.dims[0])
			wdq, sw := g.weightDQ(nd.name, w, 0)
			pre = append(pre, wdq)
			bq := make([]byte, 4*cout)
			bs := make([]float32, cout)
			for o := range bias {
				bs[o] = sx * sw[o]
				binary.LittleEndian.PutUint32(bq[4*o:], uint32(int32(math.Round(float64(bias[o]/bs[o])))))
			}
			bname := g.addTyped(nd.name+".bq", []int64{int64(cout)}, 6, bq)
			bsc := g.addConst(nd.name+".bs", &onnxTensor{dims: []int64{int64(cout)}, data: bs})
			bz := g.addTyped(nd.name+".bz", []int64{int64(cout)}, 6, make([]byte, 4*cout))
			bdq := g.node("DequantizeLinear", []string{bname, bsc, bz}, nd.name+".bdq", intAttr("axis", 0))
			pre = append(pre, bdq)
			y := nd.out[0]
			raw := y + ".f"
			nd.in = []string{xq, wdq.out[0], bdq.out[0]}
			nd.out = []string{raw}
			nd.raw = nil
			sy, zy := rout.params()
			g.qdqTo(raw, y, sy, zy, &post)
			n++
		case g.quantMatMul(nd):
			rin, ok := ranges[nd.in[0]]
			if !ok {
				break
			}
			sx, zx := rin.params()
			xq := g.qdq(nd.in[0], sx, zx, &pre)
			wdq, _ := g.weightDQ(nd.name, g.consts[nd.in[1]], 1)
			pre = append(pre, wdq)
			nd.in = []string{xq, wdq.out[0]}
			nd.raw = nil
			n++
		}
		nodes = append(nodes, pre...)
		nodes = append(nodes, nd)
		nodes = append(nodes, post...)
	}
	g.nodes = nodes
	if n > 0 {
		g.msDomain = true
		g.raiseOpset10()
	}
	return n
}

// weightDQ quantises the constant w to int8, symmetric, one scale per
// channel along axis (0: a convolution's output channels, 1: a matrix's
// columns), and returns the DequantizeLinear that gives it back and the
// scales.
func (g *onnxGraph) weightDQ(like string, w *onnxTensor, axis int) (*onnxNode, []float32) {
	ch := int(w.dims[axis])
	per := w.size() / ch
	channel := func(j int) int {
		if axis == 0 {
			return j / per
		}
		return j % ch
	}
	sw := make([]float32, ch)
	for j, v := range w.values() {
		c := channel(j)
		sw[c] = max(sw[c], float32(math.Abs(float64(v))))
	}
	for c := range sw {
		if sw[c] == 0 {
			sw[c] = 1
		}
		sw[c] /= 127
	}
	wq := make([]byte, w.size())
	for j, v := range w.values() {
		wq[j] = byte(int8(math.Round(float64(v / sw[channel(j)]))))
	}
	wname := g.addTyped(like+".wq", w.dims, 3, wq)
	wsc := g.addConst(like+".ws", &onnxTensor{dims: []int64{int64(ch)}, data: sw})
	wz := g.addTyped(like+".wz", []int64{int64(ch)}, 3, make([]byte, ch))
	return g.node("DequantizeLinear", []string{wname, wsc, wz}, like+".wdq", intAttr("axis", int64(axis))), sw
}

// qdq appends Q and DQ of value x to *list and returns the DQ's output.
func (g *onnxGraph) qdq(x string, s float32, z uint8, list *[]*onnxNode) string {
	out := x + ".qdq" + fmt.Sprint(len(g.added))
	g.qdqTo(x, out, s, z, list)
	return out
}

func (g *onnxGraph) qdqTo(x, out string, s float32, z uint8, list *[]*onnxNode) {
	sc := g.addConst(x+".s", &onnxTensor{dims: nil, data: []float32{s}})
	zp := g.addTyped(x+".z", nil, 2, []byte{z})
	q := g.node("QuantizeLinear", []string{x, sc, zp}, x+".q")
	dq := g.node("DequantizeLinear", []string{q.out[0], sc, zp}, x+".dq")
	q.domain, dq.domain = "", ""
	dq.out = []string{out}
	*list = append(*list, q, dq)
}

// node makes a com.microsoft node with one output named after name.
func (g *onnxGraph) node(op string, in []string, name string, attrs ...[]byte) *onnxNode {
	g.serial++
	name = fmt.Sprintf("%s.%d", name, g.serial)
	return &onnxNode{op: op, domain: "com.microsoft", name: name, in: in, out: []string{name + ".out"}, attrs: attrs}
}

// addTyped adds an initializer of another type than float (raw data).
func (g *onnxGraph) addTyped(like string, dims []int64, dtype uint64, raw []byte) string {
	g.serial++
	name := fmt.Sprintf("%s.%d", like, g.serial)
	var b []byte
	for _, d := range dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, dtype)
	b = appendString(b, 8, name)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendBytes(b, raw)
	g.added = append(g.added, b)
	return name
}

func intAttr(name string, v int64) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, name)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	b = protowire.AppendVarint(b, 2) // INT
	return b
}

// opset10Changed are the operators whose opset-9 form opset 10 changed
// and raiseOpset10 does not rewrite: a model holding one stays float.
var opset10Changed = []string{"Upsample", "TopK", "Dropout"}

// raiseOpset10 declares the default domain at opset 10, where ONNX
// Runtime's integer convolution is defined, and rewrites what changed
// from opset 9 among the model's operators: Slice's bounds became inputs.
func (g *onnxGraph) raiseOpset10() {
	g.opset = 10
	for _, n := range g.nodes {
		if n.dead || n.op != "Slice" || n.domain != "" || len(n.in) != 1 {
			continue
		}
		in := []string{n.in[0]}
		for _, a := range []string{"starts", "ends", "axes"} {
			v, ok := n.attrInts(a)
			if !ok {
				break
			}
			raw := make([]byte, 8*len(v))
			for i, x := range v {
				binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
			}
			in = append(in, g.addTyped(n.name+"."+a, []int64{int64(len(v))}, 7, raw))
		}
		n.in, n.attrs, n.raw = in, nil, nil
	}
}
