package corroborate

// The ties are the form's own definitions (填报说明 and the checks of
// criteria/rules/form.yaml that rest on them): data, one line each.
var ties = []tie{
	{kind: ratio, stated: "cloud_share", num: "cloud_count", den: []string{"sme_count"}, scale: 100},
	{kind: ratio, stated: "iip_rate", num: "iip_count", den: []string{"sme_count"}, scale: 100},
	{kind: ratio, stated: "rd_staff_share", num: "rd_staff", den: []string{"employees", "employees_y"}, scale: 100},
	{kind: ratio, stated: "patent_per10k", num: "patents", den: []string{"employees", "employees_y"}, scale: 10000},
	{kind: growth, stated: "fdi_growth", levels: []string{"fdi"}},
	{kind: growth, stated: "export_growth", levels: []string{"export"}},
	{kind: growth, stated: "main_growth", levels: []string{"total_output", "main_share"}},
	{kind: reduction, stated: "energy_reduction", levels: []string{"energy_intensity"}},
}

type tieKind int

const (
	// ratio: stated = num ÷ den × scale, each its single value or its
	// last year's; den is the first of its rows the form has.
	ratio tieKind = iota
	// growth: stated in year y = level(y) ÷ level(y−1) − 1, in %, where
	// level is the product of levels in that year.
	growth
	// reduction: stated = 1 − level(last year) ÷ level(first year), in %.
	reduction
)

type tie struct {
	kind   tieKind
	stated string
	num    string
	den    []string
	levels []string
	scale  float64
}

// instance is one equation of a tie over fields: the stated figure first,
// then its operands; holds says whether figures (in that order) satisfy
// it within their rounding.
type instance struct {
	fields []int
	holds  func(x []figure) bool
}

func (t tie) instances(d *doc) []instance {
	switch t.kind {
	case ratio:
		s, n := d.at(t.stated, 0), d.latest(t.num)
		den := -1
		for _, k := range t.den {
			if den = d.latest(k); den >= 0 {
				break
			}
		}
		if s < 0 || n < 0 || den < 0 {
			return nil
		}
		return []instance{{[]int{s, n, den}, func(x []figure) bool {
			if !x[2].iv().positive() {
				return false
			}
			return x[0].iv().overlaps(x[1].iv().div(x[2].iv()).scale(t.scale))
		}}}
	case growth:
		var out []instance
		for _, y := range d.years(t.stated) {
			s := d.at(t.stated, y)
			fs := []int{s}
			for _, yy := range []int{y, y - 1} {
				for _, k := range t.levels {
					fs = append(fs, d.at(k, yy))
				}
			}
			if !allFound(fs) {
				continue
			}
			n := len(t.levels)
			out = append(out, instance{fs, func(x []figure) bool {
				cur, prev := product(x[1:1+n]), product(x[1+n:])
				if !cur.positive() || !prev.positive() {
					return false
				}
				return x[0].iv().overlaps(cur.div(prev).shift(-1).scale(100))
			}})
		}
		return out
	case reduction:
		ys := d.years(t.levels[0])
		if len(ys) < 2 {
			return nil
		}
		fs := []int{d.at(t.stated, 0), d.at(t.levels[0], ys[0]), d.at(t.levels[0], ys[len(ys)-1])}
		if !allFound(fs) {
			return nil
		}
		return []instance{{fs, func(x []figure) bool {
			first, last := x[1].iv(), x[2].iv()
			if !first.positive() {
				return false
			}
			return x[0].iv().overlaps(last.div(first).scale(-1).shift(1).scale(100))
		}}}
	}
	return nil
}

// apply raises every figure of an instance that holds, where the
// equation is sensitive to the figure's last digit: changed by one
// either way, the equation would no longer hold. A misread digit there
// would have broken it, so the figure was read right; a digit the
// equation cannot see (the cents of a large amount in a growth rate)
// is not vouched for.
func (t tie) apply(d *doc) {
	for _, in := range t.instances(d) {
		x := make([]figure, len(in.fields))
		ok := true
		for k, i := range in.fields {
			if x[k], ok = d.number(i); !ok {
				break
			}
		}
		if !ok || !in.holds(x) {
			continue
		}
		for k, i := range in.fields {
			if !d.candidate(i) {
				continue
			}
			sensitive := true
			for _, step := range []float64{-1, 1} {
				y := append([]figure(nil), x...)
				y[k] = x[k].bumped(step)
				if in.holds(y) {
					sensitive = false
				}
			}
			if sensitive {
				d.raise(i, "tie:"+t.stated, in.fields)
			}
		}
	}
}

func allFound(fs []int) bool {
	for _, i := range fs {
		if i < 0 {
			return false
		}
	}
	return true
}

func product(x []figure) iv {
	acc := iv{1, 1}
	for _, f := range x {
		acc = acc.mul(f.iv())
	}
	return acc
}
