package api_test

import (
	"fmt"
	"testing"

	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// TestResponseHeaders: every API answer — report JSON, original, page
// image, export, error — forbids type sniffing and caching (issue 22 item
// 11; page images were cached for a day, the rest had neither header).
func TestResponseHeaders(t *testing.T) {
	e := newEnv(t, store.Config{DataDir: t.TempDir()}, realPipeline(t), func(c *api.Config, _ *queue.Config) { c.Renderer = fakeRenderer{} })
	pdf := e.mustUpload("clerk", []file{{"a.pdf", []byte("%PDF-1.7\ntrailer << >>\n%%EOF\n")}}, nil)[0].ID
	for _, tc := range []struct {
		path   string
		status int
	}{
		{fmt.Sprintf("/applications/%d", pdf), 200},
		{fmt.Sprintf("/applications/%d/original", pdf), 200},
		{fmt.Sprintf("/applications/%d/pages/1.png", pdf), 200},
		{"/applications", 200},
		{"/exports/applications.csv", 200},
		{fmt.Sprintf("/applications/%d/pages/9.png", pdf), 404},
		{"/applications/999999", 404},
	} {
		res, body := e.send("GET", api.Prefix+tc.path, "clerk", nil, "")
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d %s, want %d", tc.path, res.StatusCode, body, tc.status)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", tc.path, got)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", tc.path, got)
		}
	}
}
