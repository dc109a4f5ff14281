package ocr

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/shenbao/shenbao"
)

// The files of the PP-OCR recogniser, as `make models`
// (extract/ocr/models/install.sh) installs them.
const (
	RecModelFile = "ch_PP-OCRv4_rec_infer.onnx"
	DictFile     = "ppocr_keys_v1.txt"
	RuntimeLib   = "libonnxruntime.so.1"
	// ModelsDir is where `make models` puts the model files.
	ModelsDir = "/usr/local/share/shenbao/models"
)

// Engine choices of the scan path (--ocr), as reported in Field.Engine.
const (
	EngineTesseract = shenbao.EngineTesseract
	EnginePPOCR     = shenbao.EnginePPOCR
	EngineBoth      = shenbao.EngineBoth
)

// installHint says how to install the models, in both languages.
const installHint = "以 root 运行 `make models`（或 extract/ocr/models/install.sh 目录 库目录）安装，或用 --models / SHENBAO_MODELS 指定模型目录；--ocr tesseract 不需要它们。" +
	" / Run `make models` as root (or extract/ocr/models/install.sh DIR LIBDIR) to install them, or point --models / SHENBAO_MODELS at their folder; --ocr tesseract needs none of them."

// ModelDirs lists where the models are looked for when no folder is
// given: beside the binary exe (models/, ../share/shenbao/models), then
// ModelsDir.
func ModelDirs(exe string) []string {
	var out []string
	if exe != "" {
		d := filepath.Dir(exe)
		out = append(out, filepath.Join(d, "models"), filepath.Join(d, "..", "share", "shenbao", "models"))
	}
	return append(out, ModelsDir)
}

// FindModels returns the first of dirs holding the recognition model, or
// "" when none does.
func FindModels(dirs []string) string {
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Join(d, RecModelFile)); err == nil && st.Mode().IsRegular() {
			return d
		}
	}
	return ""
}

// Models is a checked set of the recogniser's files.
type Models struct {
	Dir string
	// Rec is the recognition model's bytes; Lib the ONNX Runtime library
	// to load.
	Rec []byte
	Lib string
	// Classes are the model's output classes: 0 the CTC blank, then the
	// dictionary's characters, then a space.
	Classes []string
}

