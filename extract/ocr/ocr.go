// Package ocr recognises text in regions of page images with Tesseract.
//
// It is the only package of the scan path that holds C code (gosseract), so
// its API is deliberately small and made of plain values: a page image and
// the rectangles to read go in, lines of text with boxes and confidences come
// out. That keeps the table logic in extract/scan testable without cgo and
// lets the whole call run inside the child process that isolates C code.
package ocr

import (
	"image"

	"github.com/shenbao/shenbao"
)

// Mode says how a region is read.
type Mode int

const (
	// Text reads a block of Chinese/Latin text, possibly several lines.
	Text Mode = iota
	// Numeric reads one line restricted to digits and number punctuation;
	// it is far less prone to read 0 as O or 1 as 丨 than Text.
	Numeric
	// Line reads exactly one line of text.
	Line
	// RawLine reads one line without Tesseract's line heuristics; it
	// reads short lines (a two-character name) that Line returns empty.
	RawLine
	// Char reads a single character (the 量 a narrow header cell wraps
	// onto its own line).
	Char
	// Digits reads like Numeric, with the digit model (DigitLanguages):
	// a second opinion on a number, and the better reader of a lone digit
	// that chi_sim takes for a character ("21" read as 刘).
	Digits
)

// NumericChars is the whitelist used by Numeric and Digits regions.
const NumericChars = "0123456789.-%+,"

// ThreadLimitEnv must be in the environment of any process that runs an
// Engine. Tesseract's LSTM parallelises with OpenMP and, with the default
// thread count, its spinning workers cost more system time than they save
// while we already run one client per core; libgomp reads the variable only
// at process start, so it cannot be set from Go afterwards.
const ThreadLimitEnv = "OMP_THREAD_LIMIT=1"

// Region is a rectangle of the page image to read, in the image's pixels.
type Region struct {
	Rect image.Rectangle
	Mode Mode
	// Scale enlarges the crop before reading (0 or 1: as is). Digits of
	// body text at 200 dpi are under Tesseract's preferred size; doubling
	// keeps decimal points that it otherwise drops.
	Scale float64
	// Before, when not empty, is read in front of Rect, an em's space
	// apart, as if on one line, and only Rect's words are returned: a
	// character or two wrapped onto a line of their own read as nothing
	// like themselves alone (个 as 唉), and rightly after the end of the
	// line they continue. Scale does not apply.
	Before image.Rectangle
}

// TextLine is one recognised line. Rect is in the page image's pixels.
type TextLine struct {
	Text string
	Rect image.Rectangle
	// Conf is Tesseract's confidence mapped to [0,1].
	Conf float64
	// Low is the confidence of the line's least sure word (see Lines).
	Low float64
	// Engine is the recogniser the reading is settled by (EnginePPOCR,
	// EngineBoth); empty for Tesseract's own.
	Engine string
	// PP and Tess are a settled reading's evidence (shenbao.Line.PP and
	// Tess): PP-OCR's smallest character probability and Tesseract's
	// confidence in its own reading.
	PP, Tess float64
	// Rereads are the words of Text its glyph boxes say read otherwise
	// (shenbao.Line.Rereads): Text keeps what was read.
	Rereads []shenbao.Reread
	// Glyphs are the characters read, with their boxes (a word's box
	// where the reader gave none): what of the line lies right of a
	// point on it.
	Glyphs []Glyph
}

// Result holds the lines read in one region, top to bottom.
type Result struct {
	Lines []TextLine
}

// Options configures an Engine.
type Options struct {
	// Clients is the number of Tesseract clients in the pool, which bounds
	// how many regions are read at once; 0 means runtime.NumCPU().
	Clients int
	// Languages defaults to chi_sim alone: its model carries digits and
	// Latin letters, and adding eng makes Tesseract switch short Chinese
	// lines to the English model (集群名称 read as "SHAR").
	Languages []string
	// DigitLanguages read Digits regions; it defaults to eng. When its
	// data is not installed, Digits regions are read with Languages.
	DigitLanguages []string
	// TessdataPrefix overrides the directory of the traineddata files.
	TessdataPrefix string
}

func (o Options) languages() []string {
	if len(o.Languages) == 0 {
		return []string{"chi_sim"}
	}
	return o.Languages
}

func (o Options) digitLanguages() []string {
	if len(o.DigitLanguages) == 0 {
		return []string{"eng"}
	}
	return o.DigitLanguages
}
