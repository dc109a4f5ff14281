package review_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/shenbao/shenbao/extract/pdftext"
)

// TestOpinionPDF prints the 审核意见 with the real Chromium and reads the
// PDF back with the PDF text reader.
func TestOpinionPDF(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is absent: install Debian's chromium (apt-get install -y chromium fonts-wqy-microhei) to print PDFs", chromiumPath)
	}
	s := startSite(t, 0)
	data, err := os.ReadFile("testdata/cq2024_01_docx.docx")
	if err != nil {
		t.Fatal(err)
	}
	id := storeProcessed(t, s, "cq2024_01_docx.docx", data, 0, "印刷")
	app, err := s.Store.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := signIn(t, s.URL, "zhangsan")
	res, err := c.Get(fmt.Sprintf("%s/applications/%d/review.pdf", s.URL, id))
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("review.pdf: %d %s, %d bytes starting %q", res.StatusCode, res.Header.Get("Content-Type"), len(pdf), pdf[:min(len(pdf), 40)])
	}
	content, err := pdftext.Read(context.Background(), bytes.NewReader(pdf), int64(len(pdf)))
	if err != nil {
		t.Fatalf("read the printed PDF: %v", err)
	}
	var text strings.Builder
	for _, b := range content.Blocks {
		text.WriteString(b.Text)
		if b.Table != nil {
			for _, r := range b.Table.Rows {
				for _, c := range r.Cells {
					text.WriteString(c.Text)
				}
			}
		}
	}
	got := strings.Join(strings.Fields(text.String()), "")
	for _, want := range []string{"审核意见", app.ClusterName, "审核人：zhangsan"} {
		if !strings.Contains(got, want) {
			t.Errorf("printed PDF lacks %q; its text:\n%s", want, got)
		}
	}
	if strings.Contains(got, "下载PDF") || strings.Contains(got, "退出") {
		t.Errorf("printed PDF shows screen-only controls:\n%s", got)
	}
}
