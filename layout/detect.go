package layout

import (
	"regexp"
	"slices"
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
// (…制), its year columns, its title and its own signals, and returns the
// best with the runners-up. A best score under MinConfidence gives
// EditionUnknown.
//
// The confidence is the score, less for a near tie, and less again where
// a mark of the edition's identity is missing — its maker line, its title
// (years exactly), or header years it does not print — whatever else
// matches: editions of one form share nearly every label, so a form of an
// edition the set lacks would otherwise be taken, sure, for its sibling.
func (s *Set) Detect(c *shenbao.Content) shenbao.EditionMatch {
	doc := documentText(c)
	ocr := sourceOf(c.Format) == shenbao.SourceOCR
	has := func(p string) bool { return strings.Contains(doc, p) }
	if ocr {
		// A label read with a character or two wrong still counts: on a
		// rough scan hardly one in two reads exactly.
		pairs := bigrams(doc)
		has = func(p string) bool { return strings.Contains(doc, p) || nearlyHas(pairs, p) }
	}
	found := make([]bool, len(s.phrases))
	for i, p := range s.phrases {
		found[i] = has(p)
	}
	dated := datedCells(c)
	var cands []shenbao.Candidate
	identity := map[string]float64{}
	for _, t := range s.list {
		ev := t.evidence(doc, has, dated, ocr)
		identity[t.ID] = ev.identity()
		cands = append(cands, shenbao.Candidate{ID: t.ID, Score: round3(t.score(doc, found, s.phraseIdx[t.ID], ev))})
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
		conf *= min(1, 0.5+(best.Score-cands[1].Score)*10)
	}
	conf = round3(conf * identity[best.ID])
	if best.Score < MinConfidence {
		return shenbao.EditionMatch{ID: shenbao.EditionUnknown, Name: "未能识别的申报表版本 / unknown edition", Confidence: conf, Candidates: cands}
	}
	return shenbao.EditionMatch{ID: t.ID, Name: t.Name, Confidence: conf, Candidates: cands, Year: t.Year}
}

// evidence is what a document shows of one template's identity.
type evidence struct {
	maker, title bool
	// lacks counts the printed marks (maker line, title) the template
	// has and the document does not show.
	lacks int
	// years is the year evidence in [0,1]; explained, where the tables
	// show dated headers (dated), the share of them the template prints.
	years     float64
	explained float64
	dated     bool
}

func (t *Template) evidence(doc string, has func(string) bool, dated map[string]int, ocr bool) evidence {
	ev := evidence{maker: t.Maker != "" && has(Norm(t.Maker)), title: t.Title != "" && has(Norm(t.Title))}
	if ev.title {
		// A title that names its year (2022年度…汇总表) names it exactly:
		// OCR's tolerance must not take the next year's for it.
		for _, y := range titleYear.FindAllString(Norm(t.Title), -1) {
			ev.title = ev.title && strings.Contains(doc, y)
		}
	}
	if t.Maker != "" && !ev.maker {
		ev.lacks++
	}
	if t.Title != "" && !ev.title {
		ev.lacks++
	}
	ev.years = yearsInText(doc, t.Years)
	if shown, expl, ok := t.headerYears(dated, ocr); ok {
		// Half how many of the edition's headers are shown, half how
		// many of the shown it explains: one misread header neither
		// makes nor breaks an edition.
		ev.years, ev.explained, ev.dated = (shown+expl)/2, expl, true
	}
	return ev
}

var titleYear = regexp.MustCompile(`\d{4}年`)

// identity scales the confidence in an edition by the marks of its
// identity the document lacks: header years it does not print are
// another edition's (its values would be read into the wrong years), and
// a missing maker line or title leaves a sibling edition as likely.
func (ev evidence) identity() float64 {
	f := 1.0
	if ev.dated {
		f *= min(1, ev.explained/0.85)
	}
	for range ev.lacks {
		f *= 0.85
	}
	return f
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
// line, 0.15 times the year evidence, 0.1 for the title; signals add or
// take. The signals, which tell editions apart by a character, must be
// exact.
func (t *Template) score(doc string, foundPhrase []bool, mine []int, ev evidence) float64 {
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
	if ev.maker {
		score += 0.15
	} else if t.Maker == "" {
		score += 0.15 * float64(found) / float64(max(total, 1))
	}
	score += 0.15 * ev.years
	if ev.title {
		score += 0.1
	}
	for _, sig := range t.Detect {
		if strings.Contains(doc, Norm(sig.Text)) {
			score += sig.Weight
		}
	}
	return max(0, min(1, score))
}

// yearsInText is the share of years written anywhere in the document
// (2019年): the year evidence of a document whose tables show no dated
// header, or of a template that prints none.
func yearsInText(doc string, years []int) float64 {
	if len(years) == 0 {
		return 0
	}
	hit := 0
	for _, y := range years {
		if strings.Contains(doc, strconv.Itoa(y)+"年") {
			hit++
		}
	}
	return float64(hit) / float64(len(years))
}

// datedCell is a table cell that reads as a dated column header: a year
// and at most a few words (2019年, 2021年基准值), not a date (2022年10月).
var datedCell = regexp.MustCompile(`^\d{4}年\p{Han}{0,4}$`)

// datedCells counts the document's table cells that read as dated column
// headers, by their normalised text.
func datedCells(c *shenbao.Content) map[string]int {
	out := map[string]int{}
	var table func(t *shenbao.Table)
	table = func(t *shenbao.Table) {
		for _, r := range t.Rows {
			for _, cell := range r.Cells {
				if n := Norm(cell.Text); datedCell.MatchString(n) {
					out[n]++
				}
				for i := range cell.Tables {
					table(&cell.Tables[i])
				}
			}
		}
	}
	for _, bl := range c.Blocks {
		if bl.Table != nil {
			table(bl.Table)
		}
	}
	return out
}

// datedHeaders are the template's printed column headers that carry a
// year (2019年, 2021年基准值; the parts of a compound header apart).
func (t *Template) datedHeaders() []string {
	var out []string
	for _, r := range t.Rows {
		for _, col := range r.Columns {
			for _, part := range strings.Split(Norm(col), "/") {
				if datedCell.MatchString(part) && !slices.Contains(out, part) {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// headerYears weighs the tables' dated headers for t: shown is the share
// of the template's dated headers the document shows, explained the share
// of the document's dated cells the template prints; ok is false when
// there is nothing to weigh (no dated header cell in the document, or
// none printed by the template). Editions of one form differ only in
// their years, and a form names later years elsewhere (申报时间 2022年…, a
// plan's 2024年目标值), so a year written anywhere does not tell them
// apart; the header cells do. On a scan a header read with a character
// wrong still counts, but its year must read exactly: that is what tells
// the editions apart.
func (t *Template) headerYears(dated map[string]int, ocr bool) (shown, explained float64, ok bool) {
	heads := t.datedHeaders()
	if len(heads) == 0 || len(dated) == 0 {
		return 0, 0, false
	}
	matches := func(cell, head string) bool {
		if cell == head {
			return true
		}
		return ocr && cell[:4] == head[:4] && similarity(cell, head) >= minLabelScore
	}
	n := 0
	for _, h := range heads {
		for cell := range dated {
			if matches(cell, h) {
				n++
				break
			}
		}
	}
	hit, total := 0, 0
	for cell, k := range dated {
		total += k
		if slices.ContainsFunc(heads, func(h string) bool { return matches(cell, h) }) {
			hit += k
		}
	}
	return float64(n) / float64(len(heads)), float64(hit) / float64(total), true
}
