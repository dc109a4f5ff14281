// Package layout holds one declarative template per form edition (embedded
// YAML under editions/), validates them, recognises which edition a document
// is, and maps extracted Content onto the template's fields.
package layout

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Row types: what a template row holds and how it is read.
const (
	TypeText        = "text"        // free text in one cell (or a cover blank)
	TypeNumber      = "number"      // a decimal number
	TypePercent     = "percent"     // a percentage, 0–100 as a rule
	TypeInteger     = "integer"     // a count
	TypeAmount      = "amount"      // money with a unit (亿元, 万元)
	TypeCountNames  = "count_names" // 数量：__个 名称：__
	TypeStandards   = "standards"   // 类别 × 主持/参与 × year
	TypeChoice      = "choice"      // single-choice checkbox group
	TypeMultiChoice = "multichoice" // multi-choice checkbox group
	TypeLongText    = "longtext"    // a free answer with a character limit
	TypePlanTarget  = "plan_target" // the plan's 方向/指标/基准值/目标值 table
	TypeDeclaration = "declaration" // signature and date in the 真实性声明 cell
)

// IsNumeric reports whether cells of a row type hold figures: the one list
// of them, which mapping parses and the criteria check.
func IsNumeric(typ string) bool {
	switch typ {
	case TypeNumber, TypePercent, TypeInteger, TypeAmount, TypeStandards:
		return true
	}
	return false
}

var rowTypes = map[string]bool{
	TypeText: true, TypeNumber: true, TypePercent: true, TypeInteger: true, TypeAmount: true,
	TypeCountNames: true, TypeStandards: true, TypeChoice: true, TypeMultiChoice: true,
	TypeLongText: true, TypePlanTarget: true, TypeDeclaration: true,
}

// Template kinds.
const (
	KindApplication = "application" // 申报表
	KindSummary     = "summary"     // 推荐汇总表 / 申报汇总表
)

// CoverSection is the section name of the cover page's blanks.
const CoverSection = "封面"

// Template is one form edition's layout.
type Template struct {
	ID    string `yaml:"id"`
	Kind  string `yaml:"kind"`
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	Maker string `yaml:"maker"` // the 「…制」 line of the cover
	Years []int  `yaml:"years"` // the data years of the year columns
	// Year is the programme year (申报年度) the form was issued for: what
	// the service files and filters an application under. A summary table
	// takes its parent's.
	Year int `yaml:"year,omitempty"`
	// Parent is a summary table's application edition: the applications
	// its rows list. Edition facts live here, never in the id's spelling.
	Parent   string   `yaml:"parent,omitempty"`
	Profile  string   `yaml:"profile"` // default criteria profile
	Detect   []Signal `yaml:"detect"`  // extra phrases that tell this edition apart
	Sections []string `yaml:"sections"`
	Rows     []Spec   `yaml:"rows"`
	// Anchors are printed words mapping finds things by that no row's
	// label holds.
	Anchors Anchors `yaml:"anchors,omitempty"`
	// Notes are the paragraphs the form prints outside its tables (填报说明),
	// as printed: a scan reads each by its first characters and takes the
	// rest from here when the ink fits it.
	Notes []string `yaml:"notes,omitempty"`
	// Print is the rest of what the form prints on its cover and in its
	// tables, as printed: remarks (（注：勾选需提供佐证材料）), the heads of
	// option groups, the plan's guide, the declaration. No value is read
	// from it; a scan holds what it reads against it, so that its print is
	// not read again as values are (see Set.OtherPrint).
	Print []string `yaml:"print,omitempty"`
}

// Anchors are a form's printed words that mapping anchors on besides its
// rows' labels, columns and options.
type Anchors struct {
	// PlanHeader is the header of the plan's target table before its
	// value columns: the direction's and the indicator's (方向, 指标).
	PlanHeader []string `yaml:"plan_header,omitempty"`
}

// Signal is a phrase whose presence counts for (or, with a negative weight,
// against) an edition.
type Signal struct {
	Text   string  `yaml:"text"`
	Weight float64 `yaml:"weight"`
}

