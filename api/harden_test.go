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

// TestUploadNamesShownClean: a file name with a right-to-left override or
// control characters is stored, listed and offered for download without
// them (issue 22 item 10: a list entry could read "a‮exe.pdf.docx").
func TestUploadNamesShownClean(t *testing.T) {
	e := newEnv(t, store.Config{DataDir: t.TempDir()}, realPipeline(t))
	acc := e.mustUpload("clerk", []file{{"a\u202Eexe.pdf.docx", sample(t)}, {"b\u2067\tname\u0085.docx", variant(t, sample(t), 1)}}, nil)
	want := []string{"aexe.pdf.docx", "bname.docx"}
	for i, a := range acc {
		if a.Filename != want[i] {
			t.Errorf("accepted as %q, want %q", a.Filename, want[i])
		}
		var d api.Detail
		e.json("GET", fmt.Sprintf("%s/applications/%d", api.Prefix, a.ID), "clerk", nil, 200, &d)
		if d.Application.Filename != want[i] {
			t.Errorf("stored as %q, want %q", d.Application.Filename, want[i])
		}
	}
}
