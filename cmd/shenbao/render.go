package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/review"
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

// site mounts the reviewer's pages beside the API: one handler for the
// whole site, the pages' session accepted by the API.
func (m *Main) site(apiHandler review.API, svc *service, sessionKey string, secure bool) (http.Handler, error) {
	ui, err := review.New(review.Config{Store: svc.st, SessionKey: []byte(sessionKey), SecureCookies: secure, Logger: svc.log})
	if err != nil {
		return nil, fmt.Errorf("review pages: %w", err)
	}
	return ui.Handler(apiHandler), nil
}
