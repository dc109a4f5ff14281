// Package criteria checks a mapped application against the rules that
// govern it: the 填报说明 of the form (word limits, blanks, decimals, ticks),
// the consistency of its own numbers, the thresholds of the applicable
// standard (national 认定标准(2022年版), Chongqing 申报条件, a lenient western
// profile, or a province's own file) and the plan-target requirements.
//
// Rules are data (rules/*.yaml, embedded): each names one of a small set of
// check functions (check.go) and gives it its keys, operator, threshold,
// message template and the clause it rests on. A province changes a number
// by writing a profile file, not code.
package criteria

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shenbao/shenbao"
)

// Rule is one check as data. Which members a rule uses depends on Check;
// Validate says which are required.
type Rule struct {
	ID       string `yaml:"id" json:"id,omitempty"`
	Kind     string `yaml:"kind" json:"kind,omitempty"`
	Severity string `yaml:"severity" json:"severity,omitempty"`
	Check    string `yaml:"check" json:"check,omitempty"`
	Basis    string `yaml:"basis" json:"basis,omitempty"`
	Message  string `yaml:"message" json:"message,omitempty"`
	// Lesser is the message for the lesser case of a check that has one
	// (word_limit: only the stricter non-whitespace count is over).
	Lesser string `yaml:"lesser,omitempty" json:"lesser,omitempty"`

	Key   string   `yaml:"key,omitempty" json:"key,omitempty"`     // the row (template key) the rule reads
	Keys  []string `yaml:"keys,omitempty" json:"keys,omitempty"`   // rows the rule applies to, or sums
	Than  string   `yaml:"than,omitempty" json:"than,omitempty"`   // not_greater: the row that bounds Key
	Years string   `yaml:"years,omitempty" json:"years,omitempty"` // each (default) or last

	Op     string   `yaml:"op,omitempty" json:"op,omitempty"` // >=, >, <=, <
	Value  *float64 `yaml:"value,omitempty" json:"value,omitempty"`
	Min    *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max    *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	Approx float64  `yaml:"approx,omitempty" json:"approx,omitempty"` // 左右: accept Value×(1−Approx)

	AnyOf []Cond `yaml:"any_of,omitempty" json:"any_of,omitempty"`

	Bad []string `yaml:"bad,omitempty" json:"bad,omitempty"` // answer: the disqualifying options

	Stated    string    `yaml:"stated,omitempty" json:"stated,omitempty"` // the printed figure an arithmetic rule recomputes
	Rates     string    `yaml:"rates,omitempty" json:"rates,omitempty"`   // a row of yearly growth rates (%)
	Levels    []string  `yaml:"levels,omitempty" json:"levels,omitempty"` // rows whose product is the level the rates describe
	Num       []Operand `yaml:"num,omitempty" json:"num,omitempty"`       // ratio: alternatives for the numerator
	Den       []Operand `yaml:"den,omitempty" json:"den,omitempty"`       // ratio: alternatives for the denominator
	Scale     float64   `yaml:"scale,omitempty" json:"scale,omitempty"`
	Tolerance float64   `yaml:"tolerance,omitempty" json:"tolerance,omitempty"` // slack in the stated unit beyond rounding
	Base      []Operand `yaml:"base,omitempty" json:"base,omitempty"`           // plan_base: what the 基准值 must equal
	Target    string    `yaml:"target,omitempty" json:"target,omitempty"`       // plan_target: rate, cagr, level, reduction, increase
	Types     []string  `yaml:"types,omitempty" json:"types,omitempty"`         // evidence: row types whose ticks need proof
	Contains  []string  `yaml:"contains,omitempty" json:"contains,omitempty"`   // evidence: label words that ask for a list
	Margin    float64   `yaml:"margin,omitempty" json:"margin,omitempty"`       // word_limit: OCR uncertainty, fraction of the limit
	MarginMin int       `yaml:"margin_min,omitempty" json:"margin_min,omitempty"`
	Skip      []string  `yaml:"skip,omitempty" json:"skip,omitempty"` // required: keys the rule leaves alone
	Set       string    `yaml:"-" json:"-"`                           // the rule set it came from
}

// Cond is one alternative of an any_of rule: the sum of Keys compared to Value.
type Cond struct {
	Keys  []string `yaml:"keys" json:"keys,omitempty"`
	Op    string   `yaml:"op" json:"op,omitempty"`
	Value float64  `yaml:"value" json:"value,omitempty"`
}

// Operand is a value an arithmetic rule reads: one row (its single value, or
// its last year's value), or the product of rows times Scale, or a sum.
type Operand struct {
	Key     string   `yaml:"key,omitempty" json:"key,omitempty"`
	Product []string `yaml:"product,omitempty" json:"product,omitempty"`
	Sum     []string `yaml:"sum,omitempty" json:"sum,omitempty"`
	Scale   float64  `yaml:"scale,omitempty" json:"scale,omitempty"`
}

