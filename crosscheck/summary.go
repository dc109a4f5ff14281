package crosscheck

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
)

// IntroFact is a figure a 集群简介 may cite, found with Pattern; Value and
// Year are capture group numbers (Year 0: the sentence names no year).
type IntroFact struct {
	Key      string `yaml:"key"`
	Label    string `yaml:"label"`
	Pattern  string `yaml:"pattern"`
	Year     int    `yaml:"year"`
	Value    int    `yaml:"value"`
	Unyeared bool   `yaml:"unyeared"`
}

type compiledFact struct {
	IntroFact
	re *regexp.Regexp
}

func compileFacts(fs []IntroFact) ([]compiledFact, error) {
	var out []compiledFact
	for _, f := range fs {
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return nil, fmt.Errorf("intro fact %s: %w", f.Key, err)
		}
		if f.Key == "" || f.Value < 1 || f.Value > re.NumSubexp() || f.Year > re.NumSubexp() {
			return nil, fmt.Errorf("intro fact %s: key, and value/year groups within the pattern's %d groups, are required", f.Key, re.NumSubexp())
		}
		out = append(out, compiledFact{f, re})
	}
	return out, nil
}

// citedFact is one figure found in a 集群简介.
type citedFact struct {
	fact  *compiledFact
	year  int
	value string
	pos   int
}

// cite finds the figures an introduction cites. A figure without a year
// takes the last year named before it, or the table's data year.
func (c *Checker) cite(intro string, dataYear int) []citedFact {
	var out []citedFact
	for i := range c.facts {
		f := &c.facts[i]
		for _, m := range f.re.FindAllStringSubmatchIndex(intro, -1) {
			cf := citedFact{fact: f, value: intro[m[2*f.Value]:m[2*f.Value+1]], pos: m[0]}
			if f.Year > 0 {
				cf.year, _ = strconv.Atoi(intro[m[2*f.Year]:m[2*f.Year+1]])
			}
			out = append(out, cf)
		}
	}
	slices.SortFunc(out, func(a, b citedFact) int { return cmp.Compare(a.pos, b.pos) })
	year := dataYear
	for i := range out {
		switch {
		case out[i].fact.Unyeared:
			out[i].year = 0
		case out[i].year != 0:
			year = out[i].year
		default:
			out[i].year = year
		}
	}
	return out
}

// summaryRow is one row of a summary table.
type summaryRow struct {
	no     string // 序号
	fields map[string]*shenbao.Field
	id     identity
	unit   string
}

func (r *summaryRow) value(key string) string {
	if f := r.fields[key]; f != nil {
		return strings.TrimSpace(f.Value)
	}
	return ""
}

func (c *Checker) rows(s *doc) []*summaryRow {
	byNo := map[string]*summaryRow{}
	var out []*summaryRow
	for i := range s.r.Fields {
		f := &s.r.Fields[i]
		r := byNo[f.Column]
		if r == nil {
			r = &summaryRow{no: f.Column, fields: map[string]*shenbao.Field{}}
			byNo[f.Column] = r
			out = append(out, r)
		}
		r.fields[f.Key] = f
	}
	preset := c.rules.EditionRegions[s.edition]
	for _, r := range out {
		written, _ := parseName(normalize(r.value("sum_region")))
		r.id = makeIdentity(r.value("sum_name"), r.value("sum_org"), written, preset)
		r.unit = c.rules.unit(r.id.region)
	}
	slices.SortStableFunc(out, func(a, b *summaryRow) int {
		x, errx := strconv.Atoi(a.no)
		y, erry := strconv.Atoi(b.no)
		if errx == nil && erry == nil {
			return cmp.Compare(x, y)
		}
		return cmp.Compare(a.no, b.no)
	})
	return out
}

// rowScore weighs name, institution and place, so that a row whose name
// (or place) was mistyped is still matched to its application and the
// mistake reported as a disagreement rather than as a missing row.
func rowScore(r identity, a identity) float64 {
	s := 0.5 * dice(r.core, a.core)
	if r.org != "" && a.org != "" {
		s += 0.25 * dice(r.org, a.org)
	}
	if regionCompatible(r.region, a.region) {
		s += 0.25
	}
	return s
}

// summaries matches each summary table's rows to the applications of its
// edition, compares what both say, and reports rows without application
// and applications of a covered province or county without row.
func (c *Checker) summaries(sums, apps []*doc, m *clusters, threshold float64) []Result {
	var out []Result
	listed := map[int]bool{}
	type scope struct{ edition, unit string }
	covering := map[scope][]string{}
	for _, s := range sums {
		rows := c.rows(s)
		var cands []int
		for i, a := range apps {
			if a.edition == s.edition {
				cands = append(cands, i)
			}
		}
		type link struct {
			row, app int
			score    float64
		}
		var links []link
		for ri, r := range rows {
			if r.unit != "" && !slices.Contains(covering[scope{s.edition, r.unit}], s.file) {
				covering[scope{s.edition, r.unit}] = append(covering[scope{s.edition, r.unit}], s.file)
			}
			for _, ai := range cands {
				if sc := rowScore(r.id, apps[ai].id); sc >= threshold {
					links = append(links, link{ri, ai, sc})
				}
			}
		}
		// Greedy assignment, best score first: one row, one application.
		slices.SortStableFunc(links, func(a, b link) int { return cmp.Compare(b.score, a.score) })
		rowApp := map[int]int{}
		taken := map[int]bool{}
		for _, l := range links {
			if _, done := rowApp[l.row]; done || taken[l.app] {
				continue
			}
			rowApp[l.row] = l.app
			taken[l.app] = true
			// The same application filed twice (docx and PDF) is listed
			// once, and both files are on the table.
			listed[m.find(l.app)] = true
		}
		for ri, r := range rows {
			out = append(out, c.introLimit(s, r)...)
			ai, ok := rowApp[ri]
			if !ok {
				out = append(out, summaryResult(s, r, "sum_name", nil, "summary.orphan_row", shenbao.SeverityWarning,
					fmt.Sprintf("汇总表第%s行「%s」在本批申报表中没有对应的申报表。", r.no, r.value("sum_name")),
					"汇总表所列集群应附申报表"))
				continue
			}
			out = append(out, c.compareRow(s, r, apps[ai])...)
		}
	}
	for i, a := range apps {
		files := covering[scope{a.edition, a.unit}]
		if listed[m.find(i)] || len(files) == 0 {
			continue
		}
		slices.Sort(files)
		out = append(out, Result{
			Document: a.file,
			Others:   files,
			Finding: shenbao.Finding{
				Kind:     shenbao.KindSummaryMismatch,
				Rule:     "summary.unlisted",
				Severity: shenbao.SeverityWarning,
				Message: fmt.Sprintf("申报表「%s」未列入同批次（%s）的汇总表 %s。",
					a.id.name, a.unit, strings.Join(displayNames(files), "、")),
				Basis: "申报表应列入推荐（申报）汇总表",
			},
		})
	}
	return out
}

