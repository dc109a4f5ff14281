package pdftext

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/glyph"
)

// font is what the interpreter needs of a PDF font: how to split a shown
// string into codes, each code's Unicode text and advance width. The
// library's own decoder is not used because it ignores /ToUnicode whenever a
// simple font names an /Encoding, and LibreOffice writes every CJK subset as
// a WinAnsi TrueType font whose only true mapping is its ToUnicode CMap.
type font struct {
	name    string
	twoByte bool // Type0 font: codes are taken from the CMap's codespace
	cmap    *cmap
	space   [4][][2]string // codespace ranges by byte length (Type0)
	widths  map[int]float64
	dw      float64 // default width in glyph space (1/1000 em)
	symbol  bool
	diff    map[int]rune // /Differences of a simple font without ToUnicode
}

type code struct {
	c     int
	n     int // bytes
	text  string
	width float64 // 1/1000 em
}

func loadFont(v pdf.Value) *font {
	f := &font{widths: map[int]float64{}, dw: 500}
	f.name = v.Key("BaseFont").Name()
	if i := strings.IndexByte(f.name, '+'); i == 6 {
		f.name = f.name[i+1:]
	}
	f.symbol = glyph.IsSymbolFont(f.name)
	// The CMap is read last: its PostScript "begin" needs a dictionary
	// operand, and the font's own (freshly resolved) one serves.
	defer func() {
		if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
			f.cmap = readCmap(tu, v)
			if f.twoByte {
				f.space = f.cmap.space
			}
		}
	}()
	if v.Key("Subtype").Name() == "Type0" {
		f.twoByte = true
		f.dw = 1000
		d := v.Key("DescendantFonts").Index(0)
		if dw := d.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.dw = dw.Float64()
		}
		w := d.Key("W")
		// A CID font has at most 65,536 glyphs; the budget stops a hostile
		// W array from filling memory with ranges of made-up codes.
		budget := 1 << 16
		for i := 0; i < w.Len() && budget > 0; {
			first := int(w.Index(i).Int64())
			next := w.Index(i + 1)
			if next.Kind() == pdf.Array {
				for j := 0; j < next.Len() && budget > 0; j++ {
					budget--
					f.widths[first+j] = next.Index(j).Float64()
				}
				i += 2
				continue
			}
			last := int(next.Int64())
			wd := w.Index(i + 2).Float64()
			for c := first; c <= last && budget > 0; c++ {
				budget--
				f.widths[c] = wd
			}
			i += 3
		}
		return f
	}
	if d := v.Key("Encoding").Key("Differences"); d.Kind() == pdf.Array {
		f.diff = map[int]rune{}
		c := 0
		for i := 0; i < d.Len() && i < 1024; i++ {
			x := d.Index(i)
			if x.Kind() == pdf.Integer {
				c = int(x.Int64())
				continue
			}
			if r, ok := glyphNameRune(x.Name()); ok {
				f.diff[c] = r
			}
			c++
		}
	}
	first := int(v.Key("FirstChar").Int64())
	ws := v.Key("Widths")
	for i := 0; i < ws.Len() && i < 256; i++ {
		f.widths[first+i] = ws.Index(i).Float64()
	}
	if mw := v.Key("FontDescriptor").Key("MissingWidth"); mw.Kind() == pdf.Integer || mw.Kind() == pdf.Real {
		f.dw = mw.Float64()
	}
	return f
}

// decode splits raw into codes with their text and widths.
func (f *font) decode(raw string) []code {
	var out []code
	for len(raw) > 0 {
		n := 1
		if f.twoByte {
			n = 2
			for k := 1; k <= 4 && k <= len(raw); k++ {
				if inSpace(f.space[k-1], raw[:k]) {
					n = k
					break
				}
			}
			if n > len(raw) {
				n = len(raw)
			}
		}
		s := raw[:n]
		raw = raw[n:]
		c := 0
		for i := 0; i < len(s); i++ {
			c = c<<8 | int(s[i])
		}
		w, ok := f.widths[c]
		if !ok {
			w = f.dw
		}
		text := ""
		if f.cmap != nil {
			text = f.cmap.lookup(s)
		}
		if text == "" && !f.twoByte {
			if r, ok := f.diff[c]; ok {
				text = string(r)
			} else {
				text = string(latin1(byte(c)))
			}
		}
		if f.symbol {
			text = f.translateSymbol(text, c)
		} else {
			text = markText(text)
		}
		out = append(out, code{c: c, n: n, text: text, width: w})
	}
	return out
}

// translateSymbol turns a symbol-font glyph into the Unicode mark it shows.
// The ToUnicode of such fonts maps either to the private-use copy of the
// code (U+F0xx) or to the letter itself; the raw code is the fallback.
func (f *font) translateSymbol(text string, c int) string {
	rs := []rune(text)
	if len(rs) == 1 && shenbao.MarkState(rs[0]) != 0 {
		return text // the CMap already names the mark
	}
	if len(rs) == 1 {
		if u, ok := glyph.Symbol(f.name, rs[0]); ok {
			return string(u)
		}
	}
	if u, ok := glyph.Symbol(f.name, rune(c)); ok {
		return string(u)
	}
	return text
}

