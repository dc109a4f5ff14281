package criteria

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// iv is a printed figure as the interval it stands for: 38.50 is any value
// in [38.495, 38.505]. Recomputing a figure from others with intervals
// gives the exact range rounding allows, so an arithmetic rule fires only
// when no reading of the rounded inputs explains the stated value.
type iv struct{ v, lo, hi float64 }

func exact(x float64) iv { return iv{x, x, x} }

func (a iv) mul(b iv) iv {
	p := []float64{a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi}
	return iv{a.v * b.v, minOf(p), maxOf(p)}
}

// div assumes b does not contain zero; callers check.
func (a iv) div(b iv) iv {
	p := []float64{a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi}
	return iv{a.v / b.v, minOf(p), maxOf(p)}
}

func (a iv) add(b iv) iv { return iv{a.v + b.v, a.lo + b.lo, a.hi + b.hi} }
func (a iv) scale(k float64) iv {
	if k < 0 {
		return iv{a.v * k, a.hi * k, a.lo * k}
	}
	return iv{a.v * k, a.lo * k, a.hi * k}
}

// gap is how far apart two intervals are; 0 when they overlap.
func gap(a, b iv) float64 {
	switch {
	case a.hi < b.lo:
		return b.lo - a.hi
	case b.hi < a.lo:
		return a.lo - b.hi
	}
	return 0
}

func (a iv) positive() bool { return a.lo > 0 }

func minOf(p []float64) float64 {
	m := p[0]
	for _, x := range p[1:] {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(p []float64) float64 {
	m := p[0]
	for _, x := range p[1:] {
		m = math.Max(m, x)
	}
	return m
}

// decimals is the number of digits after the point in the printed value:
// the most digits after a digit and a point (. or ．) over the value's
// non-overlapping such numbers, leftmost first — what the pattern
// \d[.．](\d+) finds, without a regular expression: it ran for every
// figure of every re-check, 5% of a cached re-check's time.
func decimals(v string) int {
	const fullStop = "．"
	n := 0
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			continue
		}
		p := i + 1
		switch {
		case p < len(v) && v[p] == '.':
			p++
		case strings.HasPrefix(v[p:], fullStop):
			p += len(fullStop)
		default:
			continue
		}
		k := p
		for k < len(v) && isDigit(v[k]) {
			k++
		}
		if k > p {
			n = max(n, k-p)
			i = k - 1 // the next match starts after this one
		}
	}
	return n
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// number is a field's numeric value: the mapper's, else parsed from the
// printed value (rows typed as text sometimes hold counts).
func number(f *shenbao.Field) *float64 {
	if f.Number != nil {
		return f.Number
	}
	return layout.ParseNumber(f.Value)
}

// fieldIV turns a printed number into its rounding interval. Counts printed
// without decimals on an integer row are exact.
func fieldIV(f *shenbao.Field, typ string) (iv, bool) {
	n := number(f)
	if n == nil {
		return iv{}, false
	}
	d := decimals(f.Value)
	h := 0.5 * math.Pow10(-d)
	if d == 0 && typ == layout.TypeInteger {
		h = 0
	}
	return iv{*n, *n - h, *n + h}, true
}

var firstNumberRE = regexp.MustCompile(`[-－]?\d[\d,，]*(?:\.\d+)?`)

// firstNumber reads the leading figure of a free value such as
// "0.37吨/万元（降低19.80%）" or "105家", with its rounding interval.
func firstNumber(v string) (iv, bool) {
	m := firstNumberRE.FindString(v)
	if m == "" {
		return iv{}, false
	}
	return parseIV(m)
}

var reductionRE = regexp.MustCompile(`(?:降低|下降|减少|降幅)[^\d-]{0,4}(\d+(?:\.\d+)?)\s*[%％]`)

// statedReduction reads "降低19.80%" / "下降13.54%" from a plan target.
func statedReduction(v string) (iv, bool) {
	m := reductionRE.FindStringSubmatch(v)
	if m == nil {
		return iv{}, false
	}
	return parseIV(m[1])
}

// ivFold takes out digit grouping and makes a full-width minus ASCII; built
// once (a Replacer is safe for concurrent use), where building it per
// call was a tenth of the checks' time.
var ivFold = strings.NewReplacer(",", "", "，", "", "－", "-")

func parseIV(s string) (iv, bool) {
	s = ivFold.Replace(s)
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return iv{}, false
	}
	h := 0.5 * math.Pow10(-decimals(s))
	return iv{x, x - h, x + h}, true
}

var leadingYearRE = regexp.MustCompile(`^(\d{4})年`)

// headerYear reads the year of a plan column such as "2023年基准值".
func headerYear(col string) int {
	m := leadingYearRE.FindStringSubmatch(col)
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	return y
}

// fmt2 prints a computed figure the way the form asks: 2 decimals.
func fmt2(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// fmtNum prints a limit as the standard writes it: 40, 13.5.
func fmtNum(x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// blank reports whether a value is empty; "无" is an answer, not a blank.
func blank(v string) bool { return strings.TrimSpace(v) == "" }

// none reports whether a value says there is nothing (无, 0 written as 无).
func none(v string) bool {
	switch strings.TrimSpace(v) {
	case "无", "没有", "/", "—", "-", "——":
		return true
	}
	return false
}

func compare(x float64, op string, limit float64) bool {
	// Figures are parsed from at most a few decimals; an epsilon keeps
	// 70.00 from failing "≥ 70" on a binary representation.
	const eps = 1e-9
	switch op {
	case ">=":
		return x >= limit-eps
	case ">":
		return x > limit+eps
	case "<=":
		return x <= limit+eps
	case "<":
		return x < limit-eps
	}
	return false
}