// compareRow reports where a row disagrees with its application.
func (c *Checker) compareRow(s *doc, r *summaryRow, a *doc) []Result {
	var out []Result
	mismatch := func(key, rule, what, rowVal, appVal string) {
		out = append(out, summaryResult(s, r, key, a, rule, shenbao.SeverityError,
			fmt.Sprintf("汇总表第%s行%s为「%s」，申报表 %s 为「%s」。", r.no, what, rowVal, a.name, appVal),
			"汇总表应与申报表一致"))
	}
	appName := first(a.keyValue("name"), a.keyValue("cover_name"))
	if v := r.value("sum_name"); v != "" && appName != "" && normalize(v) != normalize(appName) {
		mismatch("sum_name", "summary.name", "集群名称", v, appName)
	}
	appOrg := first(a.keyValue("org"), a.keyValue("cover_org"))
	if v := r.value("sum_org"); v != "" && appOrg != "" && normalize(v) != normalize(appOrg) {
		mismatch("sum_org", "summary.org", "集群运营管理机构", v, appOrg)
	}
	if v := r.value("sum_region"); v != "" && !regionAgrees(r.id.region, a.id.region) {
		mismatch("sum_region", "summary.region", "所在地区", v, a.id.region.String())
	}
	if v := normalize(r.value("sum_industry")); v != "" && a.id.core != "" &&
		!strings.Contains(a.id.core, v) && !strings.Contains(v, a.id.core) {
		mismatch("sum_industry", "summary.industry", "主导产业", r.value("sum_industry"), a.id.core)
	}
	intro := r.value("sum_intro")
	for _, cf := range c.cite(intro, s.year) {
		col := ""
		if cf.year != 0 {
			col = strconv.Itoa(cf.year) + "年"
		}
		g := a.yearField(cf.fact.Key, cf.year)
		if g == nil {
			continue
		}
		v := shenbao.Field{Value: cf.value, Unit: g.Unit}
		if same, ok := sameValue(&v, g); ok && !same {
			res := summaryResult(s, r, "sum_intro", a, "summary.intro_fact", shenbao.SeverityError,
				fmt.Sprintf("汇总表第%s行集群简介称%s%s为 %s，申报表 %s 填报 %s。",
					r.no, col, cf.fact.Label, cf.value, a.name, strings.TrimSpace(g.Value)),
				"汇总表集群简介应与申报表数据一致")
			res.Finding.FieldIDs = append(res.Finding.FieldIDs, g.ID)
			out = append(out, res)
		}
	}
	return out
}

// regionAgrees is stricter than regionCompatible: every part the row names
// must be the application's.
func regionAgrees(row, app Region) bool {
	for _, p := range [][2]string{{row.Province, app.Province}, {row.City, app.City}, {row.County, app.County}} {
		if p[0] != "" && p[1] != "" && !sameStem(p[0], p[1]) {
			return false
		}
	}
	return true
}

// introLimit reports a 集群简介 longer than the table allows.
func (c *Checker) introLimit(s *doc, r *summaryRow) []Result {
	limit := 0
	for _, spec := range s.t.Rows {
		if spec.Key == "sum_intro" {
			limit = spec.Limit
		}
	}
	intro := r.value("sum_intro")
	n := len([]rune(normalize(intro)))
	if limit == 0 || n <= limit {
		return nil
	}
	return []Result{summaryResult(s, r, "sum_intro", nil, "summary.intro_limit", shenbao.SeverityError,
		fmt.Sprintf("汇总表第%s行集群简介 %d 字，超过 %d 字的限制。", r.no, n, limit),
		"汇总表：集群简介（"+strconv.Itoa(limit)+"字以内）")}
}

func summaryResult(s *doc, r *summaryRow, key string, a *doc, rule, severity, msg, basis string) Result {
	res := Result{
		Document: s.file,
		Finding: shenbao.Finding{
			Kind:     shenbao.KindSummaryMismatch,
			Rule:     rule,
			Severity: severity,
			Column:   r.no,
			Message:  msg,
			Basis:    basis,
		},
	}
	if a != nil {
		res.Others = []string{a.file}
	}
	if f := r.fields[key]; f != nil {
		res.Finding.FieldIDs = []string{f.ID}
		res.Finding.Section = f.Section
		res.Finding.Label = f.Label
		res.Finding.Page = f.Page
		res.Finding.BBox = f.BBox
	}
	return res
}
