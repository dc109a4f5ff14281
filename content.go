package shenbao

import "strings"

// Content is what an extractor reads from a document before any template is
// applied: the document's paragraphs and tables in reading order, with page
// geometry where the format has it. Every extractor (docx, PDF text layer,
// OCR) produces this one shape, so one mapper serves them all.
type Content struct {
	Format string     `json:"format"`
	Pages  []PageSize `json:"pages,omitempty"`
	Blocks []Block    `json:"blocks"`
}

// PageSize is a page's width and height in PDF points.
type PageSize struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// Block is a paragraph (Table nil) or a table.
type Block struct {
	Text  string `json:"text,omitempty"`
	Table *Table `json:"table,omitempty"`
	Page  int    `json:"page,omitempty"` // 1-based; 0 when unknown
	BBox  *Box   `json:"bbox,omitempty"`
	// Confidence of a paragraph read by OCR, in [0,1]; 0 when unknown
	// (and for text layers, which are exact).
	Confidence float64 `json:"confidence,omitempty"`
}

// Table is a grid of rows. Cells carry their grid column so that merged
// cells (gridSpan) and continuation cells (vMerge) can be resolved.
type Table struct {
	Rows []Row `json:"rows"`
}

// Row is one table row.
type Row struct {
	Cells []Cell `json:"cells"`
}

// Cell is one table cell. Text holds its paragraphs joined by "\n"; Lines,
// when the format has geometry, holds each printed line with its box.
// Tables holds tables nested inside the cell.
type Cell struct {
	Text   string  `json:"text"`
	Col    int     `json:"col"`
	Span   int     `json:"span"`
	Merged bool    `json:"merged,omitempty"` // continues the cell above (vMerge)
	Lines  []Line  `json:"lines,omitempty"`
	Tables []Table `json:"tables,omitempty"`
	Page   int     `json:"page,omitempty"`
	BBox   *Box    `json:"bbox,omitempty"`
}

// Line is one printed line of text with its page and box.
type Line struct {
	Text string `json:"text"`
	Page int    `json:"page"`
	BBox Box    `json:"bbox"`
	// Confidence is the OCR confidence in [0,1]; 1 for text layers.
	Confidence float64 `json:"confidence,omitempty"`
	// Weakest is the OCR confidence of the line's least sure word; 0 when
	// unknown. A single misread character in a line shows here, not in
	// Confidence, which is the mean over the words.
	Weakest float64 `json:"weakest,omitempty"`
	// Digits is a short line read again as digits only, when its first
	// reading was not a number (a lone 3 read as 昌) or nothing at all;
	// DigitsConfidence is that reading's confidence. Only a numeric field
	// uses it: the same ink in a text field may well be a character.
	Digits           string  `json:"digits,omitempty"`
	DigitsConfidence float64 `json:"digits_confidence,omitempty"`
	// Engine is the recogniser that read an OCR'd line (EngineTesseract,
	// EnginePPOCR, EngineBoth); empty for text layers.
	Engine string `json:"engine,omitempty"`
	// Mark is, on a scan, how sure the reader is of the option mark that
	// opens the line (ticked or empty), apart from how surely the
	// option's words were read; 0 when the line opens with no mark.
	Mark float64 `json:"mark,omitempty"`
	// PP and Tess are, on a scan whose values both recognisers read, the
	// evidence the line's Confidence is built from: PP-OCR's smallest
	// character probability over its reading (Text), and Tesseract's
	// confidence in its own reading of the same ink (0 when it read
	// nothing there). Engine says whether the two readings were the same.
	// Kept so that later stages weigh them beside the field's type, and so
	// that the combination can be calibrated against truth.
	PP   float64 `json:"pp,omitempty"`
	Tess float64 `json:"tess,omitempty"`
	// Rereads are the words of Text that the reader's own evidence (glyph
	// boxes, the ink of a number) says may read otherwise. The reader
	// keeps the recogniser's reading in Text; whether a value takes the
	// other reading is the corrections stage's decision (package correct,
	// the rule Kind names), which records it as a repair.
	Rereads []Reread `json:"rereads,omitempty"`
}

// Reread is a word a recogniser read as Read that the reader's evidence
// says reads As: what the corrections stage's rule named Kind may put in
// a value, and record.
type Reread struct {
	Kind string `json:"kind"`
	Read string `json:"read"`
	As   string `json:"as"`
}

// The kinds of Reread.
const (
	// RereadPercentGlyph: digits Tesseract read inside the box of a
	// per-cent sign's glyph (78% read as 789%), left out.
	RereadPercentGlyph = "percent_glyph"
)

// FoldWidth maps the full-width punctuation that editions and OCR use
// interchangeably onto one form, one rune for one rune, for matching only:
// reports always show the template's own text. OCR reads full-width
// parentheses as angle brackets, so those fold to parentheses too.
func FoldWidth(r rune) rune {
	switch r {
	case '（', '〈', '《':
		return '('
	case '）', '〉', '》':
		return ')'
	case '【', '〔':
		return '['
	case '】', '〕':
		return ']'
	case '“', '”':
		return '"'
	case '‘', '’':
		return '\''
	case '：':
		return ':'
	case '，':
		return ','
	case '；':
		return ';'
	case '％':
		return '%'
	case '．':
		return '.'
	case '－', '—':
		return '-'
	case '／':
		return '/'
	}
	return r
}

// Apply returns s with the first occurrence of r.Read that stands as a
// word of its own — no digit or point of a longer number runs on into it —
// read as r.As; ok is false when s holds no such occurrence.
func (r Reread) Apply(s string) (string, bool) {
	if r.Read == "" {
		return s, false
	}
	numeric := func(c byte) bool { return c >= '0' && c <= '9' || c == '.' }
	for from := 0; from < len(s); {
		k := strings.Index(s[from:], r.Read)
		if k < 0 {
			break
		}
		k += from
		end := k + len(r.Read)
		if (k == 0 || !numeric(s[k-1]) || !numeric(r.Read[0])) &&
			(end == len(s) || !numeric(s[end]) || !numeric(r.Read[len(r.Read)-1])) {
			return s[:k] + r.As + s[end:], true
		}
		from = k + 1
	}
	return s, false
}
