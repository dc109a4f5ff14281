package api

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/shenbao/shenbao"
)

// Deflate compresses data as a zip entry holds it.
func Deflate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// SharedZip writes a zip whose entries, one per name, all point at the
// same local header and compressed data: the crafted docx of issue 22
// item 2, where a 1.36 MB file made the upload check inflate 256 MB again
// and again for 21 s, and was accepted.
func SharedZip(data []byte, names ...string) []byte {
	comp := Deflate(data)
	crc := crc32.ChecksumIEEE(data)
	var b bytes.Buffer
	le := func(v ...any) {
		for _, x := range v {
			binary.Write(&b, binary.LittleEndian, x)
		}
	}
	le(uint32(0x04034b50), uint16(20), uint16(0), uint16(8), uint32(0), crc, uint32(len(comp)), uint32(len(data)), uint16(len(names[0])), uint16(0))
	b.WriteString(names[0])
	b.Write(comp)
	cd := b.Len()
	for _, n := range names {
		le(uint32(0x02014b50), uint16(20), uint16(20), uint16(0), uint16(8), uint32(0), crc, uint32(len(comp)), uint32(len(data)),
			uint16(len(n)), uint16(0), uint16(0), uint16(0), uint16(0), uint32(0), uint32(0))
		b.WriteString(n)
	}
	le(uint32(0x06054b50), uint16(0), uint16(0), uint16(len(names)), uint16(len(names)), uint32(b.Len()-cd), uint32(cd), uint16(0))
	return b.Bytes()
}

// TestCheckDOCXStopsWithTheClient: once the request's context ends, the
// check stops inflating and says the upload was interrupted.
func TestCheckDOCXStopsWithTheClient(t *testing.T) {
	data := SharedZip(bytes.Repeat([]byte("<w:p>x</w:p>"), 1<<19), "word/document.xml")
	if err := checkDOCX(context.Background(), "a.docx", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("a plain 8 MB document refused: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := checkDOCX(ctx, "a.docx", bytes.NewReader(data), int64(len(data)))
	if shenbao.ErrorCode(err) != shenbao.ETIMEOUT {
		t.Fatalf("with the client gone: %v, want %s", err, shenbao.ETIMEOUT)
	}
}
