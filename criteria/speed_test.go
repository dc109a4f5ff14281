package criteria

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestExpandIsReplacer: expand writes every message as the strings.Replacer
// it replaced did, braces naming nothing, values holding braces and
// unclosed braces included.
func TestExpandIsReplacer(t *testing.T) {
	v := vars{"label": "集群总产值（亿元）", "column": "2021年", "limit": "200", "empty": "", "brace": "{label}"}
	for _, msg := range []string{
		"", "无变量", "{label}", "「{label}」{column}超过{limit}字", "{empty}{label}", "{label}{empty}",
		"{unknown}{label}", "{x{label}", "{label", "}{label}{", "{brace} 不再展开", "{{label}}", "{}{limit}",
	} {
		args := []string{}
		for k, x := range v {
			args = append(args, "{"+k+"}", x)
		}
		want := strings.NewReplacer(args...).Replace(msg)
		if got := expand(msg, v); got != want {
			t.Errorf("expand(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestIsWideFastPaths: the ASCII and CJK-block shortcuts answer as the
// Unicode tables do for every code point.
func TestIsWideFastPaths(t *testing.T) {
	byTables := func(r rune) bool {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			return true
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFFEF, r >= 0xFE30 && r <= 0xFE4F:
			return true
		case r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·':
			return true
		}
		return r >= utf8.RuneSelf && unicode.Is(unicode.Ideographic, r)
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if isWide(r) != byTables(r) {
			t.Fatalf("isWide(%U) = %v, the tables say %v", r, isWide(r), byTables(r))
		}
	}
}