// markText reads a character of a symbol font the exporting machine
// lacked: another font (LibreOffice's OpenSymbol) drew the mark, and its
// private-use code (U+F052) is all that says which one.
func markText(text string) string {
	if rs := []rune(text); len(rs) == 1 {
		if u, ok := glyph.PrivateUse(rs[0]); ok {
			return string(u)
		}
	}
	return text
}

func inSpace(rs [][2]string, s string) bool {
	for _, r := range rs {
		if r[0] <= s && s <= r[1] {
			return true
		}
	}
	return false
}

// latin1 maps a byte of a simple font without ToUnicode; WinAnsi differs
// from Latin-1 only in 0x80–0x9F, which forms do not use for text.
func latin1(b byte) rune {
	if b < 0x20 {
		return 0xFFFD
	}
	return rune(b)
}

type cmap struct {
	space [4][][2]string
	chars map[string]string
	// ranges with a string destination: lo, hi, destination start
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi string
	dst    []string // one destination per code (array form) or nil
	start  string   // UTF-16BE start (string form)
}

const maxCmapEntries = 1 << 17

// readCmap parses a ToUnicode CMap. The library's parser is unexported and
// panics on some malformed CMaps; this one skips what it cannot read.
func readCmap(v, scratch pdf.Value) *cmap {
	m := &cmap{chars: map[string]string{}}
	n, dsts := 0, 0
	// A broken CMap loses its font's text, not the page.
	defer func() {
		if x := recover(); x != nil {
			if a, ok := x.(abort); ok {
				panic(a)
			}
		}
	}()
	pdf.Interpret(v, func(stk *pdf.Stack, op string) {
		switch op {
		case "findresource":
			stk.Pop()
			stk.Pop()
			stk.Push(scratch)
		case "begincodespacerange", "beginbfchar", "beginbfrange":
			n = int(stk.Pop().Int64())
			if n < 0 || n > maxCmapEntries {
				n = 0
			}
		case "endcodespacerange":
			for i := 0; i < n && stk.Len() >= 2; i++ {
				hi, lo := stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) >= 1 && len(lo) <= 4 && len(lo) == len(hi) {
					m.space[len(lo)-1] = append(m.space[len(lo)-1], [2]string{lo, hi})
				}
			}
			n = 0
		case "endbfchar":
			for i := 0; i < n && stk.Len() >= 2; i++ {
				dst, src := stk.Pop().RawString(), stk.Pop().RawString()
				if len(m.chars) < maxCmapEntries {
					m.chars[src] = utf16be(dst)
				}
			}
			n = 0
		case "endbfrange":
			for i := 0; i < n && stk.Len() >= 3; i++ {
				dst, hi, lo := stk.Pop(), stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) != len(hi) || len(lo) == 0 || len(m.ranges) >= maxCmapEntries || dsts >= maxCmapEntries {
					continue
				}
				r := cmapRange{lo: lo, hi: hi}
				if dst.Kind() == pdf.Array {
					for j := 0; j < dst.Len() && dsts < maxCmapEntries; j++ {
						dsts++
						r.dst = append(r.dst, utf16be(dst.Index(j).RawString()))
					}
				} else {
					r.start = dst.RawString()
				}
				m.ranges = append(m.ranges, r)
			}
			n = 0
		default:
			// Other CMap operators (begincmap, def, usecmap…) carry nothing
			// a ToUnicode lookup needs; drop their operands.
			for stk.Len() > 0 {
				stk.Pop()
			}
		}
	})
	return m
}

func (m *cmap) lookup(s string) string {
	if t, ok := m.chars[s]; ok {
		return t
	}
	for _, r := range m.ranges {
		if len(r.lo) != len(s) || s < r.lo || s > r.hi {
			continue
		}
		off := codeVal(s) - codeVal(r.lo)
		if r.dst != nil {
			if off < len(r.dst) {
				return r.dst[off]
			}
			return ""
		}
		if r.start == "" {
			return ""
		}
		// The offset is added to the last UTF-16 unit of the destination.
		u := []byte(r.start)
		if len(u) < 2 {
			return ""
		}
		last := int(u[len(u)-2])<<8 | int(u[len(u)-1])
		last += off
		u = append(u[:len(u)-2:len(u)-2], byte(last>>8), byte(last))
		return utf16be(string(u))
	}
	return ""
}

func codeVal(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<8 | int(s[i])
	}
	return v
}

func utf16be(s string) string {
	if len(s)%2 == 1 {
		// Some producers write single-byte destinations; take them as Latin-1.
		return string(latin1(s[0])) + utf16be(s[1:])
	}
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return string(utf16.Decode(u))
}

// glyphNameRune reads the glyph names of a Differences array that carry
// their character: uniXXXX and single letters. Other names fall back to the
// byte's Latin-1 meaning.
func glyphNameRune(name string) (rune, bool) {
	switch {
	case len(name) == 1:
		return rune(name[0]), true
	case strings.HasPrefix(name, "uni") && len(name) == 7:
		if v, err := strconv.ParseUint(name[3:], 16, 32); err == nil {
			return rune(v), true
		}
	}
	return 0, false
}
