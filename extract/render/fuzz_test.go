//go:build cgo

package render_test

import (
	"context"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/render"
)

// FuzzRender feeds arbitrary bytes through Info, PageGray and Ink: whatever
// MuPDF makes of them, the answer is a result or a typed error for the
// user, never an internal error and never a dead test process. Each input
// costs a few child processes, so run it with -parallel 2.
//
//	go test -run '^$' -fuzz FuzzRender -fuzztime 5m ./extract/render
func FuzzRender(f *testing.F) {
	f.Add(makePDF([]pdfPage{inkPage}))
	f.Add(makePDF([]pdfPage{inkPage, {w: 300, h: 100}}))
	f.Add(readTestdata(f, "encrypted.pdf"))
	f.Add(readTestdata(f, "owner_only.pdf"))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj trailer << /Root 1 0 R >>"))
	f.Add([]byte("not a pdf"))
	user := map[string]bool{
		"":                   true,
		shenbao.EINVALID:     true,
		shenbao.EUNSUPPORTED: true,
		shenbao.EENCRYPTED:   true,
		shenbao.ETOOLARGE:    true,
		shenbao.ENOTFOUND:    true,
		shenbao.ECRASHED:     true,
		shenbao.ETIMEOUT:     true,
	}
	opt := render.Options{Timeout: 10 * time.Second, Memory: 512 << 20, MaxPages: 50, MaxPixels: 4_000_000}
	f.Fuzz(func(t *testing.T, pdf []byte) {
		ctx := context.Background()
		d, err := opt.Open(pdf)
		if err == nil {
			defer d.Close()
			var info render.DocInfo
			if info, err = d.Info(ctx); err == nil {
				if _, err = d.PageGray(ctx, 1, 50); err == nil {
					_, err = d.Ink(ctx, len(info.Pages), []shenbao.Box{{0, 0, 72, 72}}, 36)
				}
			}
		}
		if code := shenbao.ErrorCode(err); !user[code] {
			t.Fatalf("code %q: %v", code, err)
		}
	})
}
