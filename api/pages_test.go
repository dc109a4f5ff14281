package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// fakeRenderer is a test double for extract/render: it answers a PDF of
// two pages with a stand-in image naming the page and resolution.
type fakeRenderer struct{}

func (fakeRenderer) PagePNG(ctx context.Context, mime string, data []byte, page int, dpi float64) ([]byte, error) {
	if mime != api.MIMEPDF {
		return nil, shenbao.Errorf(shenbao.EUNSUPPORTED, "无页面图像 / no page images")
	}
	if page > 2 {
		return nil, shenbao.Errorf(shenbao.ENOTFOUND, "没有该页 / no such page")
	}
	return fmt.Appendf(nil, "png %d %g", page, dpi), nil
}

func TestPagesAndReadiness(t *testing.T) {
	e := newEnv(t, store.Config{DataDir: t.TempDir()}, realPipeline(t), func(c *api.Config, _ *queue.Config) { c.Renderer = fakeRenderer{} })
	pdf := e.mustUpload("clerk", []file{{"a.pdf", []byte("%PDF-1.7\ntrailer << >>\n%%EOF\n")}}, nil)[0].ID
	docx := e.mustUpload("clerk", []file{{"a.docx", sample(t)}}, nil)[0].ID
	for _, tc := range []struct {
		path   string
		user   string
		status int
		body   string
	}{
		{fmt.Sprintf("/applications/%d/pages/2.png", pdf), "clerk", 200, "png 2 110"},
		{fmt.Sprintf("/applications/%d/pages/1.png?dpi=200", pdf), "reviewer", 200, "png 1 200"},
		{fmt.Sprintf("/applications/%d/pages/1.png?dpi=2000", pdf), "clerk", 422, ""},
		{fmt.Sprintf("/applications/%d/pages/3.png", pdf), "clerk", 404, ""},
		{fmt.Sprintf("/applications/%d/pages/0.png", pdf), "clerk", 404, ""},
		{fmt.Sprintf("/applications/%d/pages/one.png", pdf), "clerk", 404, ""},
		{fmt.Sprintf("/applications/%d/pages/1.png", pdf), "clerk2", 404, ""},
		{fmt.Sprintf("/applications/%d/pages/1.png", pdf), "", 401, ""},
		{fmt.Sprintf("/applications/%d/pages/1.png", docx), "clerk", 415, ""},
	} {
		status, body := e.do("GET", api.Prefix+tc.path, tc.user, nil, "")
		if status != tc.status || (tc.body != "" && string(body) != tc.body) {
			t.Errorf("GET %s as %q: %d %q, want %d %q", tc.path, tc.user, status, body, tc.status, tc.body)
		}
	}

	if status, _ := e.do("GET", "/readyz", "", nil, ""); status != http.StatusOK {
		t.Fatalf("readyz: %d", status)
	}
	e.st.Close()
	if status, body := e.do("GET", "/readyz", "", nil, ""); status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d %s", status, body)
	}
}
