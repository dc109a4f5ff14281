package criteria

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// Check runs a profile's rules over a mapped report and returns what they
// find. profile "" picks the template's default (Template.Profile). An
// unknown profile runs the profile-independent form rules only; callers
// that take a profile from users check it against Profiles first.
func (e *Engine) Check(rep *shenbao.Report, tmpl *layout.Template, profile string) []shenbao.Finding {
	if rep == nil || tmpl == nil {
		return nil
	}
	if profile == "" {
		profile = tmpl.Profile
	}
	var rules []*Rule
	if s, ok := e.sets[profile]; ok && s.Profile {
		rules = s.resolved
	} else if form, ok := e.sets["form"]; ok {
		for i := range form.Rules {
			rules = append(rules, &form.Rules[i])
		}
	}
	c := newCtx(rep, tmpl)
	for _, r := range rules {
		checks[r.Check].run(c, r)
	}
	return c.out
}

// ctx is one report indexed for the checks.
type ctx struct {
	rep   *shenbao.Report
	tmpl  *layout.Template
	specs map[string]*layout.Spec // key → its (first) row
	order []string                // keys in the form's order
	byKey map[string][]*shenbao.Field
	boxes map[string][]*shenbao.Checkbox
	out   []shenbao.Finding
}

func newCtx(rep *shenbao.Report, tmpl *layout.Template) *ctx {
	// Sized for the template at once: growing the three maps row by row
	// was a sixth of the checks' time in a cached re-check.
	c := &ctx{rep: rep, tmpl: tmpl, specs: make(map[string]*layout.Spec, len(tmpl.Rows)),
		byKey: make(map[string][]*shenbao.Field, len(tmpl.Rows)), boxes: make(map[string][]*shenbao.Checkbox, len(tmpl.Rows)/4)}
	for i := range tmpl.Rows {
		s := &tmpl.Rows[i]
		if _, ok := c.specs[s.Key]; !ok {
			c.specs[s.Key] = s
			c.order = append(c.order, s.Key)
		}
	}
	for i := range rep.Fields {
		f := &rep.Fields[i]
		c.byKey[f.Key] = append(c.byKey[f.Key], f)
	}
	for i := range rep.Checkboxes {
		b := &rep.Checkboxes[i]
		c.boxes[b.Key] = append(c.boxes[b.Key], b)
	}
	return c
}

func (c *ctx) typ(key string) string {
	if s, ok := c.specs[key]; ok {
		return s.Type
	}
	return ""
}

func (c *ctx) summary() bool { return c.tmpl.Kind == layout.KindSummary }

// ocr reports whether counts may be off by recognition errors.
func (c *ctx) ocr() bool { return c.rep.Format == shenbao.FormatPDFScan }

func year(f *shenbao.Field) int {
	if f.Year != 0 {
		return f.Year
	}
	return layout.ColumnYear(f.Column)
}

// at returns key's field for year y (0: the single value).
func (c *ctx) at(key string, y int) *shenbao.Field {
	for _, f := range c.byKey[key] {
		if year(f) == y {
			return f
		}
	}
	return nil
}

// ivAt is key's value in year y as an interval.
func (c *ctx) ivAt(key string, y int) (iv, *shenbao.Field, bool) {
	f := c.at(key, y)
	if f == nil {
		return iv{}, nil, false
	}
	v, ok := fieldIV(f, c.typ(key))
	return v, f, ok
}

// years are the data years of key's fields, ascending (empty for a
// single-value row).
func (c *ctx) years(key string) []int {
	var ys []int
	for _, f := range c.byKey[key] {
		if y := year(f); y != 0 {
			ys = append(ys, y)
		}
	}
	sort.Ints(ys)
	return ys
}

// latest is key's single value, or its value in the last data year.
func (c *ctx) latest(key string) (iv, *shenbao.Field, bool) {
	if ys := c.years(key); len(ys) > 0 {
		return c.ivAt(key, ys[len(ys)-1])
	}
	return c.ivAt(key, 0)
}

// operand evaluates the first alternative whose rows are all present.
func (c *ctx) operand(alts []Operand) (iv, []*shenbao.Field, bool) {
	for _, o := range alts {
		if v, fs, ok := c.operand1(o); ok {
			return v, fs, true
		}
	}
	return iv{}, nil, false
}

