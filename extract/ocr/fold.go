package ocr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// PP-OCRv4's recognition model, as Paddle2ONNX exports it, spells out
// what its network does in one step as many elementwise operators: each
// convolution of its LCNet backbone is followed by a learnable scale and
// shift (Mul, Add), a hard swish (Add 3, Clip 0–6, Mul, Div 6) and a
// second scale and shift, eight passes over the feature map per
// convolution. ONNX Runtime fuses none of them (the scale comes as Mul's
// first operand; there is no hard swish kernel at opset 9) and converts
// the map out of its blocked layout and back around them: in its own
// profile of batches of value lines those operators and conversions took
// 52 % of the model's time, the convolutions 43 %. foldRecGraph rewrites
// the graph into the same function in fewer operators before the session
// is made:
//
//   - a constant scale and shift after a convolution become its weights
//     and bias (per output channel, linear: exact);
//   - a hard swish becomes x·HardSigmoid(x) (α = 1/6, β = ½: the same
//     function in two operators, which the runtime then fuses into the
//     convolution before it);
//   - a constant scale before a convolution becomes its weights (zero
//     padding commutes with scaling), and the shift after it its bias when
//     the convolution pads nothing (1×1); before a padded one the shift
//     stays, divided by the scale (k·h + b = k·(h + b/k)), for a padded
//     border is not shifted.
//
// The outputs differ from the original's by float rounding only
// (TestFoldRecGraph, TestFoldGraphs). A model without these shapes comes
// back unchanged: the rewrite is an optimisation, never a condition of
// loading.

// foldRecGraph returns model with its operators folded as above and how
// many it removed.
func foldRecGraph(model []byte) ([]byte, int, error) {
	g, err := parseGraph(model)
	if err != nil {
		return nil, 0, err
	}
	removed := g.fold()
	if removed == 0 {
		return model, 0, nil
	}
	return g.encode(), removed, nil
}

// fold folds g's operators as above and returns how many it removed.
func (g *onnxGraph) fold() int {
	before := g.live()
	// Each pass rewires only values it does not ask about again, so the
	// index of readers is made once per pass.
	for _, pass := range []func(){g.foldConvOutputs, g.hardSwish, g.foldConvInputs} {
		g.index()
		pass()
	}
	return before - g.live()
}

// recGraph is the model NewPPOCR runs: folded, and quantised where ranges
// are given (quant.go), parsed and written once.
func recGraph(model []byte, ranges map[string]qrange) ([]byte, error) {
	g, err := parseGraph(model)
	if err != nil {
		return nil, err
	}
	if g.fold()+g.quantizeWith(ranges) == 0 {
		return model, nil
	}
	return g.encode(), nil
}

// onnxNode is a NodeProto: its raw bytes while unchanged, its fields.
type onnxNode struct {
	raw     []byte
	op      string
	name    string
	domain  string
	in, out []string
	attrs   [][]byte // AttributeProto, raw
	dead    bool
}

// onnxTensor is a float tensor constant. Its values are decoded from raw
// (little-endian) when first asked for: most weights are never folded.
type onnxTensor struct {
	dims []int64
	data []float32
	raw  []byte
}

// values returns the tensor's values.
func (t *onnxTensor) values() []float32 {
	if t.data == nil && t.raw != nil {
		t.data = make([]float32, len(t.raw)/4)
		for i := range t.data {
			t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.raw[4*i:]))
		}
	}
	return t.data
}

func (t *onnxTensor) size() int {
	n := 1
	for _, d := range t.dims {
		n *= int(d)
	}
	return n
}

type onnxGraph struct {
	model    []byte // the ModelProto read
	graphRaw []byte // its GraphProto
	nodes    []*onnxNode
	consts   map[string]*onnxTensor // initializers and Constant nodes' values, float only
	outputs  map[string]bool        // the graph's outputs
	added    [][]byte               // new initializers (TensorProto)
	readers  map[string][]*onnxNode // the nodes reading each value (index)
	serial   int
	msDomain bool // nodes of the com.microsoft domain were added
	opset    int  // the default domain's opset, when raised
	// extraOutputs are ValueInfoProtos to add to the graph's outputs.
	extraOutputs [][]byte
}

