package review_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/shenbao/shenbao/extract/pdftext"
)

// radicals are the Unicode blocks of CJK radicals: glyph-sharing fonts
// (Noto Sans CJK) make Chromium write these into a PDF's text layer in
// place of the ideographs that look the same (⻅ for 见, ⼈ for 人).
var radicals = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x2E80, Hi: 0x2EFF, Stride: 1}, // CJK Radicals Supplement
	{Lo: 0x2F00, Hi: 0x2FDF, Stride: 1}, // Kangxi Radicals
}}

// TestOpinionPDF prints the 审核意见 with the real Chromium and reads the
// PDF back with the PDF text reader: the text layer must hold the real
// characters, both with the machine's fonts (Noto CJK among them when
// fonts-noto-cjk is installed, as the Makefile does) and with only the
// print font visible to fontconfig (a machine without Noto CJK).
func TestOpinionPDF(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is absent: install Debian's chromium (apt-get install -y chromium fonts-wqy-microhei) to print PDFs", chromiumPath)
	}
	const wqyDir = "/usr/share/fonts/truetype/wqy"
	if _, err := os.Stat(wqyDir); err != nil {
		t.Skipf("%s is absent: install fonts-wqy-microhei, the print font", wqyDir)
	}
	if _, err := os.Stat("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"); err != nil {
		t.Logf("fonts-noto-cjk is not installed: the machine's fonts case does not cover Noto CJK (apt-get install -y fonts-noto-cjk)")
	}
	onlyPrintFont := filepath.Join(t.TempDir(), "fonts.conf")
	conf := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>` + wqyDir +
		`</dir><cachedir>` + filepath.Join(t.TempDir(), "cache") + `</cachedir></fontconfig>`
	if err := os.WriteFile(onlyPrintFont, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, fontconfig string }{
		{"machine fonts", ""},
		{"print font only", onlyPrintFont},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fontconfig != "" {
				// The server runs in this process: Chromium inherits it.
				t.Setenv("FONTCONFIG_FILE", tc.fontconfig)
			}
			checkOpinionPDF(t)
		})
	}
}

func checkOpinionPDF(t *testing.T) {
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
	for _, want := range []string{"审核意见", app.ClusterName, "审核人：zhangsan", "文件"} {
		if !strings.Contains(got, want) {
			t.Errorf("printed PDF lacks %q; its text:\n%s", want, got)
		}
	}
	var wrong []string
	for _, r := range got {
		if unicode.Is(radicals, r) {
			wrong = append(wrong, fmt.Sprintf("%c U+%04X", r, r))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("printed PDF's text layer has radical code points instead of ideographs: %v", wrong)
	}
	if strings.Contains(got, "下载PDF") || strings.Contains(got, "退出") {
		t.Errorf("printed PDF shows screen-only controls:\n%s", got)
	}
}
