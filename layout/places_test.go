package layout

import (
	"bufio"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite generated data (placechars.txt)")

// placeCharsFrom builds placechars.txt: the characters of every place
// name (part of speech ns) in gse's Chinese dictionary and of every
// division in regions.txt, in code-point order, fifty a line.
func placeCharsFrom(dict string) (string, error) {
	f, err := os.Open(dict)
	if err != nil {
		return "", err
	}
	defer f.Close()
	set := map[rune]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w := strings.Fields(sc.Text()); len(w) == 3 && w[2] == "ns" {
			for _, r := range w[0] {
				set[r] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	for _, p := range provinces {
		for _, name := range append([]string{p.name}, p.cities...) {
			for _, r := range name {
				set[r] = true
			}
		}
	}
	var rs []rune
	for r := range set {
		if unicode.Is(unicode.Han, r) {
			rs = append(rs, r)
		}
	}
	slices.Sort(rs)
	var b strings.Builder
	b.WriteString(placeCharsHeader)
	for i := 0; i < len(rs); i += 50 {
		b.WriteString(string(rs[i:min(i+50, len(rs))]) + "\n")
	}
	return b.String(), nil
}

const placeCharsHeader = `# The characters Chinese place names are written with: every place name
# (part of speech ns) in gse's Chinese dictionary (data/dict/zh/s_1.txt)
# and every division in regions.txt. Generated: go test ./layout -run
# TestPlaceChars -update. Used to tell which of two readings of a
# county's name OCR got wrong (稚丰区 / 鹤丰区: no place is called with 稚).
`

// The data file is gse's, not typed: it is rebuilt from the dictionary
// of the gse version go.mod names and must not differ.
func TestPlaceChars(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-ego/gse").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("gse's module is not downloaded (go list: %v); go mod download github.com/go-ego/gse", err)
	}
	want, err := placeCharsFrom(filepath.Join(dir, "data", "dict", "zh", "s_1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("placechars.txt", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if placeCharData != want {
		t.Errorf("placechars.txt differs from gse's dictionary; run go test ./layout -run TestPlaceChars -update")
	}
	for _, tt := range []struct {
		r    rune
		want bool
	}{{'鹤', true}, {'丰', true}, {'溪', true}, {'稚', false}} {
		if placeChar[tt.r] != tt.want {
			t.Errorf("placeChar[%c] = %v, want %v", tt.r, placeChar[tt.r], tt.want)
		}
	}
}
