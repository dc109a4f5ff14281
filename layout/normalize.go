package layout

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
)

// Norm removes whitespace and folds punctuation width, the form in which
// labels are compared.
func Norm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			continue
		}
		r = shenbao.FoldWidth(r)
		if r >= 'Ａ' && r <= 'ｚ' || r >= '０' && r <= '９' {
			r = r - 'Ａ' + 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// StripSpace removes all whitespace, the comparison the truth files use.
func StripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// similarity is 1 - edit distance / longer length over runes: the tolerance
// for labels read by OCR with a wrong or missing character.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	n := max(len(ra), len(rb))
	// Lengths too different cannot be similar enough to matter.
	if d := len(ra) - len(rb); d > n/3 || -d > n/3 {
		return 0
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(n)
}

// labelScore says how well a cell's text (normalised) stands for a label
// (normalised): 1 equal, 0.95 when one carries a printed note after the
// other, else the OCR-tolerant similarity.
func labelScore(cell, label string) float64 {
	if cell == label {
		return 1
	}
	if cell == "" || label == "" {
		return 0
	}
	lc, ll := len([]rune(cell)), len([]rune(label))
	if strings.HasPrefix(cell, label) && float64(ll) >= 0.5*float64(lc) {
		return 0.95
	}
	if strings.HasPrefix(label, cell) && float64(lc) >= 0.8*float64(ll) {
		return 0.9
	}
	sim := similarity(cell, label)
	// OCR loses a label's edges together: its first character misread
	// and its printed unit note cut at the cell's right rule
	// (［业用水重复利用率 for 工业用水重复利用率(%)). Without the note the
	// label still reads; no two labels differ by their note alone.
	if bare, ok := noteless(label); ok {
		if c, ok := noteless(cell); ok {
			cell = c
		}
		sim = max(sim, 0.95*similarity(cell, bare))
	}
	return sim
}

// noteless is a normalised label less its closing bracketed note
// ((%), (亿元)) or, for OCR text, what is left of one — an opening bracket
// within the last three characters; ok is false when it has none or too
// little is left to tell labels apart.
func noteless(s string) (string, bool) {
	rs := []rune(s)
	i := strings.LastIndex(s, "(")
	if i < 0 {
		return s, false
	}
	n := len([]rune(s[:i]))
	if !strings.HasSuffix(s, ")") && len(rs)-n > 3 {
		return s, false
	}
	return s[:i], n >= 6
}

//go:embed surnames.txt
var surnameData string

// surnames holds the first characters of Chinese surnames.
var surnames = charSet(surnameData)

// charSet holds the characters of a data file's lines, less its comment
// lines (#) and white space.
func charSet(data string) map[rune]bool {
	m := map[rune]bool{}
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, r := range strings.TrimSpace(line) {
			m[r] = true
		}
	}
	return m
}

// KnownSurname says whether value opens with a Chinese surname; a blank
// value or one that does not start with a Chinese character passes, as
// there is no name to doubt.
func KnownSurname(value string) bool {
	v := strings.TrimSpace(value)
	r, _ := utf8.DecodeRuneInString(v)
	return v == "" || !unicode.Is(unicode.Han, r) || surnames[r]
}
