//go:build cgo

package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"unicode"

	"github.com/gen2brain/go-fitz"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

func init() {
	// MuPDF's resource cache (fonts, decoded images) defaults to 256 MB;
	// one page at a time needs far less, and the rest of the memory limit
	// is better spent on the pixmap.
	fitz.MaxStore = 64 << 20
	child.Register(jobInfo, infoJob)
	child.Register(jobRender, renderJob)
	child.Register(jobInk, inkJob)
}

// Local is a PDF opened by MuPDF in this process. Use it only inside a child
// job (see package child): a malformed PDF can abort the process that calls
// into MuPDF. A Local is not safe for concurrent use.
type Local struct {
	doc   *fitz.Document
	pages int
	opt   Options
}

// OpenLocal opens the PDF at path with MuPDF in this process, applying
// o.MaxPages and later o.MaxPixels and o.MaxDPI.
func OpenLocal(path string, o Options) (*Local, error) {
	o = o.withDefaults()
	doc, err := fitz.New(path)
	switch {
	case errors.Is(err, fitz.ErrNeedsPassword):
		doc.Close()
		return nil, shenbao.Wrap(shenbao.EENCRYPTED, err, "PDF 已加密（需要密码才能打开），请去除密码保护后再上传。/ The PDF is password-protected; remove the password and upload it again.")
	case err != nil:
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "PDF 文件已损坏，无法打开，请重新导出或重新扫描后再上传。/ The PDF is damaged and cannot be opened; re-export or re-scan it and upload again.")
	}
	l := &Local{doc: doc, pages: doc.NumPage(), opt: o}
	switch {
	case l.pages <= 0:
		l.Close()
		return nil, shenbao.Errorf(shenbao.EINVALID, "PDF 中没有可读的页面，文件可能已损坏或被截断，请重新导出后再上传。/ The PDF has no readable pages; it may be damaged or truncated — re-export it and upload again.")
	case l.pages > o.MaxPages:
		l.Close()
		return nil, shenbao.Errorf(shenbao.ETOOLARGE, "PDF 共 %d 页，超过上限 %d 页，请只上传申报表本身。/ The PDF has %d pages, over the limit of %d; upload the application form only.",
			l.pages, o.MaxPages, l.pages, o.MaxPages)
	}
	return l, nil
}

// Close releases MuPDF's resources.
func (l *Local) Close() error { return l.doc.Close() }

// Pages returns the page count.
func (l *Local) Pages() int { return l.pages }

// Info reads every page's size and counts its text.
func (l *Local) Info() (DocInfo, error) {
	info := DocInfo{Pages: make([]PageInfo, l.pages)}
	for i := range l.pages {
		r, err := l.doc.Bound(i)
		if err != nil {
			return info, pageErr(i+1, err)
		}
		txt, err := l.doc.Text(i)
		if err != nil {
			return info, pageErr(i+1, err)
		}
		n := 0
		for _, c := range txt {
			if !unicode.IsSpace(c) {
				n++
			}
		}
		info.Pages[i] = PageInfo{PageSize: shenbao.PageSize{Width: float64(r.Dx()), Height: float64(r.Dy())}, Chars: n}
	}
	return info, nil
}

func pageErr(page int, err error) error {
	return shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("page %d: %w", page, err),
		"PDF 第 %d 页已损坏，无法读取，请重新导出或重新扫描后再上传。/ Page %d of the PDF is damaged and cannot be read; re-export or re-scan it and upload again.", page, page)
}

// checkRender refuses page numbers out of range and renders that would
// exceed the pixel or dpi limit, before MuPDF allocates anything.
func (l *Local) checkRender(page int, dpi float64) error {
	if page < 1 || page > l.pages {
		return shenbao.Errorf(shenbao.ENOTFOUND, "PDF 没有第 %d 页（共 %d 页）。/ The PDF has no page %d (it has %d).", page, l.pages, page, l.pages)
	}
	if !(dpi > 0 && dpi <= l.opt.MaxDPI) {
		return shenbao.Errorf(shenbao.ETOOLARGE, "分辨率 %g dpi 超出范围（上限 %g dpi）。/ Resolution %g dpi is out of range (limit %g dpi).", dpi, l.opt.MaxDPI, dpi, l.opt.MaxDPI)
	}
	r, err := l.doc.Bound(page - 1)
	if err != nil {
		return pageErr(page, err)
	}
	// One more point each way covers the fractional part Bound drops.
	w := math.Ceil(float64(r.Dx()+1) * dpi / 72)
	h := math.Ceil(float64(r.Dy()+1) * dpi / 72)
	if w*h > float64(l.opt.MaxPixels) {
		mp, lim := w*h/1e6, float64(l.opt.MaxPixels)/1e6
		return shenbao.Errorf(shenbao.ETOOLARGE, "PDF 第 %d 页尺寸 %d×%d pt 过大，按 %g dpi 渲染需 %.1f 百万像素，超过上限 %.1f 百万像素；请按 A4/A3 纸张导出。/ Page %d is %d×%d pt; at %g dpi it needs %.1f megapixels, over the limit of %.1f; export it at A4/A3 paper size.",
			page, r.Dx(), r.Dy(), dpi, mp, lim, page, r.Dx(), r.Dy(), dpi, mp, lim)
	}
	return nil
}

