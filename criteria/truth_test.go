package criteria

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// truth is the ground truth of one corpus document (shared/corpus/README.md).
type truth struct {
	File    string `json:"file"`
	Kind    string `json:"kind"`
	Edition string `json:"edition"`
	Format  string `json:"format"`
	Fields  []struct {
		Section, Label, Column, Value, Key, Parent string
		Page                                       int
	} `json:"fields"`
	Checkboxes []struct {
		Section, Group, Option, Key, Parent string
		Checked                             bool
		Page                                int
	} `json:"checkboxes"`
	Texts []struct {
		Section, Label, Text, Key string
		Chars, Limit, Page        int
	} `json:"texts"`
	Defects []defect `json:"defects"`
}

type defect struct {
	Kind, Section, Label, Column, Detail, Key string
}

func readTruth(path string) (*truth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t truth
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// findRow locates a truth record's template row: by its semantic key where
// the truth has one, else by section, label and parent.
func findRow(tm *layout.Template, key, section, label, parent string) *layout.Spec {
	for i := range tm.Rows {
		s := &tm.Rows[i]
		if key != "" && s.Key == key && s.Label == label {
			return s
		}
	}
	for i := range tm.Rows {
		s := &tm.Rows[i]
		if s.Section == section && s.Label == label && (parent == "" || s.Parent == parent) {
			return s
		}
	}
	if tm.Kind == layout.KindSummary {
		for i := range tm.Rows {
			if tm.Rows[i].Label == label {
				return &tm.Rows[i]
			}
		}
	}
	return nil
}

func page(p int) *int {
	if p <= 0 {
		return nil
	}
	return &p
}

// reportFromTruth builds the Report the mapper would produce for a document
// whose extraction is perfect: values as written, numbers parsed as the
// mapper parses them ('无' and blanks → nil), ids from the template.
func reportFromTruth(t *truth, set *layout.Set) (*shenbao.Report, *layout.Template, error) {
	id := t.Edition
	if t.Kind == "summary" || strings.Contains(t.File, "_summary_") {
		id += "-summary"
	}
	tm, ok := set.Get(id)
	if !ok {
		return nil, nil, fmt.Errorf("%s: no template %s", t.File, id)
	}
	format := map[string]string{"docx": shenbao.FormatDOCX, "pdf": shenbao.FormatPDFText, "scan": shenbao.FormatPDFScan}[t.Format]
	rep := &shenbao.Report{File: t.File, Format: format, Edition: shenbao.EditionMatch{ID: tm.ID, Name: tm.Name, Confidence: 1}}
	for _, f := range t.Fields {
		s := findRow(tm, f.Key, f.Section, f.Label, f.Parent)
		if s == nil {
			return nil, nil, fmt.Errorf("%s: no row for field %s/%s", t.File, f.Section, f.Label)
		}
		x := shenbao.Field{ID: s.FieldID(f.Column), Key: s.Key, Section: s.Section, Label: s.FullLabel(),
			Column: f.Column, Value: f.Value, Unit: s.Unit, Year: layout.ColumnYear(f.Column),
			Confidence: 1, Page: page(f.Page), Source: shenbao.SourceDOCX}
		switch s.Type {
		case layout.TypeNumber, layout.TypePercent, layout.TypeInteger, layout.TypeAmount, layout.TypeStandards:
			x.Number = layout.ParseNumber(f.Value)
		}
		rep.Fields = append(rep.Fields, x)
	}
	for _, b := range t.Checkboxes {
		s := findRow(tm, b.Key, b.Section, b.Group, b.Parent)
		if s == nil {
			return nil, nil, fmt.Errorf("%s: no row for group %s", t.File, b.Group)
		}
		opt := -1
		for i, o := range s.Options {
			if o == b.Option {
				opt = i
			}
		}
		if opt < 0 {
			return nil, nil, fmt.Errorf("%s: group %s has no option %s", t.File, b.Group, b.Option)
		}
		rep.Checkboxes = append(rep.Checkboxes, shenbao.Checkbox{ID: s.OptionID(opt), Key: s.Key,
			Section: s.Section, Group: s.FullLabel(), Option: b.Option, Checked: b.Checked,
			Confidence: 1, Page: page(b.Page)})
	}
	for _, x := range t.Texts {
		s := findRow(tm, x.Key, x.Section, x.Label, "")
		if s == nil {
			return nil, nil, fmt.Errorf("%s: no row for text %s", t.File, x.Label)
		}
		rep.Texts = append(rep.Texts, shenbao.Text{ID: s.Key, Key: s.Key, Section: s.Section,
			Label: s.FullLabel(), Text: x.Text, Chars: x.Chars, Limit: x.Limit, Confidence: 1, Page: page(x.Page)})
	}
	return rep, tm, nil
}

// matches reports whether a finding reports a planted defect: same kind,
// same label (reports prefix a repeated label with its parent row), and
// the same column where the defect names one.
func matches(f shenbao.Finding, d defect) bool {
	if f.Kind != d.Kind {
		return false
	}
	if f.Label != d.Label && !strings.HasSuffix(f.Label, "/"+d.Label) {
		return false
	}
	return d.Column == "" || f.Column == d.Column
}