func (c *ctx) operand1(o Operand) (iv, []*shenbao.Field, bool) {
	scale := o.Scale
	if scale == 0 {
		scale = 1
	}
	switch {
	case o.Key != "":
		v, f, ok := c.latest(o.Key)
		if !ok {
			return iv{}, nil, false
		}
		return v.scale(scale), []*shenbao.Field{f}, true
	case len(o.Product) > 0:
		v, fs, ok := c.product(o.Product, 0)
		return v.scale(scale), fs, ok
	case len(o.Sum) > 0:
		acc, found := exact(0), false
		var fs []*shenbao.Field
		for _, k := range o.Sum {
			if v, f, ok := c.latest(k); ok {
				acc, found = acc.add(v), true
				fs = append(fs, f)
			}
		}
		return acc.scale(scale), fs, found
	}
	return iv{}, nil, false
}

// product multiplies the rows' values in year y (0: each row's latest).
func (c *ctx) product(keys []string, y int) (iv, []*shenbao.Field, bool) {
	acc := exact(1)
	var fs []*shenbao.Field
	for _, k := range keys {
		var v iv
		var f *shenbao.Field
		var ok bool
		if y == 0 {
			v, f, ok = c.latest(k)
		} else {
			v, f, ok = c.ivAt(k, y)
		}
		if !ok || !v.positive() {
			return iv{}, nil, false
		}
		acc = acc.mul(v)
		fs = append(fs, f)
	}
	return acc, fs, true
}

// vars are the values a message template may name.
type vars map[string]string

// emit records a finding located on the fields it rests on.
func (c *ctx) emit(r *Rule, severity string, fs []*shenbao.Field, column string, v vars) {
	f := shenbao.Finding{Kind: r.Kind, Rule: r.ID, Severity: severity, Basis: r.Basis, Column: column}
	conf := 1.0
	for _, x := range fs {
		if x == nil {
			continue
		}
		if x.Confidence > 0 {
			conf = min(conf, x.Confidence)
		}
		f.FieldIDs = append(f.FieldIDs, x.ID)
		if f.Label == "" {
			f.Section, f.Label = x.Section, x.Label
			f.Page, f.BBox = x.Page, x.BBox
		}
	}
	if v == nil {
		v = vars{}
	}
	c.finish(&f, r, v, conf)
}

func (c *ctx) emitBoxes(r *Rule, bs []*shenbao.Checkbox, column string, v vars) {
	f := shenbao.Finding{Kind: r.Kind, Rule: r.ID, Severity: r.Severity, Basis: r.Basis, Column: column}
	pinned := false // located on a ticked box, the one the finding is about
	conf := 1.0
	for _, b := range bs {
		if b.Confidence > 0 {
			conf = min(conf, b.Confidence)
		}
		f.FieldIDs = append(f.FieldIDs, b.ID)
		if f.Label == "" {
			f.Section, f.Label = b.Section, b.Group
		}
		if f.Page == nil || (b.Checked && !pinned) {
			f.Page, f.BBox = b.Page, b.BBox
			pinned = b.Checked
		}
	}
	c.finish(&f, r, v, conf)
}

// lowConfidence is the recognition confidence below which an error resting
// on a value is reported as a warning: the value may be misread (OCR), so
// the clerk confirms it on the page before it counts against the applicant.
const lowConfidence = 0.8

func (c *ctx) finish(f *shenbao.Finding, r *Rule, v vars, conf float64) {
	if _, ok := v["label"]; !ok {
		v["label"] = f.Label
	}
	if _, ok := v["column"]; !ok {
		v["column"] = f.Column
	}
	if r.Value != nil {
		if _, ok := v["limit"]; !ok {
			v["limit"] = fmtNum(*r.Value)
		}
	}
	msg := r.Message
	if m := v["message"]; m != "" {
		msg = m
	}
	delete(v, "message")
	f.Message = expand(msg, v)
	if conf < lowConfidence && f.Severity == shenbao.SeverityError {
		f.Severity = shenbao.SeverityWarning
		f.Message += "（所依据的数据识别置信度较低，请对照原件核实）"
	}
	if f.FieldIDs == nil {
		f.FieldIDs = []string{}
	}
	c.out = append(c.out, *f)
}

