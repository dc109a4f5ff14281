package extract

import (
	"testing"

	"github.com/shenbao/shenbao"
)

func TestDecideByInk(t *testing.T) {
	tests := []struct {
		name    string
		ink     []float64
		checked []bool
		sure    []bool
	}{
		{"one ticked of two", []float64{0.12, 0.45}, []bool{false, true}, []bool{true, true}},
		{"two ticked of three", []float64{0.5, 0.11, 0.48}, []bool{true, false, true}, []bool{true, true, true}},
		{"faint mark", []float64{0.12, 0.22}, []bool{false, true}, []bool{false, false}},
		{"all empty", []float64{0.12, 0.13, 0.12}, []bool{false, false, false}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			boxes := make([]shenbao.Checkbox, len(tt.ink))
			ink := map[int]float64{}
			idx := make([]int, len(tt.ink))
			for i, v := range tt.ink {
				ink[i], idx[i] = v, i
				boxes[i].Confidence = 0.3
			}
			decideByInk(boxes, idx, ink, func(i int) int { return i })
			for i := range boxes {
				if boxes[i].Checked != tt.checked[i] {
					t.Errorf("option %d checked=%v, want %v", i, boxes[i].Checked, tt.checked[i])
				}
				if sure := boxes[i].Confidence >= 0.8; sure != tt.sure[i] {
					t.Errorf("option %d confidence %.2f, sure=%v want %v", i, boxes[i].Confidence, sure, tt.sure[i])
				}
			}
		})
	}
	// No box drawn at all (no ink anywhere): leave them unsure.
	boxes := []shenbao.Checkbox{{Confidence: 0.3}, {Confidence: 0.3}}
	decideByInk(boxes, []int{0, 1}, map[int]float64{0: 0.01, 1: 0.02}, func(i int) int { return i })
	if boxes[0].Mark != "" || boxes[0].Confidence != 0.3 {
		t.Errorf("no boxes drawn: %+v", boxes[0])
	}
}

func TestTrimAfterEOF(t *testing.T) {
	tests := map[string]string{
		"%PDF-1.4 x %%EOF\n":             "%PDF-1.4 x %%EOF\n",
		"%PDF-1.4 x %%EOF\n%copy 3\n":    "%PDF-1.4 x %%EOF",
		"%PDF-1.4 %%EOF a %%EOF\x00\x00": "%PDF-1.4 %%EOF a %%EOF",
		"%PDF-1.4 no marker":             "%PDF-1.4 no marker",
	}
	for in, want := range tests {
		if got := string(trimAfterEOF([]byte(in))); got != want {
			t.Errorf("trimAfterEOF(%q) = %q, want %q", in, got, want)
		}
	}
}
