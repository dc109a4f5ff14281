package criteria

import (
	"path/filepath"
	"regexp"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao/layout"
)

func FuzzCountChars(f *testing.F) {
	for _, s := range []string{"", "集群总产值104.06亿元", "5G+工业互联网", "A  B\n\tC", "“小巨人”", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, n := CountChars(s), CountNonSpace(s)
		if w < 0 || w > n || n > utf8.RuneCountInString(s) {
			t.Fatalf("CountChars %d, CountNonSpace %d, runes %d for %q", w, n, utf8.RuneCountInString(s), s)
		}
		if n > 0 && w == 0 {
			t.Fatalf("non-blank %q counts no 字", s)
		}
	})
}

// FuzzPlanValue: the readers of free plan values never panic and return
// an interval that holds the value.
func FuzzPlanValue(f *testing.F) {
	for _, s := range []string{"0.37吨/万元（降低19.80%）", "下降13.54%", "105家", "19.05%", "1,234.5亿元", "-3.2%", "无", "降低%", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, read := range []func(string) (iv, bool){firstNumber, statedReduction} {
			if v, ok := read(s); ok && !(v.lo <= v.v && v.v <= v.hi) {
				t.Fatalf("%q read as %+v", s, v)
			}
		}
		_ = decimals(s)
		_ = headerYear(s)
	})
}

// decimalsRE is what decimals computes without it.
var decimalsRE = regexp.MustCompile(`\d[.．](\d+)`)

func decimalsByPattern(v string) int {
	n := 0
	for _, m := range decimalsRE.FindAllStringSubmatch(v, -1) {
		n = max(n, len(m[1]))
	}
	return n
}

// FuzzDecimals: decimals counts as the pattern it replaced does, on any
// input, overlapping and full-width points included.
func FuzzDecimals(f *testing.F) {
	for _, s := range []string{"", "72.99", "1.2.345", "1.23.4", "3．1416亿元", "1,234.5", "12.", ".5", "0.37吨/万元（降低19.80%）", "1.2３", "5\xff.12", "1.．2", "7..8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := decimals(s), decimalsByPattern(s); got != want {
			t.Fatalf("decimals(%q) = %d, the pattern says %d", s, got, want)
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	set := layout.MustLoad()
	e := MustLoad()
	tr, err := readTruth(filepath.Join("testdata", "corpus", nat2024))
	if err != nil {
		b.Fatal(err)
	}
	rep, tm, err := reportFromTruth(tr, set)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Check(rep, tm, "")
	}
}

// TestIsSpace: the counts' isSpace is unicode.IsSpace on every code point.
func TestIsSpace(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if isSpace(r) != unicode.IsSpace(r) {
			t.Fatalf("isSpace(%U) = %v", r, isSpace(r))
		}
	}
}
