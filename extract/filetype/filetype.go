// Package filetype tells the kinds of file shenbao reads from their first
// bytes, never from their names. It is the one sniffer of the service: the
// upload check (api), the extractor and bulk runs all ask it, so a file
// accepted at the door is a file the extractor reads; and it holds the one
// list of the kinds' MIME types and file-name extensions.
//
// It also reads the headers of image files (JPEG, PNG, TIFF including
// multi-page), so that an image too large or truncated is refused before
// any decoder sees it. Nothing here decodes pixels: MuPDF does that, in a
// child process.
package filetype

import (
	"bytes"
	"strings"
)

// Kind is a file type detected from content.
type Kind string

// The kinds shenbao reads.
const (
	PDF     Kind = "pdf"
	DOCX    Kind = "docx"
	OLE     Kind = "doc" // Word 97–2003 .doc and WPS .wps share the OLE2 container
	JPEG    Kind = "jpeg"
	PNG     Kind = "png"
	TIFF    Kind = "tiff"
	Unknown Kind = ""
)

// The MIME types of the kinds, as stored with every original.
const (
	MIMEPDF  = "application/pdf"
	MIMEDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MIMEOLE  = "application/msword" // .doc and .wps: OLE2 compound files
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMETIFF = "image/tiff"
)

// Type is a kind with its MIME type and the extensions its files carry.
type Type struct {
	Kind Kind
	MIME string
	// Exts in lower case with the dot; the first is the usual one.
	Exts []string
}

// types is the one list; every other list is made from it.
var types = []Type{
	{PDF, MIMEPDF, []string{".pdf"}},
	{DOCX, MIMEDOCX, []string{".docx"}},
	{OLE, MIMEOLE, []string{".doc", ".wps"}},
	{JPEG, MIMEJPEG, []string{".jpg", ".jpeg"}},
	{PNG, MIMEPNG, []string{".png"}},
	{TIFF, MIMETIFF, []string{".tif", ".tiff"}},
}

// Types returns every kind shenbao reads, in a fixed order.
func Types() []Type {
	out := make([]Type, len(types))
	for i, t := range types {
		t.Exts = append([]string(nil), t.Exts...)
		out[i] = t
	}
	return out
}

// MIME returns the kind's MIME type, "" for Unknown.
func (k Kind) MIME() string {
	for _, t := range types {
		if t.Kind == k {
			return t.MIME
		}
	}
	return ""
}

// Image reports whether the kind is an image file (read by OCR, page by
// page, like a scanned PDF).
func (k Kind) Image() bool { return k == JPEG || k == PNG || k == TIFF }

// Paged reports whether files of the kind have pages to show (PDFs and
// images; Word files have none).
func (k Kind) Paged() bool { return k == PDF || k.Image() }

// OfMIME returns the kind of a MIME type as this package writes it,
// Unknown for any other.
func OfMIME(mime string) Kind {
	for _, t := range types {
		if t.MIME == mime {
			return t.Kind
		}
	}
	return Unknown
}

// KnownExt reports whether a file name ends in an extension of a kind
// shenbao reads (case-insensitive). Walking folders uses it to skip other
// files; the content still decides.
func KnownExt(name string) bool {
	name = strings.ToLower(name)
	for _, t := range types {
		for _, e := range t.Exts {
			if strings.HasSuffix(name, e) {
				return true
			}
		}
	}
	return false
}

// Accept is the list for an HTML file input's accept attribute: every
// extension and MIME type.
func Accept() string {
	var parts []string
	for _, t := range types {
		parts = append(parts, t.Exts...)
	}
	for _, t := range types {
		parts = append(parts, t.MIME)
	}
	return strings.Join(parts, ",")
}

// Names is the list of accepted formats for messages, in Chinese and in
// English.
const Names = "PDF、docx、doc、wps、JPEG、PNG、TIFF"

// NamesEn is Names in English.
const NamesEn = "PDF, docx, doc, wps, JPEG, PNG and TIFF"

// HeadLen is how many leading bytes Detect looks at. A PDF's %PDF- header
// may start anywhere in them: mail gateways and upload tools put junk
// before it, and PDF readers (MuPDF among them) skip it.
const HeadLen = 1024

var (
	zipMagic   = []byte("PK\x03\x04")
	oleMagic   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	jpegMagic  = []byte{0xFF, 0xD8, 0xFF}
	pngMagic   = []byte("\x89PNG\r\n\x1a\n")
	tiffII     = []byte("II*\x00")
	tiffMM     = []byte("MM\x00*")
	pdfHeader  = []byte("%PDF-")
	pdfMaxJunk = HeadLen
)

// Detect returns the kind of a file from its first bytes (HeadLen are
// enough; fewer are fine). Formats with a magic number at byte 0 are
// tried first, so an image whose metadata happens to hold "%PDF-" is an
// image.
func Detect(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return DOCX
	case bytes.HasPrefix(head, oleMagic):
		return OLE
	case bytes.HasPrefix(head, jpegMagic):
		return JPEG
	case bytes.HasPrefix(head, pngMagic):
		return PNG
	case bytes.HasPrefix(head, tiffII), bytes.HasPrefix(head, tiffMM):
		return TIFF
	case PDFStart(head) >= 0:
		return PDF
	}
	return Unknown
}

// PDFStart returns where the %PDF- header starts within the first HeadLen
// bytes of data, or -1.
func PDFStart(data []byte) int {
	return bytes.Index(data[:min(len(data), pdfMaxJunk)], pdfHeader)
}
