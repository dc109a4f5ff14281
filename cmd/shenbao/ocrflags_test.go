package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shenbao/shenbao"
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
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"check"}, c.args...), doc)
			_, stderr, err := run(t, c.env, args...)
			if got := shenbao.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q\n%s", got, err, c.code, stderr)
			}
		})
	}
}
