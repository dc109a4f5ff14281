package criteria

import (
	"unicode"
	"unicode/utf8"
)

// CountChars returns the 字数 of s as Microsoft Word counts it, which is how
// applicants and reviewers measure "（200字以内）": every Chinese character
// (Han, kana, hangul) and every full-width punctuation mark counts one; a run
// of other non-space characters — a Latin word, a number such as "104.06",
// "5G+" — counts one as a whole; whitespace counts nothing.
func CountChars(s string) int {
	n := 0
	inRun := false
	for _, r := range s {
		switch {
		case isSpace(r):
			inRun = false
		case isWide(r):
			n++
			inRun = false
		default:
			if !inRun {
				n++
				inRun = true
			}
		}
	}
	return n
}

// CountNonSpace returns the number of non-whitespace characters of s, the
// stricter count some reviewers use (every digit and letter counts one).
func CountNonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !isSpace(r) {
			n++
		}
	}
	return n
}

// isSpace is unicode.IsSpace without its table search for the characters
// above U+3000 (no space is): counting a long answer's characters was
// mostly that search, once per Han character.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return r <= 0x3000 && unicode.IsSpace(r)
}

// isWide reports whether r is an East Asian character or full-width mark,
// which Word counts one by one.
func isWide(r rune) bool {
	// The common cases first, without a table search: ASCII, and the CJK
	// Unified Ideographs block, every code point of which is Han.
	switch {
	case r < utf8.RuneSelf:
		return false
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return true
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation: 、。「」《》【】
		return true
	case r >= 0xFF00 && r <= 0xFFEF: // full-width forms: ，（）：；！？％
		return true
	case r >= 0xFE30 && r <= 0xFE4F: // CJK compatibility forms
		return true
	case r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·':
		// Chinese text uses these general-punctuation marks as full-width ones.
		return true
	}
	return r >= utf8.RuneSelf && unicode.Is(unicode.Ideographic, r)
}
