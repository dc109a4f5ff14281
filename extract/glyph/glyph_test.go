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
