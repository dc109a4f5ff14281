package shenbao

import (
	"strings"
	"unicode"
)

// ShownName returns a file name fit to show and store: invalid UTF-8
// replaced, and every character that is invisible or changes how the rest
// is drawn removed — control characters (a tab or a newline breaks a list
// row or a log line) and format characters, among them the bidirectional
// overrides and isolates, which make "a\u202Eexe.pdf.docx" read as
// "axcod.fdp.exe". The zero-width joiners stay: they join emoji and some
// scripts' letters, and change no order. Uploads and bulk runs take names
// through it on the way in.
func ShownName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u200c' || r == '\u200d':
			return r
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
}