// expand writes msg with each {name} of v replaced by its value, in one
// pass (a value is not expanded again); a brace naming nothing in v stays
// as written. It is what a strings.Replacer of every "{name}" would do,
// without building one per finding.
func expand(msg string, v vars) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '}')
		if j < 0 {
			break
		}
		x, ok := v[msg[i+1:i+1+j]]
		if !ok {
			b.WriteString(msg[:i+1])
			msg = msg[i+1:]
			continue
		}
		b.WriteString(msg[:i])
		b.WriteString(x)
		msg = msg[i+j+2:]
	}
	if b.Len() == 0 {
		return msg
	}
	b.WriteString(msg)
	return b.String()
}

// checks are the named checks rules refer to, the one list of their
// names: what each runs, and what a rule using it must give (Validate).
var checks = map[string]struct {
	run   func(*ctx, *Rule)
	needs func(*Rule) error // nil: nothing beyond the common members
}{
	"word_limit":    {run: checkWordLimit},
	"required":      {run: checkRequired},
	"count_names":   {run: checkCountNames},
	"single_choice": {run: checkSingleChoice},
	"numeric_text":  {run: checkNumericText},
	"decimals":      {checkDecimals, need("value", func(r *Rule) bool { return r.Value != nil })},
	"evidence":      {checkEvidence, need("types or contains", func(r *Rule) bool { return len(r.Types) > 0 || len(r.Contains) > 0 })},
	"range":         {checkRange, need("keys and min or max", func(r *Rule) bool { return len(r.Keys) > 0 && (r.Min != nil || r.Max != nil) })},
	"compare":       {checkCompare, need("key, op and value", func(r *Rule) bool { return r.Key != "" && ops[r.Op] && r.Value != nil })},
	"any_of":        {checkAnyOf, needsAnyOf},
	"answer":        {checkAnswer, need("key and bad", func(r *Rule) bool { return r.Key != "" && len(r.Bad) > 0 })},
	"trend":         {checkTrend, need("key and op", func(r *Rule) bool { return r.Key != "" && ops[r.Op] })},
	"mean_growth": {checkMeanGrowth, need("rates or levels, op and value", func(r *Rule) bool {
		return (r.Rates != "" || len(r.Levels) > 0) && ops[r.Op] && r.Value != nil
	})},
	"not_greater":      {checkNotGreater, need("key and than", func(r *Rule) bool { return r.Key != "" && r.Than != "" })},
	"growth_vs_levels": {checkGrowthVsLevels, need("rates and levels", func(r *Rule) bool { return r.Rates != "" && len(r.Levels) > 0 })},
	"mean_vs_rates": {checkMeanVsRates, need("stated and rates or levels", func(r *Rule) bool {
		return r.Stated != "" && (r.Rates != "" || len(r.Levels) > 0)
	})},
	"ratio": {checkRatio, need("stated, num, den and scale", func(r *Rule) bool {
		return r.Stated != "" && len(r.Num) > 0 && len(r.Den) > 0 && r.Scale != 0
	})},
	"reduction":   {checkReduction, need("stated and one row in levels", func(r *Rule) bool { return r.Stated != "" && len(r.Levels) == 1 })},
	"plan_base":   {checkPlanBase, need("key and base", func(r *Rule) bool { return r.Key != "" && len(r.Base) > 0 })},
	"plan_target": {checkPlanTarget, needsPlanTarget},
}

// need says what a rule of its check lacks when ok is false.
func need(what string, ok func(*Rule) bool) func(*Rule) error {
	return func(r *Rule) error {
		if !ok(r) {
			return fmt.Errorf("check %s needs %s", r.Check, what)
		}
		return nil
	}
}

func needsAnyOf(r *Rule) error {
	for _, c := range r.AnyOf {
		if len(c.Keys) == 0 || !ops[c.Op] {
			return fmt.Errorf("check any_of: every alternative needs keys and op")
		}
	}
	return need("any_of", func(r *Rule) bool { return len(r.AnyOf) > 0 })(r)
}

func needsPlanTarget(r *Rule) error {
	switch r.Target {
	case "increase":
		return need("key", func(r *Rule) bool { return r.Key != "" })(r)
	case "rate", "cagr", "level", "reduction":
		return need("key, op and value", func(r *Rule) bool { return r.Key != "" && ops[r.Op] && r.Value != nil })(r)
	}
	return fmt.Errorf("plan_target: target %q: want rate, cagr, level, reduction or increase", r.Target)
}

