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
		// A 150-dpi copy's 5: its bar three rows, its stem lost, its
		// bowl a line's height below it.
		{"a digit's bar five rows above its bowl", [][2]int{{10, 13}, {18, 32}}, 1},
		{"a digit's base under its body", [][2]int{{10, 26}, {30, 33}}, 1},
		// A 150-dpi copy's 个 at the work resolution: its apex, seven
		// rows, three above the rest, the stem's top lost between.
		{"a character's apex a stroke above its body", [][2]int{{10, 17}, {20, 39}}, 1},
		{"a character come apart across its middle", [][2]int{{10, 24}, {27, 40}}, 1},
		{"a short line a stroke's gap over a line", [][2]int{{10, 17}, {20, 46}}, 2},
		{"a short line further over a body", [][2]int{{10, 17}, {23, 39}}, 2},
		{"two runs together taller than a character", [][2]int{{10, 26}, {29, 46}}, 2},
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
	// The bar is the line's: its rect runs from the bar's top.
	g, fill := whitePage(120, 100)
	fill(image.Rect(40, 10, 52, 13), 0)
	fill(image.Rect(40, 18, 52, 32), 0)
	if got := lineRects(binarise(g), g.Rect, nil, minH, 3*em); len(got) != 1 || got[0].Min.Y != 10 {
		t.Errorf("a digit's bar: lines %v, want one from row 10", got)
	}
	// A remnant of a rule wider than the text under it stays apart (a
	// speck, dropped); so does a sliver more than a stroke away.
	for _, tt := range []struct {
		name      string
		cap, body image.Rectangle
	}{
		{"a rule's remnant wider than the text", image.Rect(10, 10, 110, 13), image.Rect(40, 18, 52, 32)},
		{"a speck a line's quarter above", image.Rect(40, 6, 52, 9), image.Rect(40, 18, 52, 32)},
		// A line of Chinese, or a box with a pen tick rising from it,
		// keeps its marks' rows as they were.
		{"a sliver over a line of Chinese", image.Rect(40, 12, 52, 15), image.Rect(20, 18, 100, 44)},
	} {
		g, fill := whitePage(120, 100)
		fill(tt.cap, 0)
		fill(tt.body, 0)
		if got := lineRects(binarise(g), g.Rect, nil, minH, 3*em); len(got) != 1 || got[0].Min.Y != 18 {
			t.Errorf("%s: lines %v, want one from row 18", tt.name, got)
		}
	}
}
