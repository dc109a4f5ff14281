// Package pdftext reads the text layer of a digital PDF into
// shenbao.Content: glyphs joined into lines, ruling lines turned back into
// the table grid they draw (merged cells, nested tables, tables and rows
// continued across page breaks), so that a PDF rendering of a Word form
// yields the same rows and cells as the .docx itself.
//
// The content streams are interpreted here rather than with the library's
// Page.Content, which drops stroked paths and ignores /ToUnicode for simple
// fonts (every CJK subset LibreOffice writes).
package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"

	"github.com/ledongthuc/pdf"
	"github.com/shenbao/shenbao"
)

// Options bound the work one document may cause. The zero value means the
// defaults.
type Options struct {
	// MaxPages rejects longer documents with ETOOLARGE (default 500).
	MaxPages int
	// MaxStreamBytes caps the decoded size of one page's content stream
	// (default 32 MiB), so a flate bomb fails instead of filling memory.
	MaxStreamBytes int64
}

const (
	maxInMemory      = 64 << 20
	maxGlyphsInDoc   = 1 << 20 // an application has some 50,000
	defaultMaxPages  = 500
	defaultMaxStream = 32 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxPages <= 0 {
		o.MaxPages = defaultMaxPages
	}
	if o.MaxStreamBytes <= 0 {
		o.MaxStreamBytes = defaultMaxStream
	}
	return o
}

// Read extracts the text layer of the PDF held in r (size bytes) with the
// default options.
func Read(ctx context.Context, r io.ReaderAt, size int64) (*shenbao.Content, error) {
	return ReadOptions(ctx, r, size, Options{})
}

const (
	msgInvalid   = "文件不是有效的 PDF（已损坏、不完整或结构错误），请重新导出 PDF 后上传。/ The file is not a valid PDF (damaged, truncated or malformed); export the PDF again and re-upload."
	msgEncrypted = "PDF 已加密或设置了打开密码，请去除密码保护后重新上传。/ The PDF is encrypted or password-protected; remove the protection and upload it again."
	msgNeedsOCR  = "PDF 没有可用的文字层（扫描件或文字无法识别），需要进行文字识别（OCR）。/ The PDF has no usable text layer (a scan, or text that cannot be decoded); it needs OCR."
	msgTimeout   = "读取 PDF 超时。/ Reading the PDF timed out."
)

// ReadOptions extracts the text layer with explicit options.
func ReadOptions(ctx context.Context, r io.ReaderAt, size int64, opt Options) (c *shenbao.Content, err error) {
	opt = opt.withDefaults()
	// The PDF library reports malformed input by panicking, from places
	// this package cannot guard individually.
	defer func() {
		if x := recover(); x != nil {
			c = nil
			err = panicError(ctx, x)
		}
	}()
	if size < 16 {
		return nil, shenbao.Errorf(shenbao.EINVALID, msgInvalid)
	}
	if size <= maxInMemory {
		// The library reads through small ReadAt calls; from a file that
		// is a system call each, several times slower than from memory.
		buf := make([]byte, size)
		if _, err := r.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
			return nil, shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("read pdf: %w", err), msgInvalid)
		}
		if bytes.HasPrefix(buf, []byte("%PDF-2.")) {
			// The library accepts headers 1.0–1.7 only; PDF 2.0 adds
			// nothing this reader uses, and the patch keeps every offset.
			copy(buf, "%PDF-1.7")
		}
		r = bytes.NewReader(buf)
	}
	rd, err := pdf.NewReader(r, size)
	if err != nil {
		if isEncryptionError(err) {
			return nil, shenbao.Wrap(shenbao.EENCRYPTED, err, msgEncrypted)
		}
		return nil, shenbao.Wrap(shenbao.EINVALID, err, msgInvalid)
	}
	pages, err := pageList(rd.Trailer().Key("Root").Key("Pages"), opt.MaxPages)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, shenbao.Errorf(shenbao.EINVALID, "PDF 中没有页面。/ The PDF has no pages.")
	}
	doc := &document{}
	failed, glyphs := 0, 0
	var firstErr error
	for i, pg := range pages {
		if err := ctx.Err(); err != nil {
			return nil, shenbao.Wrap(shenbao.ETIMEOUT, err, msgTimeout)
		}
		p, err := readPage(ctx, pg, i+1, opt)
		if err != nil {
			var se *shenbao.Error
			if errors.As(err, &se) {
				return nil, se
			}
			failed++
			if firstErr == nil {
				firstErr = err
			}
		}
		doc.pages = append(doc.pages, p)
		glyphs += len(p.glyphs)
		if glyphs > maxGlyphsInDoc {
			return nil, shenbao.Errorf(shenbao.ETOOLARGE, "PDF 文字过多（超过 %d 个字符），不是申报表。/ The PDF holds more than %d characters; it is not an application form.", maxGlyphsInDoc, maxGlyphsInDoc)
		}
	}
	if failed == len(pages) {
		return nil, shenbao.Wrap(shenbao.EINVALID, firstErr, msgInvalid)
	}
	if !usableText(doc) {
		return nil, shenbao.Errorf(shenbao.ENEEDSOCR, msgNeedsOCR)
	}
	return doc.content(), nil
}

