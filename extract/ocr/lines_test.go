package ocr

import (
	"image"
	"testing"
)

func TestLines(t *testing.T) {
	w := func(text string, x0, x1 int, conf float64, line int) Word {
		return Word{Text: text, Rect: image.Rect(x0, 10, x1, 40), Conf: conf, Line: line}
	}
	tests := []struct {
		name  string
		words []Word
		want  []TextLine
	}{
		{"Chinese words join unspaced, the doubtful character sets Low",
			[]Word{w("宁波", 0, 60, 0.95, 1), w("市", 70, 100, 0.93, 1), w("稚", 112, 142, 0.45, 1), w("丰区", 150, 210, 0.96, 1)},
			[]TextLine{{Text: "宁波市稚丰区", Rect: image.Rect(0, 10, 210, 40), Conf: (0.95 + 0.93 + 0.45 + 0.96) / 4, Low: 0.45}}},
		{"a word gap between numbers keeps a space, a wide gap two",
			[]Word{w("田涛", 0, 60, 0.9, 1), w("135", 120, 170, 0.9, 1), w("ab", 180, 210, 0.9, 1)},
			[]TextLine{{Text: "田涛  135 ab", Rect: image.Rect(0, 10, 210, 40), Conf: 0.9, Low: 0.9}}},
		{"lines split on the line key, blank words dropped",
			[]Word{w("一", 0, 30, 0.8, 1), w(" ", 40, 50, 0.1, 1), w("二", 0, 30, 0.6, 2), w("", 0, 30, 0, 3)},
			[]TextLine{{Text: "一", Rect: image.Rect(0, 10, 30, 40), Conf: 0.8, Low: 0.8}, {Text: "二", Rect: image.Rect(0, 10, 30, 40), Conf: 0.6, Low: 0.6}}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lines(tt.words)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Text != w.Text || g.Rect != w.Rect || g.Low != w.Low || g.Conf-w.Conf > 1e-9 || w.Conf-g.Conf > 1e-9 {
					t.Errorf("line %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
