package ocr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

// ProbeJob is the child job that loads the PP-OCR models and reads one
// line with them.
const ProbeJob = "ppocr-probe"

func init() { child.Register(ProbeJob, probeJob) }

// Probe loads the models in dir the way a scan's child process does —
// ONNX Runtime opened, the model given to it, one line read — in a child
// process of its own, so that a library that is not ONNX Runtime, a model
// the runtime refuses or one whose scores do not fit the dictionary is a
// typed, bilingual error when the service starts, not a failed job later.
// LoadModels checks only what can be told from the files; this is the
// rest. A crash of the child is reported as damaged models.
func Probe(ctx context.Context, dir string) error {
	in, _ := json.Marshal(probeRequest{Models: dir})
	_, err := child.Run(ctx, ProbeJob, append(in, '\n'), child.Limits{
		Timeout: 2 * time.Minute,
		Memory:  1 << 30,
		Output:  1 << 10,
		Env:     []string{ThreadLimitEnv},
		Stage:   "加载 PP-OCR 模型 / loading the PP-OCR models",
	})
	switch shenbao.ErrorCode(err) {
	case "", shenbao.EINVALID, shenbao.ENOTINSTALLED, shenbao.ETIMEOUT:
		return err
	}
	if ctx.Err() != nil {
		return err
	}
	return shenbao.Wrap(shenbao.EINVALID, err, "PP-OCR 模型目录 %s 中的模型或 ONNX Runtime 库无法运行（%s），请重新安装：以 root 运行 `make models`，或用 --ocr tesseract。/ The PP-OCR models in %s or the ONNX Runtime library do not run (%s); reinstall them: run `make models` as root, or use --ocr tesseract.",
		dir, shenbao.ErrorMessage(err), dir, shenbao.ErrorMessage(err))
}

// ProbeKept is Probe run once for an installation: a probe that passed
// leaves a mark in keep named by a key of the binary and of the models'
// files (path, size, modification time), and while the mark is there the
// probe is not run again. Each run of `shenbao check` otherwise paid a
// third of a second of wall time for a child that loads ONNX Runtime and
// the model before the first document is read (two thirds of checking one
// Word file). A file
// replaced, truncated or upgraded changes the key, so it is probed again;
// a probe that failed leaves no mark. keep "" probes every time.
func ProbeKept(ctx context.Context, dir, exe, keep string) error {
	if keep == "" {
		return Probe(ctx, dir)
	}
	key, err := probeKey(dir, exe)
	if err != nil {
		return Probe(ctx, dir)
	}
	mark := filepath.Join(keep, "ppocr-probe-"+key)
	if _, err := os.Stat(mark); err == nil {
		return nil
	}
	if err := Probe(ctx, dir); err != nil {
		return err
	}
	// A mark that cannot be written only costs the next run its probe.
	if os.MkdirAll(keep, 0o755) == nil {
		_ = os.WriteFile(mark, []byte(dir+"\n"), 0o644)
	}
	return nil
}

// probeKey names what a probe of the models in dir by the binary exe
// tried: each file's path, size and modification time.
func probeKey(dir, exe string) (string, error) {
	lib, err := findRuntime(dir)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range []string{exe, filepath.Join(dir, RecModelFile), filepath.Join(dir, DictFile), lib} {
		if f == "" {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return "", err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\t%d\t%d\n", abs, st.Size(), st.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

type probeRequest struct {
	Models string `json:"models"`
}

// probeJob runs in the child: LoadModels, NewPPOCR, one line read.
func probeJob(ctx context.Context, in io.Reader, _ io.Writer) error {
	var req probeRequest
	if err := json.NewDecoder(io.LimitReader(in, 1<<16)).Decode(&req); err != nil {
		return fmt.Errorf("probe request: %w", err)
	}
	m, err := LoadModels(req.Models)
	if err != nil {
		return err
	}
	p, err := NewPPOCR(m, PPOCROptions{Runs: 1, Threads: 1})
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.selfTest(); err != nil {
		return invalid(m.Dir, RecModelFile, err)
	}
	return nil
}

// selfTest runs the model once on a line of bars and checks what comes
// back: one row of scores per frame, each row the dictionary's width (the
// blank, the characters, the space) and a probability distribution. A
// dictionary of another model, or a model whose output is something else
// than class probabilities, fails here though its files parse.
func (p *PPOCR) selfTest() error {
	g := image.NewGray(image.Rect(0, 0, 120, 24))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for x := 10; x < 110; x++ {
		if x%12 < 5 {
			for y := 5; y < 19; y++ {
				g.Pix[y*g.Stride+x] = 0
			}
		}
	}
	crop := lineCrop{r: g.Rect, clip: g.Rect}
	data, w := prepareBatch(g, []lineCrop{crop})
	scores, shape, err := p.model.run(data, []int64{1, 3, recHeight, int64(w)})
	if err != nil {
		return err
	}
	return checkScores(scores, shape, 1, len(p.classes))
}

// checkScores checks a model's output for lines lines: [lines,T,classes]
// with T ≥ 1, every frame's scores probabilities summing to 1.
func checkScores(s []float32, shape []int64, lines, classes int) error {
	if len(shape) != 3 || shape[0] != int64(lines) || shape[1] < 1 || shape[2] != int64(classes) {
		return fmt.Errorf("model output of shape %v for %d lines and %d classes (the dictionary's %d characters, the blank and the space)", shape, lines, classes, classes-2)
	}
	for f := 0; f+classes <= len(s); f += classes {
		sum := 0.0
		for _, v := range s[f : f+classes] {
			if v < 0 || v > 1 || math.IsNaN(float64(v)) {
				return fmt.Errorf("model output %v is not a probability", v)
			}
			sum += float64(v)
		}
		if math.Abs(sum-1) > 0.01 {
			return fmt.Errorf("a frame's scores sum to %.3f, not 1: not class probabilities", sum)
		}
	}
	return nil
}