func parseGraph(model []byte) (*onnxGraph, error) {
	g := &onnxGraph{model: model, consts: map[string]*onnxTensor{}, outputs: map[string]bool{}}
	if err := walk(model, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 7 && typ == protowire.BytesType {
			g.graphRaw = v
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if g.graphRaw == nil {
		return nil, errors.New("model has no graph")
	}
	err := walk(g.graphRaw, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n, err := parseNode(v)
			if err != nil {
				return err
			}
			if n.op == "Constant" && n.domain == "" && len(n.out) == 1 {
				for _, a := range n.attrs {
					name, t, err := tensorAttr(a)
					if err != nil {
						return err
					}
					if name == "value" && t != nil {
						g.consts[n.out[0]] = t
					}
				}
			}
			g.nodes = append(g.nodes, n)
		case 5:
			name, t, err := parseTensor(v)
			if err != nil {
				return err
			}
			if t != nil {
				g.consts[name] = t
			}
		case 12:
			vi, err := parseValueInfo(v)
			if err != nil {
				return err
			}
			g.outputs[vi.name] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	return g, nil
}

func parseNode(b []byte) (*onnxNode, error) {
	n := &onnxNode{raw: b}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n.in = append(n.in, string(v))
		case 2:
			n.out = append(n.out, string(v))
		case 3:
			n.name = string(v)
		case 4:
			n.op = string(v)
		case 5:
			n.attrs = append(n.attrs, v)
		case 7:
			n.domain = string(v)
		}
		return nil
	})
	return n, err
}

// tensorAttr returns an attribute's name and, if it is a float tensor, the
// tensor.
func tensorAttr(a []byte) (string, *onnxTensor, error) {
	var name string
	var t *onnxTensor
	err := walk(a, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			name = string(v)
		case num == 5 && typ == protowire.BytesType:
			var err error
			_, t, err = parseTensor(v)
			return err
		}
		return nil
	})
	return name, t, err
}

// parseTensor reads a TensorProto's name and, when it is float data held
// in the message, its dimensions and values; other tensors give nil.
func parseTensor(b []byte) (string, *onnxTensor, error) {
	var name string
	var dims []int64
	var raw []byte
	var floats []float32
	dtype := uint64(0)
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			d, _ := protowire.ConsumeVarint(v)
			dims = append(dims, int64(d))
		case num == 1 && typ == protowire.BytesType:
			for len(v) > 0 {
				d, k := protowire.ConsumeVarint(v)
				if k < 0 {
					return protowire.ParseError(k)
				}
				dims = append(dims, int64(d))
				v = v[k:]
			}
		case num == 2 && typ == protowire.VarintType:
			dtype, _ = protowire.ConsumeVarint(v)
		case num == 4 && typ == protowire.BytesType:
			for ; len(v) >= 4; v = v[4:] {
				floats = append(floats, math.Float32frombits(binary.LittleEndian.Uint32(v)))
			}
		case num == 4 && typ == protowire.Fixed32Type:
			floats = append(floats, math.Float32frombits(binary.LittleEndian.Uint32(v)))
		case num == 8 && typ == protowire.BytesType:
			name = string(v)
		case num == 9 && typ == protowire.BytesType:
			raw = v
		}
		return nil
	})
	if err != nil || dtype != 1 {
		return name, nil, err
	}
	size := 1
	for _, d := range dims {
		if d < 0 || d > 1<<28 || size*int(d) > 1<<28 {
			return name, nil, fmt.Errorf("tensor %s: dimensions %v", name, dims)
		}
		size *= int(d)
	}
	t := &onnxTensor{dims: dims, data: floats, raw: raw}
	n := len(floats)
	if raw != nil {
		n = len(raw) / 4
		if len(raw)%4 != 0 || floats != nil {
			return name, nil, fmt.Errorf("tensor %s: raw data of %d bytes", name, len(raw))
		}
	}
	if n != t.size() {
		return name, nil, fmt.Errorf("tensor %s: %d values for dimensions %v", name, n, dims)
	}
	return name, t, nil
}

// attrFloat and attrInts read a node's attribute of that name.
func (n *onnxNode) attrFloat(name string) (float32, bool) {
	var out float32
	found := false
	for _, a := range n.attrs {
		var an string
		var f float32
		var has bool
		walk(a, func(num protowire.Number, typ protowire.Type, v []byte) error {
			switch {
			case num == 1 && typ == protowire.BytesType:
				an = string(v)
			case num == 2 && typ == protowire.Fixed32Type:
				f, has = math.Float32frombits(binary.LittleEndian.Uint32(v)), true
			}
			return nil
		})
		if an == name && has {
			out, found = f, true
		}
	}
	return out, found
}

