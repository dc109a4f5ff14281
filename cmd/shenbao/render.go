package main

import (
	"context"
	"net/http"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/extract/render"
)

// pageRenderer renders page images of stored PDFs for the reviewer, with
// MuPDF in a child process.
type pageRenderer struct{ opts render.Options }

func (m *Main) renderer() api.PageRenderer { return pageRenderer{} }

func (r pageRenderer) PagePNG(ctx context.Context, mime string, data []byte, page int, dpi float64) ([]byte, error) {
	if mime != "application/pdf" {
		return nil, shenbao.Errorf(shenbao.EUNSUPPORTED, "Word 文件没有页面图像，请查看表格视图。/ Word files have no page images; use the table view.")
	}
	doc, err := r.opts.Open(data)
	if err != nil {
		return nil, err
	}
	defer doc.Close()
	return doc.PagePNG(ctx, page, dpi)
}

// wrapHandler mounts what serve offers beside the API.
func (m *Main) wrapHandler(h http.Handler, svc *service) http.Handler { return h }
