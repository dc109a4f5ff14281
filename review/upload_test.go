package review_test

import (
	"html"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/filetype"
)

// TestUploadPageAcceptsWhatTheServiceReads: the file picker offers every
// kind the upload check accepts (the one list, filetype), images included.
func TestUploadPageAcceptsWhatTheServiceReads(t *testing.T) {
	s := startSite(t, 0)
	c, _ := signIn(t, s.URL, "zhangsan")
	res, err := c.Get(s.URL + "/upload")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`id="files"[^>]*accept="([^"]*)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no accept list on the upload page")
	}
	accept := strings.Split(html.UnescapeString(string(m[1])), ",")
	for _, ty := range filetype.Types() {
		for _, want := range append(ty.Exts, ty.MIME) {
			if !slices.Contains(accept, want) {
				t.Errorf("accept=%q lacks %s", accept, want)
			}
		}
	}
}
