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
	"unicode"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

func init() {
	child.Register(jobInfo, infoJob)
	child.Register(jobRender, renderJob)
	child.Register(jobInk, inkJob)
}

// Local is a PDF opened by MuPDF in this process. Use it only inside a child
// job (see package child): a malformed PDF can still make C code misbehave
// in ways no fz_try catches. A Local is not safe for concurrent use.
type Local struct {
	mu  *mupdf
	opt Options
}

// OpenLocal opens the PDF at path with MuPDF in this process, applying
// o.MaxPages and later o.MaxPixels and o.MaxDPI.
func OpenLocal(path string, o Options) (*Local, error) {
	o = o.withDefaults()
	mu, err := openMuPDF(path)
	switch {
	case errors.Is(err, errNeedsPassword):
		return nil, shenbao.Wrap(shenbao.EENCRYPTED, err, "PDF 已加密（需要密码才能打开），请去除密码保护后再上传。/ The PDF is password-protected; remove the password and upload it again.")
	case err != nil:
		if me := (*mupdfError)(nil); errors.As(err, &me) && me.Memory() {
			return nil, shenbao.Wrap(shenbao.ETOOLARGE, err, "PDF 打开时所需内存超过上限，请压缩或拆分后再上传。/ Opening the PDF needs more memory than allowed; compress or split it and upload again.")
		} else if me != nil && me.System() {
			return nil, shenbao.Wrap(shenbao.EINTERNAL, err, "内部错误：无法读取待处理的文件，请联系管理员。/ Internal error: the file to process could not be read; please contact the administrator.")
		}
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "PDF 文件已损坏，无法打开，请重新导出或重新扫描后再上传。/ The PDF is damaged and cannot be opened; re-export or re-scan it and upload again.")
	}
	l := &Local{mu: mu, opt: o}
	switch {
	case mu.pages <= 0:
		l.Close()
		return nil, shenbao.Errorf(shenbao.EINVALID, "PDF 中没有可读的页面，文件可能已损坏或被截断，请重新导出后再上传。/ The PDF has no readable pages; it may be damaged or truncated — re-export it and upload again.")
	case mu.pages > o.MaxPages:
		l.Close()
		return nil, shenbao.Errorf(shenbao.ETOOLARGE, "PDF 共 %d 页，超过上限 %d 页，请只上传申报表本身。/ The PDF has %d pages, over the limit of %d; upload the application form only.",
			mu.pages, o.MaxPages, mu.pages, o.MaxPages)
	}
	return l, nil
}

// Close releases MuPDF's resources.
func (l *Local) Close() error {
	l.mu.close()
	return nil
}

// Pages returns the page count.
func (l *Local) Pages() int { return l.mu.pages }

// Info reads every page's size and counts its text.
func (l *Local) Info() (DocInfo, error) {
	info := DocInfo{Pages: make([]PageInfo, l.mu.pages)}
	for i := range l.mu.pages {
		pt, _, err := l.mu.bound(i, 72)
		if err != nil {
			return info, pageErr(i+1, err)
		}
		txt, err := l.mu.text(i)
		if err != nil {
			return info, pageErr(i+1, err)
		}
		n := 0
		for _, c := range txt {
			if !unicode.IsSpace(c) {
				n++
			}
		}
		p, err := l.paper(i + 1)
		if err != nil {
			return info, err
		}
		w, h := pt[2]-pt[0], pt[3]-pt[1]
		info.Pages[i] = PageInfo{PageSize: shenbao.PageSize{Width: centi(w), Height: centi(h)}, Chars: n, Paper: p}
	}
	return info, nil
}

// paper tells the sheet page (from 1) shows; it decodes no image.
func (l *Local) paper(page int) (Paper, error) {
	pt, _, err := l.mu.bound(page-1, 72)
	if err != nil {
		return Paper{}, pageErr(page, err)
	}
	im, err := l.mu.images(page - 1)
	if err != nil {
		return Paper{}, pageErr(page, err)
	}
	return paperOf(pt[2]-pt[0], pt[3]-pt[1], im), nil
}

