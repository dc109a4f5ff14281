package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

// Content types the service accepts, detected from the bytes (by
// filetype, the extractor's own sniffer), never from the file name or the
// client's Content-Type.
const (
	MIMEPDF  = filetype.MIMEPDF
	MIMEDOCX = filetype.MIMEDOCX
	MIMEOLE  = filetype.MIMEOLE
)

// pdfTailWindow is how much of a PDF's end is searched for its end marker
// and an /Encrypt key.
const pdfTailWindow = 64 << 10

var (
	oleEncrypted  = utf16le("EncryptedPackage")
	pdfEncryptKey = []byte("/Encrypt")
)

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// sniff returns the content type of the file r of the given size, or a
// typed error: EUNSUPPORTED (415) for anything that is not a PDF, docx,
// doc, wps, JPEG, PNG or TIFF; EINVALID (422) for a truncated or malformed
// one or a bomb; ETOOLARGE (413) for an image too large at its own pixels;
// EENCRYPTED (422) for a password-protected one.
func sniff(name string, r io.ReaderAt, size int64) (string, error) {
	if size == 0 {
		return "", shenbao.Errorf(shenbao.EINVALID, "文件 %s 为空。/ File %s is empty.", name, name)
	}
	head := make([]byte, min(size, filetype.HeadLen))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	switch k := filetype.Detect(head); k {
	case filetype.PDF:
		return MIMEPDF, checkPDF(name, r, size)
	case filetype.DOCX:
		return MIMEDOCX, nil // checkDOCX looks inside (docxcheck.go)
	case filetype.OLE:
		return MIMEOLE, checkOLE(name, r, size)
	case filetype.JPEG, filetype.PNG, filetype.TIFF:
		// The headers only: a bomb or a cut file is refused at the door.
		if _, err := filetype.Images(k, r, size, filetype.Limits{}); err != nil {
			return "", named(name, err)
		}
		return k.MIME(), nil
	}
	return "", unsupported(name)
}

// named puts the file's name before a typed error's message.
func named(name string, err error) error {
	var se *shenbao.Error
	if errors.As(err, &se) {
		return shenbao.Wrap(se.Code, err, "文件 %s：%s", name, se.Message)
	}
	return err
}

func unsupported(name string) error {
	return shenbao.Errorf(shenbao.EUNSUPPORTED, "文件 %s 不是 %s 格式，请另存为其中一种后重新上传。/ File %s is not a %s file; save it as one of these and upload it again.", name, filetype.Names, name, filetype.NamesEn)
}

func malformed(name, zh, en string) error {
	return shenbao.Errorf(shenbao.EINVALID, "文件 %s %s，请重新导出后上传。/ File %s %s; export it again and upload the new file.", name, zh, name, en)
}

func checkPDF(name string, r io.ReaderAt, size int64) error {
	n := min(size, pdfTailWindow)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return malformed(name, "不完整（缺少 PDF 结束标记，可能已截断）", "is incomplete (no PDF end marker; it may be truncated)")
	}
	if bytes.Contains(tail, pdfEncryptKey) {
		return shenbao.Errorf(shenbao.EENCRYPTED, "文件 %s 设有密码保护，请去除密码后重新上传。/ File %s is password-protected; remove the password and upload it again.", name, name)
	}
	return nil
}

func checkOLE(name string, r io.ReaderAt, size int64) error {
	// The directory of a small compound file sits anywhere; an encrypted
	// Office file names its EncryptedPackage stream there in UTF-16.
	found, err := contains(io.NewSectionReader(r, 0, size), oleEncrypted)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if found {
		return shenbao.Errorf(shenbao.EENCRYPTED, "文件 %s 设有密码保护，请去除密码后重新上传。/ File %s is password-protected; remove the password and upload it again.", name, name)
	}
	return nil
}

// contains reports whether needle occurs in r, reading it in chunks.
func contains(r io.Reader, needle []byte) (bool, error) {
	buf := make([]byte, 64<<10)
	keep := len(needle) - 1
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		if bytes.Contains(buf[:carry+n], needle) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		total := carry + n
		carry = min(keep, total)
		copy(buf, buf[total-carry:total])
	}
}
