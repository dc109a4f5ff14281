package filetype

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/shenbao/shenbao"
)

// Size is an image's size in pixels.
type Size struct{ W, H int }

// Limits bound the images of a file by their headers. The zero value of a
// field means its default.
type Limits struct {
	// MaxSide is the longest side accepted, in pixels; default 20000 (an
	// A3 sheet at 1200 dpi), far past what a scanner writes, so a strip
	// 100,000 pixels wide is refused.
	MaxSide int
	// MaxPixels caps width×height of one page; default 72 million (A3 at
	// 600 dpi). Past it the decoded page alone would fill the reader's
	// memory.
	MaxPixels int64
	// MaxPages is the most pages (TIFF images) accepted; default 500.
	MaxPages int
}

// Defaults of Limits.
const (
	DefaultMaxSide   = 20000
	DefaultMaxPixels = 72_000_000
	DefaultMaxPages  = 500
)

func (l Limits) withDefaults() Limits {
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	return l
}

// tailWindow is how far from the end an image's end marker is looked for:
// cameras and scanners' upload tools append a little after it.
const tailWindow = 64 << 10

// Images reads the headers of the image file r (of kind k, from Detect)
// and returns each page's size: one for JPEG and PNG, one per image for
// TIFF. It reads headers only, in bounded time and memory, and returns a
// typed error for a truncated or malformed file (EINVALID) and for one
// past lim (ETOOLARGE), so that no decoder is asked to allocate what a
// header claims.
func Images(k Kind, r io.ReaderAt, size int64, lim Limits) ([]Size, error) {
	lim = lim.withDefaults()
	var sizes []Size
	var err error
	switch k {
	case JPEG:
		sizes, err = jpegSize(r, size)
	case PNG:
		sizes, err = pngSize(r, size)
	case TIFF:
		sizes, err = tiffSizes(r, size, lim.MaxPages)
	default:
		return nil, fmt.Errorf("filetype: %q is not an image kind", k)
	}
	if err != nil {
		return nil, err
	}
	for i, s := range sizes {
		if err := lim.Check(i+1, s); err != nil {
			return nil, err
		}
	}
	return sizes, nil
}

// Check refuses an image of s pixels on page (from 1) past l.
func (l Limits) Check(page int, s Size) error {
	l = l.withDefaults()
	switch {
	case s.W <= 0 || s.H <= 0:
		return invalid(fmt.Sprintf("第 %d 页图像尺寸为 %d×%d 像素", page, s.W, s.H), fmt.Sprintf("page %d claims %d×%d pixels", page, s.W, s.H))
	case max(s.W, s.H) > l.MaxSide:
		return TooLarge(page, s, fmt.Sprintf("最长边上限 %d 像素", l.MaxSide), fmt.Sprintf("the longest side allowed is %d pixels", l.MaxSide))
	case int64(s.W)*int64(s.H) > l.MaxPixels:
		return TooLarge(page, s, fmt.Sprintf("上限 %.0f 百万像素", float64(l.MaxPixels)/1e6), fmt.Sprintf("the limit is %.0f megapixels", float64(l.MaxPixels)/1e6))
	}
	return nil
}

// TooLarge is the error for a page whose image is too large at its own
// pixels, whatever page size its file declares.
func TooLarge(page int, s Size, zhLimit, enLimit string) error {
	return shenbao.Errorf(shenbao.ETOOLARGE, "第 %d 页的图像为 %d×%d 像素，过大（%s）；请以 300 dpi 左右重新扫描后再上传。/ The image of page %d is %d×%d pixels, too large (%s); scan it again at about 300 dpi and upload that.",
		page, s.W, s.H, zhLimit, page, s.W, s.H, enLimit)
}

func invalid(zh, en string) error {
	return shenbao.Errorf(shenbao.EINVALID, "图像文件已损坏或不完整（%s），请重新扫描或重新导出后再上传。/ The image file is damaged or incomplete (%s); scan or export it again and upload the new file.", zh, en)
}

var errTruncated = invalid("文件被截断", "it is truncated")