// Paper tells the sheet page (from 1) shows (see Paper), and refuses a
// page whose image is too large at its own pixels, or a scanned page too
// coarse to read. It decodes no image.
func (l *Local) Paper(page int) (Paper, error) {
	if page < 1 || page > l.mu.pages {
		return Paper{}, l.noPage(page)
	}
	p, err := l.paper(page)
	if err != nil {
		return p, err
	}
	return p, p.check(page, l.opt.imageLimits())
}

// Sheet renders page (from 1) in colour at dpi over the sheet it shows: a
// scanned page at its image's own resolution scaled to dpi, whatever page
// size its file declares, in gray when its images are (Paper.Gray); any
// other page as RGBA does. It returns the page's Paper too.
func (l *Local) Sheet(page int, dpi float64) (image.Image, Paper, error) {
	p, err := l.Paper(page)
	if err != nil {
		return nil, p, err
	}
	if p.Gray {
		img, err := l.Gray(page, p.renderDPI(dpi))
		return img, p, err
	}
	img, err := l.RGBA(page, p.renderDPI(dpi))
	return img, p, err
}

func pageErr(page int, err error) error {
	if me := (*mupdfError)(nil); errors.As(err, &me) && me.Memory() {
		return shenbao.Wrap(shenbao.ETOOLARGE, err,
			"PDF 第 %d 页所需内存超过上限（图像过大或过多），请降低扫描分辨率或压缩后再上传。/ Page %d needs more memory than allowed (images too large or too many); scan at a lower resolution or compress it and upload again.", page, page)
	}
	return shenbao.Wrap(shenbao.EINVALID, err,
		"PDF 第 %d 页已损坏，无法读取，请重新导出或重新扫描后再上传。/ Page %d of the PDF is damaged and cannot be read; re-export or re-scan it and upload again.", page, page)
}

func (l *Local) noPage(page int) error {
	return shenbao.Errorf(shenbao.ENOTFOUND, "文件没有第 %d 页（共 %d 页）。/ The file has no page %d (it has %d).", page, l.mu.pages, page, l.mu.pages)
}

// pixelBox refuses page numbers out of range and renders that would exceed
// the pixel or dpi limit, before MuPDF allocates anything, and returns the
// page's pixel box at dpi.
func (l *Local) pixelBox(page int, dpi float64, channels int) (image.Rectangle, error) {
	if page < 1 || page > l.mu.pages {
		return image.Rectangle{}, l.noPage(page)
	}
	if !(dpi > 0 && dpi <= l.opt.MaxDPI) {
		return image.Rectangle{}, shenbao.Errorf(shenbao.ETOOLARGE, "分辨率 %g dpi 超出范围（上限 %g dpi）。/ Resolution %g dpi is out of range (limit %g dpi).", dpi, l.opt.MaxDPI, dpi, l.opt.MaxDPI)
	}
	pt, px, err := l.mu.bound(page-1, dpi)
	if err != nil {
		return px, pageErr(page, err)
	}
	w, h := pt[2]-pt[0], pt[3]-pt[1]
	if px.Empty() {
		return px, shenbao.Errorf(shenbao.EINVALID, "PDF 第 %d 页尺寸为 %.0f×%.0f pt，没有可显示的内容。/ Page %d measures %.0f×%.0f pt and shows nothing.", page, w, h, page, w, h)
	}
	// Half the child's memory for the image leaves the rest to MuPDF's
	// decoding of the page; past that the Go allocation would kill the
	// child rather than fail.
	if need, b := int64(px.Dx())*int64(px.Dy())*int64(channels), child.Budget(); b > 0 && need > b/2 {
		return px, shenbao.Errorf(shenbao.ETOOLARGE, "PDF 第 %d 页按 %g dpi 渲染需 %d MB 内存，超过上限 %d MB 的一半；请降低分辨率。/ Page %d at %g dpi needs %d MB, over half the %d MB memory limit; use a lower resolution.",
			page, dpi, need>>20, b>>20, page, dpi, need>>20, b>>20)
	}
	if n := int64(px.Dx()) * int64(px.Dy()); n > l.opt.MaxPixels {
		mp, lim := float64(n)/1e6, float64(l.opt.MaxPixels)/1e6
		return px, shenbao.Errorf(shenbao.ETOOLARGE, "PDF 第 %d 页尺寸 %.0f×%.0f pt 过大，按 %g dpi 渲染需 %.1f 百万像素，超过上限 %.1f 百万像素；请按 A4/A3 纸张导出。/ Page %d is %.0f×%.0f pt; at %g dpi it needs %.1f megapixels, over the limit of %.1f; export it at A4/A3 paper size.",
			page, w, h, dpi, mp, lim, page, w, h, dpi, mp, lim)
	}
	return px, nil
}