func (n *onnxNode) attrInts(name string) ([]int64, bool) {
	for _, a := range n.attrs {
		var an string
		var ints []int64
		var has bool
		walk(a, func(num protowire.Number, typ protowire.Type, v []byte) error {
			switch {
			case num == 1 && typ == protowire.BytesType:
				an = string(v)
			case (num == 3 || num == 8) && typ == protowire.VarintType:
				x, _ := protowire.ConsumeVarint(v)
				ints, has = append(ints, int64(x)), true
			case num == 8 && typ == protowire.BytesType:
				for len(v) > 0 {
					x, k := protowire.ConsumeVarint(v)
					if k < 0 {
						return protowire.ParseError(k)
					}
					ints, has = append(ints, int64(x)), true
					v = v[k:]
				}
			}
			return nil
		})
		if an == name && has {
			return ints, true
		}
	}
	return nil, false
}

// live counts the nodes other than constants.
func (g *onnxGraph) live() int {
	n := 0
	for _, nd := range g.nodes {
		if !nd.dead && nd.op != "Constant" {
			n++
		}
	}
	return n
}

// index notes the nodes reading each value.
func (g *onnxGraph) index() {
	g.readers = map[string][]*onnxNode{}
	for _, n := range g.nodes {
		if n.dead {
			continue
		}
		for k, in := range n.in {
			if !slices.Contains(n.in[:k], in) {
				g.readers[in] = append(g.readers[in], n)
			}
		}
	}
}

// consumers lists the live nodes reading value name.
func (g *onnxGraph) consumers(name string) []*onnxNode {
	var out []*onnxNode
	for _, n := range g.readers[name] {
		if !n.dead {
			out = append(out, n)
		}
	}
	return out
}

// only returns the one node reading value name, if it is the only reader
// and not a graph output.
func (g *onnxGraph) only(name string) *onnxNode {
	if g.outputs[name] {
		return nil
	}
	cs := g.consumers(name)
	if len(cs) != 1 {
		return nil
	}
	return cs[0]
}

// constOperand returns, for a binary node of the default domain with one
// constant and one computed operand, the constant and the computed input.
func (g *onnxGraph) constOperand(n *onnxNode) (*onnxTensor, string, bool) {
	if n.domain != "" || len(n.in) != 2 || len(n.out) != 1 {
		return nil, "", false
	}
	a, b := g.consts[n.in[0]], g.consts[n.in[1]]
	switch {
	case a != nil && b == nil:
		return a, n.in[1], true
	case b != nil && a == nil:
		return b, n.in[0], true
	}
	return nil, "", false
}

// perChannel returns t's value for each of c channels of an NCHW tensor
// it broadcasts over: one value, or [c,1,1] / [1,c,1,1].
func perChannel(t *onnxTensor, c int) ([]float32, bool) {
	if len(t.dims) > 4 {
		return nil, false // broadcasting it would add dimensions
	}
	if t.size() == 1 {
		out := make([]float32, c)
		for i := range out {
			out[i] = t.values()[0]
		}
		return out, true
	}
	if t.size() != c {
		return nil, false
	}
	switch {
	case len(t.dims) == 3 && t.dims[1] == 1 && t.dims[2] == 1,
		len(t.dims) == 4 && t.dims[0] == 1 && t.dims[2] == 1 && t.dims[3] == 1:
		return t.values(), true
	}
	return nil, false
}

// conv returns a convolution's constant weights [Cout, Cin/group, kh, kw]
// and bias (zeros when it has none).
func (g *onnxGraph) conv(n *onnxNode) (*onnxTensor, []float32, bool) {
	if n.op != "Conv" || n.domain != "" || len(n.in) < 2 || len(n.out) != 1 {
		return nil, nil, false
	}
	w := g.consts[n.in[1]]
	if w == nil || len(w.dims) != 4 || slices.Contains(w.dims, 0) {
		return nil, nil, false
	}
	cout := int(w.dims[0])
	bias := make([]float32, cout)
	if len(n.in) > 2 && n.in[2] != "" {
		b := g.consts[n.in[2]]
		if b == nil || b.size() != cout {
			return nil, nil, false
		}
		copy(bias, b.values())
	}
	return w, bias, true
}

