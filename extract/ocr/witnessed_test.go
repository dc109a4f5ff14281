package ocr

import "testing"

// The rule's corners, as calibrated (see Witnessed).
func TestWitnessed(t *testing.T) {
	tests := []struct {
		name     string
		p        float64
		agree    bool
		t        float64
		min, max float64 // the confidence's range
	}{
		{"agreement on a sure reading", 0.95, true, 0.8, 0.99, 1},
		{"agreement on a doubtful reading is never sure", 0.88, true, 0.88, 0.8, AgreedDoubt},
		{"agreement on a guess stays a doubt", 0.59, true, 0.76, 0, 0.8},
		{"sure against an unsure Tesseract is still a disagreement", 0.99, false, 0.4, 0, 0.85},
		{"sure against a sure Tesseract", 0.99, false, 0.9, 0, 0.85},
		{"sure where Tesseract read nothing", 0.99, false, 0, 0, 0.85},
		{"unsure against Tesseract", 0.9, false, 0.4, 0, 0.8},
	}
	for _, tt := range tests {
		if got := Witnessed(tt.p, tt.agree, tt.t); got < tt.min || got > tt.max {
			t.Errorf("%s: %.3f, want in [%.2f, %.2f]", tt.name, got, tt.min, tt.max)
		}
	}
}
