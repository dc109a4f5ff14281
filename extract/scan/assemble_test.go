package scan

import (
	"testing"

	"github.com/shenbao/shenbao"
)

func TestParagraphConfidence(t *testing.T) {
	line := func(c ...float64) readLine {
		var l readLine
		for _, x := range c {
			l.lines = append(l.lines, shenbao.Line{Confidence: x})
		}
		return l
	}
	for _, tt := range []struct {
		name string
		p    []readLine
		want float64
	}{
		{"one sure line", []readLine{line(0.97)}, 0.97},
		{"the weakest line of a wrapped value", []readLine{line(0.97), line(0.62)}, 0.62},
		{"the weakest piece of a line", []readLine{line(0.95, 0.4)}, 0.4},
		{"a line read with no confidence is not unknown", []readLine{line(0.95), line(0)}, 0.01},
	} {
		if got := paragraphConfidence(tt.p); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
