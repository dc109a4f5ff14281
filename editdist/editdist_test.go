package editdist

import (
	"fmt"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "集群", 2},
		{"集群名称", "集群名称", 0},
		{"集群名称", "集群名林", 1},  // changed
		{"集群名称", "集群称", 1},   // dropped
		{"集群名称", "余集群名称", 1}, // inserted
		{"kitten", "sitting", 3},
		{"12.34%", "12.3496", 2},
	} {
		if got := Distance([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance([]rune(c.b), []rune(c.a)); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

// TestRow: the row holds the distance to every prefix up to w, and stops
// there.
func TestRow(t *testing.T) {
	a, p := []rune("集群已开展"), []rune("集群已开展的数字化")
	row := Row(a, p, 7)
	if want := "[5 4 3 2 1 0 1 2]"; fmt.Sprint(row) != want {
		t.Errorf("Row = %v, want %s", row, want)
	}
}