// Spec is one row of the form, in the form's own order.
type Spec struct {
	Key     string   `yaml:"key"` // canonical concept id, the same across editions
	Section string   `yaml:"section"`
	Parent  string   `yaml:"parent,omitempty"` // the row a repeated label belongs to
	Label   string   `yaml:"label"`            // as printed, whitespace removed
	Type    string   `yaml:"type"`
	Unit    string   `yaml:"unit,omitempty"`
	Columns []string `yaml:"columns,omitempty"` // headers as printed; "" for a single value
	Options []string `yaml:"options,omitempty"` // checkbox options as printed
	Limit   int      `yaml:"limit,omitempty"`   // character limit of a long text
	// Optional marks a row the form does not require (默认必填).
	Optional bool `yaml:"optional,omitempty"`
	// Person marks a value that opens with a person's name (联系人, 签字):
	// read by OCR, a name whose first character is no known surname is
	// more likely misread than rare.
	Person bool `yaml:"person,omitempty"`
	// Same and Differs declare how the row's question relates to its key's
	// rows in other editions that print it otherwise (see Comparable).
	Same    string `yaml:"same,omitempty"`
	Differs string `yaml:"differs,omitempty"`
	// LabelSource notes where a label was taken from when the seed lost it.
	LabelSource string `yaml:"label_source,omitempty"`
}

// Required reports whether the row must be filled.
func (s *Spec) Required() bool { return !s.Optional }

// FullLabel is the label as reports show it: parent/label where the label
// repeats inside its section.
func (s *Spec) FullLabel() string {
	if s.Parent != "" && s.Parent != s.Section {
		return s.Parent + "/" + s.Label
	}
	return s.Label
}

// IsCheckbox reports whether the row is a checkbox group.
func (s *Spec) IsCheckbox() bool { return s.Type == TypeChoice || s.Type == TypeMultiChoice }

// Multi reports whether more than one option may be ticked.
func (s *Spec) Multi() bool { return s.Type == TypeMultiChoice }

var yearColumn = regexp.MustCompile(`^(\d{4})年(.*)$`)

// columnIDs names the non-year parts of compound column headers, so that a
// field id is the same for the same concept in every edition.
var columnIDs = map[string]string{
	"国际": "intl", "国家": "national", "行业": "industry", "团体": "group", "地方": "local",
	"主持数量": "lead", "参与数量": "part", "数量": "count", "名称": "names",
	"基准值": "base", "目标值": "target", "日期": "date",
}

