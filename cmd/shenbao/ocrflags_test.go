package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

// TestOCRFlags: the engine choice and the models folder are checked when
// the command starts — before any document is read — and a bad choice or
// a broken models folder is a typed, bilingual error; a docx needs no
// OCR, so --ocr tesseract reads it whatever the models.
func TestOCRFlags(t *testing.T) {
	doc := "../../testdata/corpus/nat2024_01_docx.docx"
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "ch_PP-OCRv4_rec_infer.onnx"), []byte("not a model"), 0o644)
	os.WriteFile(filepath.Join(broken, "ppocr_keys_v1.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"), 0o644)
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		code string
	}{
		{"unknown engine", nil, []string{"--ocr", "paddle"}, "usage"},
		{"models missing", nil, []string{"--ocr", "both", "--models", t.TempDir()}, shenbao.ENOTINSTALLED},
		{"models broken, from the environment", map[string]string{"SHENBAO_MODELS": broken}, nil, shenbao.EINVALID},
		{"tesseract needs none", nil, []string{"--ocr", "tesseract", "--models", broken}, ""},
	} {
		if c.args == nil && !ppocrInBuild {
			c.code = "" // the default engine is Tesseract alone: no models opened
		}
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"check"}, c.args...), doc)
			_, stderr, err := run(t, c.env, args...)
			if got := shenbao.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q\n%s", got, err, c.code, stderr)
			}
		})
	}
}

// TestModelsBrokenAtStart: every command that reads scans — check, serve
// and worker — refuses to start with PP-OCR chosen over a damaged copy of
// the installed models (a file missing, cut short, of noise, the detector
// in the recogniser's place, a dictionary of another length, a library
// that is not ONNX Runtime), with a typed error in both languages, before
// it reads a document or takes a job.
func TestModelsBrokenAtStart(t *testing.T) {
	src := ocr.FindModels(ocr.ModelDirs(""))
	if src == "" {
		t.Skip("PP-OCR models not installed (make models)")
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rec, dict, det := read(ocr.RecModelFile), read(ocr.DictFile), read("ch_PP-OCRv4_det_infer.onnx")
	noise := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	libm, _ := os.ReadFile("/lib/x86_64-linux-gnu/libm.so.6")
	for _, c := range []struct {
		name           string
		rec, dict, lib []byte
		notInstalled   bool // ENOTINSTALLED rather than EINVALID
	}{
		{name: "model missing", dict: dict, notInstalled: true},
		{name: "dictionary missing", rec: rec, notInstalled: true},
		{name: "model truncated", rec: rec[:len(rec)-1000], dict: dict},
		{name: "model of random bytes", rec: noise, dict: dict},
		{name: "detector as recogniser", rec: det, dict: dict},
		{name: "dictionary of another length", rec: rec, dict: dict[:len(dict)*9/10]},
		{name: "library not ONNX Runtime", rec: rec, dict: dict, lib: libm, notInstalled: true},
	} {
		if c.name == "library not ONNX Runtime" && libm == nil {
			continue
		}
		dir := t.TempDir()
		for name, b := range map[string][]byte{ocr.RecModelFile: c.rec, ocr.DictFile: c.dict, ocr.RuntimeLib: c.lib} {
			if b != nil {
				os.WriteFile(filepath.Join(dir, name), b, 0o644)
			}
		}
		want := shenbao.EINVALID
		if c.notInstalled {
			want = shenbao.ENOTINSTALLED
		}
		for _, args := range [][]string{
			{"check", "--ocr", "ppocr", "--models", dir, "../../testdata/corpus/nat2024_01_docx.docx"},
			{"serve", "--ocr", "both", "--models", dir, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"},
			{"worker", "--ocr", "ppocr", "--models", dir, "--data-dir", t.TempDir()},
		} {
			t.Run(c.name+"/"+args[0], func(t *testing.T) {
				out, stderr, err := run(t, nil, args...)
				if got := shenbao.ErrorCode(err); got != want {
					t.Fatalf("code %q (%v), want %q\n%s", got, err, want, stderr)
				}
				if msg := shenbao.ErrorMessage(err); !bilingual(msg) {
					t.Errorf("not in both languages: %s", msg)
				}
				if out != "" {
					t.Errorf("read something before refusing: %.200s", out)
				}
			})
		}
	}
}

// bilingual reports whether s has Chinese and an English sentence.
func bilingual(s string) bool {
	han, latin := false, 0
	for _, r := range s {
		han = han || r >= 0x4e00 && r <= 0x9fff
		if r >= 'a' && r <= 'z' {
			latin++
		}
	}
	return han && latin > 10
}
