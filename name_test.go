package shenbao

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestShownName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\u202Eexe.pdf.docx", "aexe.pdf.docx"},                         // right-to-left override
		{"\u2066申报表\u2069\u200f.pdf", "申报表.pdf"},                         // isolate and mark
		{"tab\there\r\nnew\x00line\x7f\u0085.pdf", "tabherenewline.pdf"}, // C0, DEL, C1
		{"zero\u200bwidth\ufeff\u00ad.docx", "zerowidth.docx"},
		{"line\u2028para\u2029.pdf", "linepara.pdf"},
		{"bad\xffutf8.pdf", "bad\uFFFDutf8.pdf"},
		// What it must leave alone: ordinary names in any script, spaces,
		// the joiners inside an emoji.
		{"重庆市 特色产业集群（2024）申报表.docx", "重庆市 特色产业集群（2024）申报表.docx"},
		{"عربي.pdf", "عربي.pdf"},
		{"👩\u200d💻 notes.pdf", "👩\u200d💻 notes.pdf"},
	} {
		if got := ShownName(tc.in); got != tc.want {
			t.Errorf("ShownName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzShownName: whatever comes in, what goes out is valid UTF-8 with no
// control or format character but the joiners, and cleaning it again
// changes nothing.
func FuzzShownName(f *testing.F) {
	for _, s := range []string{"a\u202Eexe.pdf", "\xff\xfe", "申报表.docx", "\t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := ShownName(in)
		if !utf8.ValidString(out) || ShownName(out) != out {
			t.Fatalf("ShownName(%q) = %q: invalid or not stable", in, out)
		}
		for _, r := range out {
			if (unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)) && r != '\u200c' && r != '\u200d' {
				t.Fatalf("ShownName(%q) = %q keeps %U", in, out, r)
			}
		}
	})
}
