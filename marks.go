package shenbao

import "strings"

// The option marks every reader puts in Content's text as they stand on
// the form — a ticked or empty box, or the letters a symbol font shows
// when the font is missing — and layout reads before an option.

// Checked marks: a tick or a cross in or instead of the box, or a filled box.
const checkedMarks = "☑☒■√✓✔⊠✗✘▣◼●✕×"

// Empty marks: an empty box.
const emptyMarks = "□☐◻▢〇○"

// MarkState classifies a mark: +1 checked, -1 an empty box, 0 not a mark.
func MarkState(r rune) int {
	switch {
	case strings.ContainsRune(checkedMarks, r):
		return 1
	case strings.ContainsRune(emptyMarks, r):
		return -1
	}
	return 0
}

// RawMark classifies the letters a symbol font shows when the font itself is
// missing (the PDF then prints Wingdings 2's 'R' for a ticked box and '£'
// for an empty one). Only meaningful right before a checkbox option.
func RawMark(r rune) int {
	switch r {
	case 'R', 'T', 'S', 'Q', 'þ', 'ý', 'ü':
		return 1
	case '£', '¨', 'o':
		return -1
	}
	return 0
}
