package extract_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract"
)

// manyPages writes a valid PDF with n empty pages.
func manyPages(n int) []byte {
	var b bytes.Buffer
	offsets := []int{}
	obj := func(s string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), s)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&kids, "%d 0 R ", i+3)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, kids.String()))
	for i := 0; i < n; i++ {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// zipBomb is a small .docx whose document.xml inflates past 1 GB. The
// deflate stream is one compressed megabyte of zeros repeated (deflate
// blocks concatenate), so making it costs no gigabyte of compression.
func zipBomb(declared uint64) []byte {
	zero := make([]byte, 1<<20)
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(zero)
	fw.Flush()
	const n = 1100
	var stream bytes.Buffer
	crc := crc32.NewIEEE()
	for i := 0; i < n; i++ {
		stream.Write(block.Bytes())
		crc.Write(zero)
	}
	stream.Write([]byte{0x03, 0x00}) // final empty block
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateRaw(&zip.FileHeader{
		Name: "word/document.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(stream.Len()), UncompressedSize64: declared,
	})
	w.Write(stream.Bytes())
	zw.Close()
	return buf.Bytes()
}

// The hostile inputs, through the whole extraction: each ends in a
// typed, bilingual error within bounded time and memory, never a panic.
func TestHostileInput(t *testing.T) {
	good, err := os.ReadFile("../testdata/corpus/nat2024_01_docx.docx")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile("../testdata/corpus/nat2024_04_pdf.pdf")
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := os.ReadFile("pdftext/testdata/encrypted_aes256.pdf")
	if err != nil {
		t.Fatal(err)
	}
	var laughs bytes.Buffer
	zw := zip.NewWriter(&laughs)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	corruptXref := bytes.Replace(pdf, []byte("xref"), []byte("xraf"), -1)
	tests := []struct {
		name  string
		data  []byte
		codes []string
	}{
		{"empty file", nil, []string{shenbao.EINVALID}},
		{"text file named .pdf", []byte("这不是PDF，只是文本。"), []string{shenbao.EUNSUPPORTED}},
		{"encrypted PDF", encrypted, []string{shenbao.EENCRYPTED}},
		{"truncated docx", good[:len(good)/3], []string{shenbao.EINVALID}},
		{"docx zip bomb", zipBomb(1100 << 20), []string{shenbao.ETOOLARGE}},
		// archive/zip itself refuses to inflate past the declared size.
		{"docx zip bomb, size understated", zipBomb(1000), []string{shenbao.ETOOLARGE, shenbao.EINVALID}},
		{"billion laughs", laughs.Bytes(), []string{shenbao.EINVALID}},
		{"5,000-page PDF", manyPages(5000), []string{shenbao.ETOOLARGE}},
		// A damaged cross-reference table: either the reader recovers the
		// document or it says the file is damaged.
		{"corrupt xref", corruptXref, []string{shenbao.EINVALID, ""}},
		{"truncated PDF", pdf[:len(pdf)/2], []string{shenbao.EINVALID, shenbao.ENEEDSOCR}},
	}
	ex := newExtractor()
	ex.Scan = nil // the OCR path's own limits are tested in extract/scanpdf and render
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, allocMB, err := extractMeasured(ex, tt.name, tt.data)
			code := shenbao.ErrorCode(err)
			ok := false
			for _, c := range tt.codes {
				ok = ok || c == code
			}
			if !ok {
				t.Errorf("code %q (%v), want one of %q", code, err, tt.codes)
			}
			if err != nil {
				var se *shenbao.Error
				if !errors.As(err, &se) {
					t.Errorf("untyped error %v", err)
				} else if !bytes.ContainsRune([]byte(se.Message), '/') {
					t.Errorf("message not bilingual: %s", se.Message)
				}
			}
			if took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if allocMB > 500 {
				t.Errorf("allocated %d MB", allocMB)
			}
		})
	}
}

// extractMeasured reads a hostile file and says what it cost: the time,
// the megabytes allocated on the way, and the error.
func extractMeasured(ex *extract.Extractor, name string, data []byte) (time.Duration, int64, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := ex.Extract(context.Background(), name, data)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return took, int64(after.TotalAlloc-before.TotalAlloc) >> 20, err
}