func panicError(ctx context.Context, x any) error {
	if a, ok := x.(abort); ok {
		return shenbao.Wrap(shenbao.ETIMEOUT, a.err, msgTimeout)
	}
	if ctx.Err() != nil {
		return shenbao.Wrap(shenbao.ETIMEOUT, ctx.Err(), msgTimeout)
	}
	if re, ok := x.(runtime.Error); ok && strings.Contains(re.Error(), "out of memory") {
		return shenbao.Wrap(shenbao.ETOOLARGE, re, "PDF 过大。/ The PDF is too large.")
	}
	return shenbao.Wrap(shenbao.EINVALID, fmt.Errorf("pdf library: %v", x), msgInvalid)
}

func isEncryptionError(err error) bool {
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "encrypt") || strings.Contains(s, "password")
}

// pageList walks the page tree itself: the library's walk follows /Kids
// and /Parent without a depth bound, so a cyclic tree would never return.
func pageList(root pdf.Value, max int) ([]pdf.Value, error) {
	if n := root.Key("Count").Int64(); n > int64(max) {
		return nil, tooManyPages(max)
	}
	var out []pdf.Value
	var walk func(v pdf.Value, depth int) error
	visits := 0
	walk = func(v pdf.Value, depth int) error {
		visits++
		if depth > 32 || visits > 4*max+64 {
			return shenbao.Errorf(shenbao.EINVALID, "PDF 页面树结构错误。/ The PDF page tree is malformed.")
		}
		switch {
		case v.Key("Type").Name() == "Page" || (v.Key("Kids").IsNull() && !v.Key("Contents").IsNull()):
			out = append(out, v)
			if len(out) > max {
				return tooManyPages(max)
			}
		default:
			kids := v.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				if err := walk(kids.Index(i), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func tooManyPages(max int) error {
	return shenbao.Errorf(shenbao.ETOOLARGE, "PDF 超过 %d 页，已拒绝；申报表不应这么长，请检查是否上传了错误的文件。/ The PDF has more than %d pages and was rejected; an application form is far shorter, check that the right file was uploaded.", max, max)
}

// inherited looks a page attribute up the /Parent chain, bounded.
func inherited(v pdf.Value, key string) pdf.Value {
	for i := 0; i < 32 && !v.IsNull(); i++ {
		if x := v.Key(key); !x.IsNull() {
			return x
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// page is one page's extracted material in display coordinates: points
// from the top-left corner of the visible (cropped, rotated) page.
type page struct {
	num           int
	width, height float64
	glyphs        []glyphBox
	hsegs, vsegs  []seg
}

type glyphBox struct {
	text           string
	x0, y0, x1, y1 float64
	size           float64
}

// seg is an axis-parallel rule: horizontal (y0 == y1) or vertical.
type seg struct{ x0, y0, x1, y1 float64 }

func box(v pdf.Value) ([4]float64, bool) {
	if v.Len() != 4 {
		return [4]float64{}, false
	}
	var b [4]float64
	for i := range b {
		b[i] = v.Index(i).Float64()
	}
	if b[0] > b[2] {
		b[0], b[2] = b[2], b[0]
	}
	if b[1] > b[3] {
		b[1], b[3] = b[3], b[1]
	}
	if b[2]-b[0] < 1 || b[3]-b[1] < 1 || math.IsNaN(b[0]+b[1]+b[2]+b[3]) {
		return [4]float64{}, false
	}
	return b, true
}

func readPage(ctx context.Context, v pdf.Value, num int, opt Options) (p *page, err error) {
	p = &page{num: num}
	mb, ok := box(inherited(v, "MediaBox"))
	if !ok {
		mb = [4]float64{0, 0, 595.276, 841.89}
	}
	cb, ok := box(inherited(v, "CropBox"))
	if !ok {
		cb = mb
	}
	rot := ((int(inherited(v, "Rotate").Int64())%360 + 360) % 360) / 90 * 90
	p.width, p.height = cb[2]-cb[0], cb[3]-cb[1]
	if rot == 90 || rot == 270 {
		p.width, p.height = p.height, p.width
	}
	// display maps device space to top-left page coordinates.
	display := func(x, y float64) (float64, float64) {
		switch rot {
		case 90:
			return y - cb[1], x - cb[0]
		case 180:
			return cb[2] - x, y - cb[1]
		case 270:
			return cb[3] - y, cb[2] - x
		}
		return x - cb[0], cb[3] - y
	}
	strm := v.Key("Contents")
	if strm.IsNull() {
		return p, nil
	}
	if err := checkStreamSize(strm, opt.MaxStreamBytes); err != nil {
		return p, err
	}
	in := &pageInterp{ctx: ctx, fontCache: map[string]*font{}}
	defer func() {
		x := recover()
		if x != nil {
			if a, ok := x.(abort); ok {
				panic(a)
			}
			err = fmt.Errorf("page %d: %v", num, x)
		}
		// Whatever was read before a malformed operator is kept.
		p.fill(in, display)
	}()
	in.run(strm, inherited(v, "Resources"), identity, 0)
	return p, nil
}

func (p *page) fill(in *pageInterp, display func(x, y float64) (float64, float64)) {
	for _, g := range in.glyphs {
		ax, ay := display(g.minX, g.minY)
		bx, by := display(g.maxX, g.maxY)
		p.glyphs = append(p.glyphs, glyphBox{text: g.text, x0: math.Min(ax, bx), y0: math.Min(ay, by), x1: math.Max(ax, bx), y1: math.Max(ay, by), size: g.size})
	}
	for _, s := range in.segs {
		ax, ay := display(s.x0, s.y0)
		bx, by := display(s.x1, s.y1)
		if math.Abs(ay-by) < 0.5 {
			p.hsegs = append(p.hsegs, seg{math.Min(ax, bx), (ay + by) / 2, math.Max(ax, bx), (ay + by) / 2})
		} else {
			p.vsegs = append(p.vsegs, seg{(ax + bx) / 2, math.Min(ay, by), (ax + bx) / 2, math.Max(ay, by)})
		}
	}
}

// checkStreamSize decodes the page's content streams once, counting bytes,
// so that a decompression bomb is refused before it is interpreted.
func checkStreamSize(strm pdf.Value, max int64) error {
	var parts []pdf.Value
	if strm.Kind() == pdf.Array {
		for i := 0; i < strm.Len(); i++ {
			parts = append(parts, strm.Index(i))
		}
	} else {
		parts = []pdf.Value{strm}
	}
	var total int64
	for _, s := range parts {
		rc := s.Reader()
		n, _ := io.Copy(io.Discard, io.LimitReader(rc, max-total+1))
		rc.Close()
		total += n
		if total > max {
			return shenbao.Errorf(shenbao.ETOOLARGE, "PDF 某页内容超过 %d KB（可能是压缩炸弹），已拒绝。/ A page's content exceeds %d KB (possibly a decompression bomb) and was rejected.", max>>10, max>>10)
		}
	}
	return nil
}

// usableText decides whether the text layer is worth reading: enough
// characters, most of them ordinary letters, digits, CJK or punctuation
// rather than private-use or replacement characters (fonts without a
// usable ToUnicode).
func usableText(d *document) bool {
	good, bad := 0, 0
	for _, p := range d.pages {
		for _, g := range p.glyphs {
			for _, r := range g.text {
				switch {
				case r == 0xFFFD || (r >= 0xE000 && r <= 0xF8FF) || r < 0x20:
					bad++
				case r == ' ':
				default:
					good++
				}
			}
		}
	}
	return good >= 20 && good >= 4*bad
}
