package scan

import (
	"math"
	"sort"
)

// Option boxes are decided the way mark-sense (OMR) readers decide them:
// every box of the document is measured — the ink inside it, past its
// outline (mark.fill) — and the boxes fall into two populations, the empty
// ones near the paper's level and the marked ones well above it. The gap
// between the populations sets the threshold, and how far a box stands
// from it relative to the spread of the empty boxes sets how sure the
// decision is. One document is printed and copied one way, so its empty
// boxes measure alike, whatever their page; a page may hold only marked
// boxes, or only empty ones, and alone could not tell.

// Priors for a document whose boxes do not split in two (every box empty,
// or every box marked): an empty box's inside stays near the paper,
// however blurred its outline; the faintest printed tick inside a box, at
// 150 dpi, measures several times more.
const (
	// clearlyEmpty: a box measuring less is empty on any copy.
	clearlyEmpty = 0.035
	// priorCut is the threshold when the document's boxes show no gap.
	priorCut = 0.07
	// minGap is the smallest gap taken for the one between empty and
	// marked boxes.
	minGap = 0.025
	// faintMark: a box marked by less ink than this is a faint mark or a
	// smudge, never sure.
	faintMark = 0.06
	// faintPenSure: a box found only at the faint threshold with a mark
	// in it (faintMarkedBoxes) is read as marked but never sure on its
	// own: below the review threshold (0.8), so that a reviewer is shown
	// it. At the faint threshold the halo round a character's strokes
	// on a blurred 150-dpi copy closes squares too (a line opening with
	// 注 or 等 under a large tick from the option below), its strokes
	// taken for a pen mark. The form's constraint makes it sure: the one
	// mark of a single-choice group whose other boxes are clearly empty
	// (layout's settleSingle).
	faintPenSure = 0.79
)

// decideMarks sets the kind and confidence of every mark of a document.
func decideMarks(ms []*mark) {
	var fills []float64
	for _, m := range ms {
		if m.kind == markEmpty || m.kind == markBoxed {
			fills = append(fills, m.fill)
		}
	}
	cut, base := splitFills(fills)
	for _, m := range ms {
		switch m.kind {
		case markFilled, markTick:
			m.conf = 0.97
		case markEmpty, markBoxed:
			m.kind = markEmpty
			if m.fill > cut {
				m.kind = markBoxed
			}
			m.conf = boxConfidence(m.fill, cut, base)
			if m.kind == markBoxed && m.faint && m.pen {
				m.conf = min(m.conf, faintPenSure)
			}
		}
	}
}

// splitFills returns the threshold between the empty and the marked
// boxes, and the empty boxes' typical fill. Empty boxes measure alike and
// marked ones do not (a pen tick may hold three times the ink of
// another), so the threshold sits in the first gap up from the emptiest
// box that is wider than minGap and than the spread of the boxes below
// it; without one, at priorCut.
func splitFills(fills []float64) (cut, base float64) {
	if len(fills) == 0 {
		return priorCut, 0
	}
	v := append([]float64(nil), fills...)
	sort.Float64s(v)
	cut = priorCut
	for i := 0; i+1 < len(v); i++ {
		lo, hi := v[i], v[i+1]
		if lo > 2*priorCut {
			break // no empty box measures that much
		}
		if d := hi - lo; hi >= clearlyEmpty && d >= minGap && d >= lo-v[0] {
			cut = (lo + hi) / 2
			break
		}
	}
	var empty []float64
	for _, f := range v {
		if f <= cut {
			empty = append(empty, f)
		}
	}
	if len(empty) > 0 {
		base = median(empty)
	}
	return cut, base
}

// boxConfidence is how sure the decision on a box of fill f is, given the
// threshold and the empty boxes' typical fill: sure when it stands from
// the threshold by at least half the distance from the empty boxes to the
// threshold, less sure the nearer it is; a faint mark is never sure.
func boxConfidence(f, cut, base float64) float64 {
	span := math.Max(cut-base, minGap)
	d := math.Abs(f-cut) / span
	c := 0.5 + 0.48*math.Min(1, 2*d)
	if f > cut && f < faintMark {
		c = min(c, 0.7)
	}
	return c
}