// FieldID returns the canonical id of the value in column col of the row:
// the key alone for single-value rows, else key.part.part… with years as
// digits and the plan's base/target without their (edition-specific) years.
func (s *Spec) FieldID(col string) string {
	if len(s.Columns) <= 1 {
		return s.Key
	}
	parts := []string{s.Key}
	for _, p := range strings.Split(col, "/") {
		if m := yearColumn.FindStringSubmatch(p); m != nil {
			if m[2] == "" {
				parts = append(parts, m[1])
				continue
			}
			p = m[2]
		}
		if id, ok := columnIDs[p]; ok {
			parts = append(parts, id)
		} else {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// ColumnYear returns the data year a column header names, or 0.
func ColumnYear(col string) int {
	for _, p := range strings.Split(col, "/") {
		if m := yearColumn.FindStringSubmatch(p); m != nil && m[2] == "" {
			var y int
			fmt.Sscan(m[1], &y)
			return y
		}
	}
	return 0
}

// OptionID returns the id of one option of a checkbox group: key.N, N the
// option's 1-based position.
func (s *Spec) OptionID(i int) string { return fmt.Sprintf("%s.%d", s.Key, i+1) }

//go:embed editions/*.yaml
var editionFS embed.FS

// Set is the loaded, validated templates.
type Set struct {
	list []*Template
	byID map[string]*Template
	// phrases are the distinct normalised labels and options of all
	// templates; phraseIdx[id] indexes those edition id prints.
	phrases   []string
	phraseIdx map[string][]int
	// fingerprint hashes every template's bytes: caches of extractions
	// made with other templates are stale.
	fingerprint string
}

// Fingerprint identifies the exact templates loaded.
func (s *Set) Fingerprint() string { return s.fingerprint }

// Load reads and validates every template embedded in the binary.
func Load() (*Set, error) { return LoadFS(editionFS, "editions") }

// LoadFS reads and validates every *.yaml template under dir of fsys, so
// that a province can add an edition as a data file.
func LoadFS(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	set := &Set{byID: map[string]*Template{}}
	h := sha256.New()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read template %s: %w", name, err)
		}
		h.Write(data)
		t, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		if _, dup := set.byID[t.ID]; dup {
			return nil, fmt.Errorf("template %s: duplicate edition id %q", name, t.ID)
		}
		set.byID[t.ID] = t
		set.list = append(set.list, t)
	}
	if len(set.list) == 0 {
		return nil, fmt.Errorf("no templates under %s", dir)
	}
	sort.Slice(set.list, func(i, j int) bool { return set.list[i].ID < set.list[j].ID })
	if err := set.linkParents(); err != nil {
		return nil, err
	}
	if err := set.checkKeys(); err != nil {
		return nil, err
	}
	set.indexPhrases()
	set.fingerprint = hex.EncodeToString(h.Sum(nil))[:16]
	return set, nil
}

// linkParents checks each summary table's parent and gives it the parent's
// programme year unless it declares its own.
func (s *Set) linkParents() error {
	for _, t := range s.list {
		if t.Kind != KindSummary {
			continue
		}
		p, ok := s.byID[t.Parent]
		if !ok || p.Kind != KindApplication {
			return fmt.Errorf("template %s: parent %q is no application edition", t.ID, t.Parent)
		}
		if t.Year == 0 {
			t.Year = p.Year
		}
	}
	return nil
}

// Edition returns the application edition id a template belongs to: its
// own for an application, its parent's for a summary table.
func (t *Template) Edition() string {
	if t.Kind == KindSummary {
		return t.Parent
	}
	return t.ID
}

// MustLoad is Load for program start-up and tests: the embedded templates
// are part of the binary, so a bad one is a build defect.
func MustLoad() *Set {
	s, err := Load()
	if err != nil {
		panic(err)
	}
	return s
}

// Parse decodes and validates one template.
func Parse(data []byte) (*Template, error) {
	var t Template
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// All returns the templates ordered by id.
func (s *Set) All() []*Template { return s.list }

// Get returns the template with the given edition id.
func (s *Set) Get(id string) (*Template, bool) {
	t, ok := s.byID[id]
	return t, ok
}

// Validate checks a template for the mistakes a hand-edited data file can
// have: unknown types, missing labels, columns or options, duplicate ids,
// rows in undeclared sections.
func (t *Template) Validate() error {
	if t.ID == "" || t.Name == "" || t.Title == "" {
		return fmt.Errorf("id, name and title are required")
	}
	if t.Kind != KindApplication && t.Kind != KindSummary {
		return fmt.Errorf("kind %q: want %s or %s", t.Kind, KindApplication, KindSummary)
	}
	switch {
	case t.Kind == KindApplication && t.Year == 0:
		return fmt.Errorf("year (the programme year) is required")
	case t.Kind == KindApplication && t.Parent != "":
		return fmt.Errorf("parent is for summary tables")
	case t.Kind == KindSummary && t.Parent == "":
		return fmt.Errorf("parent (the application edition) is required for a summary table")
	}
	if len(t.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	sections := map[string]bool{}
	for _, s := range t.Sections {
		sections[s] = true
	}
	for _, r := range t.Rows {
		if r.Type == TypePlanTarget && len(t.Anchors.PlanHeader) != 2 {
			return fmt.Errorf("plan targets need anchors.plan_header: the direction's and the indicator's header")
		}
	}
	ids := map[string]bool{}
	for i := range t.Rows {
		r := &t.Rows[i]
		where := fmt.Sprintf("row %d (%s)", i+1, r.Key)
		if r.Key == "" || r.Label == "" {
			return fmt.Errorf("%s: key and label are required", where)
		}
		if r.Same != "" && r.Differs != "" {
			return fmt.Errorf("%s: same and differs exclude each other", where)
		}
		if strings.ContainsAny(r.Label, " \t\n") {
			return fmt.Errorf("%s: label %q must have its whitespace removed", where, r.Label)
		}
		if !rowTypes[r.Type] {
			return fmt.Errorf("%s: unknown type %q", where, r.Type)
		}
		if !sections[r.Section] {
			return fmt.Errorf("%s: section %q is not declared in sections", where, r.Section)
		}
		switch {
		case r.IsCheckbox():
			if len(r.Options) < 2 {
				return fmt.Errorf("%s: a checkbox group needs at least two options", where)
			}
			for j := range r.Options {
				if id := r.OptionID(j); ids[id] {
					return fmt.Errorf("%s: duplicate id %q", where, id)
				} else {
					ids[id] = true
				}
			}
			continue
		case r.Type == TypeLongText:
			if r.Limit <= 0 {
				return fmt.Errorf("%s: a long text needs its character limit", where)
			}
			if ids[r.Key] {
				return fmt.Errorf("%s: duplicate id %q", where, r.Key)
			}
			ids[r.Key] = true
			continue
		}
		if t.Kind == KindSummary {
			if ids[r.Key] {
				return fmt.Errorf("%s: duplicate id %q", where, r.Key)
			}
			ids[r.Key] = true
			continue
		}
		if len(r.Columns) == 0 {
			return fmt.Errorf("%s: columns are required (\"\" for a single value)", where)
		}
		for _, c := range r.Columns {
			id := r.FieldID(c)
			if ids[id] {
				return fmt.Errorf("%s: duplicate field id %q", where, id)
			}
			ids[id] = true
		}
	}
	return nil
}

// Notes returns the paragraphs the templates print outside their tables
// (Template.Notes), whitespace removed and without repeats.
func (s *Set) Notes() []string {
	return s.gather(func(t *Template) []string { return t.Notes })
}

// OtherPrint returns the rest of what the templates print, whitespace
// removed and without repeats (Template.OtherPrint). A scan reader takes a
// line that reads as it for print and does not read it again (see
// extract/scan); it is kept apart from Printed, whose phrases complete the
// lines below a label's first: a declaration's paragraph would complete
// the signer's and the date's lines under it.
func (s *Set) OtherPrint() []string {
	return s.gather((*Template).OtherPrint)
}

// Printed returns what the templates print in table cells, whitespace
// removed and without repeats (Template.Printed). A scan reader holds the
// first line of a label, or the first characters of an option, against
// them and takes the rest from the form instead of reading it (see
// extract/scan).
func (s *Set) Printed() []string {
	return s.gather((*Template).Printed)
}

// OtherPrint is the rest of what the form prints: the cover's maker line
// and Print (remarks, option groups' heads, the plan's guide, the
// declaration).
func (t *Template) OtherPrint() []string {
	return append([]string{t.Maker}, t.Print...)
}

// Printed is what the form prints in table cells: section headings, row
// labels, the rows they belong to, column headers (each part of a compound
// header) and checkbox options.
func (t *Template) Printed() []string {
	out := append([]string{t.Title}, t.Sections...)
	for _, r := range t.Rows {
		out = append(out, r.Label, r.Parent)
		for _, c := range r.Columns {
			out = append(out, strings.Split(c, "/")...)
		}
		out = append(out, r.Options...)
	}
	return out
}

// Labels are the form's title, section headings, row labels and the rows
// they belong to, in the order a reader meets them: row by row, the
// section when it changes, the row the label belongs to when it changes,
// the label. Column headers and options are not among them: a form prints
// its year headers once above a table or again under each label, which
// its rows do not say.
func (t *Template) Labels() []string {
	out := []string{t.Title}
	var section, parent string
	for _, r := range t.Rows {
		if r.Section != section {
			section = r.Section
			out = append(out, section)
		}
		if r.Parent != "" && r.Parent != parent {
			out = append(out, r.Parent)
		}
		parent = r.Parent
		if r.Label != out[len(out)-1] { // a row headed by its section's words
			out = append(out, r.Label)
		}
	}
	return out
}

// gather collects of(t) over the templates in order, whitespace removed,
// empty ones dropped, each once.
func (s *Set) gather(of func(t *Template) []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range s.list {
		for _, p := range of(t) {
			if p = strings.Join(strings.Fields(p), ""); p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
