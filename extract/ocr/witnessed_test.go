package ocr

import "testing"

// The rule's corners, as calibrated (see Witnessed).
func TestWitnessed(t *testing.T) {
	tests := []struct {
		name     string
		p        float64
		agree    bool
		t        float64
		gap      bool
		min, max float64 // the confidence's range
	}{
		{"agreement on a sure reading", 0.95, true, 0.8, false, 0.99, 1},
		{"agreement on a doubtful reading is never sure", 0.88, true, 0.88, false, 0.8, AgreedDoubt},
		{"agreement on a guess stays a doubt", 0.59, true, 0.76, false, 0, 0.8},
		{"sure against an unsure Tesseract", 0.99, false, 0.4, false, 0.99, 0.99},
		{"sure against a sure Tesseract", 0.99, false, 0.9, false, 0, 0.85},
		{"sure where Tesseract read nothing", 0.99, false, 0, false, 0, 0.85},
		{"sure with a gap between names", 0.99, false, 0.4, true, 0, 0.85},
		{"unsure against Tesseract", 0.9, false, 0.4, false, 0, 0.8},
	}
	for _, tt := range tests {
		if got := Witnessed(tt.p, tt.agree, tt.t, tt.gap); got < tt.min || got > tt.max {
			t.Errorf("%s: %.3f, want in [%.2f, %.2f]", tt.name, got, tt.min, tt.max)
		}
	}
}

func TestHanGap(t *testing.T) {
	for s, want := range map[string]bool{
		"中心  国家级工业设计中心":    true,
		"刘雪梅  17365918451": false,
		"10  个":            false,
		"国家企业技术中心":         false,
		" 中心 ":             false,
	} {
		if got := HanGap(s); got != want {
			t.Errorf("HanGap(%q) = %v, want %v", s, got, want)
		}
	}
}
