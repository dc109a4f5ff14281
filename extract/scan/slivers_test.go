package scan

import (
	"image"
	"testing"
)

// A digit broken across by blur at a low resolution (its bowl come apart
// from its bar) is one line, not two slivers; two lines of text, and a
// line with a stroke's gap under a full-height line, stay apart.
func TestJoinRowSlivers(t *testing.T) {
	const em = 29 // 10.5 pt at the work resolution
	minH := em / 4
	tests := []struct {
		name  string
		parts [][2]int // inked row ranges of one cell
		want  int      // lines
	}{
		{"a digit broken in two", [][2]int{{10, 19}, {22, 30}}, 1},
		{"a digit broken in three", [][2]int{{10, 16}, {18, 23}, {25, 30}}, 1},
		{"one whole digit", [][2]int{{10, 30}}, 1},
		{"two lines of text", [][2]int{{10, 36}, {44, 70}}, 2},
		{"two lines of digits", [][2]int{{10, 30}, {40, 60}}, 2},
		{"a line and a short line a stroke below", [][2]int{{10, 36}, {40, 48}}, 2},
		{"two slivers a line apart", [][2]int{{10, 19}, {40, 48}}, 2},
	}
	for _, tt := range tests {
		g, fill := whitePage(120, 100)
		for _, p := range tt.parts {
			fill(image.Rect(40, p[0], 52, p[1]), 0)
		}
		got := lineRects(binarise(g), g.Rect, nil, minH, 3*em)
		if len(got) != tt.want {
			t.Errorf("%s: lines %v, want %d", tt.name, got, tt.want)
		}
	}
}