// LoadModels reads and checks the models in dir: every file present, the
// dictionary readable, the model a whole ONNX file whose input is a batch
// of 3-channel images 48 pixels high and whose output scores one class per
// dictionary character plus the blank and the space. Anything else is a
// typed error now, not a failure in a job later.
func LoadModels(dir string) (*Models, error) {
	if dir == "" {
		return nil, shenbao.Errorf(shenbao.ENOTINSTALLED, "未找到 PP-OCR 模型。%s", installHint)
	}
	m := &Models{Dir: dir}
	dict, err := os.ReadFile(filepath.Join(dir, DictFile))
	if err != nil {
		return nil, missing(dir, DictFile, err)
	}
	m.Classes, err = parseDict(dict)
	if err != nil {
		return nil, invalid(dir, DictFile, err)
	}
	m.Rec, err = os.ReadFile(filepath.Join(dir, RecModelFile))
	if err != nil {
		return nil, missing(dir, RecModelFile, err)
	}
	if err := checkRecModel(m.Rec, len(m.Classes)); err != nil {
		return nil, invalid(dir, RecModelFile, err)
	}
	m.Lib, err = findRuntime(dir)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func missing(dir, file string, err error) error {
	return shenbao.Wrap(shenbao.ENOTINSTALLED, err, "PP-OCR 模型目录 %s 中缺少 %s。%s / The PP-OCR models folder %s lacks %s.", dir, file, installHint, dir, file)
}

func invalid(dir, file string, err error) error {
	return shenbao.Wrap(shenbao.EINVALID, err, "PP-OCR 模型文件 %s 已损坏或不是所需的模型（%v），请重新安装：以 root 运行 `make models`。/ The PP-OCR model file %s is damaged or not the model needed (%v); reinstall it: run `make models` as root.",
		filepath.Join(dir, file), err, filepath.Join(dir, file), err)
}

// findRuntime finds the ONNX Runtime library: in the models folder, in a
// lib folder beside it, or where `make models` installs it.
func findRuntime(dir string) (string, error) {
	cands := []string{
		filepath.Join(dir, RuntimeLib),
		filepath.Join(dir, "..", "lib", RuntimeLib),
		filepath.Join("/usr/local/lib", RuntimeLib),
		filepath.Join("/usr/lib/x86_64-linux-gnu", RuntimeLib),
	}
	for _, c := range cands {
		f, err := os.Open(c)
		if err != nil {
			continue
		}
		head := make([]byte, 4)
		_, err = f.Read(head)
		f.Close()
		if err != nil || !bytes.Equal(head, []byte("\x7fELF")) {
			return "", shenbao.Errorf(shenbao.EINVALID, "ONNX Runtime 库 %s 不是共享库，请重新安装：以 root 运行 `make models`。/ The ONNX Runtime library %s is not a shared library; reinstall it: run `make models` as root.", c, c)
		}
		return c, nil
	}
	return "", shenbao.Errorf(shenbao.ENOTINSTALLED, "未找到 ONNX Runtime 库 %s（查找了 %s）。%s / The ONNX Runtime library %s was not found (looked in %s).",
		RuntimeLib, strings.Join(cands, ", "), installHint, RuntimeLib, strings.Join(cands, ", "))
}

// parseDict reads PaddleOCR's dictionary: one character per line. The
// classes are the CTC blank, the characters, and the space PaddleOCR adds
// (use_space_char).
func parseDict(b []byte) ([]string, error) {
	if len(b) > 1<<20 {
		return nil, errors.New("dictionary over 1 MB")
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	if len(lines) < 10 {
		return nil, fmt.Errorf("dictionary of %d characters", len(lines))
	}
	out := make([]string, 0, len(lines)+2)
	out = append(out, "")
	for i, l := range lines {
		if l == "" {
			return nil, fmt.Errorf("dictionary line %d is empty", i+1)
		}
		out = append(out, l)
	}
	return append(out, " "), nil
}

// checkRecModel checks that b is a whole ONNX model (a protobuf that
// parses to its end) with one image input [N,3,48,W] and one output
// [N,T,classes] (free dimensions allowed where noted). It reads the graph's
// declared inputs and outputs only; the weights are skipped over, so a
// truncated file fails here.
func checkRecModel(b []byte, classes int) error {
	var graph []byte
	if err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num == 7 && typ == protowire.BytesType {
			graph = v
		}
		return nil
	}); err != nil {
		return fmt.Errorf("not a whole ONNX model: %w", err)
	}
	if graph == nil {
		return errors.New("not an ONNX model: no graph")
	}
	var ins, outs []valueInfo
	inits := map[string]bool{}
	err := walk(graph, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 5: // initializer: its name (8) only
			return walk(v, func(n protowire.Number, t protowire.Type, w []byte) error {
				if n == 8 && t == protowire.BytesType {
					inits[string(w)] = true
				}
				return nil
			})
		case 11, 12:
			vi, err := parseValueInfo(v)
			if err != nil {
				return err
			}
			if num == 11 {
				ins = append(ins, vi)
			} else {
				outs = append(outs, vi)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("not a whole ONNX graph: %w", err)
	}
	var real []valueInfo
	for _, in := range ins {
		if !inits[in.name] {
			real = append(real, in)
		}
	}
	return checkRecShapes(real, outs, classes)
}

// checkRecShapes checks the recognition model's declared input and output.
func checkRecShapes(ins, outs []valueInfo, classes int) error {
	if len(ins) != 1 || len(outs) != 1 {
		return fmt.Errorf("%d inputs and %d outputs, want 1 and 1", len(ins), len(outs))
	}
	in, out := ins[0], outs[0]
	fixed := func(d int64, want int64) bool { return d <= 0 || d == want }
	if in.elem != 1 || len(in.dims) != 4 || !fixed(in.dims[1], 3) || !fixed(in.dims[2], recHeight) {
		return fmt.Errorf("input %s is %s, want float [N,3,%d,W]", in.name, in.shape(), recHeight)
	}
	if out.elem != 1 || len(out.dims) != 3 || !fixed(out.dims[2], int64(classes)) {
		return fmt.Errorf("output %s is %s, want float [N,T,%d] (the dictionary's %d characters, the blank and the space)", out.name, out.shape(), classes, classes-2)
	}
	return nil
}

// valueInfo is an ONNX ValueInfoProto of a tensor: its name, element type
// and dimensions (-1 where symbolic or unknown).
type valueInfo struct {
	name string
	elem int64
	dims []int64
}

func (v valueInfo) shape() string {
	var b strings.Builder
	b.WriteString(map[int64]string{1: "float"}[v.elem])
	if v.elem != 1 {
		fmt.Fprintf(&b, "type %d", v.elem)
	}
	b.WriteString(" [")
	for i, d := range v.dims {
		if i > 0 {
			b.WriteString(",")
		}
		if d < 0 {
			b.WriteString("?")
		} else {
			fmt.Fprint(&b, d)
		}
	}
	b.WriteString("]")
	return b.String()
}

// parseValueInfo reads name (1) and type (2) → tensor_type (1) →
// elem_type (1), shape (2) → dim (1) → dim_value (1) | dim_param (2).
func parseValueInfo(b []byte) (valueInfo, error) {
	var vi valueInfo
	err := walk(b, func(n protowire.Number, t protowire.Type, v []byte) error {
		switch {
		case n == 1 && t == protowire.BytesType:
			vi.name = string(v)
		case n == 2 && t == protowire.BytesType:
			return walk(v, func(n protowire.Number, t protowire.Type, tensor []byte) error {
				if n != 1 || t != protowire.BytesType {
					return nil
				}
				return walk(tensor, func(n protowire.Number, t protowire.Type, w []byte) error {
					switch {
					case n == 1 && t == protowire.VarintType:
						x, _ := protowire.ConsumeVarint(w)
						vi.elem = int64(x)
					case n == 2 && t == protowire.BytesType:
						return walk(w, func(n protowire.Number, t protowire.Type, dim []byte) error {
							if n != 1 || t != protowire.BytesType {
								return nil
							}
							d := int64(-1)
							err := walk(dim, func(n protowire.Number, t protowire.Type, x []byte) error {
								if n == 1 && t == protowire.VarintType {
									u, _ := protowire.ConsumeVarint(x)
									d = int64(u)
								}
								return nil
							})
							vi.dims = append(vi.dims, d)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}

// walk calls f for each field of the protobuf message b with its number,
// wire type and value: the bytes of a length-delimited field, the varint's
// own bytes for a varint. It fails on any malformed or truncated field.
func walk(b []byte, f func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		v := b[:m]
		if typ == protowire.BytesType {
			var k int
			v, k = protowire.ConsumeBytes(b)
			if k < 0 {
				return protowire.ParseError(k)
			}
		}
		if err := f(num, typ, v); err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// ResolveEngine decides who reads a scan's values from the --ocr choice
// (mode) and the --models folder (dir; "" looks in ModelDirs(exe)). Mode
// "" is both engines when the models load and Tesseract alone when none
// are installed; ppocr and both need the models, and a folder given or
// found whose models do not load is an error whatever the mode: a damaged
// install is said at start-up, not discovered in a job. A build without
// cgo, which cannot run PP-OCR, defaults to Tesseract alone. It returns
// the engine and the models folder.
func ResolveEngine(mode, dir, exe string) (string, string, error) {
	return resolveIn(mode, dir, ModelDirs(exe))
}

// resolveIn is ResolveEngine looking for the models in search.
func resolveIn(mode, dir string, search []string) (string, string, error) {
	switch mode {
	case "", EngineTesseract, EnginePPOCR, EngineBoth:
	default:
		return "", "", shenbao.Errorf("usage", "--ocr 只能是 tesseract、ppocr 或 both / --ocr must be tesseract, ppocr or both (not %q)", mode)
	}
	if mode == EngineTesseract || mode == "" && !ppocrBuilt {
		return EngineTesseract, "", nil
	}
	if dir == "" {
		dir = FindModels(search)
		switch {
		case dir == "" && mode == "":
			return EngineTesseract, "", nil
		case dir == "":
			where := strings.Join(search, ", ")
			return "", "", shenbao.Errorf(shenbao.ENOTINSTALLED, "--ocr %s 需要 PP-OCR 模型，但未找到（查找了 %s）。%s / --ocr %s needs the PP-OCR models, which were not found (looked in %s).",
				mode, where, installHint, mode, where)
		}
	}
	if _, err := LoadModels(dir); err != nil {
		return "", "", err
	}
	if mode == "" {
		mode = EngineBoth
	}
	return mode, dir, nil
}
