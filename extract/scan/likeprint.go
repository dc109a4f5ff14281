package scan

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/editdist"
)

// The value recogniser (PP-OCR) reads what Tesseract's first reading did
// not show to be print, and its time grows with a line's width: a
// 150-dpi copy of a Guangdong scan sent it 78 k columns, a third of them
// print Tesseract had read with a character or two wrong (余已开展的… for
// 集群已开展的…, 色选 for 勾选) or the second line of a wrapped label,
// which printed (a prefix, read exactly) does not know. A reading is
// taken for print by likeness when it holds minPrintKey characters or
// more and reads, within about one character in eight, as a printed
// phrase whole, or as the next part of one that the lines above it in its
// cell open. Nothing shorter, and no part of a phrase outside the cell
// whose lines open it: values are written inside options' words (a
// platform's name) and open like labels (数量：18个).

// minPrintKey is the fewest characters (printKey) a reading taken for
// print by likeness holds: shorter ones are names and figures as often as
// print.
const minPrintKey = 6

// printSlack is how many characters a reading of n may differ from print
// by, inserted, dropped or changed: about one in eight.
func printSlack(n int) int { return (n + 4) / 8 }

// printKey is a reading or a phrase as likeness compares them: widths
// folded, letters, digits and Chinese characters only. Brackets, colons
// and a blank's underline are what Tesseract misreads most in print, and
// tell print from values least.
func printKey(s string) []rune {
	k, _ := keyOf([]rune(s))
	return k
}

// keyOf is printKey of rs and, for each of its runes, the index in rs of
// the rune it came from.
func keyOf(rs []rune) ([]rune, []int) {
	var out []rune
	var at []int
	for i, r := range rs {
		for _, n := range norm.NFKC.String(string(r)) {
			n = shenbao.FoldWidth(n)
			if unicode.IsLetter(n) || unicode.IsDigit(n) {
				out = append(out, n)
				at = append(at, i)
			}
		}
	}
	return out, at
}

// likeWhole returns the printed phrase or paragraph read whole as read:
// the nearest, when no other as near is printed otherwise (editions print
// one label with other words, a remark with another year).
func (s *printSet) likeWhole(read string) (string, bool) {
	r := printKey(read)
	if s == nil || len(r) < minPrintKey {
		return "", false
	}
	best, found, ambiguous := -1, "", false
	for _, set := range []*printSet{s, s.other, s.notes} {
		if set == nil {
			continue
		}
		for k, p := range set.keys {
			n := max(len(r), len(p))
			if abs(len(r)-len(p)) > printSlack(n) {
				continue
			}
			d := editdist.Distance(r, p)
			if d > printSlack(n) || best >= 0 && d > best {
				continue
			}
			text := string(set.phrases[k])
			if prompt(text) {
				// The value on its line may be what Tesseract missed
				// (a signer's name under a seal).
				continue
			}
			if d == best {
				ambiguous = ambiguous || fold([]rune(text)) != fold([]rune(found))
				continue
			}
			best, found, ambiguous = d, text, false
		}
	}
	if best < 0 || ambiguous {
		return "", false
	}
	return found, true
}

// likeContinues returns the part of a printed phrase that the last of
// reads, the readings of a cell's lines from top to bottom, continues,
// when the lines before it open and follow that phrase: the second or
// third line of a wrapped label, the wrapped end of an option. The lines
// above as one must read as the phrase's start, the first opening it with
// minPrintPrefix characters or more, and the last as what follows there.
func (s *printSet) likeContinues(reads []string) (string, bool) {
	if s == nil || len(reads) < 2 {
		return "", false
	}
	keys := make([][]rune, len(reads))
	for k, r := range reads {
		keys[k] = printKey(r)
	}
	last, first := keys[len(keys)-1], keys[0]
	if len(last) < minPrintKey || len(first) < minPrintPrefix {
		return "", false
	}
	var upper []rune
	for _, k := range keys[:len(keys)-1] {
		upper = append(upper, k...)
	}
	best, found, ambiguous := -1, "", false
	for _, set := range []*printSet{s, s.other} {
		if set == nil {
			continue
		}
		for k, p := range set.keys {
			if d, _ := prefixDistance(first, p); d > printSlack(len(first)) {
				continue
			}
			d, end := prefixDistance(upper, p)
			if d > printSlack(len(upper)) {
				continue
			}
			// Where the lines above end in the phrase is known to a
			// character or two: the nearest reading of the last
			// from there.
			dl, from, to := printSlack(len(last))+1, 0, 0
			for at := max(0, end-2); at <= min(len(p), end+2); at++ {
				if d, n := prefixDistance(last, p[at:]); d < dl {
					dl, from, to = d, at, at+n
				}
			}
			if dl > printSlack(len(last)) || to == from || best >= 0 && d+dl > best {
				continue
			}
			text := set.part(k, from, to)
			if prompt(text) {
				continue
			}
			if d+dl == best {
				ambiguous = ambiguous || fold([]rune(text)) != fold([]rune(found))
				continue
			}
			best, found, ambiguous = d+dl, text, false
		}
	}
	if best < 0 || ambiguous {
		return "", false
	}
	return found, true
}