// setConv gives a convolution new weights and bias.
func (g *onnxGraph) setConv(n *onnxNode, w *onnxTensor, bias []float32) {
	wn := g.addConst(n.in[1], w)
	bn := g.addConst(n.name+".bias", &onnxTensor{dims: []int64{int64(len(bias))}, data: bias})
	n.in = []string{n.in[0], wn, bn}
	n.raw = nil
}

// addConst adds an initializer named after like and returns its name.
func (g *onnxGraph) addConst(like string, t *onnxTensor) string {
	var name string
	for name == "" || g.consts[name] != nil || len(g.readers[name]) > 0 {
		g.serial++
		name = like + ".folded" + strconv.Itoa(g.serial)
	}
	g.consts[name] = t
	g.added = append(g.added, encodeTensor(name, t))
	return name
}

// encodeTensor writes a float TensorProto (raw data; no name if "").
func encodeTensor(name string, t *onnxTensor) []byte {
	var b []byte
	for _, d := range t.dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, 1) // FLOAT
	if name != "" {
		b = appendString(b, 8, name)
	}
	raw := make([]byte, 4*len(t.values()))
	for i, v := range t.values() {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

// appendString appends a string field.
func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// foldConvOutputs folds constant scales (Mul) and shifts (Add) that are
// a convolution's only readers into its weights and bias.
func (g *onnxGraph) foldConvOutputs() {
	for _, n := range g.nodes {
		if n.dead {
			continue
		}
		w, bias, ok := g.conv(n)
		if !ok {
			continue
		}
		cout := int(w.dims[0])
		per := w.size() / cout
		changed := false
		for {
			next := g.only(n.out[0])
			if next == nil || next.op != "Mul" && next.op != "Add" {
				break
			}
			k, x, ok := g.constOperand(next)
			if !ok || x != n.out[0] {
				break
			}
			vals, ok := perChannel(k, cout)
			if !ok {
				break
			}
			if !changed {
				w = &onnxTensor{dims: w.dims, data: slices.Clone(w.values())}
				changed = true
			}
			for o := 0; o < cout; o++ {
				if next.op == "Mul" {
					for j := o * per; j < (o+1)*per; j++ {
						w.data[j] *= vals[o]
					}
					bias[o] *= vals[o]
				} else {
					bias[o] += vals[o]
				}
			}
			n.out[0] = next.out[0]
			next.dead = true
		}
		if changed {
			g.setConv(n, w, bias)
		}
	}
}

// scalarIs says whether name is a constant of one value equal to v.
func (g *onnxGraph) scalarIs(name string, v float32) bool {
	t := g.consts[name]
	return t != nil && t.size() == 1 && t.values()[0] == v
}

// clipRange returns a Clip's bounds, as attributes (opsets before 11) or
// constant inputs.
func (g *onnxGraph) clipRange(n *onnxNode) (float32, float32, bool) {
	if len(n.in) == 1 {
		lo, ok1 := n.attrFloat("min")
		hi, ok2 := n.attrFloat("max")
		return lo, hi, ok1 && ok2
	}
	if len(n.in) == 3 {
		lo, hi := g.consts[n.in[1]], g.consts[n.in[2]]
		if lo != nil && hi != nil && lo.size() == 1 && hi.size() == 1 {
			return lo.values()[0], hi.values()[0], true
		}
	}
	return 0, 0, false
}

// hardSwish rewrites x·Clip(x+3, 0, 6)/6 as x·HardSigmoid(x).
func (g *onnxGraph) hardSwish() {
	for _, add := range g.nodes {
		if add.dead || add.op != "Add" {
			continue
		}
		k, x, ok := g.constOperand(add)
		if !ok || k.size() != 1 || k.values()[0] != 3 {
			continue
		}
		clip := g.only(add.out[0])
		if clip == nil || clip.op != "Clip" || clip.domain != "" || len(clip.out) != 1 {
			continue
		}
		if lo, hi, ok := g.clipRange(clip); !ok || lo != 0 || hi != 6 {
			continue
		}
		mul := g.only(clip.out[0])
		if mul == nil || mul.op != "Mul" || mul.domain != "" || len(mul.in) != 2 || len(mul.out) != 1 ||
			!(mul.in[0] == x && mul.in[1] == clip.out[0] || mul.in[1] == x && mul.in[0] == clip.out[0]) {
			continue
		}
		div := g.only(mul.out[0])
		if div == nil || div.op != "Div" || div.domain != "" || len(div.in) != 2 || len(div.out) != 1 || div.in[0] != mul.out[0] || !g.scalarIs(div.in[1], 6) {
			continue
		}
		add.op, add.in, add.raw = "HardSigmoid", []string{x}, nil
		add.attrs = [][]byte{floatAttr("alpha", 1.0/6), floatAttr("beta", 0.5)}
		mul.in, mul.out, mul.raw = []string{x, add.out[0]}, div.out, nil
		clip.dead, div.dead = true, true
	}
}

func floatAttr(name string, v float32) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, name)
	b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, math.Float32bits(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	b = protowire.AppendVarint(b, 1) // FLOAT
	return b
}

