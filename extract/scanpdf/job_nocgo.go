//go:build !cgo

package scanpdf

import (
	"context"
	"io"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

// Without cgo there is neither MuPDF nor Tesseract: the job exists so
// that a scan sent to this build gets a clear error instead of "no such
// job", as render's do.
func init() {
	child.Register(Job, func(context.Context, io.Reader, io.Writer) error {
		return shenbao.Errorf(shenbao.ENOTINSTALLED, "此版本未包含扫描件识别引擎（以 CGO_ENABLED=0 构建），请用 CGO_ENABLED=1 重新构建。/ This build cannot read scans (built with CGO_ENABLED=0); rebuild with CGO_ENABLED=1.")
	})
}
