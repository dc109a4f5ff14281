package layout

import (
	"sort"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
)

// MinConfidence is the detection score under which a document is reported
// as of unknown edition rather than forced into the closest template.
const MinConfidence = 0.6

// Detect says which edition c is. It scores every template by the share of
// its printed labels and options found in the document, its maker line
// (…制), its year columns and its own signals, and returns the best with
// the runners-up. A best score under MinConfidence gives EditionUnknown.
func (s *Set) Detect(c *shenbao.Content) shenbao.EditionMatch {
	doc := documentText(c)
	has := func(p string) bool { return strings.Contains(doc, p) }
	if sourceOf(c.Format) == shenbao.SourceOCR {
		// A label read with a character or two wrong still counts: on a
		// rough scan hardly one in two reads exactly.
		pairs := bigrams(doc)
		has = func(p string) bool { return strings.Contains(doc, p) || nearlyHas(pairs, p) }
	}
	found := make([]bool, len(s.phrases))
	for i, p := range s.phrases {
		found[i] = has(p)
	}
	var cands []shenbao.Candidate
	for _, t := range s.list {
		cands = append(cands, shenbao.Candidate{ID: t.ID, Score: round3(t.score(doc, has, found, s.phraseIdx[t.ID]))})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	if len(cands) > 4 {
		cands = cands[:4]
	}
	best := cands[0]
	t := s.byID[best.ID]
	conf := best.Score
	if len(cands) > 1 {
		// A near tie is not a confident answer.
		conf = round3(conf * min(1, 0.5+(best.Score-cands[1].Score)*10))
	}
	if best.Score < MinConfidence {
		return shenbao.EditionMatch{ID: shenbao.EditionUnknown, Name: "未能识别的申报表版本 / unknown edition", Confidence: conf, Candidates: cands}
	}
	return shenbao.EditionMatch{ID: t.ID, Name: t.Name, Confidence: conf, Candidates: cands, Year: t.Year}
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// bigrams returns the set of pairs of adjacent characters in s.
func bigrams(s string) map[[2]rune]bool {
	out := map[[2]rune]bool{}
	var prev rune
	for i, r := range s {
		if i > 0 {
			out[[2]rune{prev, r}] = true
		}
		prev = r
	}
	return out
}

// nearlyHas says whether three in four of the character pairs of p occur
// in the document whose pairs are given: p read with about one character
// in eight wrong.
func nearlyHas(pairs map[[2]rune]bool, p string) bool {
	rs := []rune(p)
	if len(rs) < 5 {
		return false
	}
	hit := 0
	for i := 1; i < len(rs); i++ {
		if pairs[[2]rune{rs[i-1], rs[i]}] {
			hit++
		}
	}
	return 4*hit >= 3*(len(rs)-1)
}

func documentText(c *shenbao.Content) string {
	var b strings.Builder
	var table func(t *shenbao.Table)
	table = func(t *shenbao.Table) {
		for _, r := range t.Rows {
			for _, cell := range r.Cells {
				b.WriteString(Norm(cell.Text))
				b.WriteByte('|')
				for i := range cell.Tables {
					table(&cell.Tables[i])
				}
			}
		}
	}
	for _, bl := range c.Blocks {
		if bl.Table != nil {
			table(bl.Table)
		} else {
			b.WriteString(Norm(bl.Text))
			b.WriteByte('|')
		}
	}
	return b.String()
}

// indexPhrases lists, once per Set, the distinct printed phrases (labels
// and options) of all templates, and which of them each template prints:
// detection then looks each phrase up once per document.
func (s *Set) indexPhrases() {
	at := map[string]int{}
	s.phraseIdx = map[string][]int{}
	for _, t := range s.list {
		seen := map[string]bool{}
		add := func(p string) {
			n := Norm(p)
			if len([]rune(n)) < 4 || seen[n] {
				return
			}
			seen[n] = true
			i, ok := at[n]
			if !ok {
				i = len(s.phrases)
				at[n] = i
				s.phrases = append(s.phrases, n)
			}
			s.phraseIdx[t.ID] = append(s.phraseIdx[t.ID], i)
		}
		for _, r := range t.Rows {
			add(r.Label)
			for _, o := range r.Options {
				add(o)
			}
		}
	}
}

// score is in [0,1]: 0.6 for labels and options found, 0.15 for the maker
// line, 0.15 for the year columns, 0.1 for the title; signals add or take.
// has finds printed text in the document (nearly, for OCR); the years
// and signals, which tell editions apart by a character, must be exact.
func (t *Template) score(doc string, has func(string) bool, foundPhrase []bool, mine []int) float64 {
	found, total := 0, len(mine)
	for _, i := range mine {
		if foundPhrase[i] {
			found++
		}
	}
	score := 0.0
	if total > 0 {
		score += 0.6 * float64(found) / float64(total)
	}
	if t.Maker != "" && has(Norm(t.Maker)) {
		score += 0.15
	} else if t.Maker == "" {
		score += 0.15 * float64(found) / float64(max(total, 1))
	}
	if len(t.Years) > 0 {
		hit := 0
		for _, y := range t.Years {
			if strings.Contains(doc, strconv.Itoa(y)+"年") {
				hit++
			}
		}
		score += 0.15 * float64(hit) / float64(len(t.Years))
	}
	if has(Norm(t.Title)) {
		score += 0.1
	}
	for _, sig := range t.Detect {
		if strings.Contains(doc, Norm(sig.Text)) {
			score += sig.Weight
		}
	}
	return max(0, min(1, score))
}