// foldConvInputs folds a constant scale (and the constant shift after it)
// whose only reader is a convolution into the convolution. Without
// padding both fold into its weights and bias (a 1×1 convolution of one
// group). With padding only the scale does, which zero padding commutes
// with, and the shift stays before it divided by the scale
// (k·h + b = k·(h + b/k)): a padded border is not shifted.
func (g *onnxGraph) foldConvInputs() {
	for _, mul := range g.nodes {
		if mul.dead || mul.op != "Mul" {
			continue
		}
		k, x, ok := g.constOperand(mul)
		if !ok {
			continue
		}
		next := g.only(mul.out[0])
		var shift *onnxTensor
		var add *onnxNode
		last := mul
		if next != nil && next.op == "Add" {
			s, y, ok := g.constOperand(next)
			if !ok || y != mul.out[0] {
				continue
			}
			shift, add, last = s, next, next
			next = g.only(next.out[0])
		}
		if next == nil || len(next.in) < 2 || next.in[0] != last.out[0] {
			continue
		}
		w, bias, ok := g.conv(next)
		if !ok {
			continue
		}
		groups := g.groups(next)
		cout, per := int(w.dims[0]), int(w.dims[1]*w.dims[2]*w.dims[3])
		cin := int(w.dims[1]) * groups
		if cout%groups != 0 {
			continue
		}
		scale, ok := perChannel(k, cin)
		if !ok {
			continue
		}
		shifts := make([]float32, cin)
		if shift != nil {
			if shifts, ok = perChannel(shift, cin); !ok {
				continue
			}
		}
		whole := g.pointwise(next)
		if !whole && add != nil && slices.Contains(scale, 0) {
			continue
		}
		// Weight j of output channel o reads input channel j/taps of o's
		// group.
		inPer := int(w.dims[1])
		taps := int(w.dims[2] * w.dims[3])
		wv := w.values()
		nw := &onnxTensor{dims: w.dims, data: slices.Clone(wv)}
		for o := 0; o < cout; o++ {
			base := (o / (cout / groups)) * inPer
			var sum float64
			for j := 0; j < per; j++ {
				i := base + j/taps
				v := wv[o*per+j]
				sum += float64(v) * float64(shifts[i])
				nw.data[o*per+j] = v * scale[i]
			}
			if whole {
				bias[o] += float32(sum)
			}
		}
		g.setConv(next, nw, bias)
		mul.dead = true
		if add == nil {
			next.in[0] = x
			continue
		}
		if whole {
			add.dead = true
			next.in[0] = x
			continue
		}
		moved := make([]float32, cin)
		for i := range moved {
			moved[i] = shifts[i] / scale[i]
		}
		dims := []int64{int64(cin), 1, 1}
		if shift.size() == 1 && slices.Max(moved) == slices.Min(moved) {
			moved, dims = moved[:1], []int64{1}
		}
		add.in = []string{x, g.addConst(add.name+".shift", &onnxTensor{dims: dims, data: moved})}
		add.raw = nil
	}
}

// groups is a convolution's group attribute (1 when absent).
func (g *onnxGraph) groups(n *onnxNode) int {
	if grp, ok := n.attrInts("group"); ok && len(grp) == 1 && grp[0] > 0 {
		return int(grp[0])
	}
	return 1
}

