// Package editdist measures how many characters two strings differ by:
// the Levenshtein distance over runes, which the scan reader's print
// likeness and the corpus's scoring each computed with a copy of their
// own. (layout.similarity keeps its own: layout imports no other package
// of the project, TestNoReaderImports.)
package editdist

// Distance is the Levenshtein distance of a and b: the fewest runes
// inserted, dropped or changed to turn one into the other.
func Distance(a, b []rune) int { return Row(a, b, len(b))[len(b)] }

// Row is the last row of the edit distances of a to the prefixes of p up
// to w runes long (w at most len(p)): row[j] is the distance of a to
// p[:j]. It tells how much of p a reads as, without computing distances
// to longer prefixes.
func Row(a, p []rune, w int) []int {
	prev := make([]int, w+1)
	cur := make([]int, w+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= w; j++ {
			c := prev[j-1]
			if a[i-1] != p[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev
}