// RuleSet is one file of rules. A set with Profile true can be chosen as a
// profile; it includes the sets named in Uses and, with Extends, starts from
// another profile's rules, replacing the members given in Override.
type RuleSet struct {
	ID       string   `yaml:"set" json:"set"`
	Name     string   `yaml:"name" json:"name,omitempty"`
	Profile  bool     `yaml:"profile,omitempty" json:"profile,omitempty"`
	Basis    string   `yaml:"basis,omitempty" json:"basis,omitempty"`
	Note     string   `yaml:"note,omitempty" json:"note,omitempty"`
	Uses     []string `yaml:"uses,omitempty" json:"uses,omitempty"`
	Extends  string   `yaml:"extends,omitempty" json:"extends,omitempty"`
	Override []Rule   `yaml:"override,omitempty" json:"override,omitempty"`
	Rules    []Rule   `yaml:"rules" json:"rules,omitempty"`
	resolved []*Rule  // a profile's rules after Uses, Extends and Override
}

// Engine holds the loaded, validated rule sets.
type Engine struct {
	sets  map[string]*RuleSet
	order []string
}

//go:embed rules/*.yaml
var rulesFS embed.FS

// Load reads and validates the embedded rule sets.
func Load() (*Engine, error) {
	names, err := fs.Glob(rulesFS, "rules/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list rule sets: %w", err)
	}
	e := &Engine{sets: map[string]*RuleSet{}}
	for _, name := range names {
		data, err := rulesFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read rule set %s: %w", name, err)
		}
		s, err := parseSet(data)
		if err != nil {
			return nil, fmt.Errorf("rule set %s: %w", path.Base(name), err)
		}
		if err := e.add(s); err != nil {
			return nil, fmt.Errorf("rule set %s: %w", path.Base(name), err)
		}
	}
	if err := e.resolve(); err != nil {
		return nil, err
	}
	return e, nil
}

// MustLoad is Load for start-up and tests: the embedded rules are part of
// the binary, so a bad one is a build defect.
func MustLoad() *Engine {
	e, err := Load()
	if err != nil {
		panic(err)
	}
	return e
}

// LoadProfileFile adds a profile written by a province (same schema as the
// embedded sets, usually `extends: nat` with its own numbers in override)
// and returns its id.
func (e *Engine) LoadProfileFile(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", shenbao.Wrap(shenbao.ENOTFOUND, err,
			"无法读取评审标准文件 %s，请检查路径。/ Cannot read the criteria profile %s; check the path.", file, file)
	}
	s, err := parseSet(data)
	if err == nil && !s.Profile {
		err = fmt.Errorf("profile: true is required")
	}
	if err == nil {
		err = e.add(s)
		if err == nil {
			if err = e.resolveSet(s, map[string]bool{}); err != nil {
				delete(e.sets, s.ID)
				e.order = without(e.order, s.ID)
			}
		}
	}
	if err != nil {
		return "", shenbao.Wrap(shenbao.EINVALID, err,
			"评审标准文件 %s 有误：%v。请按内置标准（如 nat）的格式修改。/ The criteria profile %s is invalid: %v. Follow the format of a built-in profile such as nat.",
			file, err, file, err)
	}
	return s.ID, nil
}

