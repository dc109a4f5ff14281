// Package shenbao holds the domain types shared by every layer of the
// service: what an extractor reads from a document (Content), what a layout
// template maps it to (Field, Checkbox, Text) and what the checks report
// (Finding), gathered in a Report. It depends on the standard library only.
package shenbao

import "strings"

// Box is a rectangle in PDF points measured from the page's top-left corner:
// x0, y0, x1, y1.
type Box [4]float64

// Union returns the smallest box holding both b and o.
func (b Box) Union(o Box) Box {
	return Box{min(b[0], o[0]), min(b[1], o[1]), max(b[2], o[2]), max(b[3], o[3])}
}

// Document formats, as reported in Report.Format.
const (
	FormatDOCX    = "docx"
	FormatDOC     = "doc"
	FormatPDFText = "pdf-text"
	FormatPDFScan = "pdf-scan"
)

// Sources of a value, as reported in Field.Source.
const (
	SourceDOCX    = "docx"
	SourcePDFText = "pdf-text"
	SourceOCR     = "ocr"
)

// Report is the JSON contract of `shenbao check --format json` and of the
// API. Later versions add members; they never rename one.
type Report struct {
	File       string       `json:"file"`
	SHA256     string       `json:"sha256"`
	Format     string       `json:"format"`
	Edition    EditionMatch `json:"edition"`
	Pages      int          `json:"pages"`
	Fields     []Field      `json:"fields"`
	Checkboxes []Checkbox   `json:"checkboxes"`
	Texts      []Text       `json:"texts"`
	Findings   []Finding    `json:"findings"`
}

// EditionMatch says which form edition a document was recognised as.
// ID is "unknown" when no edition matched well enough; Candidates then
// names the closest ones.
type EditionMatch struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Confidence float64     `json:"confidence"`
	Candidates []Candidate `json:"candidates"`
	// Year is the edition's programme year (申报年度) as its template
	// declares it; a summary table has its application edition's.
	Year int `json:"year,omitempty"`
}

// Candidate is one edition considered during detection, with its score.
type Candidate struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// EditionUnknown is the edition id of a document no template fits.
const EditionUnknown = "unknown"

// Field is one value of the form: a table cell, a cover-page blank, one
// part of a count+names row.
type Field struct {
	ID         string   `json:"id"`
	Key        string   `json:"key"`
	Section    string   `json:"section"`
	Label      string   `json:"label"`
	Column     string   `json:"column"`
	Value      string   `json:"value"`
	Number     *float64 `json:"number"`
	Unit       string   `json:"unit,omitempty"`
	Year       int      `json:"year,omitempty"`
	Confidence float64  `json:"confidence"`
	Page       *int     `json:"page"`
	BBox       *Box     `json:"bbox"`
	Source     string   `json:"source"`
}

// Checkbox is one option of a checkbox group and whether it is ticked.
type Checkbox struct {
	ID         string  `json:"id"`
	Key        string  `json:"key"`
	Section    string  `json:"section"`
	Group      string  `json:"group"`
	Option     string  `json:"option"`
	Checked    bool    `json:"checked"`
	Mark       string  `json:"mark,omitempty"`
	Confidence float64 `json:"confidence"`
	Page       *int    `json:"page"`
	BBox       *Box    `json:"bbox"`
}

// Text is a long free-text answer with its character count and limit.
type Text struct {
	ID         string  `json:"id"`
	Key        string  `json:"key"`
	Section    string  `json:"section"`
	Label      string  `json:"label"`
	Text       string  `json:"text"`
	Chars      int     `json:"chars"`
	Limit      int     `json:"limit"`
	Confidence float64 `json:"confidence"`
	Page       *int    `json:"page"`
	BBox       *Box    `json:"bbox"`
}

// Finding kinds, the report contract's vocabulary.
const (
	KindWordLimit       = "word_limit"
	KindMissing         = "missing"
	KindDecimals        = "decimals"
	KindThreshold       = "threshold"
	KindArithmetic      = "arithmetic"
	KindCheckbox        = "checkbox"
	KindPlanTarget      = "plan_target"
	KindSummaryMismatch = "summary_mismatch"
	KindHistoryMismatch = "history_mismatch"
	KindDuplicateText   = "duplicate_text"
	KindLowConfidence   = "low_confidence"
	KindUnknownEdition  = "unknown_edition"
	// KindQuota: a batch holds more applications from one province or
	// county than the notice allows; it belongs to no single application.
	KindQuota = "quota"
)

// Severities of a finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Finding is one problem (or, at info severity, one thing to look at) that
// the checks found, located on the page where possible.
type Finding struct {
	Kind     string   `json:"kind"`
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	FieldIDs []string `json:"field_ids"`
	Section  string   `json:"section"`
	Label    string   `json:"label"`
	Column   string   `json:"column"`
	Message  string   `json:"message"`
	Basis    string   `json:"basis"`
	Page     *int     `json:"page"`
	BBox     *Box     `json:"bbox"`
}

// Key identifies a finding across report versions — its kind, rule and
// fields — so that a reviewer's decision survives re-checks that reorder
// the findings. Decisions are stored under it.
func (f Finding) Key() string {
	return f.Kind + "|" + f.Rule + "|" + strings.Join(f.FieldIDs, ",")
}
