package corroborate

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao/layout"
)

// planBases are the plan table's 基准值 the application's own tables state
// (criteria/rules/form.yaml, form.plan_base.*: 规划表基准值应与申报表所填
// 基准年数据一致): the base is the sum of these rows in the base year, or
// their single value. Data, one line each. (研发经费 and 单位工业产值能耗
// are left out: on the development corpus their bases are mostly stated in
// another unit or computed, so equality would rarely be met.)
var planBases = []struct {
	plan string
	rows []string
}{
	{"plan_patents", []string{"patents"}},
	{"plan_iip", []string{"iip_rate"}},
	{"plan_co2", []string{"co2_intensity"}},
	{"plan_growth", []string{"main_cagr"}},
	{"plan_quality_sme", []string{"zjtx", "xjr", "champion"}},
	{"plan_open", []string{"overseas"}},
}

// numberIn finds the figures printed in a plan cell ("境外分支机构3家",
// "0.54吨/万元", "36.53%").
var numberIn = regexp.MustCompile(`\d+(\.\d+)?`)

// plans raises a plan table's base and the table values it restates when
// the two, read from different pages, are the same figure to the last
// printed digit. A misread digit on either side would have broken the
// equality, so both were read right. The base must hold one figure only
// (a cell with two is a sentence, not a restated value), and the figures
// must be printed to the same precision (36.5 is not 36.53 read). The
// equality vouches for the figure only: the words around it (吨/万元,
// 境外分支机构…家) must be read alike around the first figure of the row's
// other cell, or the cell stays as sure as it was read (0.69吨万元 for
// 0.69吨/万元, on a lab copy, has the figure right and the unit not).
func (d *doc) plans() {
	for _, p := range planBases {
		b, year := d.planBase(p.plan)
		if b < 0 || !d.candidate(b) {
			continue
		}
		nums := numberIn.FindAllString(d.fields[b].Value, -1)
		if len(nums) != 1 || !d.affixWitnessed(b) {
			continue
		}
		stated, ok := parseFigure(nums[0])
		if !ok {
			continue
		}
		var sum figure
		var others []int
		for _, k := range p.rows {
			i := d.at(k, year)
			if i < 0 {
				i = d.at(k, 0)
			}
			if i < 0 || !d.witness(i) {
				others = nil
				break
			}
			x, ok := d.number(i)
			if !ok {
				others = nil
				break
			}
			sum.v += x.v
			sum.ulp = max(sum.ulp, x.ulp)
			others = append(others, i)
		}
		if len(others) != len(p.rows) || math.Abs(sum.v-stated.v) > 1e-9 || !samePrecision(stated, sum, len(p.rows)) {
			continue
		}
		all := append([]int{b}, others...)
		for _, i := range all {
			if d.candidate(i) {
				d.raise(i, "plan:"+p.plan, all)
			}
		}
	}
}

// samePrecision says whether a stated base and the figure of its rows
// are printed to the same last digit: a count (ulp 0) restated as an
// integer (ulp 1) is; 36.5 for 36.53 is not.
func samePrecision(stated, rows figure, n int) bool {
	if rows.ulp == 0 {
		return stated.ulp == 1
	}
	return math.Abs(stated.ulp-rows.ulp) < 1e-12
}

// planBase is the field of plan's 基准值 (its row's first column) and the
// year that column names, or -1.
func (d *doc) planBase(plan string) (int, int) {
	for _, r := range d.t.Rows {
		if r.Key != plan || r.Type != layout.TypePlanTarget || len(r.Columns) == 0 {
			continue
		}
		col := r.Columns[0]
		year := 0
		if y, err := strconv.Atoi(strings.SplitN(col, "年", 2)[0]); err == nil {
			year = y
		}
		for i, f := range d.fields {
			if f.Key == plan && f.Column == col {
				return i, year
			}
		}
	}
	return -1, 0
}

// parseFigure reads a plain decimal: its value and the unit of its last
// digit.
func parseFigure(s string) (figure, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return figure{}, false
	}
	ulp := 1.0
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		ulp = math.Pow(10, -float64(len(s)-dot-1))
	}
	return figure{v, ulp}, true
}

// affixWitnessed says whether the words around plan field i's one figure
// are read alike around the first figure of its row's other cell: the
// target opens as the base does and names the same unit after its
// figure (境外分支机构3家 / 境外分支机构达到11家…, 0.54吨/万元 /
// 0.49吨/万元（降低…）).
func (d *doc) affixWitnessed(i int) bool {
	v := strings.TrimSpace(d.fields[i].Value)
	loc := numberIn.FindStringIndex(v)
	if loc == nil {
		return false
	}
	pre, suf := v[:loc[0]], v[loc[1]:]
	for j, g := range d.fields {
		if j == i || g.Key != d.fields[i].Key {
			continue
		}
		w := strings.TrimSpace(g.Value)
		at := numberIn.FindStringIndex(w)
		if at == nil {
			return false
		}
		return strings.HasPrefix(w[:at[0]], pre) && strings.HasPrefix(w[at[1]:], suf)
	}
	return false
}
