//go:build !cgo

package render_test

import (
	"context"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/render"
)

func TestWithoutCgoSaysSo(t *testing.T) {
	_, err := render.Info(context.Background(), []byte("%PDF-1.4\n%%EOF\n"))
	if shenbao.ErrorCode(err) != shenbao.ENOTINSTALLED {
		t.Fatalf("err = %v, want %s", err, shenbao.ENOTINSTALLED)
	}
}
