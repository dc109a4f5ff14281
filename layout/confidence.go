package layout

// labelMargin is how much better a misread label must match its row's
// label than any other row's for the mapping to be sure of it.
const labelMargin = 0.15

// anchorConfidence is how sure the mapper is that anchor a is the label
// of row s: what a value read beside it owes to the mapping. An OCR'd
// label with a wrong character scores under 1, but when no other row
// label of the form comes near it (within labelMargin), the row is not in
// doubt and neither is the value's place: the value's confidence is then
// its reading's alone. A label that another row's could also be keeps its
// score.
func (m *mapper) anchorConfidence(s *Spec, a anchor) float64 {
	if a.score >= 1 || a.u < 0 || a.u >= len(m.units) || m.units[a.u].para || a.c >= len(m.units[a.u].norms) {
		return a.score
	}
	n := m.units[a.u].norms[a.c]
	own := Norm(s.Label)
	for _, r := range m.t.Rows {
		l := Norm(r.Label)
		if l == own {
			// The same label under another parent (联系人): the parent
			// told them apart.
			continue
		}
		if labelScore(n, l) > a.score-labelMargin {
			return a.score
		}
	}
	return 1
}