// part is the part of phrase k as printed that its key's runes from..to
// come from, with the punctuation between them and the key's runes
// before and after: an opening bracket opens a line, a comma or a closing
// bracket ends one.
func (s *printSet) part(k, from, to int) string {
	rs, at := s.phrases[k], s.at[k]
	start, stop := 0, len(rs)
	if from > 0 {
		start = at[from-1] + 1
		for start < at[from] && strings.ContainsRune(lineEnders, rs[start]) {
			start++
		}
	}
	if to < len(at) {
		stop = at[to-1] + 1
		for stop < at[to] && strings.ContainsRune(lineEnders, rs[stop]) {
			stop++
		}
	}
	return string(rs[start:stop])
}

// prompt says whether print ends with a colon: a prompt, which a value
// may follow on its line. A reading like a prompt is not taken for print.
func prompt(text string) bool {
	return strings.HasSuffix(text, "：") || strings.HasSuffix(text, ":")
}

// lineEnders is the punctuation that ends a line of print rather than
// opening the next.
const lineEnders = "、，,。.：:；;）)]】"

// prefixDistance is the least edit distance of a to a prefix of p, and
// the length of that prefix (the shortest of the nearest). Prefixes
// longer than a by more than its slack are not tried.
func prefixDistance(a, p []rune) (int, int) {
	row := editdist.Row(a, p, min(len(p), len(a)+printSlack(len(a))))
	best, end := row[0], 0
	for j, d := range row {
		if d < best {
			best, end = d, j
		}
	}
	return best, end
}

// likePrint returns the pieces of the page Tesseract's first reading
// shows to be print by likeness (printSet.likeWhole, likeContinues), each
// with the print it is: the value recogniser does not read them, and once
// Tesseract's second readings are done they are taken as that print
// (takePrint). A line that opens a phrase of the rest of the
// print (Options.OtherPrint) exactly, minPrintKey characters or more, is
// print too; its reading stands.
func (pg *page) likePrint(lay []blockLay) map[int]string {
	if pg.print == nil {
		return nil
	}
	out := map[int]string{}
	for i := range pg.pieces {
		read := pg.firstReading(i)
		if p, ok := pg.print.likeWhole(read); ok {
			out[i] = p
		} else if pg.print.other.opensExactly(read) {
			out[i] = ""
		}
	}
	for _, cl := range tableCells(lay) {
		for k, l := range cl.lines {
			if l.piece < 0 || pg.fromPrint[l.piece] {
				continue
			}
			if _, ok := out[l.piece]; ok {
				continue
			}
			// The chain of lines above it in the cell, nearest first:
			// plain lines, or an option whose wrapped end it may be.
			reads := []string{pg.firstReading(l.piece)}
			for j := k - 1; j >= 0 && k-j <= maxPrintLines; j-- {
				up := cl.lines[j].piece
				if up < 0 {
					segs := cl.lines[j].segs
					if len(segs) == 0 || segs[len(segs)-1].piece < 0 || j != k-1 {
						break
					}
					up = segs[len(segs)-1].piece
				}
				reads = append([]string{pg.firstReading(up)}, reads...)
				if p, ok := pg.print.likeContinues(reads); ok {
					out[l.piece] = p
					break
				}
				if cl.lines[j].piece < 0 {
					break
				}
			}
		}
	}
	return out
}

// opensExactly says whether read opens one of the phrases exactly
// (folded, spaces dropped) with minPrintKey characters or more, a prompt
// excepted.
func (s *printSet) opensExactly(read string) bool {
	if s == nil || len(printKey(read)) < minPrintKey {
		return false
	}
	f := fold([]rune(strings.ReplaceAll(read, " ", "")))
	for _, p := range s.folded {
		if strings.HasPrefix(p, f) && !prompt(p) {
			return true
		}
	}
	return false
}

// takePrint sets the reading of each piece of like (likePrint) that is
// print by likeness to the print it is, as sure as Tesseract read it: the
// labels and options the template finds by their words are found by the
// form's own.
func (pg *page) takePrint(like map[int]string) {
	for i, text := range like {
		ls := pg.res[i].Lines
		if text == "" || len(ls) == 0 {
			continue
		}
		r := ls[0].Rect
		for _, l := range ls[1:] {
			r = r.Union(l.Rect)
		}
		c := minConf(pg.res[i])
		pg.res[i] = printed(text, r, c)
	}
}

// maxPrintLines is the most lines above a continuation its phrase may
// start on: the longest labels wrap onto four or five lines.
const maxPrintLines = 5

// firstReading is Tesseract's first reading of piece i, its lines joined.
func (pg *page) firstReading(i int) string {
	var parts []string
	for _, l := range pg.res[i].Lines {
		parts = append(parts, l.Text)
	}
	return tidy(strings.Join(parts, " "))
}
