//go:build !cgo

package ocr

import (
	"context"
	"image"

	"github.com/shenbao/shenbao"
)

// Engine is unavailable in a build without cgo; New says so.
type Engine struct{}

// New fails: Tesseract needs cgo.
func New(Options) (*Engine, error) {
	return nil, shenbao.Errorf(shenbao.ENOTINSTALLED,
		"此版本未包含 OCR（需要 cgo 与 Tesseract）：请用 CGO_ENABLED=1 构建 / this build has no OCR (it needs cgo and Tesseract): build with CGO_ENABLED=1")
}

// Close does nothing.
func (*Engine) Close() error { return nil }

// Page is never reached: New fails.
func (*Engine) Page(context.Context, *image.Gray, []Region) ([]Result, error) {
	return nil, shenbao.Errorf(shenbao.ENOTINSTALLED, "OCR 不可用 / OCR is unavailable")
}
