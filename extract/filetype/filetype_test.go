package filetype

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

func TestDetect(t *testing.T) {
	junk := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	tests := []struct {
		name string
		head []byte
		want Kind
	}{
		{"PDF", []byte("%PDF-1.7\n"), PDF},
		{"PDF after a mail gateway's junk", append(junk(600), "%PDF-1.4\n"...), PDF},
		{"%PDF- past the first KB", append(junk(HeadLen), "%PDF-1.4\n"...), Unknown},
		{"docx", []byte("PK\x03\x04\x14\x00"), DOCX},
		{"doc/wps", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, OLE},
		{"JPEG", []byte{0xFF, 0xD8, 0xFF, 0xE0}, JPEG},
		// Metadata may quote anything; the magic number at byte 0 decides.
		{"JPEG whose EXIF holds %PDF-", append([]byte{0xFF, 0xD8, 0xFF, 0xE1}, "Exif %PDF-1.4"...), JPEG},
		{"PNG", []byte("\x89PNG\r\n\x1a\n"), PNG},
		{"TIFF little-endian", []byte("II*\x00\x08\x00\x00\x00"), TIFF},
		{"TIFF big-endian", []byte("MM\x00*\x00\x00\x00\x08"), TIFF},
		{"BigTIFF", []byte("II+\x00"), Unknown},
		{"GIF", []byte("GIF89a"), Unknown},
		{"text", []byte("这不是PDF"), Unknown},
		{"empty", nil, Unknown},
	}
	for _, tt := range tests {
		if got := Detect(tt.head); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestOneList: every kind has a MIME type and extensions, the lists made
// from them agree, and names are matched by their extension only.
func TestOneList(t *testing.T) {
	for _, ty := range Types() {
		if ty.MIME == "" || len(ty.Exts) == 0 || ty.Kind.MIME() != ty.MIME || OfMIME(ty.MIME) != ty.Kind {
			t.Errorf("%+v is not listed consistently", ty)
		}
		for _, e := range ty.Exts {
			if !KnownExt("扫描件"+strings.ToUpper(e)) || !strings.Contains(Accept(), e) {
				t.Errorf("%s not in the lists", e)
			}
		}
	}
	for _, name := range []string{"a.gif", "a.docx.zip", "mydoc", "a.pdf.txt"} {
		if KnownExt(name) {
			t.Errorf("%s taken for a document", name)
		}
	}
	if OfMIME("image/gif") != Unknown || Unknown.MIME() != "" {
		t.Error("unknown kinds have a MIME type")
	}
}

func encoded(t testing.TB, enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t testing.TB, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, w, h)
}

func jpegOf(t testing.TB, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }, w, h)
}

// tinyTIFF is a valid TIFF of pages 2×2 images, each directory followed
// by the next.
func tinyTIFF(pages int) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32([]byte("II*\x00"), 8)
	for p := range pages {
		start := uint32(len(b))
		next := start + 2 + 4*12 + 4 + 4 // the next directory, after this one's strip
		if p == pages-1 {
			next = 0
		}
		b = le.AppendUint16(b, 4)
		for _, e := range [][3]uint32{{256, 3, 2}, {257, 3, 2}, {273, 4, start + 2 + 4*12 + 4}, {279, 4, 4}} {
			b = le.AppendUint16(b, uint16(e[0]))
			b = le.AppendUint16(b, uint16(e[1]))
			b = le.AppendUint32(b, 1)
			b = le.AppendUint32(b, e[2])
		}
		b = le.AppendUint32(b, next)
		b = append(b, 0xff, 0xff, 0xff, 0xff)
	}
	return b
}

// loopTIFF is a TIFF whose one directory names itself as the next.
func loopTIFF() []byte {
	le := binary.LittleEndian
	b := le.AppendUint32([]byte("II*\x00"), 8)
	ents := [][3]uint32{{256, 3, 10}, {257, 3, 10}, {273, 4, 8}, {279, 4, 4}}
	b = le.AppendUint16(b, uint16(len(ents)))
	for _, e := range ents {
		b = le.AppendUint16(b, uint16(e[0]))
		b = le.AppendUint16(b, uint16(e[1]))
		b = le.AppendUint32(b, 1)
		b = le.AppendUint32(b, e[2])
	}
	return le.AppendUint32(b, 8)
}

