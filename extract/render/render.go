// Package render draws PDF pages with MuPDF (github.com/gen2brain/go-fitz)
// and measures ink in boxes of them.
//
// MuPDF is C: a malformed PDF can make it abort or run away with memory, so
// every call here runs in a child process (package extract/child) under the
// time and memory limits of Options, and a crash costs that one document.
// The parent-side API (Open, Doc and the package-level shortcuts) is pure
// Go; the functions that really call MuPDF (OpenLocal) exist only in cgo
// builds and are meant for code that already runs in a child, such as the
// OCR job, which renders and reads a page without shipping it through a
// pipe.
//
// Pages are numbered from 1, as in shenbao.Block.Page. Boxes are in PDF
// points from the page's top-left corner, as displayed (after /Rotate), so a
// box maps to pixels by the factor dpi/72.
//
// Programs using this package must call child.Main first thing in main
// (and in TestMain).
package render

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/extract/filetype"
)

// Options bound each call. The zero value of a field means its default.
type Options struct {
	// Timeout per call (one child process), per page for Pages and
	// PagesGray. A page renders in well under a second; the default
	// leaves room for a loaded machine while bounding a hostile file.
	Timeout time.Duration
	// Memory is the address space a call may add to the child's start-up
	// reservation, in bytes. It is coarse: the Go heap grows in 64 MB
	// reservations, so limits under about 256 MB make outcomes depend on
	// where the heap happens to stand.
	Memory int64
	// MaxBytes is the largest PDF accepted.
	MaxBytes int64
	// MaxPages is the largest page count accepted; applications have about
	// twenty pages, so thousands mean a wrong or hostile file.
	MaxPages int
	// MaxDPI is the highest resolution a page is rendered at.
	MaxDPI float64
	// MaxPixels caps width×height of one rendered page, so that a page of
	// 20000×20000 pt cannot exhaust memory at any dpi.
	MaxPixels int64
	// MaxImageSide and MaxImagePixels bound a page's image at its own
	// pixels (filetype.Limits), whatever page size the file declares.
	MaxImageSide   int
	MaxImagePixels int64
	// InkThreshold is the gray level (0 black … 255 white) below which a
	// pixel counts as ink in Ink.
	InkThreshold uint8
}

// Defaults for zero Options fields. MaxPixels admits an A4 page at 600 dpi
// (4961×7016): 140 MB as RGBA, plus the decoded scan image and MuPDF's
// cache, which Memory leaves room for (checked at 600 dpi on the
// testdata scans, PNG included), while keeping a hostile file's worst case
// at half a gigabyte.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMemory       = 512 << 20
	DefaultMaxBytes     = 200 << 20
	DefaultMaxPages     = 500
	DefaultMaxDPI       = 600
	DefaultMaxPixels    = 36_000_000
	DefaultInkThreshold = 160
)