// isFigure reports whether a field of a row must hold a number: numeric
// rows, and the 数量 half of a count+names row.
func (c *ctx) isFigure(f *shenbao.Field) bool {
	t := c.typ(f.Key)
	return layout.IsNumeric(t) || (t == layout.TypeCountNames && f.Column == "数量")
}

// checkWordLimit: the Word 字数 over the limit is an error; on a scan, a
// count over the limit by less than the OCR margin is a warning; a text
// whose Word count fits but whose non-whitespace character count does not
// is a warning, since some reviewers count every digit and letter.
func checkWordLimit(c *ctx, r *Rule) {
	judge := func(text string, chars, limit int, emit func(sev string, v vars)) {
		if limit <= 0 {
			return
		}
		// Neither count exceeds the characters: most answers are within
		// their limit by this cheap count, and are not counted twice.
		if text != "" && utf8.RuneCountInString(text) <= limit {
			return
		}
		word, strict := CountChars(text), CountNonSpace(text)
		if text == "" {
			word, strict = chars, chars
		}
		if word <= limit && strict <= limit {
			return
		}
		margin := 0
		if c.ocr() {
			margin = max(r.MarginMin, int(math.Ceil(r.Margin*float64(limit))))
		}
		sev := r.Severity
		if word <= limit+margin {
			sev = shenbao.SeverityWarning
		}
		v := vars{"count": strconv.Itoa(word), "strict": strconv.Itoa(strict), "limit": strconv.Itoa(limit)}
		if word <= limit {
			v["message"] = r.Lesser
		}
		emit(sev, v)
	}
	for i := range c.rep.Texts {
		t := &c.rep.Texts[i]
		limit := t.Limit
		if s, ok := c.specs[t.Key]; ok && limit == 0 {
			limit = s.Limit
		}
		judge(t.Text, t.Chars, limit, func(sev string, v vars) {
			f := shenbao.Field{ID: t.ID, Section: t.Section, Label: t.Label, Page: t.Page, BBox: t.BBox}
			c.emit(r, sev, []*shenbao.Field{&f}, "", v)
		})
	}
	// Summary tables carry their 集群简介 as one field per application row.
	for i := range c.rep.Fields {
		f := &c.rep.Fields[i]
		if s, ok := c.specs[f.Key]; ok && s.Type == layout.TypeLongText {
			judge(f.Value, 0, s.Limit, func(sev string, v vars) {
				c.emit(r, sev, []*shenbao.Field{f}, f.Column, v)
			})
		}
	}
}

// located reports whether the mapper found the cell: a row it could not
// locate comes back blank with confidence 0, which is for the reviewer to
// look at (low confidence), not an applicant's blank.
func located(conf float64) bool { return conf > 0 }

func checkRequired(c *ctx, r *Rule) {
	if c.summary() {
		return
	}
	skip := map[string]bool{}
	for _, k := range r.Skip {
		skip[k] = true
	}
	if len(r.Keys) > 0 {
		// Only the rows named: every other key is skipped.
		only := map[string]bool{}
		for _, k := range r.Keys {
			only[k] = true
		}
		for _, k := range c.order {
			skip[k] = !only[k]
		}
	}
	for i := range c.rep.Fields {
		f := &c.rep.Fields[i]
		s, ok := c.specs[f.Key]
		if !ok || !s.Required() || skip[f.Key] || !blank(f.Value) || !located(f.Confidence) {
			continue
		}
		c.emit(r, r.Severity, []*shenbao.Field{f}, f.Column, nil)
	}
	for i := range c.rep.Texts {
		t := &c.rep.Texts[i]
		s, ok := c.specs[t.Key]
		if !ok || !s.Required() || skip[t.Key] || !blank(t.Text) || !located(t.Confidence) {
			continue
		}
		f := shenbao.Field{ID: t.ID, Section: t.Section, Label: t.Label, Page: t.Page, BBox: t.BBox}
		c.emit(r, r.Severity, []*shenbao.Field{&f}, "", nil)
	}
}