// readAt reads exactly n bytes at off, or reports the file truncated.
func readAt(r io.ReaderAt, size, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off+int64(n) > size {
		return nil, errTruncated
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil && !(err == io.EOF && off+int64(n) <= size) {
		return nil, shenbao.Wrap(shenbao.EINVALID, err, "无法读取图像文件。/ The image file cannot be read.")
	}
	return b, nil
}

// endsWith reports whether marker occurs in the file's last tailWindow
// bytes.
func endsWith(r io.ReaderAt, size int64, marker []byte) (bool, error) {
	n := min(size, tailWindow)
	tail, err := readAt(r, size, size-n, int(n))
	if err != nil {
		return false, err
	}
	return bytes.Contains(tail, marker), nil
}

// jpegSize walks the markers up to the first frame header (SOFn). A JPEG
// must end with EOI: a file cut short decodes to a page half gray, which
// would be read as a blank form instead of refused.
func jpegSize(r io.ReaderAt, size int64) ([]Size, error) {
	off := int64(2)
	for {
		b, err := readAt(r, size, off, 4)
		if err != nil {
			return nil, err
		}
		if b[0] != 0xFF {
			return nil, invalid("JPEG 标记错误", "bad JPEG marker")
		}
		m := b[1]
		switch {
		case m == 0xFF: // fill byte
			off++
			continue
		case m == 0x01 || m >= 0xD0 && m <= 0xD7: // markers without a length
			off += 2
			continue
		case m == 0xD9 || m == 0xDA: // end of image, or scan data before any frame
			return nil, invalid("JPEG 缺少图像头", "no JPEG frame header")
		}
		n := int64(binary.BigEndian.Uint16(b[2:]))
		if n < 2 {
			return nil, invalid("JPEG 段长度错误", "bad JPEG segment length")
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			f, err := readAt(r, size, off+4, 5)
			if err != nil {
				return nil, err
			}
			s := Size{W: int(binary.BigEndian.Uint16(f[3:])), H: int(binary.BigEndian.Uint16(f[1:]))}
			if ok, err := endsWith(r, size, []byte{0xFF, 0xD9}); err != nil {
				return nil, err
			} else if !ok {
				return nil, invalid("缺少 JPEG 结束标记，可能已截断", "no JPEG end marker; it may be truncated")
			}
			return []Size{s}, nil
		}
		off += 2 + n
	}
}

// pngSize reads the IHDR chunk, which the format puts first, and wants
// the IEND chunk at the end.
func pngSize(r io.ReaderAt, size int64) ([]Size, error) {
	b, err := readAt(r, size, 8, 16)
	if err != nil {
		return nil, err
	}
	if string(b[4:8]) != "IHDR" {
		return nil, invalid("PNG 缺少 IHDR", "no PNG IHDR chunk")
	}
	w, h := binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])
	if w > 1<<30 || h > 1<<30 {
		return nil, TooLarge(1, Size{W: int(min(w, 1<<31-1)), H: int(min(h, 1<<31-1))}, "超出格式上限", "beyond any sane size")
	}
	if ok, err := endsWith(r, size, []byte("IEND")); err != nil {
		return nil, err
	} else if !ok {
		return nil, invalid("缺少 PNG 结束块，可能已截断", "no PNG end chunk; it may be truncated")
	}
	return []Size{{W: int(w), H: int(h)}}, nil
}

