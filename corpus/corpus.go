// Package corpus reads the development corpus's ground truth
// (<name>.truth.json beside each document) and scores a Report against it:
// the measure behind the accuracy tests and `make bench`.
package corpus

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/editdist"
)

// Truth is one document's ground truth.
type Truth struct {
	File       string    `json:"file"`
	Edition    string    `json:"edition"`
	Kind       string    `json:"kind"` // "summary" for summary tables
	Format     string    `json:"format"`
	DPI        int       `json:"dpi"`
	TickStyle  string    `json:"tick_style"`
	Fields     []TField  `json:"fields"`
	Checkboxes []TBox    `json:"checkboxes"`
	Texts      []TText   `json:"texts"`
	Defects    []TDefect `json:"defects"`
	Cluster    *TCluster `json:"cluster"`
}

// TField is a value as filled.
type TField struct {
	Section string `json:"section"`
	Label   string `json:"label"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Key     string `json:"key"`
	Page    int    `json:"page"`
	Parent  string `json:"parent"`
	Ref     string `json:"ref"`
}

// FullLabel is the label as reports name it: parent/label where set.
func (f TField) FullLabel() string { return join(f.Parent, f.Label) }

// TBox is a checkbox option's state.
type TBox struct {
	Section string `json:"section"`
	Group   string `json:"group"`
	Option  string `json:"option"`
	Checked bool   `json:"checked"`
	Key     string `json:"key"`
	Parent  string `json:"parent"`
	// Style is how the option was marked in the field set (glyph:☑,
	// wd2_char, hand:check, …); empty in the development corpus.
	Style string `json:"style"`
	Page  int    `json:"page"` // 0 where the truth does not say
}

// FullGroup is the group as reports name it.
func (b TBox) FullGroup() string { return join(b.Parent, b.Group) }

// TText is a long answer.
type TText struct {
	Section string `json:"section"`
	Label   string `json:"label"`
	Text    string `json:"text"`
	Chars   int    `json:"chars"`
	Limit   int    `json:"limit"`
	Key     string `json:"key"`
	Parent  string `json:"parent"`
}

// FullLabel is the label as reports name it.
func (x TText) FullLabel() string { return join(x.Parent, x.Label) }

// TDefect is a planted defect.
type TDefect struct {
	Kind    string `json:"kind"`
	Section string `json:"section"`
	Label   string `json:"label"`
	Column  string `json:"column"`
	Detail  string `json:"detail"`
	Key     string `json:"key"`
	Ref     string `json:"ref"`
}

// TCluster names the invented cluster of an application.
type TCluster struct {
	Name     string `json:"name"`
	Industry string `json:"industry"`
	County   string `json:"county"`
	City     string `json:"city"`
	Province string `json:"province"`
}

func join(parent, label string) string {
	if parent == "" {
		return label
	}
	return parent + "/" + label
}

// Doc is a corpus document: its path and truth.
type Doc struct {
	Path  string
	Truth *Truth
}

// Format is the corpus format: docx, pdf (digital) or scan.
func (d Doc) Format() string {
	if strings.HasPrefix(d.Truth.Kind, "summary") {
		if strings.HasSuffix(d.Path, ".docx") {
			return "docx"
		}
		return "pdf"
	}
	return d.Truth.Format
}

// EditionID is the template id the document should be detected as.
func (d Doc) EditionID() string {
	if strings.HasPrefix(d.Truth.Kind, "summary") {
		return d.Truth.Edition + "-summary"
	}
	return d.Truth.Edition
}

// Load reads every document with a truth file in dir, sorted by name.
func Load(dir string) ([]Doc, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.truth.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var docs []Doc
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var t Truth
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		doc := filepath.Join(dir, t.File)
		if _, err := os.Stat(doc); err != nil {
			continue
		}
		docs = append(docs, Doc{Path: doc, Truth: &t})
	}
	return docs, nil
}

// ReviewThreshold is the confidence under which a value is flagged for
// review: a wrong value at or above it is a confident error, the worst
// outcome.
const ReviewThreshold = 0.8

// SureThreshold is the confidence at and above which a value goes straight
// through: nobody looks at it, so a wrong one there is never caught.
const SureThreshold = 0.9

// Score counts what a report got right against the truth.
type Score struct {
	// ConfidentWrong counts wrong values and ticks reported with a
	// confidence at or above ReviewThreshold.
	ConfidentWrong int
	// TextChars is the truth's non-whitespace characters over all long
	// texts; TextEdits the edit distance of what was read; TextCountOK the
	// texts whose character count is within 2 % of the truth.
	TextChars, TextEdits, TextCountOK int
	Edition                           bool
	Fields, FieldsOK                  int
	Boxes, BoxesOK                    int
	Texts, TextsOK                    int
	// FieldsSure and BoxesSure count what was right and read with at
	// least SureThreshold: what goes straight through to the checks.
	// WrongSure counts values and ticks wrong at that confidence.
	FieldsSure, BoxesSure, WrongSure int
	// BoxMisses counts the wrong ticks by the truth's marking style.
	BoxMisses map[string]int
	Misses    []string // what was wrong, for the test log
}

// Add sums scores.
func (s *Score) Add(o Score) {
	s.Fields += o.Fields
	s.FieldsOK += o.FieldsOK
	s.Boxes += o.Boxes
	s.BoxesOK += o.BoxesOK
	s.Texts += o.Texts
	s.TextsOK += o.TextsOK
	s.ConfidentWrong += o.ConfidentWrong
	s.TextChars += o.TextChars
	s.TextEdits += o.TextEdits
	s.TextCountOK += o.TextCountOK
	s.FieldsSure += o.FieldsSure
	s.BoxesSure += o.BoxesSure
	s.WrongSure += o.WrongSure
	for k, n := range o.BoxMisses {
		if s.BoxMisses == nil {
			s.BoxMisses = map[string]int{}
		}
		s.BoxMisses[k] += n
	}
}

// CharAccuracy is 1 - edits/characters over the long texts.
func (s Score) CharAccuracy() float64 {
	if s.TextChars == 0 {
		return 1
	}
	return 1 - float64(s.TextEdits)/float64(s.TextChars)
}

// Same compares values as the truth states them: whitespace does not count
// (a PDF text layer does not keep the number of spaces in "田涛  135…").
func Same(a, b string) bool { return strip(a) == strip(b) }

func strip(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Compare scores rep against t; editionID is the id expected.
func Compare(rep *shenbao.Report, d Doc) Score {
	t := d.Truth
	s := Score{Edition: rep.Edition.ID == d.EditionID()}
	if !s.Edition {
		s.Misses = append(s.Misses, fmt.Sprintf("edition %s, want %s", rep.Edition.ID, d.EditionID()))
	}
	fields := map[string]shenbao.Field{}
	for _, f := range rep.Fields {
		fields[f.Section+"|"+f.Label+"|"+f.Column] = f
	}
	for _, tf := range t.Fields {
		s.Fields++
		k := tf.Section + "|" + tf.FullLabel() + "|" + tf.Column
		f, ok := fields[k]
		if ok && Same(f.Value, tf.Value) {
			s.FieldsOK++
			if f.Confidence >= SureThreshold {
				s.FieldsSure++
			}
			continue
		}
		if !ok {
			s.Misses = append(s.Misses, fmt.Sprintf("field %s: not reported (want %q)", k, tf.Value))
		} else {
			if f.Confidence >= ReviewThreshold {
				s.ConfidentWrong++
			}
			if f.Confidence >= SureThreshold {
				s.WrongSure++
			}
			s.Misses = append(s.Misses, fmt.Sprintf("field %s = %q (confidence %.2f), want %q", k, f.Value, f.Confidence, tf.Value))
		}
	}
	// A truth file that names a repeated group without the row it belongs
	// to (是否高于行业平均水平 under two rows) still names its key: such a
	// box is looked up by key and option.
	boxes, byKey := map[string]shenbao.Checkbox{}, map[string]shenbao.Checkbox{}
	for _, b := range rep.Checkboxes {
		boxes[b.Section+"|"+b.Group+"|"+b.Option] = b
		byKey[b.Key+"|"+b.Option] = b
	}
	for _, tb := range t.Checkboxes {
		s.Boxes++
		k := tb.Section + "|" + tb.FullGroup() + "|" + tb.Option
		b, ok := boxes[k]
		if !ok && tb.Parent == "" && tb.Key != "" {
			b, ok = byKey[tb.Key+"|"+tb.Option]
		}
		if ok && b.Checked == tb.Checked {
			s.BoxesOK++
			if b.Confidence >= SureThreshold {
				s.BoxesSure++
			}
			continue
		}
		if s.BoxMisses == nil {
			s.BoxMisses = map[string]int{}
		}
		s.BoxMisses[tb.Style]++
		if ok && b.Confidence >= SureThreshold {
			s.WrongSure++
		}
		if !ok {
			s.Misses = append(s.Misses, fmt.Sprintf("checkbox %s: not reported", k))
		} else {
			if b.Confidence >= ReviewThreshold {
				s.ConfidentWrong++
			}
			s.Misses = append(s.Misses, fmt.Sprintf("checkbox %s = %v (confidence %.2f), want %v", k, b.Checked, b.Confidence, tb.Checked))
		}
	}
	texts := map[string]shenbao.Text{}
	for _, x := range rep.Texts {
		texts[x.Section+"|"+x.Label] = x
	}
	for _, tt := range t.Texts {
		s.Texts++
		k := tt.Section + "|" + tt.FullLabel()
		x, ok := texts[k]
		want := []rune(strip(tt.Text))
		s.TextChars += len(want)
		if ok {
			got := []rune(strip(x.Text))
			s.TextEdits += editdist.Distance(got, want)
			if d := len(got) - len(want); float64(max(d, -d)) <= 0.02*float64(len(want)) {
				s.TextCountOK++
			}
		} else {
			s.TextEdits += len(want)
		}
		if ok && Same(x.Text, tt.Text) {
			s.TextsOK++
			continue
		}
		if !ok {
			s.Misses = append(s.Misses, fmt.Sprintf("text %s: not reported", k))
		} else {
			s.Misses = append(s.Misses, fmt.Sprintf("text %s differs: got %d chars, want %d: %s", k, len([]rune(strip(x.Text))), tt.Chars, firstDiff(strip(x.Text), strip(tt.Text))))
		}
	}
	return s
}

func firstDiff(a, b string) string {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	lo := max(0, i-10)
	return fmt.Sprintf("at %d got …%s… want …%s…", i, string(ra[lo:min(len(ra), i+20)]), string(rb[lo:min(len(rb), i+20)]))
}

// Kept returns the reading kept at path (JSON of a shenbao.Content, as
// the held-out and reliability measurements keep what the scan reader
// read), or, when nothing is kept there, read's and keeps it.
func Kept(path string, read func() (*shenbao.Content, error)) (*shenbao.Content, error) {
	if b, err := os.ReadFile(path); err == nil {
		var c shenbao.Content
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("kept reading %s: %w", path, err)
		}
		return &c, nil
	}
	c, err := read()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, err
	}
	return c, nil
}
