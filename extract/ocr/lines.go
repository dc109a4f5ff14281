package ocr

import (
	"image"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// Word is one word as Tesseract's result iterator gives it, with the line
// it belongs to (any key that is equal for the words of one line).
type Word struct {
	Text string
	Rect image.Rectangle
	Conf float64 // [0,1]
	Line int
	// Chars are the word's characters, when the reader gives them.
	Chars []Glyph
}

// Lines groups words, in reading order, into text lines. The words of a
// Chinese line are single characters or short runs, so a line's text is
// rebuilt from their gaps: none between close words, one space at a
// word-sized gap, two at a wide one (a name and a telephone number in one
// cell). Conf is the mean of the words' confidences, as Tesseract rates a
// line; Low is the least sure word's, which shows the one misread
// character a long line's mean hides.
func Lines(words []Word) []TextLine {
	var out []TextLine
	var b strings.Builder
	var cur *TextLine
	var prev image.Rectangle
	sum, n := 0.0, 0
	flush := func() {
		if cur == nil {
			return
		}
		cur.Text = strings.TrimSpace(b.String())
		cur.Conf = sum / float64(n)
		if cur.Text != "" {
			out = append(out, *cur)
		}
		cur, sum, n = nil, 0, 0
		b.Reset()
	}
	key := 0
	for _, w := range words {
		t := strings.TrimSpace(w.Text)
		if t == "" {
			continue
		}
		if cur == nil || w.Line != key {
			flush()
			cur = &TextLine{Rect: w.Rect, Low: 1}
			key = w.Line
		} else {
			h := max(cur.Rect.Dy(), 1)
			gap := w.Rect.Min.X - prev.Max.X
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(t)
			switch {
			case gap > h*6/5:
				b.WriteString("  ")
			case gap > h/4 && !(Wide(last) && Wide(first)):
				// Chinese characters stand apart by their own
				// spacing; only Latin words and numbers take a space.
				b.WriteString(" ")
			}
			cur.Rect = cur.Rect.Union(w.Rect)
		}
		b.WriteString(t)
		if len(w.Chars) > 0 {
			cur.Glyphs = append(cur.Glyphs, w.Chars...)
		} else {
			cur.Glyphs = append(cur.Glyphs, Glyph{Text: t, Rect: w.Rect, Conf: w.Conf})
		}
		if alt, ok := percentShadows(w); ok && strings.TrimSpace(alt) != t {
			cur.Rereads = append(cur.Rereads, shenbao.Reread{Kind: shenbao.RereadPercentGlyph, Read: t, As: strings.TrimSpace(alt)})
		}
		prev = w.Rect
		sum += w.Conf
		n++
		cur.Low = min(cur.Low, w.Conf)
	}
	flush()
	return out
}

// Wide reports a Chinese character or full-width punctuation, between
// which Chinese text has no spaces.
func Wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}
