package crosscheck

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParseName: any name splits into parts that are pieces of it, and a
// 集群简介 of any content yields figures taken from it, without panics.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{
		"湖北省随州市青台市超硬材料及制品产业集群", "柏塘区特种电线电缆产业集群", "新疆生产建设兵团第八师石河子市纺织产业集群",
		"市", "省市县区", "重庆市", "",
		"2023年集群总产值46.22亿元，拥有中小企业1065家，其中专精特新中小企业84家、专精特新“小巨人”企业10家。",
	} {
		f.Add(s)
	}
	ck := testChecker(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := normalize(s)
		r, core := parseName(n)
		for _, part := range []string{r.Province, r.City, r.County, core} {
			if !strings.Contains(n, part) {
				t.Errorf("parseName(%q): %q is not part of the name", n, part)
			}
		}
		for _, cf := range ck.cite(s, 2023) {
			if !strings.Contains(s, cf.value) {
				t.Errorf("cite(%q): %q is not in the text", s, cf.value)
			}
		}
	})
}

// FuzzNormalize: normalize reads every text as the plain rune loop it
// replaced does (spaces of every kind dropped, full-width ASCII forms
// narrowed, everything else kept, invalid bytes as U+FFFD), so that no
// shingle key stored by an older build changes.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "集群 总产值\u3000７２．９９亿元\t", "a\u00a0b\u2000c\u205fd\u3001e", "\xff青\xe4\xb8", "ＡＢＣ！～\u3000\u1680\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, r := range s {
			switch {
			case unicode.IsSpace(r):
				continue
			case r >= '！' && r <= '～':
				r -= 0xFEE0
			}
			b.WriteRune(r)
		}
		if got := normalize(s); got != b.String() {
			t.Errorf("normalize(%q) = %q, want %q", s, got, b.String())
		}
	})
}
