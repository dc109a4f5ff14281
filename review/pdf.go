package review

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
)

// chromiumPath finds the browser that prints review.pdf: the configured
// one, else Debian's.
func (u *UI) chromiumPath() string {
	if u.cfg.Chromium != "" {
		return u.cfg.Chromium
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// opinionPDF prints the 审核意见 page to PDF with headless Chromium, so
// that the paper file gets exactly what the print stylesheet lays out. The
// page is written to a private directory with its stylesheet inlined and
// printed from there: the browser needs no session and no network.
func (u *UI) opinionPDF(c *gin.Context) {
	chromium := u.chromiumPath()
	if chromium == "" {
		u.errorPage(c, http.StatusNotImplemented, "服务器未安装 Chromium，无法生成 PDF；请用“审核意见”页面的“打印”另存为 PDF，或安装：apt-get install -y chromium fonts-wqy-microhei。/ Chromium is not installed on the server, so no PDF can be made; print the 审核意见 page to PDF from the browser, or install it: apt-get install -y chromium fonts-wqy-microhei.")
		return
	}
	d, err := u.opinion(c)
	if err != nil {
		u.log.Error("opinion pdf", "err", err)
		u.errorPage(c, http.StatusInternalServerError, "无法读取报告，请稍后重试。/ Cannot read the report; try again later.")
		return
	}
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		u.errorPage(c, http.StatusInternalServerError, "内部错误，请联系管理员。/ Internal error; please contact the administrator.")
		return
	}
	var html bytes.Buffer
	css = append(css, printFontCSS...)
	p := page{Title: "审核意见", Data: d, PDF: true, InlineCSS: template.CSS(css)}
	if err := u.pages["opinion"].ExecuteTemplate(&html, "layout", p); err != nil {
		u.log.Error("opinion pdf: template", "err", err)
		u.errorPage(c, http.StatusInternalServerError, "内部错误，请联系管理员。/ Internal error; please contact the administrator.")
		return
	}
	select {
	case u.printing <- struct{}{}:
		defer func() { <-u.printing }()
	case <-c.Request.Context().Done():
		return
	}
	pdf, err := printPDF(c.Request.Context(), chromium, html.Bytes())
	if err != nil {
		u.log.Error("opinion pdf: print", "application", d.App.ID, "err", err)
		u.errorPage(c, http.StatusInternalServerError, "生成 PDF 失败，请改用“打印”另存为 PDF。/ Making the PDF failed; print the page to PDF from the browser instead.")
		return
	}
	name := fmt.Sprintf("审核意见-%d.pdf", d.App.ID)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="review-%d.pdf"; filename*=UTF-8''%s`, d.App.ID, urlEscape(name)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// PrintFont is the one font the printed 审核意见 is set in. It is named,
// not left to the stylesheet's list, because the list's first installed
// font wins: with Debian's fonts-noto-cjk that is Noto Sans CJK, whose cmap
// maps radical code points (U+2F00…, U+2E80…) to the same glyphs as the
// ideographs, and Chromium writes the radicals into the PDF's text layer —
// 审核意见 would be copied and searched as 审核意⻅. WenQuanYi Micro Hei
// (Debian's fonts-wqy-microhei, installed by the Makefile) has no such
// duplicates, so every character extracts as itself.
const PrintFont = "WenQuanYi Micro Hei"

// printFontCSS comes after the stylesheet in the printed page, so that it
// overrides every font-family the stylesheet sets.
var printFontCSS = []byte("\n* { font-family: \"" + PrintFont + "\", sans-serif !important; }\n")

// printTimeout bounds one Chromium run.
const printTimeout = time.Minute

func printPDF(ctx context.Context, chromium string, html []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "shenbao-print-")
	if err != nil {
		return nil, fmt.Errorf("print: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "opinion.html"), filepath.Join(dir, "opinion.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		return nil, fmt.Errorf("print: write page: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, printTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer",
		"--print-to-pdf="+out, "file://"+in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("print: chromium: %w: %s", err, lastLines(stderr.Bytes(), 3))
	}
	pdf, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("print: no PDF written (%v): %s", err, lastLines(stderr.Bytes(), 3)), "生成 PDF 失败。/ Making the PDF failed.")
	}
	return pdf, nil
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte(" | "))
}

func urlEscape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