// checkCountNames: a count+names row must agree with itself: a count with
// no names, or names with a count of 0. (Blank halves are for required.)
func checkCountNames(c *ctx, r *Rule) {
	for _, key := range c.order {
		if c.typ(key) != layout.TypeCountNames {
			continue
		}
		var count, names *shenbao.Field
		for _, f := range c.byKey[key] {
			switch f.Column {
			case "数量":
				count = f
			case "名称":
				names = f
			}
		}
		if count == nil || names == nil {
			continue
		}
		n := number(count)
		switch {
		case n != nil && *n > 0 && none(names.Value):
			c.emit(r, r.Severity, []*shenbao.Field{names, count}, names.Column,
				vars{"count": count.Value, "names": names.Value})
		case (n != nil && *n == 0 || none(count.Value)) && !blank(names.Value) && !none(names.Value):
			c.emit(r, r.Severity, []*shenbao.Field{count, names}, count.Column,
				vars{"count": count.Value, "names": names.Value})
		}
	}
}

func checkSingleChoice(c *ctx, r *Rule) {
	for _, key := range c.order {
		if c.typ(key) != layout.TypeChoice {
			continue
		}
		bs := c.boxes[key]
		var ticked []string
		found := false
		for _, b := range bs {
			found = found || located(b.Confidence)
			if b.Checked {
				ticked = append(ticked, b.Option)
			}
		}
		if !found || len(ticked) == 1 {
			continue
		}
		col, what := "", "未勾选任何选项"
		if len(ticked) > 1 {
			col = strings.Join(ticked, "、")
			what = "同时勾选了" + col
		}
		c.emitBoxes(r, bs, col, vars{"options": what})
	}
}

func checkDecimals(c *ctx, r *Rule) {
	maxd := int(*r.Value)
	for i := range c.rep.Fields {
		f := &c.rep.Fields[i]
		if !c.isFigure(f) && c.typ(f.Key) != layout.TypePlanTarget {
			continue
		}
		if d := decimals(f.Value); d > maxd {
			c.emit(r, r.Severity, []*shenbao.Field{f}, f.Column, vars{"value": f.Value, "count": strconv.Itoa(d)})
		}
	}
}

func checkNumericText(c *ctx, r *Rule) {
	for i := range c.rep.Fields {
		f := &c.rep.Fields[i]
		if !c.isFigure(f) || blank(f.Value) || none(f.Value) || number(f) != nil {
			continue
		}
		c.emit(r, r.Severity, []*shenbao.Field{f}, f.Column, vars{"value": f.Value})
	}
}

func checkRange(c *ctx, r *Rule) {
	for _, k := range r.Keys {
		for _, f := range c.byKey[k] {
			n := number(f)
			if n == nil {
				continue
			}
			if (r.Min != nil && *n < *r.Min) || (r.Max != nil && *n > *r.Max) {
				v := vars{"value": f.Value}
				if r.Min != nil {
					v["min"] = fmtNum(*r.Min)
				}
				if r.Max != nil {
					v["max"] = fmtNum(*r.Max)
				}
				c.emit(r, r.Severity, []*shenbao.Field{f}, f.Column, v)
			}
		}
	}
}

// pick is the fields a threshold names: every year (default), or the last.
func (c *ctx) pick(key, which string) []*shenbao.Field {
	ys := c.years(key)
	if len(ys) == 0 {
		if f := c.at(key, 0); f != nil {
			return []*shenbao.Field{f}
		}
		return nil
	}
	if which == "last" {
		ys = ys[len(ys)-1:]
	}
	var out []*shenbao.Field
	for _, y := range ys {
		out = append(out, c.at(key, y))
	}
	return out
}

func yearVar(f *shenbao.Field) string {
	if y := year(f); y != 0 {
		return strconv.Itoa(y) + "年"
	}
	return ""
}

func checkCompare(c *ctx, r *Rule) {
	for _, f := range c.pick(r.Key, r.Years) {
		n := number(f)
		if n == nil || compare(*n, r.Op, *r.Value) {
			continue
		}
		c.emit(r, r.Severity, []*shenbao.Field{f}, f.Column, vars{"value": f.Value, "year": yearVar(f)})
	}
}

