package scanpdf

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"
)

// TestBudget: a document's time grows with the pages its file declares,
// from the root page tree node, never past MaxPages; a set timeout is kept.
func TestBudget(t *testing.T) {
	var pngFile bytes.Buffer
	if err := png.Encode(&pngFile, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	pdf := func(body string) []byte { return []byte("%PDF-1.7\n" + body + "\n%%EOF\n") }
	for _, c := range []struct {
		name  string
		data  []byte
		opts  Options
		pages int
		want  time.Duration
	}{
		{"14 pages", pdf("1 0 obj << /Type /Pages /Kids [3 0 R] /Count 14 >> endobj"), Options{}, 14, BaseTimeout},
		{"40 pages in two nodes", pdf("1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 40 >> endobj 2 0 obj << /Type /Pages /Count 20 >> endobj"), Options{}, 40, BaseTimeout + 25*PageTimeout},
		{"a claim past MaxPages", pdf("1 0 obj << /Type/Pages/Count 999999 >> endobj"), Options{}, 999999, BaseTimeout + 45*PageTimeout},
		{"page tree compressed", pdf("1 0 obj << /Type /ObjStm /N 3 /Length 40 >> stream\nx\x9c\x01\x02 endstream endobj"), Options{}, 0, BaseTimeout},
		{"an image file", pngFile.Bytes(), Options{}, 1, BaseTimeout},
		{"set by the caller", pdf("1 0 obj << /Type /Pages /Count 40 >> endobj"), Options{Timeout: time.Minute}, 40, time.Minute},
	} {
		if got := declaredPages(c.data); got != c.pages {
			t.Errorf("%s: declaredPages = %d, want %d", c.name, got, c.pages)
		}
		if got := c.opts.Budget(declaredPages(c.data)); got != c.want {
			t.Errorf("%s: Budget = %v, want %v", c.name, got, c.want)
		}
	}
}