// RGBA renders page (from 1) at dpi.
func (l *Local) RGBA(page int, dpi float64) (*image.RGBA, error) {
	if err := l.checkRender(page, dpi); err != nil {
		return nil, err
	}
	img, err := l.doc.ImageDPI(page-1, dpi)
	if err != nil {
		return nil, pageErr(page, err)
	}
	// go-fitz sizes the image from MuPDF's pixel box, which starts at the
	// origin for every page MuPDF produces; normalise anyway so that
	// callers can index from (0,0).
	img.Rect = image.Rect(0, 0, img.Rect.Dx(), img.Rect.Dy())
	return img, nil
}

// Gray renders page (from 1) at dpi in 8-bit gray.
func (l *Local) Gray(page int, dpi float64) (*image.Gray, error) {
	img, err := l.RGBA(page, dpi)
	if err != nil {
		return nil, err
	}
	return toGray(img), nil
}

// Ink renders page (from 1) at dpi and measures the dark fraction of each
// box; see Doc.Ink.
func (l *Local) Ink(page int, dpi float64, boxes []shenbao.Box, threshold uint8) ([]float64, error) {
	for i, b := range boxes {
		if !(b[2] > b[0] && b[3] > b[1]) { // also rejects NaN
			return nil, shenbao.Errorf(shenbao.EINVALID, "第 %d 个框 %v 没有面积。/ Box %d %v has no area.", i+1, b, i+1, b)
		}
	}
	img, err := l.RGBA(page, dpi)
	if err != nil {
		return nil, err
	}
	return inkFractions(img, boxes, dpi, threshold), nil
}

func readRequest(in io.Reader) (request, error) {
	var req request
	if err := json.NewDecoder(io.LimitReader(in, 16<<20)).Decode(&req); err != nil {
		return req, fmt.Errorf("decode request: %w", err)
	}
	return req, nil
}

func openRequest(in io.Reader) (*Local, request, error) {
	req, err := readRequest(in)
	if err != nil {
		return nil, req, err
	}
	l, err := OpenLocal(req.Path, Options{MaxPages: req.MaxPages, MaxPixels: req.MaxPixels, MaxDPI: req.MaxDPI})
	return l, req, err
}

func infoJob(_ context.Context, in io.Reader, out io.Writer) error {
	l, _, err := openRequest(in)
	if err != nil {
		return err
	}
	defer l.Close()
	info, err := l.Info()
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(info)
}

func renderJob(_ context.Context, in io.Reader, out io.Writer) error {
	l, req, err := openRequest(in)
	if err != nil {
		return err
	}
	defer l.Close()
	img, err := l.RGBA(req.Page, req.DPI)
	if err != nil {
		return err
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	switch req.Format {
	case formatPNG:
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(out, img)
	case formatRGBA:
		if _, err := out.Write(encodeRasterHeader(4, w, h)); err != nil {
			return err
		}
		_, err = out.Write(img.Pix)
		return err
	case formatGray:
		if _, err := out.Write(encodeRasterHeader(1, w, h)); err != nil {
			return err
		}
		_, err = out.Write(toGray(img).Pix)
		return err
	}
	return fmt.Errorf("render: unknown format %q", req.Format)
}

func inkJob(_ context.Context, in io.Reader, out io.Writer) error {
	l, req, err := openRequest(in)
	if err != nil {
		return err
	}
	defer l.Close()
	fr, err := l.Ink(req.Page, req.DPI, req.Boxes, req.Threshold)
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(fr)
}
