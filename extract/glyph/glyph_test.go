package glyph

import "testing"

func TestSymbol(t *testing.T) {
	tests := []struct {
		font string
		r    rune
		want rune
		ok   bool
	}{
		{"Wingdings 2", 'R', '☑', true},
		{"Wingdings 2", 0xF052, '☑', true},
		{"Wingdings 2", '£', '□', true},
		{"Wingdings 2", 0xF0A3, '□', true},
		{"ABCDEF+Wingdings2", 'T', '☒', true},
		{"Wingdings", 0xF0FE, '☑', true},
		{"Wingdings", 'o', '□', true},
		{"宋体", 'R', 0, false},
		{"Wingdings 3", 'R', 0, false},
	}
	for _, tt := range tests {
		got, ok := Symbol(tt.font, tt.r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Symbol(%q, %U) = %q,%v want %q,%v", tt.font, tt.r, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPrivateUse: a symbol-font code whose font is lost (OpenSymbol standing
// in) is read by its code; letters and other private-use characters are not
// marks.
func TestPrivateUse(t *testing.T) {
	tests := []struct {
		r    rune
		want rune
		ok   bool
	}{
		{0xF052, '☑', true}, // Wingdings 2 R
		{0xF054, '☒', true}, // Wingdings 2 T
		{0xF0A3, '□', true}, // Wingdings 2 £
		{0xF0FE, '☑', true}, // Wingdings þ
		{0xF0A8, '□', true}, // Wingdings ¨
		{0xF0D6, '√', true}, // Symbol Ö
		{'R', 0, false},
		{'£', 0, false},
		{0xF041, 0, false}, // a code no table gives a mark
		{0xE001, 0, false},
		{0xF152, 0, false},
	}
	for _, tt := range tests {
		got, ok := PrivateUse(tt.r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PrivateUse(%U) = %q,%v want %q,%v", tt.r, got, ok, tt.want, tt.ok)
		}
	}
}