// checkAnyOf: at least one alternative (a sum of counts against a floor)
// holds in the last data year. Alternatives whose rows the edition lacks
// are left out; with none left the rule does not apply.
func checkAnyOf(c *ctx, r *Rule) {
	y := 0
	for _, cond := range r.AnyOf {
		for _, k := range cond.Keys {
			if ys := c.years(k); len(ys) > 0 {
				y = max(y, ys[len(ys)-1])
			}
		}
	}
	var fs []*shenbao.Field
	var parts []string
	usable := false
	for _, cond := range r.AnyOf {
		sum, found := 0.0, false
		for _, k := range cond.Keys {
			f := c.at(k, y)
			if f == nil {
				continue
			}
			if n := number(f); n != nil {
				sum += *n
				found = true
				fs = append(fs, f)
			}
		}
		if !found {
			continue
		}
		usable = true
		if compare(sum, cond.Op, cond.Value) {
			return
		}
		parts = append(parts, fmtNum(sum))
	}
	if !usable {
		return
	}
	col := ""
	if y != 0 {
		col = strconv.Itoa(y) + "年"
	}
	c.emit(r, r.Severity, fs, col, vars{"year": col, "values": strings.Join(parts, "、")})
}

func checkAnswer(c *ctx, r *Rule) {
	bad := map[string]bool{}
	for _, o := range r.Bad {
		bad[o] = true
	}
	bs := c.boxes[r.Key]
	for _, b := range bs {
		if b.Checked && bad[b.Option] {
			c.emitBoxes(r, []*shenbao.Checkbox{b}, b.Option, vars{"option": b.Option})
		}
	}
}

// checkTrend: each year against the one before, e.g. CO₂ intensity must
// fall year on year (op "<").
func checkTrend(c *ctx, r *Rule) {
	ys := c.years(r.Key)
	for i := 1; i < len(ys); i++ {
		prev, cur := c.at(r.Key, ys[i-1]), c.at(r.Key, ys[i])
		p, n := number(prev), number(cur)
		if p == nil || n == nil || compare(*n, r.Op, *p) {
			continue
		}
		c.emit(r, r.Severity, []*shenbao.Field{cur, prev}, cur.Column,
			vars{"value": cur.Value, "year": yearVar(cur), "prev": prev.Value, "prev_year": yearVar(prev)})
	}
}

// meanRate is the average yearly growth (%) the application reports: the
// geometric mean of the printed yearly rates, else the compound rate of the
// first and last year's level (the product of Levels).
func (c *ctx) meanRate(r *Rule) (iv, []*shenbao.Field, string, bool) {
	if r.Rates != "" {
		ys := c.years(r.Rates)
		if len(ys) > 0 {
			acc := exact(1)
			var fs []*shenbao.Field
			for _, y := range ys {
				v, f, ok := c.ivAt(r.Rates, y)
				if !ok || v.lo <= -100 {
					return iv{}, nil, "", false
				}
				acc = acc.mul(v.scale(0.01).add(exact(1)))
				fs = append(fs, f)
			}
			return root(acc, len(ys)), fs, "rates", true
		}
	}
	if len(r.Levels) > 0 {
		ys := c.years(r.Levels[0])
		if len(ys) < 2 {
			return iv{}, nil, "", false
		}
		first, f0, ok0 := c.product(r.Levels, ys[0])
		last, f1, ok1 := c.product(r.Levels, ys[len(ys)-1])
		if !ok0 || !ok1 {
			return iv{}, nil, "", false
		}
		return root(last.div(first), ys[len(ys)-1]-ys[0]), append(f1, f0...), "levels", true
	}
	return iv{}, nil, "", false
}

// root turns a growth factor over n years into a yearly rate in %.
func root(factor iv, n int) iv {
	f := func(x float64) float64 { return (math.Pow(x, 1/float64(n)) - 1) * 100 }
	return iv{f(factor.v), f(factor.lo), f(factor.hi)}
}

func checkMeanGrowth(c *ctx, r *Rule) {
	m, fs, _, ok := c.meanRate(r)
	if !ok || compare(m.v, r.Op, *r.Value) {
		return
	}
	c.emit(r, r.Severity, fs, "", vars{"value": fmt2(m.v)})
}

