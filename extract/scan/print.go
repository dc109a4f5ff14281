package scan

import (
	"context"
	"image"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/ocr"
)

// A form's label cells and option texts are its own print, and a third of
// what a scan reads is print (38 % of the characters of a national 2022
// scan). A label cell's first line is read; when it opens exactly one
// printed phrase whose rest fits the cell's other lines by width, those
// lines are the rest of the phrase and are not read. An option is read up
// to a gap past its first four ems and completed the same way. When
// anything differs — the first characters misread, the ink too long or too
// short for the rest, two phrases that fit differently — everything is
// read as usual: what is taken from print is what the form prints there.

// printSet holds the printed phrases, compared by their folded form.
type printSet struct {
	phrases [][]rune // as printed
	folded  []string // fold of each
	keyed   []string // each as two engines' readings are compared (ocr.Key)
	keys    [][]rune // each as likeness compares readings to it (printKey)
	at      [][]int  // for each rune of its key, its index in the phrase
	// forms says which forms (Options.Forms, by index) print each phrase.
	forms []formMask
	// exact gives, for a phrase's fold, the forms that print it.
	exact map[string]formMask
	// seqs are the forms' labels (phrase indices) in the order each
	// prints them, repeats included (see inOrder).
	seqs [][]int
	// notes are the paragraphs printed outside tables (Form.Notes),
	// other the rest of the print (Form.Other).
	notes, other *printSet
}

// formMask is a set of forms by their index in Options.Forms: the forms
// a page's readings fit (pageForms), which print a phrase (printSet.forms).
// A form past maxForms shares the bit of form k mod maxForms, which only
// narrows less.
type formMask uint64

const anyForm = ^formMask(0)

// maxForms is how many forms a formMask tells apart.
const maxForms = 64

func newPrintSet(ps []string) *printSet { return newFormsPrint([][]string{ps}) }

// newFormsPrint is the union of the forms' phrases, each phrase once with
// the forms that print it.
func newFormsPrint(forms [][]string) *printSet {
	s := &printSet{exact: map[string]formMask{}}
	index := map[string]int{}
	for k, ps := range forms {
		bit := formMask(1) << (k % maxForms)
		for _, p := range ps {
			rs := []rune(strings.Join(strings.Fields(p), ""))
			if len(rs) == 0 {
				continue
			}
			if i, ok := index[string(rs)]; ok {
				s.forms[i] |= bit
				s.exact[s.folded[i]] |= bit
				continue
			}
			index[string(rs)] = len(s.phrases)
			s.phrases = append(s.phrases, rs)
			s.folded = append(s.folded, fold(rs))
			s.keyed = append(s.keyed, ocr.Key(string(rs)))
			k, at := keyOf(rs)
			s.keys, s.at = append(s.keys, k), append(s.at, at)
			s.forms = append(s.forms, bit)
			s.exact[fold(rs)] |= bit
		}
	}
	if len(s.phrases) == 0 {
		return nil
	}
	return s
}

// order sets the forms' sequences of labels: seqs[k] holds the phrases
// of labels[k] in order, those that are among the phrases.
func (s *printSet) order(labels [][]string) {
	index := map[string]int{}
	for i, p := range s.phrases {
		index[string(p)] = i
	}
	s.seqs = make([][]int, len(labels))
	for k, ls := range labels {
		for _, l := range ls {
			if i, ok := index[strings.Join(strings.Fields(l), "")]; ok {
				s.seqs[k] = append(s.seqs[k], i)
			}
		}
	}
}

// fold is a phrase or a reading as they are compared: punctuation width
// folded (shenbao.FoldWidth), one rune for one rune.
func fold(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(shenbao.FoldWidth(r))
	}
	return b.String()
}

// units is the width of rs in ems: Chinese characters and full-width
// punctuation are one, Latin letters, digits and ASCII punctuation half.
func units(rs []rune) float64 {
	u := 0.0
	for _, r := range rs {
		if ocr.Wide(r) {
			u++
		} else {
			u += 0.5
		}
	}
	return u
}

// inkUnits is the width in ems of the ink rs prints: units, less the
// blank half of a full-width bracket or stop at either end — （亿元） prints
// three ems of ink, not four.
func inkUnits(rs []rune) float64 {
	u := units(rs)
	if len(rs) == 0 {
		return u
	}
	if strings.ContainsRune("（《「『【〈“‘", rs[0]) {
		u -= 0.5
	}
	if strings.ContainsRune("）》」』】〉”’，。、：；！？", rs[len(rs)-1]) {
		u -= 0.5
	}
	return u
}

// minPrintPrefix is the fewest characters a first line must hold to be
// taken as the start of a phrase: one or two open too many.
const minPrintPrefix = 3

// rest returns the text of each of the lines below a first line read as
// first (spaces removed) w1 pixels wide, when first opens printed phrases
// of the forms fm and every such phrase that fits the lines' widths ws
// continues the same way. With sameLine, ws is one piece of ink on the
// first line's own line, which may be wider than the first.
func (s *printSet) rest(first string, w1 int, ws []int, sameLine bool, fm formMask) ([]string, bool) {
	r, ok := s.only(first, fm, s.restPart(w1, ws, sameLine))
	if !ok {
		return nil, false
	}
	return split(r, ws), true
}

// restForms is the forms that print a phrase first opens and the lines
// fit, as rest takes them.
func (s *printSet) restForms(first string, w1 int, ws []int, sameLine bool) formMask {
	return s.fitting(first, s.restPart(w1, ws, sameLine))
}

func (s *printSet) restPart(w1 int, ws []int, sameLine bool) func(p, head []rune) ([]rune, bool) {
	return restWithin(w1, ws, sameLine, tightFit)
}

