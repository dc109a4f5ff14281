//go:build !cgo

package ocr

import "github.com/shenbao/shenbao"

// ppocrBuilt: this build cannot run PP-OCR, so the default engine is
// Tesseract alone even where the models are installed.
const ppocrBuilt = false

// NewPPOCR fails: ONNX Runtime is loaded through cgo.
func NewPPOCR(*Models, PPOCROptions) (*PPOCR, error) {
	return nil, shenbao.Errorf(shenbao.ENOTINSTALLED,
		"此版本未包含 PP-OCR（需要 cgo）：请用 CGO_ENABLED=1 构建，或用 --ocr tesseract / this build has no PP-OCR (it needs cgo): build with CGO_ENABLED=1, or use --ocr tesseract")
}