func checkNotGreater(c *ctx, r *Rule) {
	for _, f := range c.byKey[r.Key] {
		g := c.at(r.Than, year(f))
		if g == nil {
			continue
		}
		a, b := number(f), number(g)
		if a == nil || b == nil || *a <= *b {
			continue
		}
		c.emit(r, r.Severity, []*shenbao.Field{f, g}, f.Column,
			vars{"value": f.Value, "than": g.Value, "than_label": g.Label, "year": yearVar(f)})
	}
}

// off reports whether a stated figure lies outside what the recomputation
// allows, rounding of every input and of the figure itself included, plus
// the rule's slack.
func off(stated, recomputed iv, tolerance float64) bool {
	return gap(stated, recomputed) > tolerance+1e-9
}

// checkGrowthVsLevels: each printed yearly rate against the level it
// describes (the product of Levels) in that year and the year before. The
// first year's rate rests on an unprinted prior year and is not checked.
func checkGrowthVsLevels(c *ctx, r *Rule) {
	ys := c.years(r.Rates)
	for _, y := range ys {
		stated, f, ok := c.ivAt(r.Rates, y)
		if !ok {
			continue
		}
		cur, fc, ok1 := c.product(r.Levels, y)
		prev, fp, ok2 := c.product(r.Levels, y-1)
		if !ok1 || !ok2 {
			continue
		}
		re := cur.div(prev).add(exact(-1)).scale(100)
		if off(stated, re, r.Tolerance) {
			fs := append([]*shenbao.Field{f}, fc...)
			c.emit(r, r.Severity, append(fs, fp...), f.Column,
				vars{"value": f.Value, "expected": fmt2(re.v), "year": yearVar(f)})
		}
	}
}

func checkMeanVsRates(c *ctx, r *Rule) {
	stated, f, ok := c.ivAt(r.Stated, 0)
	if !ok {
		return
	}
	m, fs, how, ok := c.meanRate(r)
	if !ok {
		return
	}
	tol := r.Tolerance
	if how == "rates" {
		// The rates are printed; only rounding separates them from the mean.
		tol = 0
	}
	if off(stated, m, tol) {
		c.emit(r, r.Severity, append([]*shenbao.Field{f}, fs...), f.Column,
			vars{"value": f.Value, "expected": fmt2(m.v)})
	}
}

func checkRatio(c *ctx, r *Rule) {
	stated, f, ok := c.ivAt(r.Stated, 0)
	if !ok {
		return
	}
	num, fn, ok1 := c.operand(r.Num)
	den, fd, ok2 := c.operand(r.Den)
	if !ok1 || !ok2 || !den.positive() {
		return
	}
	re := num.div(den).scale(r.Scale)
	if off(stated, re, r.Tolerance) {
		fs := append([]*shenbao.Field{f}, fn...)
		c.emit(r, r.Severity, append(fs, fd...), f.Column, vars{"value": f.Value, "expected": fmt2(re.v)})
	}
}

// checkReduction: a stated fall (%) against the first and last year's level.
func checkReduction(c *ctx, r *Rule) {
	stated, f, ok := c.ivAt(r.Stated, 0)
	if !ok {
		return
	}
	ys := c.years(r.Levels[0])
	if len(ys) < 2 {
		return
	}
	a, fa, ok1 := c.ivAt(r.Levels[0], ys[0])
	b, fb, ok2 := c.ivAt(r.Levels[0], ys[len(ys)-1])
	if !ok1 || !ok2 || !a.positive() {
		return
	}
	re := exact(1).add(b.div(a).scale(-1)).scale(100)
	if off(stated, re, r.Tolerance) {
		c.emit(r, r.Severity, []*shenbao.Field{f, fa, fb}, f.Column, vars{"value": f.Value, "expected": fmt2(re.v)})
	}
}

func hasPercent(v string) bool { return strings.ContainsAny(v, "%％") }

// isPercent reports whether a recomputed figure is a percentage: it rests
// on one percent row alone.
func (c *ctx) isPercent(fs []*shenbao.Field) bool {
	return len(fs) == 1 && c.typ(fs[0].Key) == layout.TypePercent
}

// planCells returns a plan row's 基准值 and 目标值 fields.
func (c *ctx) planCells(key string) (base, target *shenbao.Field) {
	for _, f := range c.byKey[key] {
		switch {
		case strings.Contains(f.Column, "基准值"):
			base = f
		case strings.Contains(f.Column, "目标值"):
			target = f
		}
	}
	return base, target
}