// looseRest is restPart within looseFit: the phrases a head may open,
// among which a head's own reading must choose one (see labels.go).
func (s *printSet) looseRest(w1 int, ws []int, sameLine bool) func(p, head []rune) ([]rune, bool) {
	return restWithin(w1, ws, sameLine, looseFit)
}

// restWithin takes a phrase's rest after the head when it fits the
// lines ws with the slack tol.
func restWithin(w1 int, ws []int, sameLine bool, tol func(float64) float64) func(p, head []rune) ([]rune, bool) {
	return func(p, head []rune) ([]rune, bool) {
		r := p[len(head):]
		return r, len(r) > 0 && fitsWithin(units(head), w1, inkUnits(r), ws, sameLine, tol)
	}
}

// between returns what a printed phrase of the forms fm holds between
// first, read w1 pixels wide, and last, read on the next line, when that
// fits ink w pixels wide after first on first's line, and every phrase
// that fits holds the same.
func (s *printSet) between(first, last string, w1, w int, fm formMask) (string, bool) {
	m, ok := s.only(first, fm, betweenPart(last, w1, w))
	return string(m), ok
}

func (s *printSet) betweenForms(first, last string, w1, w int) formMask {
	return s.fitting(first, betweenPart(last, w1, w))
}

func betweenPart(last string, w1, w int) func(p, head []rune) ([]rune, bool) {
	lr := []rune(last)
	tail := fold(lr)
	return func(p, head []rune) ([]rune, bool) {
		if len(lr) == 0 || len(p) <= len(head)+len(lr) || !strings.HasSuffix(fold(p), tail) {
			return nil, false
		}
		m := p[len(head) : len(p)-len(lr)]
		return m, fits(units(head), w1, inkUnits(m), []int{w}, true)
	}
}

// only returns the part that part takes of every printed phrase of the
// forms fm opening with first (head: the phrase's own first characters),
// when that part is the same, folded, for all that give one.
func (s *printSet) only(first string, fm formMask, part func(p, head []rune) ([]rune, bool)) ([]rune, bool) {
	var found []rune
	same := true
	s.each(first, fm, part, func(_ int, r []rune) {
		// Editions print the same label with full-width or ASCII
		// brackets: the same rest either way.
		if found != nil && fold(found) != fold(r) {
			same = false
		}
		if found == nil {
			found = r
		}
	})
	return found, found != nil && same
}

// onlyHead is only for a head read as first or, failing that, as first
// without the narrow marks at its end (sliverless): the gap a head is cut
// at may lie inside a character blurred on a 150-dpi copy, its sliver
// read as a mark (开展了数: for 开展了数字…) and its other part in the
// rest's ink. It returns the head that opened the part.
func (s *printSet) onlyHead(first string, fm formMask, part func(p, head []rune) ([]rune, bool)) (string, []rune, bool) {
	if r, ok := s.only(first, fm, part); ok {
		return first, r, true
	}
	if cut := sliverless(first); cut != first {
		if r, ok := s.only(cut, fm, part); ok {
			return cut, r, true
		}
	}
	return first, nil, false
}

// looseOnly is only for a head read with one of its characters wrong:
// the phrases of the forms fm whose first len(first) characters, folded,
// differ from first's in one place, looseOpen characters or more read.
// It returns the phrase's own head and the part, when every phrase that
// gives a part gives the same, folded. A head that some phrase of fm
// opens with exactly was read right, whatever its rest: the phrase one
// character off is another option (开展了智能… is not 开展了节能…, though
// the line's ink, its end wrapped, fits the other).
func (s *printSet) looseOnly(first string, fm formMask, part func(p, head []rune) ([]rune, bool)) (head, rest []rune, ok bool) {
	fr := []rune(fold([]rune(first)))
	if s == nil || len(fr) < looseOpen {
		return nil, nil, false
	}
	same := true
	for i, f := range s.folded {
		pf := []rune(f)
		if s.forms[i]&fm == 0 || len(pf) < len(fr) {
			continue
		}
		off := 0
		for k := range fr {
			if pf[k] != fr[k] {
				off++
			}
		}
		if off == 0 {
			return nil, nil, false
		}
		if off != 1 || len(pf) == len(fr) {
			continue
		}
		p := s.phrases[i]
		r, fits := part(p, p[:len(fr)])
		if !fits {
			continue
		}
		if rest != nil && (fold(rest) != fold(r) || fold(head) != fold(p[:len(fr)])) {
			same = false
		}
		if rest == nil {
			head, rest = p[:len(fr)], r
		}
	}
	return head, rest, rest != nil && same
}

// fitting is the forms printing a phrase that opens with first and gives
// part.
func (s *printSet) fitting(first string, part func(p, head []rune) ([]rune, bool)) formMask {
	var fm formMask
	s.each(first, anyForm, part, func(i int, _ []rune) { fm |= s.forms[i] })
	return fm
}

// each calls fn with every phrase of the forms fm opening with first and
// what part takes of it.
func (s *printSet) each(first string, fm formMask, part func(p, head []rune) ([]rune, bool), fn func(i int, r []rune)) {
	fr := []rune(first)
	if s == nil || len(fr) < minPrintPrefix {
		return
	}
	h := fold(fr)
	for i, f := range s.folded {
		if s.forms[i]&fm == 0 || !strings.HasPrefix(f, h) {
			continue
		}
		p := s.phrases[i]
		if r, ok := part(p, p[:len(fr)]); ok {
			fn(i, r)
		}
	}
}

// opens says whether t, a reading, opens a printed phrase: its first
// characters (up to minPrintPrefix, spaces dropped) begin one. Without
// print every reading opens one.
func (s *printSet) opens(t string) bool { return s.opensSome(t, nil) }