// pointwise says whether n is a 1×1 convolution of one group without
// padding, with constant weights.
func (g *onnxGraph) pointwise(n *onnxNode) bool {
	w, _, ok := g.conv(n)
	if !ok || w.dims[2] != 1 || w.dims[3] != 1 {
		return false
	}
	if grp, ok := n.attrInts("group"); ok && (len(grp) != 1 || grp[0] != 1) {
		return false
	}
	if pads, ok := n.attrInts("pads"); ok {
		for _, p := range pads {
			if p != 0 {
				return false
			}
		}
	}
	if ap, ok := n.attrInts("auto_pad"); ok && len(ap) > 0 {
		return false
	}
	if d, ok := n.attrInts("dilations"); ok {
		for _, v := range d {
			if v != 1 {
				return false
			}
		}
	}
	return true
}

// encode writes the model with the rewritten graph: the graph's fields in
// their order, nodes re-encoded where changed and dropped where dead, the
// Constant nodes no live node reads dropped, the new initializers last.
func (g *onnxGraph) encode() []byte {
	used := map[string]bool{}
	for _, n := range g.nodes {
		if !n.dead {
			for _, in := range n.in {
				used[in] = true
			}
		}
	}
	size := len(g.graphRaw)
	for _, t := range g.added {
		size += len(t) + 16
	}
	graph := make([]byte, 0, size)
	// The nodes are written where the first was, in g.nodes' order: a
	// pass may have put new ones among them.
	wrote := false
	walk(g.graphRaw, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 1 && typ == protowire.BytesType {
			if wrote {
				return nil
			}
			wrote = true
			for _, n := range g.nodes {
				if n.dead || n.op == "Constant" && len(n.out) == 1 && !used[n.out[0]] && !g.outputs[n.out[0]] {
					continue
				}
				body := n.raw
				if body == nil {
					body = n.encode()
				}
				graph = protowire.AppendTag(graph, 1, protowire.BytesType)
				graph = protowire.AppendBytes(graph, body)
			}
			return nil
		}
		graph = appendField(graph, num, typ, v)
		return nil
	})
	for _, t := range g.added {
		graph = protowire.AppendTag(graph, 5, protowire.BytesType)
		graph = protowire.AppendBytes(graph, t)
	}
	for _, vi := range g.extraOutputs {
		graph = protowire.AppendTag(graph, 12, protowire.BytesType)
		graph = protowire.AppendBytes(graph, vi)
	}
	out := make([]byte, 0, len(g.model)-len(g.graphRaw)+len(graph)+16)
	walk(g.model, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 7 && typ == protowire.BytesType {
			out = protowire.AppendTag(out, 7, protowire.BytesType)
			out = protowire.AppendBytes(out, graph)
			return nil
		}
		if num == 8 && typ == protowire.BytesType && g.opset > 0 {
			domain := ""
			walk(v, func(n2 protowire.Number, t2 protowire.Type, v2 []byte) error {
				if n2 == 1 && t2 == protowire.BytesType {
					domain = string(v2)
				}
				return nil
			})
			if domain == "" {
				var op []byte
				op = protowire.AppendTag(op, 2, protowire.VarintType)
				op = protowire.AppendVarint(op, uint64(g.opset))
				out = protowire.AppendTag(out, 8, protowire.BytesType)
				out = protowire.AppendBytes(out, op)
				return nil
			}
		}
		out = appendField(out, num, typ, v)
		return nil
	})
	if g.msDomain {
		var op []byte
		op = appendString(op, 1, "com.microsoft")
		op = protowire.AppendTag(op, 2, protowire.VarintType)
		op = protowire.AppendVarint(op, 1)
		out = protowire.AppendTag(out, 8, protowire.BytesType)
		out = protowire.AppendBytes(out, op)
	}
	return out
}

// appendField appends a field as walk gave it.
func appendField(b []byte, num protowire.Number, typ protowire.Type, v []byte) []byte {
	b = protowire.AppendTag(b, num, typ)
	if typ == protowire.BytesType {
		return protowire.AppendBytes(b, v)
	}
	return append(b, v...)
}

func (n *onnxNode) encode() []byte {
	var b []byte
	for _, s := range n.in {
		b = appendString(b, 1, s)
	}
	for _, s := range n.out {
		b = appendString(b, 2, s)
	}
	if n.name != "" {
		b = appendString(b, 3, n.name)
	}
	b = appendString(b, 4, n.op)
	for _, a := range n.attrs {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, a)
	}
	if n.domain != "" {
		b = appendString(b, 7, n.domain)
	}
	return b
}