func (o Options) imageLimits() filetype.Limits {
	return filetype.Limits{MaxSide: o.MaxImageSide, MaxPixels: o.MaxImagePixels, MaxPages: o.MaxPages}
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Memory <= 0 {
		o.Memory = DefaultMemory
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxDPI <= 0 {
		o.MaxDPI = DefaultMaxDPI
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.MaxImageSide <= 0 {
		o.MaxImageSide = filetype.DefaultMaxSide
	}
	if o.MaxImagePixels <= 0 {
		o.MaxImagePixels = filetype.DefaultMaxPixels
	}
	if o.InkThreshold == 0 {
		o.InkThreshold = DefaultInkThreshold
	}
	return o
}

// DocInfo describes a PDF.
type DocInfo struct {
	Pages []PageInfo `json:"pages"`
}

// PageInfo describes one page.
type PageInfo struct {
	// Size in points as displayed (after /Rotate), to 0.01 pt.
	shenbao.PageSize
	// Chars counts the non-space characters of the page's text layer, 0
	// for a scanned page.
	Chars int `json:"chars"`
	// Paper is the sheet the page shows: for a scanned page, the
	// resolution its image carries over the sheet.
	Paper Paper `json:"paper"`
}

// HasText reports whether the page carries a text layer.
func (p PageInfo) HasText() bool { return p.Chars > 0 }

// Doc is a PDF ready for rendering: a file the child processes can open.
// A Doc is safe for concurrent use; each call runs its own child.
type Doc struct {
	path string
	temp bool
	opt  Options
	// onStats, when set (by benchmarks), receives each child's resource use.
	onStats func(child.Stats)
}

// Open writes pdf (a PDF, or an image file MuPDF opens as pages: JPEG,
// PNG, TIFF) to a temporary file for the child processes to read; Close
// removes it. It rejects empty, oversized and other input at once.
func (o Options) Open(pdf []byte) (*Doc, error) {
	o = o.withDefaults()
	if err := o.check(int64(len(pdf)), pdf); err != nil {
		return nil, err
	}
	// The parent writes and removes it (child.TempFile), so that a child
	// killed mid-page leaves nothing behind.
	path, err := child.TempFile("render", ".pdf", pdf)
	if err != nil {
		return nil, shenbao.Wrap(shenbao.EINTERNAL, fmt.Errorf("render: %w", err), "%s", internalMsg)
	}
	return &Doc{path: path, temp: true, opt: o}, nil
}

// OpenFile uses the PDF at path as it is; Close leaves the file alone.
// PagePNG opens data (a PDF or a scan saved as an image file, of the given
// MIME type), renders one page as PNG and closes it: the reviewer's page
// view (api.PageRenderer). A Word file has no pages to show.
func (o Options) PagePNG(ctx context.Context, mime string, data []byte, page int, dpi float64) ([]byte, error) {
	if !filetype.OfMIME(mime).Paged() {
		return nil, shenbao.Errorf(shenbao.EUNSUPPORTED, "Word 文件没有页面图像，请查看表格视图。/ Word files have no page images; use the table view.")
	}
	d, err := o.Open(data)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.PagePNG(ctx, page, dpi)
}

func (o Options) OpenFile(path string) (*Doc, error) {
	o = o.withDefaults()
	// The child resolves the path, so it must not depend on a working
	// directory that may change.
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	head := make([]byte, filetype.HeadLen)
	n, _ := f.Read(head)
	if err := o.check(fi.Size(), head[:n]); err != nil {
		return nil, err
	}
	return &Doc{path: path, opt: o}, nil
}

const internalMsg = "内部错误：无法准备文件，请联系管理员。/ Internal error: the document could not be prepared; please contact the administrator."

func (o Options) check(size int64, head []byte) error {
	switch k := filetype.Detect(head); {
	case size == 0:
		return shenbao.Errorf(shenbao.EINVALID, "文件为空，请重新上传完整的文件。/ The file is empty; upload the complete file again.")
	case size > o.MaxBytes:
		return shenbao.Errorf(shenbao.ETOOLARGE, "文件大小 %.1f MB 超过上限 %.1f MB，请压缩或拆分后再上传。/ The file is %.1f MB, over the %.1f MB limit; compress or split it and upload again.",
			mb(size), mb(o.MaxBytes), mb(size), mb(o.MaxBytes))
	case !k.Paged():
		return shenbao.Errorf(shenbao.EUNSUPPORTED, "文件内容不是PDF或图像（JPEG、PNG、TIFF），没有页面可显示。/ The file is not a PDF or an image (JPEG, PNG, TIFF) by content; it has no pages to show.")
	}
	return nil
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// Path is the file the child processes read: a job of another package
// that renders in-process (OpenLocal) can be given it instead of the bytes.
func (d *Doc) Path() string { return d.path }

// Close removes the temporary copy made by Open.
func (d *Doc) Close() error {
	if d.temp {
		return os.Remove(d.path)
	}
	return nil
}

// request is what the parent sends to every job.
type request struct {
	Path           string        `json:"path"`
	Page           int           `json:"page,omitempty"`
	Pages          []int         `json:"pages,omitempty"` // render: several at once
	DPI            float64       `json:"dpi,omitempty"`
	Format         string        `json:"format,omitempty"` // render: gray, rgba or png
	Boxes          []shenbao.Box `json:"boxes,omitempty"`
	MaxPages       int           `json:"max_pages"`
	MaxPixels      int64         `json:"max_pixels"`
	MaxDPI         float64       `json:"max_dpi"`
	MaxImageSide   int           `json:"max_image_side"`
	MaxImagePixels int64         `json:"max_image_pixels"`
	Threshold      uint8         `json:"threshold,omitempty"`
}

// Job names registered with package child.
const (
	jobInfo   = "pdf-info"
	jobRender = "pdf-render"
	jobInk    = "pdf-ink"
)

// Raster formats of the render job.
const (
	formatGray = "gray"
	formatRGBA = "rgba"
	formatPNG  = "png"
)

func (d *Doc) run(ctx context.Context, job string, req request, timeout time.Duration, output int64, zh, en string) ([]byte, error) {
	req.Path = d.path
	req.MaxPages = d.opt.MaxPages
	req.MaxPixels = d.opt.MaxPixels
	req.MaxDPI = d.opt.MaxDPI
	req.MaxImageSide = d.opt.MaxImageSide
	req.MaxImagePixels = d.opt.MaxImagePixels
	in, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	out, st, err := child.RunStats(ctx, job, in, child.Limits{
		Timeout: timeout,
		Memory:  d.opt.Memory,
		Output:  output,
		// One malloc arena: glibc reserves 64–128 MB of address space for
		// each extra arena, which would make RLIMIT_AS fail at random below
		// a few hundred MB; MuPDF runs on one thread anyway.
		Env:   []string{"MALLOC_ARENA_MAX=1"},
		Stage: "PDF 引擎（MuPDF）" + zh + " / " + en + " in the PDF engine (MuPDF)",
	})
	if d.onStats != nil {
		d.onStats(st)
	}
	return out, err
}

// Info reads the page count, page sizes and whether pages carry text.
func (d *Doc) Info(ctx context.Context) (DocInfo, error) {
	var info DocInfo
	out, err := d.run(ctx, jobInfo, request{}, d.opt.Timeout, int64(d.opt.MaxPages)*128+4096, "读取页面信息", "reading the page list")
	if err != nil {
		return info, fmt.Errorf("render info: %w", err)
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return info, fmt.Errorf("render info: decode: %w", err)
	}
	return info, nil
}

func (d *Doc) checkPage(page int, dpi float64) error {
	if page < 1 {
		return shenbao.Errorf(shenbao.ENOTFOUND, "页码 %d 无效，页码从 1 开始。/ Page %d does not exist; pages are numbered from 1.", page, page)
	}
	if !(dpi > 0 && dpi <= d.opt.MaxDPI) { // also rejects NaN
		return shenbao.Errorf(shenbao.ETOOLARGE, "分辨率 %g dpi 超出范围（上限 %g dpi）。/ Resolution %g dpi is out of range (limit %g dpi).", dpi, d.opt.MaxDPI, dpi, d.opt.MaxDPI)
	}
	return nil
}

// raster renders pages in one child and returns the job's output: one PNG,
// or raw rasters one after the other.
func (d *Doc) raster(ctx context.Context, pages []int, dpi float64, format string) ([]byte, error) {
	if len(pages) == 0 {
		return nil, nil
	}
	for _, p := range pages {
		if err := d.checkPage(p, dpi); err != nil {
			return nil, err
		}
	}
	channels := int64(4)
	if format == formatGray {
		channels = 1
	}
	zh, en := fmt.Sprintf("渲染第 %d 页", pages[0]), fmt.Sprintf("rendering page %d", pages[0])
	what := fmt.Sprintf("render page %d", pages[0])
	if len(pages) > 1 {
		zh, en = fmt.Sprintf("渲染 %d 页", len(pages)), fmt.Sprintf("rendering %d pages", len(pages))
		what = fmt.Sprintf("render pages %v", pages)
	}
	req := request{Pages: pages, DPI: dpi, Format: format}
	out, err := d.run(ctx, jobRender, req, time.Duration(len(pages))*d.opt.Timeout,
		int64(len(pages))*(d.opt.MaxPixels*channels+rasterHeader)+1<<20, zh, en)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// rasters renders pages in one child and decodes the images.
func (d *Doc) rasters(ctx context.Context, pages []int, dpi float64, format string) ([]image.Image, error) {
	out, err := d.raster(ctx, pages, dpi, format)
	if err != nil {
		return nil, err
	}
	imgs := make([]image.Image, len(pages))
	for i := range pages {
		if imgs[i], out, err = decodeRaster(out); err != nil {
			return nil, fmt.Errorf("render page %d: %w", pages[i], err)
		}
	}
	if len(out) != 0 {
		return nil, fmt.Errorf("render pages %v: %d bytes after the last page", pages, len(out))
	}
	return imgs, nil
}

// Page renders page (from 1) at dpi in colour; colour is what lets the scan
// path tell a red seal from the text under it.
func (d *Doc) Page(ctx context.Context, page int, dpi float64) (*image.RGBA, error) {
	imgs, err := d.Pages(ctx, []int{page}, dpi)
	if err != nil {
		return nil, err
	}
	return imgs[0], nil
}

// PageGray renders page (from 1) at dpi in 8-bit gray: a quarter of the
// bytes of Page, for work that needs no colour.
func (d *Doc) PageGray(ctx context.Context, page int, dpi float64) (*image.Gray, error) {
	imgs, err := d.PagesGray(ctx, []int{page}, dpi)
	if err != nil {
		return nil, err
	}
	return imgs[0], nil
}

// Pages renders several pages (from 1) at dpi in colour in one child
// process, which saves a process start and the parsing of the PDF per page.
// The time limit is Options.Timeout per page; the images are all held in
// memory at once.
func (d *Doc) Pages(ctx context.Context, pages []int, dpi float64) ([]*image.RGBA, error) {
	return rastersAs[*image.RGBA](d.rasters(ctx, pages, dpi, formatRGBA))
}

// PagesGray is Pages in 8-bit gray.
func (d *Doc) PagesGray(ctx context.Context, pages []int, dpi float64) ([]*image.Gray, error) {
	return rastersAs[*image.Gray](d.rasters(ctx, pages, dpi, formatGray))
}

func rastersAs[T image.Image](imgs []image.Image, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]T, len(imgs))
	for i, img := range imgs {
		var ok bool
		if out[i], ok = img.(T); !ok {
			return nil, fmt.Errorf("render: child sent %T, want %T", img, out[i])
		}
	}
	return out, nil
}

// PagePNG renders page (from 1) at dpi as a PNG file, for showing pages to
// reviewers. A scanned page is rendered at dpi over the sheet it shows
// (Local.Sheet), where the scan path puts its boxes.
func (d *Doc) PagePNG(ctx context.Context, page int, dpi float64) ([]byte, error) {
	return d.raster(ctx, []int{page}, dpi, formatPNG)
}

// Ink renders page (from 1) at dpi and returns, for each box (PDF points
// from the top-left), the fraction of its pixels darker than
// Options.InkThreshold. Parts of a box off the page count as blank; a box
// with no area is an error.
func (d *Doc) Ink(ctx context.Context, page int, boxes []shenbao.Box, dpi float64) ([]float64, error) {
	if err := d.checkPage(page, dpi); err != nil {
		return nil, err
	}
	if len(boxes) == 0 {
		return nil, nil
	}
	out, err := d.run(ctx, jobInk, request{Page: page, DPI: dpi, Boxes: boxes, Threshold: d.opt.InkThreshold},
		d.opt.Timeout, int64(len(boxes))*32+4096,
		fmt.Sprintf("测量第 %d 页勾选框", page), fmt.Sprintf("measuring the boxes of page %d", page))
	if err != nil {
		return nil, fmt.Errorf("render ink page %d: %w", page, err)
	}
	var fr []float64
	if err := json.Unmarshal(out, &fr); err != nil {
		return nil, fmt.Errorf("render ink page %d: decode: %w", page, err)
	}
	if len(fr) != len(boxes) {
		return nil, fmt.Errorf("render ink page %d: %d results for %d boxes", page, len(fr), len(boxes))
	}
	return fr, nil
}

// Package-level shortcuts with default Options, for one call per document.

// Info is Doc.Info with default Options.
func Info(ctx context.Context, pdf []byte) (DocInfo, error) {
	d, err := Options{}.Open(pdf)
	if err != nil {
		return DocInfo{}, err
	}
	defer d.Close()
	return d.Info(ctx)
}

// Page is Doc.Page with default Options.
func Page(ctx context.Context, pdf []byte, page int, dpi float64) (*image.RGBA, error) {
	d, err := Options{}.Open(pdf)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Page(ctx, page, dpi)
}

// Ink is Doc.Ink with default Options.
func Ink(ctx context.Context, pdf []byte, page int, boxes []shenbao.Box, dpi float64) ([]float64, error) {
	d, err := Options{}.Open(pdf)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Ink(ctx, page, boxes, dpi)
}

// Raw raster wire format: magic, channels (1 gray, 4 RGBA), width, height,
// then the pixel rows without padding.
const (
	rasterMagic  = "SBPX"
	rasterHeader = 16
)

func writeRaster(w io.Writer, channels int, r image.Rectangle, pix []byte) error {
	b := make([]byte, rasterHeader)
	copy(b, rasterMagic)
	b[4] = byte(channels)
	binary.LittleEndian.PutUint32(b[8:], uint32(r.Dx()))
	binary.LittleEndian.PutUint32(b[12:], uint32(r.Dy()))
	if _, err := w.Write(b); err != nil {
		return err
	}
	_, err := w.Write(pix)
	return err
}

// decodeRaster decodes the first raster of b and returns the rest.
func decodeRaster(b []byte) (image.Image, []byte, error) {
	if len(b) < rasterHeader || string(b[:4]) != rasterMagic {
		return nil, nil, fmt.Errorf("bad raster header")
	}
	ch := int64(b[4])
	w := int64(binary.LittleEndian.Uint32(b[8:]))
	h := int64(binary.LittleEndian.Uint32(b[12:]))
	n := w * h * ch
	if n > int64(len(b)-rasterHeader) {
		return nil, nil, fmt.Errorf("raster %dx%dx%d but %d bytes", w, h, ch, len(b)-rasterHeader)
	}
	pix, rest := b[rasterHeader:rasterHeader+n:rasterHeader+n], b[rasterHeader+n:]
	r := image.Rect(0, 0, int(w), int(h))
	switch ch {
	case 1:
		return &image.Gray{Pix: pix, Stride: int(w), Rect: r}, rest, nil
	case 4:
		return &image.RGBA{Pix: pix, Stride: 4 * int(w), Rect: r}, rest, nil
	}
	return nil, nil, fmt.Errorf("raster with %d channels", ch)
}