func checkPlanBase(c *ctx, r *Rule) {
	base, _ := c.planCells(r.Key)
	if base == nil {
		return
	}
	stated, ok := firstNumber(base.Value)
	if !ok {
		return
	}
	want, fs, ok := c.operand(r.Base)
	if !ok || c.isPercent(fs) != hasPercent(base.Value) || !off(stated, want, r.Tolerance) {
		// A base written in another measure (研发投入强度3.36% for 研发经费)
		// is a different reading, not a wrong figure.
		return
	}
	c.emit(r, r.Severity, append([]*shenbao.Field{base}, fs...), base.Column,
		vars{"value": base.Value, "expected": fmt2(want.v)})
}

func checkPlanTarget(c *ctx, r *Rule) {
	base, target := c.planCells(r.Key)
	if target == nil {
		return
	}
	t, haveT := firstNumber(target.Value)
	if r.Target != "reduction" && !haveT {
		return
	}
	var b iv
	haveBase := false
	if base != nil {
		b, haveBase = firstNumber(base.Value)
	}
	limit := 0.0
	if r.Value != nil {
		limit = *r.Value * (1 - r.Approx)
	}
	var got float64
	switch r.Target {
	case "rate", "level":
		got = t.v
	case "increase":
		if !haveBase || t.v > b.v {
			return
		}
		c.emit(r, r.Severity, []*shenbao.Field{target, base}, target.Column,
			vars{"value": target.Value, "base": base.Value})
		return
	case "cagr":
		if hasPercent(target.Value) {
			// "年均增长12%": the target states the yearly rate itself.
			got = t.v
			break
		}
		n := headerYear(target.Column) - headerYear(base.Column)
		if !haveBase || n <= 0 || b.v <= 0 || t.v <= 0 || hasPercent(base.Value) {
			return
		}
		got = (math.Pow(t.v/b.v, 1/float64(n)) - 1) * 100
	case "reduction":
		if red, ok := statedReduction(target.Value); ok {
			got = red.v
		} else if haveBase && haveT && b.v > 0 && t.v < b.v {
			// "0.37吨/万元" without a stated fall: the fall from the base.
			got = (b.v - t.v) / b.v * 100
		} else {
			return
		}
	}
	if compare(got, r.Op, limit) {
		return
	}
	fs := []*shenbao.Field{target}
	if base != nil {
		fs = append(fs, base)
	}
	c.emit(r, r.Severity, fs, target.Column, vars{"value": target.Value, "got": fmt2(got)})
}

// checkEvidence lists, at info level, what the clerk must find among the
// attachments: the ticked options of groups whose ticks need proof and the
// entries of rows that ask for a list.
func checkEvidence(c *ctx, r *Rule) {
	types := map[string]bool{}
	for _, t := range r.Types {
		types[t] = true
	}
	asks := func(s *layout.Spec) bool {
		for _, w := range r.Contains {
			if strings.Contains(s.Label, w) || strings.Contains(s.Parent, w) {
				return true
			}
		}
		return false
	}
	for _, key := range c.order {
		s := c.specs[key]
		switch {
		case s.IsCheckbox() && (types[s.Type] || asks(s)):
			var ticked []*shenbao.Checkbox
			var names []string
			for _, b := range c.boxes[key] {
				if b.Checked {
					ticked = append(ticked, b)
					names = append(names, b.Option)
				}
			}
			if len(ticked) > 0 {
				c.emitBoxes(r, ticked, "", vars{"items": strings.Join(names, "；")})
			}
		case asks(s) || types[s.Type]:
			var fs []*shenbao.Field
			var items []string
			total := 0.0
			for _, f := range c.byKey[key] {
				if n := number(f); n != nil && c.isFigure(f) {
					total += *n
				}
				if f.Column == "名称" && !blank(f.Value) && !none(f.Value) {
					items = append(items, f.Value)
				}
				fs = append(fs, f)
			}
			if total > 0 {
				if len(items) == 0 {
					items = append(items, "合计"+fmtNum(total)+"项")
				}
				c.emit(r, r.Severity, fs, "", vars{"items": strings.Join(items, "；")})
			}
		}
	}
}