// RGBA renders page (from 1) at dpi, annotations and form fields included.
func (l *Local) RGBA(page int, dpi float64) (*image.RGBA, error) {
	px, err := l.pixelBox(page, dpi, 4)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, px.Dx(), px.Dy()))
	if err := l.mu.render(page-1, dpi, px, false, img.Pix); err != nil {
		return nil, pageErr(page, err)
	}
	return img, nil
}

// Gray renders page (from 1) at dpi in 8-bit gray: MuPDF draws gray
// directly, a quarter of the memory traffic of RGBA.
func (l *Local) Gray(page int, dpi float64) (*image.Gray, error) {
	px, err := l.pixelBox(page, dpi, 1)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, px.Dx(), px.Dy()))
	if err := l.mu.render(page-1, dpi, px, true, img.Pix); err != nil {
		return nil, pageErr(page, err)
	}
	return img, nil
}

// Ink renders page (from 1) at dpi and measures the dark fraction of each
// box; see Doc.Ink.
func (l *Local) Ink(page int, dpi float64, boxes []shenbao.Box, threshold uint8) ([]float64, error) {
	for i, b := range boxes {
		if !(b[2] > b[0] && b[3] > b[1]) { // also rejects NaN
			return nil, shenbao.Errorf(shenbao.EINVALID, "第 %d 个框 %v 没有面积。/ Box %d %v has no area.", i+1, b, i+1, b)
		}
	}
	img, err := l.Gray(page, dpi)
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
	l, err := OpenLocal(req.Path, Options{MaxPages: req.MaxPages, MaxPixels: req.MaxPixels, MaxDPI: req.MaxDPI,
		MaxImageSide: req.MaxImageSide, MaxImagePixels: req.MaxImagePixels})
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
	pages := req.Pages
	if len(pages) == 0 {
		pages = []int{req.Page}
	}
	if req.Format == formatPNG {
		if len(pages) != 1 {
			return fmt.Errorf("render: PNG of %d pages", len(pages))
		}
		// Reviewers see a page where the report's boxes are: a scan's
		// are on its sheet.
		img, _, err := l.Sheet(pages[0], req.DPI)
		if err != nil {
			return err
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(out, img)
	}
	for _, p := range pages {
		if err := writePage(out, l, p, req.DPI, req.Format); err != nil {
			return err
		}
	}
	return nil
}

func writePage(out io.Writer, l *Local, page int, dpi float64, format string) error {
	switch format {
	case formatRGBA:
		img, err := l.RGBA(page, dpi)
		if err != nil {
			return err
		}
		return writeRaster(out, 4, img.Rect, img.Pix)
	case formatGray:
		img, err := l.Gray(page, dpi)
		if err != nil {
			return err
		}
		return writeRaster(out, 1, img.Rect, img.Pix)
	}
	return fmt.Errorf("render: unknown format %q", format)
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
