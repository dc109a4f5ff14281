//go:build cgo

package ocr

import (
	"github.com/shenbao/shenbao"
)

// ppocrBuilt: this build runs PP-OCR (ONNX Runtime through cgo).
const ppocrBuilt = true

// NewPPOCR loads the checked models (LoadModels) into one ONNX Runtime
// session. A runtime that does not load or a model it refuses is a typed
// error here, before any page is read.
func NewPPOCR(m *Models, opts PPOCROptions) (*PPOCR, error) {
	rt, err := openRuntime(m.Lib)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.ENOTINSTALLED, err, "无法加载 ONNX Runtime 库 %s（%v）。%s / The ONNX Runtime library %s could not be loaded (%v).", m.Lib, err, installHint, m.Lib, err)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = 1
	}
	// The folded graph computes the same in fewer operators (fold.go), on
	// integers where the ranges were measured on this model (quant.go); a
	// model it cannot read is given to the runtime as it is, to be judged
	// there.
	var ranges map[string]qrange
	if r, ok := embeddedRanges(m.Rec); ok && !opts.Float {
		ranges = r
	}
	model := m.Rec
	if f, err := recGraph(m.Rec, ranges); err == nil {
		model = f
	}
	s, err := rt.newSession(model, threads)
	if err != nil {
		rt.close()
		return nil, invalid(m.Dir, RecModelFile, err)
	}
	in := valueInfo{name: s.In.Name, dims: s.In.Dims}
	out := valueInfo{name: s.Out.Name, dims: s.Out.Dims}
	if s.In.Float {
		in.elem = 1
	}
	if s.Out.Float {
		out.elem = 1
	}
	if err := checkRecShapes([]valueInfo{in}, []valueInfo{out}, len(m.Classes)); err != nil {
		s.close()
		rt.close()
		return nil, invalid(m.Dir, RecModelFile, err)
	}
	p := newPPOCR(s, m.Classes, opts.Runs)
	p.Version = rt.Version
	p.closeFn = func() {
		s.close()
		rt.close()
	}
	return p, nil
}
