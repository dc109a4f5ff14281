package api

import (
	"archive/zip"
	"bufio"
	"cmp"
	"context"
	"io"
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
)

// Limits of the docx check made at upload, before anything is stored. The
// extractor keeps its own limits; these refuse bombs at the door, in a
// bounded time, with a clear message.
const (
	maxZipEntries = 5000
	// maxInflated caps the XML of one docx, all parts together, inflated:
	// the extractor reads at most 64 MB of document.xml, and a real
	// application's XML is a few MB.
	maxInflated = 64 << 20
	maxZipRatio = 200 // decompressed:compressed, for parts over 1 MB
)

// checkDOCX looks inside a zip the sniffer took for a docx: a Word body,
// no overlapping entries, at most maxInflated bytes of XML declared and
// no document type (so no entity) declaration in it (checkXMLPart). It
// stops when ctx ends (the client went away).
func checkDOCX(ctx context.Context, name string, r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return malformed(name, "已损坏（不是有效的 docx 压缩包）", "is damaged (not a valid docx archive)")
	}
	if len(zr.File) > maxZipEntries {
		return bomb(name)
	}
	if err := overlapping(name, zr.File); err != nil {
		return err
	}
	var doc bool
	var xml []*zip.File
	var total, packed uint64
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = true
		}
		if f.UncompressedSize64 > 1<<20 && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxZipRatio {
			return bomb(name)
		}
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			// archive/zip inflates no more and no less than the declared
			// size, so the declared sizes bound the work before any starts.
			if total += f.UncompressedSize64; total > maxInflated {
				return bomb(name)
			}
			packed += f.CompressedSize64
			xml = append(xml, f)
		}
	}
	// The ratio over all parts, so that many parts under 1 MB each cannot
	// add up to a bomb: Word's XML packs about 10:1.
	if total > 1<<20 && (packed == 0 || total/packed > maxZipRatio) {
		return bomb(name)
	}
	if !doc {
		if _, err := zr.Open("[Content_Types].xml"); err == nil {
			return unsupported(name) // an xlsx or pptx
		}
		return malformed(name, "已损坏（缺少正文 word/document.xml）", "is damaged (no word/document.xml)")
	}
	budget := int64(maxInflated)
	for _, f := range xml {
		if err := checkXMLPart(ctx, name, f, &budget); err != nil {
			return err
		}
	}
	return nil
}

// overlapping refuses entries whose compressed data share bytes: Word
// never writes them, and they are how a small zip makes one stream of
// compressed data inflate again and again under many names.
func overlapping(name string, files []*zip.File) error {
	type span struct{ from, to int64 }
	spans := make([]span, 0, len(files))
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			return malformed(name, "已损坏（压缩包条目无法定位）", "is damaged (an archive entry cannot be located)")
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64)})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	for i := 1; i < len(spans); i++ {
		if spans[i].from < spans[i-1].to || spans[i].from == spans[i-1].from {
			return shenbao.Errorf(shenbao.EINVALID, "文件 %s 的压缩结构异常（多个条目共用同一段压缩数据），已拒绝处理。/ File %s has a hostile zip structure (entries share the same compressed data) and was refused.", name, name)
		}
	}
	return nil
}

// checkXMLPart refuses a part whose prolog — what comes before its root
// element — has a document type declaration, the only place XML allows
// entity declarations (Word writes neither), or anything but the XML
// declaration, processing instructions, comments and white space. It
// inflates the part only that far: the prolog is a line, where inflating
// the whole part to look for "<!ENTITY" anywhere was most of a Word
// upload's CPU time. The part's size stays bounded by the declared sizes
// checked before, which archive/zip holds every later reader to.
func checkXMLPart(ctx context.Context, name string, f *zip.File, budget *int64) error {
	rc, err := f.Open()
	if err != nil {
		return malformed(name, "已损坏", "is damaged")
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: ctxReader{ctx, rc}, N: *budget + 1}
	verdict, err := prolog(bufio.NewReaderSize(lr, 512))
	*budget = lr.N - 1
	switch {
	case ctx.Err() != nil:
		return shenbao.Wrap(shenbao.ETIMEOUT, ctx.Err(), "上传已中断，未保存。/ The upload was interrupted and not stored.")
	case err != nil:
		return malformed(name, "已损坏（压缩数据无法解开）", "is damaged (its compressed data cannot be read)")
	case verdict == prologDeclares || *budget < 0:
		return bomb(name)
	case verdict == prologJunk:
		return malformed(name, "已损坏（XML 部件的开头无法识别）", "is damaged (an XML part begins with something that is not XML)")
	}
	return nil
}

// What prolog found.
const (
	prologClean    = iota // the root element or the end came after nothing but declarations, comments and space
	prologDeclares        // a document type declaration (<!DOCTYPE, <!ENTITY…)
	prologJunk            // anything else before the root element
)

// prolog reads r up to its root element's start and says what came
// before.
func prolog(r *bufio.Reader) (int, error) {
	if b, err := r.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		r.Discard(3)
	}
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return prologClean, nil
		}
		if err != nil {
			return 0, err
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		case c != '<':
			return prologJunk, nil
		}
		next, err := r.Peek(1)
		if err == io.EOF {
			return prologJunk, nil
		}
		if err != nil {
			return 0, err
		}
		switch n := next[0]; {
		case n == '?':
			err = skipPast(r, "?>")
		case n == '!':
			if b, _ := r.Peek(3); string(b) != "!--" {
				return prologDeclares, nil
			}
			r.Discard(3)
			err = skipPast(r, "-->")
		case n == '_' || n == ':' || n >= 0x80 || n|0x20 >= 'a' && n|0x20 <= 'z':
			return prologClean, nil // the root element
		default:
			return prologJunk, nil
		}
		if err == io.EOF {
			return prologJunk, nil // a declaration or comment left open
		}
		if err != nil {
			return 0, err
		}
	}
}

// skipPast reads r up to and including end.
func skipPast(r *bufio.Reader, end string) error {
	var last [3]byte // the bytes read last, the newest at the end
	for n := 0; ; n++ {
		c, err := r.ReadByte()
		if err != nil {
			return err
		}
		last[0], last[1], last[2] = last[1], last[2], c
		if n+1 >= len(end) && string(last[3-len(end):]) == end {
			return nil
		}
	}
}

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func bomb(name string) error {
	return shenbao.Errorf(shenbao.EINVALID, "文件 %s 的结构异常（解压后过大或含有实体声明），已拒绝处理。/ File %s has a hostile structure (it expands too far or declares XML entities) and was refused.", name, name)
}
