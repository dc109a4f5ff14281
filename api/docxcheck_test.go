package api

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"hash/crc32"
	"strings"
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

// TestProlog: a part's prolog is read up to its root element; a document
// type declaration there (where entities are declared) is refused even
// behind comments that look like elements, and so is anything that is not
// XML; what follows the root's start is left alone.
func TestProlog(t *testing.T) {
	for _, tc := range []struct {
		xml  string
		want int
	}{
		{`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<w:document xmlns:w="x"><w:body/></w:document>`, prologClean},
		{"\xef\xbb\xbf<?xml version=\"1.0\"?><Relationships/>", prologClean},
		{`<Types/>`, prologClean},
		{"", prologClean},
		{"  \n\t", prologClean},
		{`<?xml version="1.0"?><!-- a <b> c ---><?pi x?><中/>`, prologClean},
		{`<?xml version="1.0"?><d><!ENTITY a "x"></d>`, prologClean}, // not a declaration after the root
		{`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>`, prologDeclares},
		{`<?xml version="1.0"?><!-- <d> --><!DOCTYPE d [<!ENTITY a "a">]><d/>`, prologDeclares},
		{`<!ENTITY a "a"><d/>`, prologDeclares},
		{`<?xml version="1.0"?><![CDATA[x]]><d/>`, prologDeclares},
		{`text<d/>`, prologJunk},
		{"<\x00?\x00x\x00", prologJunk}, // UTF-16
		{`<?xml version="1.0"?><!-- never closed <d/>`, prologJunk},
		{`<?xml version="1.0"`, prologJunk},
		{`<`, prologJunk},
		{`< d/>`, prologJunk},
	} {
		got, err := prolog(bufio.NewReader(strings.NewReader(tc.xml)))
		if err != nil || got != tc.want {
			t.Errorf("prolog(%q) = %d, %v; want %d", tc.xml, got, err, tc.want)
		}
	}
}

// FuzzProlog: any part's prolog is judged without a panic, and one whose
// text has no "<!" at all is never taken for a declaration.
func FuzzProlog(f *testing.F) {
	for _, s := range []string{`<?xml version="1.0"?><d/>`, `<!DOCTYPE d [<!ENTITY a "a">]><d/>`, "<!-- --->", "\xef\xbb\xbf<a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := prolog(bufio.NewReader(strings.NewReader(s)))
		if err != nil {
			t.Fatalf("prolog(%q): %v", s, err)
		}
		if got == prologDeclares && !strings.Contains(s, "<!") {
			t.Fatalf("prolog(%q) found a declaration", s)
		}
	})
}