// TIFF tags read here.
const (
	tagWidth           = 256
	tagHeight          = 257
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// maxIFDEntries bounds one directory; real ones hold a few dozen tags.
const maxIFDEntries = 1000

// maxChunks bounds the strips or tiles of one image whose ends are
// checked; a scanner writes one strip per few rows, so a 10,000-row page
// has a few thousand.
const maxChunks = 1 << 20

// tiffSizes walks the chain of image directories (one per page), with
// every offset checked against the file, loops refused and at most
// maxPages pages. Each page's strips or tiles must lie inside the file: a
// TIFF cut short is refused, not decoded into a half-blank page.
func tiffSizes(r io.ReaderAt, size int64, maxPages int) ([]Size, error) {
	h, err := readAt(r, size, 0, 8)
	if err != nil {
		return nil, err
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(h[4:]))
	seen := map[int64]bool{}
	var sizes []Size
	for off != 0 {
		if seen[off] {
			return nil, invalid("TIFF 目录循环", "its TIFF directories loop")
		}
		seen[off] = true
		if len(sizes) == maxPages {
			return nil, shenbao.Errorf(shenbao.ETOOLARGE, "图像文件超过 %d 页，请只上传申报表本身。/ The image file has more than %d pages; upload the application form only.", maxPages, maxPages)
		}
		s, next, err := tiffIFD(r, size, bo, off)
		if err != nil {
			return nil, err
		}
		sizes = append(sizes, s)
		off = next
	}
	if len(sizes) == 0 {
		return nil, invalid("TIFF 没有图像", "no TIFF image")
	}
	return sizes, nil
}

// tiffIFD reads one directory at off: the image's size and the offset of
// the next directory.
func tiffIFD(r io.ReaderAt, size int64, bo binary.ByteOrder, off int64) (Size, int64, error) {
	var s Size
	nb, err := readAt(r, size, off, 2)
	if err != nil {
		return s, 0, err
	}
	n := int(bo.Uint16(nb))
	if n == 0 || n > maxIFDEntries {
		return s, 0, invalid("TIFF 目录错误", "bad TIFF directory")
	}
	ents, err := readAt(r, size, off+2, 12*n+4)
	if err != nil {
		return s, 0, err
	}
	var offs, counts []int64
	for i := range n {
		e := ents[12*i : 12*i+12]
		tag := bo.Uint16(e)
		switch tag {
		case tagWidth, tagHeight, tagStripOffsets, tagStripByteCounts, tagTileOffsets, tagTileByteCounts:
		default:
			continue
		}
		vals, err := tiffValues(r, size, bo, e)
		if err != nil {
			return s, 0, err
		}
		switch tag {
		case tagWidth, tagHeight:
			if len(vals) != 1 || vals[0] > 1<<31-1 {
				return s, 0, invalid("TIFF 尺寸错误", "bad TIFF image size")
			}
			if tag == tagWidth {
				s.W = int(vals[0])
			} else {
				s.H = int(vals[0])
			}
		case tagStripOffsets, tagTileOffsets:
			offs = vals
		case tagStripByteCounts, tagTileByteCounts:
			counts = vals
		}
	}
	if len(offs) == 0 || len(offs) != len(counts) {
		return s, 0, invalid("TIFF 缺少图像数据", "no TIFF image data")
	}
	for i := range offs {
		if offs[i]+counts[i] > size {
			return s, 0, errTruncated
		}
	}
	return s, int64(bo.Uint32(ents[12*n:])), nil
}

// tiffValues returns the values of a SHORT or LONG entry (the types the
// tags read here take).
func tiffValues(r io.ReaderAt, size int64, bo binary.ByteOrder, e []byte) ([]int64, error) {
	typ, count := bo.Uint16(e[2:]), int64(bo.Uint32(e[4:]))
	var width int64
	switch typ {
	case 3: // SHORT
		width = 2
	case 4: // LONG
		width = 4
	default:
		return nil, invalid("TIFF 标签类型错误", "bad TIFF tag type")
	}
	if count == 0 || count > maxChunks || count*width > size {
		return nil, invalid("TIFF 标签长度错误", "bad TIFF tag length")
	}
	data := e[8:12]
	if count*width > 4 {
		var err error
		if data, err = readAt(r, size, int64(bo.Uint32(e[8:])), int(count*width)); err != nil {
			return nil, err
		}
	}
	vals := make([]int64, count)
	for i := range vals {
		if width == 2 {
			vals[i] = int64(bo.Uint16(data[2*i:]))
		} else {
			vals[i] = int64(bo.Uint32(data[4*i:]))
		}
	}
	return vals, nil
}
