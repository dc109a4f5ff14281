//go:build !cgo

package render

import (
	"context"
	"io"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

// Without cgo there is no MuPDF: the jobs exist so that callers get a clear
// error instead of "no such job".
func init() {
	for _, job := range []string{jobInfo, jobRender, jobInk} {
		child.Register(job, func(context.Context, io.Reader, io.Writer) error {
			return shenbao.Errorf(shenbao.ENOTINSTALLED, "此版本未包含PDF渲染引擎（以 CGO_ENABLED=0 构建），请用 CGO_ENABLED=1 重新构建。/ This build has no PDF renderer (built with CGO_ENABLED=0); rebuild with CGO_ENABLED=1.")
		})
	}
}
