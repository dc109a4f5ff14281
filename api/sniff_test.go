package api

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/filetype"
)

func TestContainsAcrossChunks(t *testing.T) {
	needle := []byte("<!ENTITY")
	for _, at := range []int{0, 1, 64<<10 - 4, 64<<10 - 1, 64 << 10, 3*(64<<10) - 3} {
		hay := bytes.Repeat([]byte("x"), 4*(64<<10))
		copy(hay[at:], needle)
		if found, err := contains(bytes.NewReader(hay), needle); err != nil || !found {
			t.Errorf("needle at %d: found=%v err=%v", at, found, err)
		}
	}
	if found, _ := contains(strings.NewReader(strings.Repeat("<!ENTIT", 50000)), needle); found {
		t.Error("found a needle that is not there")
	}
}

// FuzzSniff: whatever the bytes, sniff answers an accepted type or one of
// the upload error codes, and never panics.
func FuzzSniff(f *testing.F) {
	if doc, err := os.ReadFile("testdata/nat2024_01.docx"); err == nil {
		f.Add(doc)
	}
	f.Add([]byte("%PDF-1.7\ntrailer << >>\n%%EOF\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		mime, err := sniff("f", bytes.NewReader(data), int64(len(data)))
		switch shenbao.ErrorCode(err) {
		case "":
			if filetype.OfMIME(mime) == filetype.Unknown {
				t.Fatalf("accepted as %q", mime)
			}
		case shenbao.EUNSUPPORTED, shenbao.EINVALID, shenbao.EENCRYPTED, shenbao.ETOOLARGE:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// TestSniffAgreesWithTheExtractor: what the upload check accepts is what
// the extractor reads, because both ask filetype — a PDF behind a mail
// gateway's junk, which the upload took and the extractor refused, and
// scans saved as images.
func TestSniffAgreesWithTheExtractor(t *testing.T) {
	g4, err := os.ReadFile("../testdata/scan/form_g4_2p.tif")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile("../testdata/scan/form_g4_96dpi.pdf")
	if err != nil {
		t.Fatal(err)
	}
	jpg, err := os.ReadFile("../extract/scan/testdata/gd2023_p10_200dpi_small_table.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		mime string
	}{
		{"PDF behind 600 bytes of junk", append(bytes.Repeat([]byte("x"), 600), pdf...), MIMEPDF},
		{"two-page G4 TIFF", g4, filetype.MIMETIFF},
		{"JPEG", jpg, filetype.MIMEJPEG},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mime, err := sniff("f", bytes.NewReader(tt.data), int64(len(tt.data)))
			if err != nil || mime != tt.mime {
				t.Fatalf("sniff = %q, %v; want %q", mime, err, tt.mime)
			}
			if k := filetype.Detect(tt.data[:min(len(tt.data), filetype.HeadLen)]); k.MIME() != mime {
				t.Errorf("the extractor's sniffer says %q", k)
			}
		})
	}
}