// opensSome is opens over the phrases keep takes (all if nil).
func (s *printSet) opensSome(t string, keep func(p []rune) bool) bool {
	if s == nil {
		return true
	}
	rs := []rune(strings.Join(strings.Fields(t), ""))
	if len(rs) == 0 {
		return false
	}
	h := fold(rs[:min(len(rs), minPrintPrefix)])
	for i, f := range s.folded {
		if strings.HasPrefix(f, h) && (keep == nil || keep(s.phrases[i])) {
			return true
		}
	}
	return false
}

// looseOpen is how many characters of a line's start are held against a
// phrase's when one of them may be misread.
const looseOpen = 4

// opensLoosely says whether t, or t after its first character, starts as a
// printed phrase does but for one character of its first looseOpen.
func (s *printSet) opensLoosely(t string) bool { return s.opensLooselySome(t, nil) }

// opensLooselySome is opensLoosely over the phrases keep takes (all if
// nil).
func (s *printSet) opensLooselySome(t string, keep func(p []rune) bool) bool {
	if s == nil {
		return true
	}
	rs := []rune(strings.Join(strings.Fields(t), ""))
	for _, from := range []int{0, 1} {
		if len(rs)-from < looseOpen {
			return false
		}
		head := []rune(fold(rs[from : from+looseOpen]))
		for i, f := range s.folded {
			fr := []rune(f)
			if len(fr) < looseOpen || keep != nil && !keep(s.phrases[i]) {
				continue
			}
			off := 0
			for k := range looseOpen {
				if fr[k] != head[k] {
					off++
				}
			}
			if off <= 1 {
				return true
			}
		}
	}
	return false
}

// fits says whether lines ws wide hold u ems, at the pitch of a first
// line w1 pixels wide holding u1. A line's ink is its characters' pitches
// less the blank beside its last, up to half a character, and a short
// head's ink says its pitch badly (four characters of a nine-point label
// read 102 pixels wide stand 28.6 apart, not 25.5): so the pitch is known
// between two bounds, and the ems the lines hold between two more; u must
// lie between them, give or take half an em or a twentieth of a long rest.
// The wider the bounds, the more phrases fit, and a phrase is taken only
// when it alone fits (printSet.only) or its place says it (inOrder).
func fits(u1 float64, w1 int, u float64, ws []int, sameLine bool) bool {
	return fitsWithin(u1, w1, u, ws, sameLine, tightFit)
}

// tightFit is the slack of lines read whole against a phrase's rest.
func tightFit(u float64) float64 { return max(0.5, u/20) }

// looseFit is the slack a head's rest is held to: field scans print a
// label an em or more narrower than its characters' pitch says (a 300-dpi
// bitonal copy's （%） as (%), a condensed face), and a head of three to
// five characters says its pitch too poorly for a character's difference
// between two labels to tell them apart.
func looseFit(u float64) float64 { return max(2, u/6) }

// fitsWithin is fits with the slack tol(u).
func fitsWithin(u1 float64, w1 int, u float64, ws []int, sameLine bool, tol func(float64) float64) bool {
	if u1 <= 0 || w1 <= 0 {
		return false
	}
	lo := float64(w1) / u1
	hi := float64(w1) / max(u1-0.5, u1*0.8)
	estLo, estHi := 0.0, 0.0
	for _, w := range ws {
		if !sameLine && float64(w) > float64(w1)+hi {
			return false // a lower line wider than the first: not a wrap of it
		}
		estLo += float64(w) / hi
		estHi += float64(w)/lo + 0.5
	}
	t := tol(u)
	return u >= estLo-t && u <= estHi+t
}

// split cuts rs into len(ws) lines in proportion to their widths.
func split(rs []rune, ws []int) []string {
	total := 0
	for _, w := range ws {
		total += w
	}
	u := units(rs)
	out := make([]string, len(ws))
	at, cum, used := 0, 0, 0.0
	for k, w := range ws {
		if k == len(ws)-1 {
			out[k] = string(rs[at:])
			break
		}
		cum += w
		end := u * float64(cum) / float64(total)
		start := at
		for at < len(rs) {
			du := units(rs[at : at+1])
			if used+du/2 > end {
				break
			}
			used += du
			at++
		}
		out[k] = string(rs[start:at])
	}
	return out
}

// printed is the result of a piece whose text is taken from print, as
// sure as the reading that opened it (c).
func printed(text string, r image.Rectangle, c float64) ocr.Result {
	return ocr.Result{Lines: []ocr.TextLine{{Text: text, Rect: r, Conf: c, Low: c}}}
}

// printGroup is a cell whose lines after the first may be print.
type printGroup struct {
	first int   // the first line's piece
	later []int // the other lines' pieces, top to bottom
	// head is the first line's head, for a cell read by it (labelCells).
	head optionHead
}

