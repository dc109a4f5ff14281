package extract_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

// imagePDF writes a one-page A4 PDF whose page is one w×h gray image
// drawn over all of it: a scan, as far as the file says.
func imagePDF(w, h int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	pix := bytes.Repeat([]byte{0x80}, w*h)
	content := "q 595 0 0 842 0 0 cm /Im1 Do Q"
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Count 1 /Kids [3 0 R] >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream", w, h, len(pix), pix))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// tiffBomb is a 126-byte TIFF declaring a w×h page compressed CCITT G4,
// its one strip a few bytes: decoded, it would be w×h bytes.
func tiffBomb(w, h uint32) []byte {
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	ents := [][3]uint32{{256, 4, w}, {257, 4, h}, {258, 3, 1}, {259, 3, 4}, {262, 3, 0}, {273, 4, 8 + 2 + 9*12 + 4}, {277, 3, 1}, {278, 4, h}, {279, 4, 4}}
	b = le.AppendUint16(b, uint16(len(ents)))
	for _, e := range ents {
		b = le.AppendUint16(b, uint16(e[0]))
		b = le.AppendUint16(b, uint16(e[1]))
		b = le.AppendUint32(b, 1)
		b = le.AppendUint32(b, e[2])
	}
	b = le.AppendUint32(b, 0)
	return append(b, 0, 0x10, 0x01, 0)
}

// widePNG is a valid gray PNG w pixels wide and one pixel tall.
func widePNG(t *testing.T, w int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, 1))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHostileImages: image files and image PDFs that would cost a reader
// its memory or read as a blank form end in a typed, bilingual error, in
// bounded time and memory, before any OCR — through the production
// extractor, scan engine included.
func TestHostileImages(t *testing.T) {
	jpg, err := os.ReadFile("scan/testdata/cq2024_p3_200dpi_colour.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"TIFF bomb, 1,000,000×1,000,000 declared", tiffBomb(1_000_000, 1_000_000), shenbao.ETOOLARGE},
		{"TIFF bomb, 19,000×19,000 declared", tiffBomb(19_000, 19_000), shenbao.ETOOLARGE},
		{"TIFF whose strip lies past its end", cutLast(tiffBomb(2000, 2000), 2), shenbao.EINVALID},
		{"truncated JPEG", jpg[:len(jpg)*6/10], shenbao.EINVALID},
		{"JPEG cut inside its header", jpg[:40], shenbao.EINVALID},
		{"100,000-pixel-wide PNG", widePNG(t, 100_000), shenbao.ETOOLARGE},
		{"image PDF whose image is 1×1", imagePDF(1, 1), shenbao.EINVALID},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), shenbao.EUNSUPPORTED},
		{"BigTIFF", append([]byte("II+\x00\x08\x00\x00\x00"), make([]byte, 64)...), shenbao.EUNSUPPORTED},
	}
	ex := newExtractor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, allocMB, err := extractMeasured(ex, tt.name, tt.data)
			if !scansBuilt && shenbao.ErrorCode(err) == shenbao.ENOTINSTALLED {
				t.Skipf("this build reads no scans: %v", err)
			}
			if code := shenbao.ErrorCode(err); code != tt.code {
				t.Fatalf("code %q (%v), want %q", code, err, tt.code)
			}
			var se *shenbao.Error
			if !errors.As(err, &se) || !bytes.Contains([]byte(se.Message), []byte("/ ")) {
				t.Errorf("not a typed bilingual error: %v", err)
			}
			t.Logf("%s", shenbao.ErrorMessage(err))
			// No OCR ran: a scan's child spends seconds per page.
			if took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if allocMB > 100 {
				t.Errorf("allocated %d MB", allocMB)
			}
		})
	}
}

func cutLast(b []byte, n int) []byte { return b[:len(b)-n] }

// TestPDFBehindJunk: a PDF with a mail gateway's bytes before its header
// is accepted by the sniffer, so the extractor must read it too.
func TestPDFBehindJunk(t *testing.T) {
	pdf, err := os.ReadFile("../testdata/corpus/nat2024_04_pdf.pdf")
	if err != nil {
		t.Fatal(err)
	}
	ex := newExtractor()
	ex.Scan = nil // the text layer must do
	rep, err := ex.Extract(context.Background(), "junk.pdf", append(bytes.Repeat([]byte("X-Mailer: gw\r\n"), 40), pdf...))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Edition.ID != "nat2024" || rep.Format != shenbao.FormatPDFText {
		t.Errorf("read as %s %s, want nat2024 from the text layer", rep.Edition.ID, rep.Format)
	}
}

// TestScannerPDFTheParserRefuses: tiff2pdf writes a PDF the text-layer
// parser refuses as malformed while MuPDF opens it; the extractor reads
// it as the scan it is. Without a scan engine the parser's error stands.
func TestScannerPDFTheParserRefuses(t *testing.T) {
	if !scansBuilt {
		t.Skip("a build without cgo reads no scans")
	}
	pdf, err := os.ReadFile("../testdata/scan/form_g4_96dpi.pdf")
	if err != nil {
		t.Fatal(err)
	}
	ex := newExtractor()
	if _, err := ex.PDFText(context.Background(), bytes.NewReader(pdf), int64(len(pdf))); shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Skipf("the text parser reads this PDF now (%v): nothing left to fall back from", err)
	}
	rep, err := ex.Extract(context.Background(), "scanner.pdf", pdf)
	if err != nil {
		t.Fatalf("a scanner's PDF MuPDF opens was refused: %v", err)
	}
	if rep.Format != shenbao.FormatPDFScan || rep.Pages != 1 {
		t.Errorf("read as %s with %d pages, want one scanned page", rep.Format, rep.Pages)
	}
	ex.Scan = nil
	if _, err := ex.Extract(context.Background(), "scanner.pdf", pdf); shenbao.ErrorCode(err) != shenbao.EINVALID {
		t.Errorf("without a scan engine: %v, want the parser's invalid-PDF error", err)
	}
}
