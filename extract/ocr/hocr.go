package ocr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"strconv"
	"strings"
)

// Glyph is one character of a word as Tesseract's LSTM placed it: its own
// box and confidence, which show what a word's box and confidence hide (a
// character read twice over one glyph).
type Glyph struct {
	Text string
	Rect image.Rectangle
	Conf float64 // [0,1]
}

// parseHOCR reads the words of Tesseract's hOCR output for one image
// (produced with hocr_char_boxes=1): each ocrx_word with its box and
// x_wconf, the line it sits on (any ocr_line, ocr_caption… span) and its
// ocrx_cinfo characters. The word's text is its characters'. hOCR is the
// one result of a single recognition that carries words, lines and
// characters together; the iterators gosseract offers recognise the image
// again for each level.
func parseHOCR(doc []byte) ([]Word, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var (
		words []Word
		line  int
		// kinds holds, for each open element, what it is.
		kinds []byte
		cur   *Word
		ch    *Glyph
		text  strings.Builder
	)
	const (
		other, lineSpan, wordSpan, charSpan = 'o', 'l', 'w', 'c'
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("hocr: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			class, title := attr(t, "class"), attr(t, "title")
			kind := byte(other)
			switch {
			case class == "ocrx_word":
				kind = wordSpan
				r, _ := bbox(title, "bbox")
				words = append(words, Word{Rect: r, Conf: confValue(title, "x_wconf"), Line: line})
				cur = &words[len(words)-1]
			case class == "ocrx_cinfo" && cur != nil && strings.Contains(title, "x_bboxes"):
				kind = charSpan
				r, _ := bbox(title, "x_bboxes")
				ch = &Glyph{Rect: r, Conf: confValue(title, "x_conf")}
				text.Reset()
			case strings.HasPrefix(class, "ocr_") && t.Name.Local == "span":
				kind = lineSpan
				line++
			}
			kinds = append(kinds, kind)
		case xml.CharData:
			if ch != nil {
				text.Write(t)
			}
		case xml.EndElement:
			if len(kinds) == 0 {
				continue
			}
			switch kinds[len(kinds)-1] {
			case charSpan:
				if ch != nil && cur != nil {
					ch.Text = text.String()
					cur.Chars = append(cur.Chars, *ch)
					cur.Text += ch.Text
				}
				ch = nil
			case wordSpan:
				cur = nil
			}
			kinds = kinds[:len(kinds)-1]
		}
	}
	return words, nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// bbox finds "key x0 y0 x1 y1" among the ;-separated properties of an
// hOCR title.
func bbox(title, key string) (image.Rectangle, bool) {
	f := property(title, key)
	if len(f) != 4 {
		return image.Rectangle{}, false
	}
	var v [4]int
	for i, s := range f {
		n, err := strconv.Atoi(s)
		if err != nil {
			return image.Rectangle{}, false
		}
		v[i] = n
	}
	return image.Rect(v[0], v[1], v[2], v[3]), true
}

// confValue is a title's confidence property (0–100) mapped to [0,1].
func confValue(title, key string) float64 {
	f := property(title, key)
	if len(f) != 1 {
		return 0
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil || v != v {
		return 0
	}
	return max(0, min(1, v/100))
}

func property(title, key string) []string {
	for _, p := range strings.Split(title, ";") {
		f := strings.Fields(p)
		if len(f) > 0 && f[0] == key {
			return f[1:]
		}
	}
	return nil
}

// percentShadows is a word's text without the digits Tesseract reads into
// the glyph of a per-cent sign: "78%" comes back as 7, 8, 9, % with the 9's
// box inside the %'s, "15%" as "159%", "11.99%" as 9, %, 6 all over one
// sign's width. Boxes alone do not tell: the last digit of a true "8%"
// shares most of its width with the sign's box too. So a digit after the
// sign goes when one of the two boxes holds the other, and the digit
// before it (the sign's extent grown by what was dropped) when they share
// over 70 % of the narrower width and the number without it is the one
// the form asks for: at most two digits before the point and two after
// (789% as 78%, 26.899% as 26.89%), which a true 8% or 150% never needs.
// ok is false when nothing is left out.
//
// The word keeps what Tesseract read: this is the glyph boxes' evidence,
// carried as a shenbao.Reread (see Lines) for the corrections stage's
// percent_glyph rule, which decides and records the repair.
func percentShadows(w Word) (string, bool) {
	if len(w.Chars) < 2 || !strings.Contains(w.Text, "%") {
		return "", false
	}
	digit := func(j int) bool {
		t := w.Chars[j].Text
		return len(t) == 1 && t[0] >= '0' && t[0] <= '9'
	}
	drop := make([]bool, len(w.Chars))
	dropped := false
	for i, c := range w.Chars {
		if c.Text != "%" {
			continue
		}
		sign := c.Rect
		if j := i + 1; j < len(w.Chars) && digit(j) {
			if d := w.Chars[j].Rect; holds(d, sign) || holds(sign, d) {
				drop[j], dropped = true, true
				sign = sign.Union(d)
			}
		}
		// The number before the sign, without what is dropped already.
		start := i
		for start > 0 && (digit(start-1) || w.Chars[start-1].Text == ".") {
			start--
		}
		j := i - 1
		for j >= start && drop[j] {
			j--
		}
		if j < start || !digit(j) || overlap(w.Chars[j].Rect, sign) <= 0.7 {
			continue
		}
		var num []byte
		for k := start; k < i; k++ {
			if !drop[k] {
				num = append(num, w.Chars[k].Text[0])
			}
		}
		intPart, frac, _ := strings.Cut(string(num), ".")
		if len(intPart) > 2 || len(frac) > 2 {
			drop[j], dropped = true, true
		}
	}
	if !dropped {
		return "", false
	}
	var b strings.Builder
	for i, c := range w.Chars {
		if !drop[i] {
			b.WriteString(c.Text)
		}
	}
	return b.String(), true
}

// holds reports whether b lies within a's width, a pixel either side.
func holds(a, b image.Rectangle) bool {
	return b.Min.X >= a.Min.X-1 && b.Max.X <= a.Max.X+1
}

// overlap is the share of the narrower box's width that the two boxes
// have in common.
func overlap(a, b image.Rectangle) float64 {
	common := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
	narrow := min(a.Dx(), b.Dx())
	if common <= 0 || narrow <= 0 {
		return 0
	}
	return float64(common) / float64(narrow)
}