func TestImages(t *testing.T) {
	g4, err := os.ReadFile("../../testdata/scan/form_g4_2p.tif")
	if err != nil {
		t.Fatal(err)
	}
	jpg := jpegOf(t, 640, 480)
	tests := []struct {
		name string
		kind Kind
		data []byte
		lim  Limits
		want []Size
		code string
	}{
		{"two-page G4 TIFF", TIFF, g4, Limits{}, []Size{{2481, 3508}, {2481, 3508}}, ""},
		{"three tiny pages", TIFF, tinyTIFF(3), Limits{}, []Size{{2, 2}, {2, 2}, {2, 2}}, ""},
		{"JPEG", JPEG, jpg, Limits{}, []Size{{640, 480}}, ""},
		{"JPEG with a byte after its end", JPEG, append(jpg, '\n'), Limits{}, []Size{{640, 480}}, ""},
		{"PNG", PNG, pngOf(t, 300, 200), Limits{}, []Size{{300, 200}}, ""},
		{"TIFF past the page limit", TIFF, g4, Limits{MaxPages: 1}, nil, shenbao.ETOOLARGE},
		{"TIFF cut in its second page", TIFF, g4[:len(g4)-2000], Limits{}, nil, shenbao.EINVALID},
		{"TIFF whose directories loop", TIFF, loopTIFF(), Limits{}, nil, shenbao.EINVALID},
		{"JPEG without its end", JPEG, jpg[:len(jpg)-2], Limits{}, nil, shenbao.EINVALID},
		{"PNG without its end", PNG, pngOf(t, 30, 20)[:40], Limits{}, nil, shenbao.EINVALID},
		{"PNG over the pixel limit", PNG, pngOf(t, 300, 200), Limits{MaxPixels: 50_000}, nil, shenbao.ETOOLARGE},
		{"PNG over the side limit", PNG, pngOf(t, 3000, 1), Limits{MaxSide: 2000}, nil, shenbao.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Images(tt.kind, bytes.NewReader(tt.data), int64(len(tt.data)), tt.lim)
			if code := shenbao.ErrorCode(err); code != tt.code {
				t.Fatalf("code %q (%v), want %q", code, err, tt.code)
			}
			if err != nil && !strings.Contains(shenbao.ErrorMessage(err), "/ ") {
				t.Errorf("not bilingual: %s", shenbao.ErrorMessage(err))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("sizes %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("page %d: %v, want %v", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzImages: whatever the bytes, reading image headers answers sizes
// within the limits or a typed error, never panics, and reads no more
// than the file holds.
func FuzzImages(f *testing.F) {
	// Small files only: the fuzzer minimises every new input, and a long
	// one (the 60 KB G4 fixture) stalls it.
	f.Add(tinyTIFF(3))
	f.Add(jpegOf(f, 16, 8))
	f.Add(pngOf(f, 16, 8))
	f.Add(loopTIFF())
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x00\x00\x03\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00\x00\x00"))
	lim := Limits{MaxSide: 5000, MaxPixels: 1e6, MaxPages: 8}
	f.Fuzz(func(t *testing.T, data []byte) {
		k := Detect(data)
		if !k.Image() {
			k = TIFF // the richest parser gets the bytes anyway
		}
		sizes, err := Images(k, bytes.NewReader(data), int64(len(data)), lim)
		switch shenbao.ErrorCode(err) {
		case "":
			if len(sizes) == 0 || len(sizes) > lim.MaxPages {
				t.Fatalf("%d pages", len(sizes))
			}
			for _, s := range sizes {
				if s.W <= 0 || s.H <= 0 || max(s.W, s.H) > lim.MaxSide || int64(s.W)*int64(s.H) > lim.MaxPixels {
					t.Fatalf("accepted %v", s)
				}
			}
		case shenbao.EINVALID, shenbao.ETOOLARGE:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}
