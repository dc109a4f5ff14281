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