func without(list []string, id string) []string {
	out := list[:0]
	for _, x := range list {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func parseSet(data []byte) (*RuleSet, error) {
	var s RuleSet
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return &s, fmt.Errorf("decode: %w", err)
	}
	if s.ID == "" || s.Name == "" {
		return &s, fmt.Errorf("set and name are required")
	}
	for i := range s.Rules {
		s.Rules[i].Set = s.ID
		if err := s.Rules[i].Validate(); err != nil {
			return &s, fmt.Errorf("rule %d (%s): %w", i+1, s.Rules[i].ID, err)
		}
	}
	return &s, nil
}

func (e *Engine) add(s *RuleSet) error {
	if _, dup := e.sets[s.ID]; dup {
		return fmt.Errorf("duplicate rule set %q", s.ID)
	}
	e.sets[s.ID] = s
	e.order = append(e.order, s.ID)
	return nil
}

func (e *Engine) resolve() error {
	ids := map[string]string{}
	for _, id := range e.order {
		for _, r := range e.sets[id].Rules {
			if other, dup := ids[r.ID]; dup {
				return fmt.Errorf("rule id %q is in both %s and %s", r.ID, other, id)
			}
			ids[r.ID] = id
		}
	}
	for _, id := range e.order {
		if s := e.sets[id]; s.Profile {
			if err := e.resolveSet(s, map[string]bool{}); err != nil {
				return fmt.Errorf("profile %s: %w", id, err)
			}
		}
	}
	return nil
}

// resolveSet computes a profile's rules: those of the profile it extends
// (with overrides applied), of the sets it uses, and its own.
func (e *Engine) resolveSet(s *RuleSet, seen map[string]bool) error {
	if seen[s.ID] {
		return fmt.Errorf("profile %s extends itself", s.ID)
	}
	seen[s.ID] = true
	var out []*Rule
	have := map[string]bool{}
	add := func(r *Rule) {
		if !have[r.ID] {
			have[r.ID] = true
			out = append(out, r)
		}
	}
	if s.Extends != "" {
		base, ok := e.sets[s.Extends]
		if !ok || !base.Profile {
			return fmt.Errorf("extends %q: no such profile", s.Extends)
		}
		if err := e.resolveSet(base, seen); err != nil {
			return err
		}
		over := map[string]*Rule{}
		for i := range s.Override {
			over[s.Override[i].ID] = &s.Override[i]
		}
		for _, r := range base.resolved {
			if o, ok := over[r.ID]; ok {
				m := merge(*r, *o, s.ID)
				if err := m.Validate(); err != nil {
					return fmt.Errorf("override %s: %w", r.ID, err)
				}
				delete(over, r.ID)
				add(&m)
				continue
			}
			add(r)
		}
		for id := range over {
			return fmt.Errorf("override %s: %s has no such rule", id, s.Extends)
		}
	} else if len(s.Override) > 0 {
		return fmt.Errorf("override without extends")
	}
	for _, u := range s.Uses {
		used, ok := e.sets[u]
		if !ok {
			return fmt.Errorf("uses %q: no such rule set", u)
		}
		for i := range used.Rules {
			add(&used.Rules[i])
		}
	}
	for i := range s.Rules {
		add(&s.Rules[i])
	}
	s.resolved = out
	return nil
}

// merge returns base with the members o sets; the rule keeps its id (so a
// finding names the same clause everywhere) and records the profile that
// changed it.
func merge(base, o Rule, set string) Rule {
	if o.Severity != "" {
		base.Severity = o.Severity
	}
	if o.Basis != "" {
		base.Basis = o.Basis
	}
	if o.Message != "" {
		base.Message = o.Message
	}
	if o.Lesser != "" {
		base.Lesser = o.Lesser
	}
	if o.Op != "" {
		base.Op = o.Op
	}
	if o.Value != nil {
		base.Value = o.Value
	}
	if o.Min != nil {
		base.Min = o.Min
	}
	if o.Max != nil {
		base.Max = o.Max
	}
	if o.Approx != 0 {
		base.Approx = o.Approx
	}
	if o.AnyOf != nil {
		base.AnyOf = o.AnyOf
	}
	if o.Tolerance != 0 {
		base.Tolerance = o.Tolerance
	}
	base.Set = set
	return base
}

var kinds = map[string]bool{
	shenbao.KindWordLimit: true, shenbao.KindMissing: true, shenbao.KindDecimals: true,
	shenbao.KindThreshold: true, shenbao.KindArithmetic: true, shenbao.KindCheckbox: true,
	shenbao.KindPlanTarget: true,
}

var severities = map[string]bool{shenbao.SeverityError: true, shenbao.SeverityWarning: true, shenbao.SeverityInfo: true}

var ops = map[string]bool{">=": true, ">": true, "<=": true, "<": true}

// Validate checks a rule for what a hand-written file gets wrong: unknown
// kinds, severities, checks or operators, and members a check needs.
func (r *Rule) Validate() error {
	if r.ID == "" || r.Message == "" || r.Basis == "" {
		return fmt.Errorf("id, message and basis are required")
	}
	if !kinds[r.Kind] {
		return fmt.Errorf("kind %q is not in the report vocabulary", r.Kind)
	}
	if !severities[r.Severity] {
		return fmt.Errorf("severity %q: want error, warning or info", r.Severity)
	}
	c, ok := checks[r.Check]
	switch {
	case !ok:
		return fmt.Errorf("unknown check %q", r.Check)
	case c.needs != nil:
		return c.needs(r)
	}
	return nil
}

// Profiles returns the ids of the profiles one can check against.
func (e *Engine) Profiles() []string {
	var out []string
	for _, id := range e.order {
		if e.sets[id].Profile {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Rules returns the rule sets, ordered by id, each with its own rules; a
// profile's Uses and Extends say what else it applies.
func (e *Engine) Rules() []RuleSet {
	ids := append([]string(nil), e.order...)
	sort.Strings(ids)
	out := make([]RuleSet, 0, len(ids))
	for _, id := range ids {
		s := *e.sets[id]
		s.resolved = nil
		out = append(out, s)
	}
	return out
}

// ProfileRules returns the rules a profile applies, after Uses, Extends and
// Override, or false when there is no such profile.
func (e *Engine) ProfileRules(profile string) ([]Rule, bool) {
	s, ok := e.sets[profile]
	if !ok || !s.Profile {
		return nil, false
	}
	out := make([]Rule, len(s.resolved))
	for i, r := range s.resolved {
		out[i] = *r
	}
	return out, true
}