// printGroups lists the table cells of lay with two or more lines of plain
// text (no option boxes, no nested table).
func printGroups(lay []blockLay) []printGroup {
	var out []printGroup
	for _, cl := range tableCells(lay) {
		if g, ok := plainCell(cl); ok && len(g.later) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// plainCell is a cell of plain text lines (no option boxes, no nested
// table) as a group: its first line and the others.
func plainCell(cl *cellLay) (printGroup, bool) {
	if len(cl.lines) == 0 || len(cl.nested) > 0 {
		return printGroup{}, false
	}
	g := printGroup{first: -1}
	for _, l := range cl.lines {
		if l.piece < 0 {
			return printGroup{}, false
		}
		if g.first < 0 {
			g.first = l.piece
		} else {
			g.later = append(g.later, l.piece)
		}
	}
	return g, true
}

// tableCells lists the cells of the tables of lay, nested tables' too.
func tableCells(lay []blockLay) []*cellLay {
	var out []*cellLay
	eachCell(lay, func(_ *tableLay, cl *cellLay) { out = append(out, cl) })
	return out
}

// eachCell calls fn with every cell of the tables of lay and the table
// it is in, a nested table's cells before the cell holding it.
func eachCell(lay []blockLay, fn func(tl *tableLay, cl *cellLay)) {
	var walk func(tl *tableLay)
	walk = func(tl *tableLay) {
		for _, cl := range tl.cells {
			for _, n := range cl.nested {
				walk(n)
			}
			fn(tl, cl)
		}
	}
	for _, b := range lay {
		if b.table != nil {
			walk(b.table)
		}
	}
}

// completePrint sets the result of the later lines of each group whose
// first line (read, in pg.res) opens a printed phrase that they fit, and
// returns the pieces still to be read.
func (pg *page) completePrint(groups []printGroup) []int {
	var unread []int
	for _, g := range groups {
		if lines, ok := pg.printRest(g); ok {
			conf := minConf(pg.res[g.first])
			for k, i := range g.later {
				r := pg.pieces[i].Rect
				pg.res[i] = printed(lines[k], r, conf)
				pg.fromPrint[i] = true
			}
			continue
		}
		unread = append(unread, g.later...)
	}
	return unread
}

func (pg *page) printRest(g printGroup) ([]string, bool) {
	first, w1, ws, ok := pg.groupInk(g)
	if !ok {
		return nil, false
	}
	if rest, ok := pg.print.rest(first, w1, ws, false, anyForm); ok {
		return rest, true
	}
	return pg.orderedRest(g.first, first, ws)
}

// orderedRest is the rest after first of the phrase the cell opening with
// piece is by its place (inOrder), split over lines ws wide.
func (pg *page) orderedRest(piece int, first string, ws []int) ([]string, bool) {
	i, ok := pg.ordered[piece]
	if !ok {
		return nil, false
	}
	p, n := pg.print.phrases[i], len([]rune(first))
	if n >= len(p) || fold(p[:n]) != fold([]rune(first)) {
		return nil, false
	}
	return split(p[n:], ws), true
}

// groupInk is a group's first line as read (spaces removed) and its width,
// and the widths of the lines below.
func (pg *page) groupInk(g printGroup) (string, int, []int, bool) {
	r := pg.res[g.first]
	if len(r.Lines) != 1 || pg.unread(g.first) {
		return "", 0, nil, false
	}
	first := strings.ReplaceAll(tidy(r.Lines[0].Text), " ", "")
	ws := make([]int, len(g.later))
	for k, i := range g.later {
		ws[k] = pg.pieces[i].Rect.Dx()
	}
	// The width read, not the piece's: the piece may run to ink that
	// Tesseract took for no character.
	return first, r.Lines[0].Rect.Dx(), ws, true
}

// readPieces reads the page's pieces but the print it need not read: first
// every piece but the label cells read by their heads (labelCells), the
// later lines of cells (printGroups) and the options and paragraphs long
// enough to read by their heads, with those heads; then whatever of them
// is not print; last the later lines of label cells whose heads opened no
// label, when their first lines, read whole, do not either.
func (pg *page) readPieces(ctx context.Context, lay []blockLay, rec Recognizer) error {
	pg.res = make([]ocr.Result, len(pg.pieces))
	pg.fromPrint = map[int]bool{}
	var groups []printGroup
	var heads []optionHead
	var notes []noteGroup
	var labels []printGroup
	if pg.print != nil {
		groups, heads, notes = printGroups(lay), pg.optionHeads(lay), pg.noteGroups(lay)
		labels, groups = pg.labelCells(lay, groups)
	}
	later := map[int]bool{}
	for _, gs := range [][]printGroup{groups, labels} {
		for _, g := range gs {
			for _, i := range g.later {
				later[i] = true
			}
		}
	}
	for _, h := range heads {
		later[h.piece] = true
	}
	for _, n := range notes {
		for _, i := range n.pieces {
			later[i] = true
		}
		heads = append(heads, n.head)
	}
	for _, g := range labels {
		later[g.first] = true
		heads = append(heads, g.head)
	}
	tentative := tentativeCells(lay)
	for _, cl := range tentative {
		for _, i := range optionPieces(cl.lines) {
			later[i] = true
		}
		for _, l := range cl.lines {
			if l.whole >= 0 {
				later[l.whole] = true
			}
		}
	}
	screens := pg.screenHeads(tentative)
	remarks := pg.remarkHeads(lay)
	for _, h := range remarks {
		later[h.piece] = true
	}
	var answers map[int]bool
	if pg.readsProse() {
		answers = answerLines(lay, later, pg.em)
	}
	first, prose := firstReads(len(pg.pieces), later, answers)
	// The heads are read with the first lines, in one call: the options',
	// the paragraphs', the labels'.
	regs := make([]ocr.Region, len(heads), len(heads)+len(remarks)+len(screens))
	for k, h := range heads {
		regs[k] = ocr.Region{Rect: h.head, Mode: ocr.Line}
	}
	for _, h := range remarks {
		regs = append(regs, ocr.Region{Rect: h.head, Mode: ocr.Line})
	}
	for _, sc := range screens {
		regs = append(regs, ocr.Region{Rect: sc.head, Mode: ocr.Line})
	}
	headRes, err := pg.readSome(ctx, rec, first, regs)
	if err != nil {
		return err
	}
	headRes, remarkRes, screenRes := headRes[:len(heads)], headRes[len(heads):len(heads)+len(remarks)], headRes[len(heads)+len(remarks):]
	// The long answers' lines (prose.go): by PP-OCR on a page that reads
	// clearly as it lies, by Tesseract on one that may not — upside down,
	// Tesseract's confidence tells, PP-OCR's need not. The heads count: on
	// a page of one long cell read by its head they are all there is.
	conf := chineseConf(append(slices.Clip(pg.res), headRes...))
	if conf == 0 && len(prose) > 0 {
		// A page that is one long answer run on from the page before
		// has no line read yet to say how it lies: all its lines were
		// read by Tesseract, then again by PP-OCR as an answer's (23
		// lines of a page of cq2024_05). Its first line, read by
		// Tesseract, says.
		if _, err := pg.readSome(ctx, rec, prose[:1], nil); err != nil {
			return err
		}
		conf = chineseConf(append(slices.Clip(pg.res), headRes...))
		prose = prose[1:]
	}
	if conf >= uprightConf {
		err = pg.readProse(ctx, prose)
	} else {
		_, err = pg.readSome(ctx, rec, prose, nil)
	}
	if err != nil || len(groups) == 0 && len(heads) == 0 && len(tentative) == 0 && len(remarks) == 0 {
		return err
	}
	// The remarks first: a line below an option may be its wrapped end,
	// which completeOptions reads (wrappedEnd); one no remark completes
	// is read now, as it was with the page's first lines.
	if idx := pg.completeRemarks(remarks, remarkRes); len(idx) > 0 {
		if _, err := pg.readSome(ctx, rec, idx, nil); err != nil {
			return err
		}
	}
	no, nn := len(heads)-len(notes)-len(labels), len(heads)-len(labels)
	optRes, noteRes, labelRes := headRes[:no], headRes[no:nn], headRes[nn:]
	pg.forms = pg.pageForms(groups, heads[:no], optRes, notes, noteRes, labels, labelRes)
	pg.ordered = pg.print.inOrder(pg.cellSigns(lay, groups, labels, labelRes), pg.forms)
	unread := append(pg.completePrint(groups), pg.completeOptions(heads[:no], optRes)...)
	unread = append(unread, pg.completeNotes(notes, noteRes)...)
	options, text := pg.settleTentative(tentative, screens, screenRes)
	unread = append(unread, options...)
	// A line whose marks fell is text, an answer's where its cell may be
	// one: read by PP-OCR at once, as the answers' other lines are.
	var textPP []int
	for _, i := range text {
		if pg.readsProse() && conf >= uprightConf && pg.pieces[i].Rect.Dx() >= proseLine*pg.em {
			textPP = append(textPP, i)
		} else {
			unread = append(unread, i)
		}
	}
	whole, past := pg.completeLabels(labels, labelRes)
	var unlabelled []printGroup
	for _, k := range whole {
		unread = append(unread, labels[k].first)
		unlabelled = append(unlabelled, labels[k])
	}
	regs = regs[:0]
	for _, k := range past {
		regs = append(regs, pg.pastHead(labels[k]))
		unlabelled = append(unlabelled, labels[k])
	}
	pp, unread := pg.proseRoute(groups, unread, conf)
	pp = append(pp, textPP...)
	pastRes, err := pg.readSome(ctx, rec, unread, regs)
	if err != nil {
		return err
	}
	if err := pg.readProse(ctx, pp); err != nil {
		return err
	}
	for j, k := range past {
		pg.joinPast(labels[k], labelRes[k], pastRes[j])
	}
	pp, unread = pg.proseRoute(unlabelled, pg.completePrint(unlabelled), conf)
	if _, err = pg.readSome(ctx, rec, unread, nil); err != nil {
		return err
	}
	return pg.readProse(ctx, pp)
}

// firstReads splits the n pieces of a page but those read later into
// the long answers' lines (answers, read by PP-OCR) and the rest (read by
// Tesseract with the heads).
func firstReads(n int, later, answers map[int]bool) (first, prose []int) {
	for i := range n {
		switch {
		case later[i]:
		case answers[i]:
			prose = append(prose, i)
		default:
			first = append(first, i)
		}
	}
	return first, prose
}

// tentativeCells lists the table cells whose lines hold tentative marks
// (layLines): whether the marks stand is told by the text after them,
// read first by its head (screenHeads), and the options are read only if
// they may.
func tentativeCells(lay []blockLay) []*cellLay {
	var out []*cellLay
	for _, cl := range tableCells(lay) {
		for _, l := range cl.lines {
			if l.piece < 0 && l.whole >= 0 {
				out = append(out, cl)
				break
			}
		}
	}
	return out
}

// optionPieces lists the pieces of the options of the lines of ls read
// whole besides (the text before the first mark included).
func optionPieces(ls []lineLay) []int {
	var out []int
	for _, l := range ls {
		if l.whole < 0 {
			continue
		}
		for _, s := range l.segs {
			if s.piece >= 0 {
				out = append(out, s.piece)
			}
		}
	}
	return out
}

// screenHead is the head of the text after a tentative mark of cell.
type screenHead struct {
	cell int // index into the tentative cells
	head image.Rectangle
	ink  int // width of the ink after the mark, to the next mark or the line's end
}

// mostlyMarked says whether most of a cell's lines open with marks: a
// group ticked throughout, whose options are read without a screen.
func mostlyMarked(cl *cellLay) bool {
	marked := 0
	for _, l := range cl.lines {
		if l.piece < 0 && l.whole >= 0 {
			marked++
		}
	}
	return 2*marked > len(cl.lines)
}

// screenHeads lists the heads read to tell whether the tentative marks of
// cells may stand: for each mark of a cell not mostly marked, or mostly
// marked with long lines after its marks (longMarked), the text after it
// up to a gap between two characters near headEms ems, or to the next
// mark. The heads are read with the page's first lines, where the lines
// themselves were read whole: a long answer's line opening with 国 or 四
// cost Tesseract a whole line's read, and PP-OCR's again as the answer's
// (8 lines of nat2024_05, ~0.5 s).
func (pg *page) screenHeads(cells []*cellLay) []screenHead {
	var out []screenHead
	for c, cl := range cells {
		if mostlyMarked(cl) && !pg.longMarked(cl) {
			continue
		}
		for _, s := range tentativeSegs(cl) {
			// A mark with no room for text after it opens nothing:
			// its empty head reads empty.
			sc := screenHead{cell: c}
			if s.piece >= 0 {
				sc.head = pg.headIn(pg.pieces[s.piece].Rect)
				sc.ink = pg.inkWidth(s.piece)
			}
			out = append(out, sc)
		}
	}
	return out
}

// tentativeSegs lists the options after the tentative marks of cl.
func tentativeSegs(cl *cellLay) []segLay {
	var out []segLay
	for _, l := range cl.lines {
		if l.whole < 0 {
			continue
		}
		for _, s := range l.segs {
			if s.mark != nil && s.mark.tentative {
				out = append(out, s)
			}
		}
	}
	return out
}

// longMarked says whether every tentative mark of cl has a long run of
// words after it, headMin ems or more: a group ticked throughout whose
// options are short (是, 否) is read as it stands, without a screen.
func (pg *page) longMarked(cl *cellLay) bool {
	segs := tentativeSegs(cl)
	for _, s := range segs {
		if s.piece < 0 || pg.inkWidth(s.piece) < headMin*pg.em {
			return false
		}
	}
	return len(segs) > 0
}

// inkWidth is the width of the ink of piece.
func (pg *page) inkWidth(piece int) int {
	ink, ok := inkExtent(pg.bin, pg.pieces[piece].Rect.Intersect(image.Rect(0, 0, pg.bin.w, pg.bin.h)))
	if !ok {
		return 0
	}
	return ink.Dx()
}

// headIn is r up to the widest gap between two characters headEms to
// headEms+2 ems into its ink (gapCut); r itself when it has no such gap.
func (pg *page) headIn(r image.Rectangle) image.Rectangle {
	ink, ok := inkExtent(pg.bin, r.Intersect(image.Rect(0, 0, pg.bin.w, pg.bin.h)))
	if !ok {
		return r
	}
	cut, _, ok := pg.gapCut(ink, headEms)
	if !ok {
		return r
	}
	return image.Rect(r.Min.X, r.Min.Y, cut, r.Max.Y)
}

// settleTentative returns the options' pieces of tentative cells to read
// and the lines to read as text. The options are read, and the lines
// whole besides (the text if the marks do not stand after all), where
// the heads read after its marks (screens, read as res) say the marks may
// stand (headsOpening): half of them open a printed phrase, or, where
// most of the cell's lines open with marks (a group ticked throughout),
// one does or none was screened (longMarked); reading them leaves the
// decision to marksStand, as for any tentative cell. One head is enough
// to tell a group ticked throughout, but a long answer whose lines open
// with dense characters blurred into squares on a 150-dpi copy (数, 服,
// 设, four lines of seven) opens printed phrases too — 数字化… — never one
// a whole line long; read as options, each of its lines cost Tesseract
// two readings (gd2023_05). The others' options are never read — a long
// answer whose lines open now and then with a character that looks like
// a box (国, 回) is read once, as text — and their lines are the cell's
// text.
func (pg *page) settleTentative(cells []*cellLay, screens []screenHead, res []ocr.Result) (options, text []int) {
	for c, cl := range cells {
		n, opening := pg.print.headsOpening(c, screens, res, pg.em)
		stand := 2*opening >= n
		if mostlyMarked(cl) {
			stand = n == 0 || opening > 0
		}
		if stand {
			options = append(options, optionPieces(cl.lines)...)
			for _, l := range cl.lines {
				if l.whole >= 0 {
					options = append(options, l.whole)
				}
			}
			continue
		}
		if pg.unneeded == nil {
			pg.unneeded, pg.asText = map[int]bool{}, map[int]bool{}
		}
		for _, i := range optionPieces(cl.lines) {
			pg.unneeded[i] = true
		}
		for _, l := range cl.lines {
			if l.whole >= 0 {
				pg.asText[l.whole] = true
				text = append(text, l.whole)
			}
		}
	}
	return options, text
}

// headsOpening counts the heads read after the marks of cell c (screens,
// read as res) and those that open a printed phrase covering the words
// after their mark (screenOpens, covering): loosely too, a head with its
// first character misread or one too many — the character after a ☑ is
// often misread (开展 as 于展 or 和结展). It only screens: a cell whose
// marks it lets stand is read and decided as before.
func (s *printSet) headsOpening(c int, screens []screenHead, res []ocr.Result, em int) (n, opening int) {
	for k, sc := range screens {
		if sc.cell != c {
			continue
		}
		n++
		var t strings.Builder
		for _, l := range res[k].Lines {
			t.WriteString(l.Text)
		}
		if s.screenOpens(t.String(), covering(sc.ink, em)) {
			opening++
		}
	}
	return n, opening
}

// covering takes the printed phrases that cover ink pixels of words
// after a mark, within looseFit (a wrapped option's phrase is longer), or
// that end with a colon, a write-in's words following. A long answer's
// line opens printed phrases too — 产业集群…, 2026年 as 2025年目标值 —
// never one a whole line long.
func covering(ink, em int) func(p []rune) bool {
	ems := float64(ink) / float64(em)
	return func(p []rune) bool {
		return inkUnits(p) >= ems-looseFit(ems) || strings.ContainsRune("：:", p[len(p)-1])
	}
}

// screenOpens says whether a head read after a tentative mark opens a
// printed phrase that keep takes: exactly, or loosely — but not loosely
// where it is the rest of a printed phrase after that phrase's first
// character (continues): then the "mark" is that character, a dense 国 or
// 建 opening a label's line (家级试点…, 设或引入的… on a 150-dpi copy),
// and a loose opening is no more than chance.
func (s *printSet) screenOpens(t string, keep func(p []rune) bool) bool {
	return s.opensSome(t, keep) || s.opensLooselySome(t, keep) && !s.continues(t)
}

// continues says whether t's first looseOpen characters are a printed
// phrase's, after the phrase's first.
func (s *printSet) continues(t string) bool {
	rs := []rune(strings.Join(strings.Fields(t), ""))
	if s == nil || len(rs) < looseOpen {
		return false
	}
	h := fold(rs[:looseOpen])
	for _, f := range s.folded {
		if _, size := utf8.DecodeRuneInString(f); strings.HasPrefix(f[size:], h) {
			return true
		}
	}
	return false
}

// readSome reads the pieces idx into pg.res and, in the same call, the
// regions extra, whose results it returns.
func (pg *page) readSome(ctx context.Context, rec Recognizer, idx []int, extra []ocr.Region) ([]ocr.Result, error) {
	if len(idx)+len(extra) == 0 {
		return nil, nil
	}
	regs := make([]ocr.Region, 0, len(idx)+len(extra))
	for _, i := range idx {
		regs = append(regs, pg.pieces[i])
	}
	res, err := rec.Page(ctx, pg.gray, append(regs, extra...))
	if err != nil {
		return nil, err
	}
	for k, i := range idx {
		pg.res[i] = res[k]
	}
	return res[len(idx):], nil
}

// Option texts are print too, each on the line after its box. An option
// whose ink runs past headMin ems is read only up to a gap between two
// characters near headEms; the rest is taken from the option it opens
// when the rest's ink is as wide as that option's rest, and read as
// usual otherwise. Tesseract's time grows with the ems read, about 2 ms
// an em: cut at four ems rather than five, nat2024_05's print reads took
// 63 characters fewer, none read whole after, and every reading of the
// dev and held-out scans stayed as it was.
const (
	headMin = 8
	headEms = 4
)

// optionHead is an option's text piece read by its head first.
type optionHead struct {
	piece int
	head  image.Rectangle // from the piece's start to the gap
	rest  int             // ink width after the gap
	ink   image.Rectangle // the piece's ink
	// next is the piece of the cell's next line when the option is the
	// last on its line and that line holds plain text (the option's
	// wrapped end, or something else); -1 if none.
	next int
}

// optionHeads lists the option pieces of lay long enough to read by
// their heads.
func (pg *page) optionHeads(lay []blockLay) []optionHead {
	var out []optionHead
	add := func(ls []lineLay) {
		for k, l := range ls {
			for j, s := range l.segs {
				if s.mark == nil || s.piece < 0 || s.mark.tentative {
					continue
				}
				h, ok := pg.optionHead(s.piece)
				if !ok {
					continue
				}
				if j == len(l.segs)-1 && k+1 < len(ls) && ls[k+1].piece >= 0 {
					h.next = ls[k+1].piece
				}
				out = append(out, h)
			}
		}
	}
	// Only table cells: lines outside tables are laid without boxes.
	for _, cl := range tableCells(lay) {
		add(cl.lines)
	}
	return out
}

// remarkHeads lists the heads of the plain lines of the cells that hold
// option boxes: the remarks under a group (（注：勾选需提供佐证材料）,
// （需提供清单及佐证材料）), a group's question above it, a box's note
// (否（如涉及，需提供佐证材料）). Read whole they cost Tesseract 20 to 40 ms
// each, some 18 lines of nat2024_05; read by their heads, about 11.
func (pg *page) remarkHeads(lay []blockLay) []optionHead {
	if pg.print == nil {
		return nil
	}
	var out []optionHead
	for _, cl := range tableCells(lay) {
		if !slices.ContainsFunc(cl.lines, func(l lineLay) bool { return l.piece < 0 && l.whole < 0 }) {
			continue
		}
		for _, l := range cl.lines {
			if l.piece < 0 {
				continue
			}
			if h, ok := pg.optionHead(l.piece); ok {
				out = append(out, h)
			}
		}
	}
	return out
}

// completeRemarks sets the result of each line whose head (read, in res)
// opens one printed phrase — a label's or the rest of the print's — that
// the line's ink fits, and returns the lines to read whole: a write-in
// (名称：…), an option's wrapped end.
func (pg *page) completeRemarks(heads []optionHead, res []ocr.Result) []int {
	var unread []int
	for k, h := range heads {
		r := res[k]
		first, w1, ws, ok := optionInk(h, r)
		if !ok {
			unread = append(unread, h.piece)
			continue
		}
		// The head's pitch from its ink: a remark opens with （, whose
		// left half is blank.
		part := func(p, head []rune) ([]rune, bool) {
			r := p[len(head):]
			return r, len(r) > 0 && fitsWithin(inkUnits(head), w1, inkUnits(r), ws, true, tightFit)
		}
		// One completion over the labels' print and the rest of it. A
		// head that opens none exactly may have one character wrong —
		// Tesseract reads 勾 in a remark's head as 色 or 匀 more often
		// than not — and what is printed there is the print's.
		text, n := "", 0
		for _, loose := range []bool{false, true} {
			for _, set := range []*printSet{pg.print, pg.print.other} {
				head, rest, ok := []rune(first), []rune(nil), false
				if loose {
					head, rest, ok = set.looseOnly(first, anyForm, part)
				} else {
					rest, ok = set.only(first, anyForm, part)
				}
				if t := string(head) + string(rest); ok && (n == 0 || t != text) {
					text, n = t, n+1
				}
			}
			if n > 0 {
				break
			}
		}
		if n != 1 {
			unread = append(unread, h.piece)
			continue
		}
		pg.res[h.piece] = printed(text, r.Lines[0].Rect.Union(h.ink), minConf(r))
		pg.fromPrint[h.piece] = true
		if pg.remarks == nil {
			pg.remarks = map[int]bool{}
		}
		pg.remarks[h.piece] = true
	}
	return unread
}

func (pg *page) optionHead(piece int) (optionHead, bool) {
	return pg.headOf(piece, headMin, headEms)
}

// headOf is piece read by its first ems ems, when its ink runs past least
// ems.
func (pg *page) headOf(piece, least, ems int) (optionHead, bool) {
	r := pg.pieces[piece].Rect.Intersect(image.Rect(0, 0, pg.bin.w, pg.bin.h))
	ink, ok := inkExtent(pg.bin, r)
	if !ok || ink.Dx() < least*pg.em {
		return optionHead{}, false
	}
	cut, end, ok := pg.gapCut(ink, ems)
	if !ok {
		return optionHead{}, false
	}
	return optionHead{piece: piece, head: image.Rect(r.Min.X, r.Min.Y, cut, r.Max.Y), rest: ink.Max.X - end, ink: ink, next: -1}, true
}

// gapCut is the widest gap between two characters ems to ems+2 ems into
// ink, from cut to end: a character cut in two reads as two others, and
// the gap between the parts of 际 or 的 is narrower than the gap between
// two characters.
func (pg *page) gapCut(ink image.Rectangle, ems int) (cut, end int, ok bool) {
	cut, end = -1, -1
	for x := ink.Min.X + ems*pg.em; x < ink.Min.X+(ems+2)*pg.em && x < ink.Max.X; x++ {
		if inkColumn(pg.bin, x, ink) {
			continue
		}
		next := x
		for next < ink.Max.X && !inkColumn(pg.bin, next, ink) {
			next++
		}
		if next >= ink.Max.X {
			break
		}
		if next-x > end-cut {
			cut, end = x, next
		}
		x = next
	}
	return cut, end, cut >= 0
}

// inkExtent is the bounding box of the ink of b in r.
func inkExtent(b *bitmap, r image.Rectangle) (image.Rectangle, bool) {
	x0, x1 := -1, -1
	for x := r.Min.X; x < r.Max.X; x++ {
		if inkColumn(b, x, r) {
			if x0 < 0 {
				x0 = x
			}
			x1 = x + 1
		}
	}
	if x0 < 0 {
		return image.Rectangle{}, false
	}
	return image.Rect(x0, r.Min.Y, x1, r.Max.Y), true
}

func inkColumn(b *bitmap, x int, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if b.at(x, y) {
			return true
		}
	}
	return false
}

// optionInk is an option's or a remark's head as read r (spaces removed)
// and its width, and the width of the ink after it.
func optionInk(h optionHead, r ocr.Result) (string, int, []int, bool) {
	if len(r.Lines) != 1 {
		return "", 0, nil, false
	}
	return strings.ReplaceAll(tidy(r.Lines[0].Text), " ", ""), r.Lines[0].Rect.Dx(), []int{h.rest}, true
}

// slivers are what Tesseract reads a character's sliver as.
const slivers = "|!:;,.'`"

// sliverless is a head's reading without the narrow marks at its end
// that a sliver of the character after the cut reads as: the gap a head
// is cut at may lie inside a character blurred on a 150-dpi copy.
func sliverless(first string) string { return strings.TrimRight(first, slivers) }

// completeOptions sets the result of each option piece whose head (read,
// in res) opens a printed option its rest fits, and returns the pieces
// still to be read whole.
func (pg *page) completeOptions(heads []optionHead, res []ocr.Result) []int {
	var unread []int
	for k, h := range heads {
		r := res[k]
		first, w1, ws, ok := optionInk(h, r)
		if !ok {
			unread = append(unread, h.piece)
			continue
		}
		first, rest, ok := pg.print.onlyHead(first, anyForm, pg.print.restPart(w1, ws, true))
		text := first
		if ok {
			text += string(rest)
		} else if head, r, loose := pg.print.looseOnly(first, anyForm, pg.print.restPart(h.head.Max.X-h.ink.Min.X, ws, true)); loose {
			// One character of the head misread — the first after a
			// box on a blurred copy, the last as a narrow mark (开展了数:
			// for 开展了数字…) — as for the remarks: what is printed there
			// is the print's. The head's pitch is then its ink's, to the
			// gap it was cut at: the reading's box ends with the mark.
			text, ok = string(head)+string(r), true
		} else if last, wrapped := pg.wrappedEnd(h); wrapped {
			// An option wrapped onto the next line: that line, read,
			// must be the option's end, and the ink between fit the
			// middle.
			var mid string
			if mid, ok = pg.print.between(first, last, w1, ws[0], anyForm); ok {
				text += mid
			}
		}
		if !ok {
			unread = append(unread, h.piece)
			continue
		}
		c := minConf(r)
		pg.res[h.piece] = printed(text, r.Lines[0].Rect.Union(h.ink), c)
		pg.fromPrint[h.piece] = true
	}
	return unread
}

// wrappedEnd is the reading of the line below an option that may hold its
// wrapped end (optionHead.next).
func (pg *page) wrappedEnd(h optionHead) (string, bool) {
	if h.next < 0 || len(pg.res[h.next].Lines) != 1 {
		return "", false
	}
	return strings.ReplaceAll(tidy(pg.res[h.next].Lines[0].Text), " ", ""), true
}
