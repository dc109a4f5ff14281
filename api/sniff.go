package api

import (
	"bytes"
	"fmt"
	"io"

	"github.com/shenbao/shenbao"
)

// Content types the service accepts, detected from the bytes, never from
// the file name or the client's Content-Type.
const (
	MIMEPDF  = "application/pdf"
	MIMEDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MIMEOLE  = "application/msword" // .doc and .wps: OLE2 compound files
)

// pdfTailWindow is how much of a PDF's end is searched for its end marker
// and an /Encrypt key.
const pdfTailWindow = 64 << 10

var (
	oleMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic      = []byte("PK\x03\x04")
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
// doc or wps; EINVALID (422) for a truncated or malformed one or a bomb;
// EENCRYPTED (422) for a password-protected one.
func sniff(name string, r io.ReaderAt, size int64) (string, error) {
	if size == 0 {
		return "", shenbao.Errorf(shenbao.EINVALID, "文件 %s 为空。/ File %s is empty.", name, name)
	}
	head := make([]byte, min(size, 1024))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return MIMEPDF, checkPDF(name, r, size)
	case bytes.HasPrefix(head, zipMagic):
		return MIMEDOCX, nil // checkDOCX looks inside (docxcheck.go)
	case bytes.HasPrefix(head, oleMagic):
		return MIMEOLE, checkOLE(name, r, size)
	}
	return "", unsupported(name)
}

func unsupported(name string) error {
	return shenbao.Errorf(shenbao.EUNSUPPORTED, "文件 %s 不是 PDF、docx、doc 或 wps 格式，请另存为其中一种后重新上传。/ File %s is not a PDF, docx, doc or wps document; save it as one of these and upload it again.", name, name)
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
