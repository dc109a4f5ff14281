// Package glyph translates the characters of symbol fonts (Wingdings,
// Wingdings 2, Webdings, Symbol) that Word forms use for checkboxes into the
// Unicode marks the layout mapper reads (☑ ☒ □ ■ ✓ ✗), and classifies marks.
package glyph

import "strings"

// Symbol-font code points as Word stores them: either the letter itself
// (a run in a Wingdings font) or the same code shifted into the private-use
// area U+F000–U+F0FF (a <w:sym> element or a PDF font without ToUnicode).
var fonts = map[string]map[rune]rune{
	"wingdings2": {
		'R': '☑', 'T': '☒', 'S': '☒', 'Q': '☒', 'P': '✓', 'O': '✗',
		'£': '□', '*': '□', 'ƒ': '□', '¢': '■',
	},
	"wingdings": {
		'þ': '☑', 'ý': '☒', 'ü': '✓', 'û': '✗', 'x': '☒',
		'o': '□', '¨': '□', 'q': '□', 'r': '□', 'n': '■', 'l': '●',
	},
	"webdings": {'a': '✓', 'c': '□', 'g': '■'},
	"symbol":   {'Ö': '√', 'Ð': '□', 'ð': '□'},
}

// Symbol returns the Unicode mark for code point r of the named font, and
// whether the font is a known symbol font that defines it.
func Symbol(font string, r rune) (rune, bool) {
	m := fonts[fontKey(font)]
	if m == nil {
		return 0, false
	}
	if r >= 0xF000 && r <= 0xF0FF {
		r -= 0xF000
	}
	u, ok := m[r]
	return u, ok
}

// lostFont is the order in which a symbol-font code is looked up when the
// font itself is lost: Chinese forms tick with Wingdings 2 (R ☑, £ □) far
// more than with Wingdings (þ ☑, ¨ □); the tables share no code, so the
// order only matters should they ever overlap.
var lostFont = []string{"wingdings2", "wingdings", "symbol", "webdings"}

// PrivateUse returns the mark for a symbol-font code carried in the
// private-use area (U+F020–U+F0FF) by a font that is not the symbol font:
// LibreOffice, lacking Wingdings 2 when it exports a <w:sym
// w:font="Wingdings 2" w:char="F052"/>, draws the mark with OpenSymbol and
// keeps U+F052 as the text, so the font's name is gone but the code still
// says which mark it was. The code range is the one Windows gives every
// symbol font, never a text character.
func PrivateUse(r rune) (rune, bool) {
	if r < 0xF020 || r > 0xF0FF {
		return 0, false
	}
	for _, k := range lostFont {
		if u, ok := fonts[k][r-0xF000]; ok {
			return u, true
		}
	}
	return 0, false
}

// IsSymbolFont reports whether font is one of the symbol fonts Symbol knows.
func IsSymbolFont(font string) bool { return fonts[fontKey(font)] != nil }

var fontSeparators = strings.NewReplacer(" ", "", "-", "", "_", "")

func fontKey(font string) string {
	f := strings.ToLower(font)
	if i := strings.IndexByte(f, '+'); i >= 0 && i == 6 { // PDF subset prefix ABCDEF+
		f = f[i+1:]
	}
	f = fontSeparators.Replace(f)
	switch {
	case strings.HasPrefix(f, "wingdings2"):
		return "wingdings2"
	case strings.HasPrefix(f, "wingdings3"):
		return ""
	case strings.HasPrefix(f, "wingdings"):
		return "wingdings"
	case strings.HasPrefix(f, "webdings"):
		return "webdings"
	case f == "symbol":
		return "symbol"
	}
	return ""
}
