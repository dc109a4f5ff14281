package extract

import (
	"context"
	"sort"

	"github.com/shenbao/shenbao"
)

// InkFunc measures the share of dark pixels in boxes on a PDF page (boxes
// in PDF points from the top-left). extract/render provides it, in a child
// process.
type InkFunc func(ctx context.Context, pdf []byte, page int, boxes []shenbao.Box, dpi float64) ([]float64, error)

const inkDPI = 150

// inkTicks decides, for checkbox groups whose options carry no mark in the
// text layer, which are ticked by the ink drawn just before each option —
// boxes and ticks drawn as vector graphics or as form-field widgets leave
// no glyph. An empty box has its outline's ink, so an option counts as
// ticked when it clearly carries more ink than its group's emptiest box.
func (e *Extractor) inkTicks(ctx context.Context, rep *shenbao.Report, pdf []byte) {
	type probe struct {
		i   int // index into rep.Checkboxes
		box shenbao.Box
	}
	groups := map[string][]probe{}
	for i, c := range rep.Checkboxes {
		if c.Mark != "" || c.BBox == nil || c.Page == nil {
			continue
		}
		h := c.BBox[3] - c.BBox[1]
		if h <= 0 {
			continue
		}
		// The box stands about one character before the option's text.
		b := shenbao.Box{c.BBox[0] - 1.4*h, c.BBox[1], c.BBox[0] - 0.1*h, c.BBox[3]}
		if b[0] < 0 {
			continue
		}
		groups[c.Key] = append(groups[c.Key], probe{i, b})
	}
	byPage := map[int][]probe{}
	for _, ps := range groups {
		if len(ps) < 2 {
			continue // no empty box to compare with
		}
		for _, p := range ps {
			byPage[*rep.Checkboxes[p.i].Page] = append(byPage[*rep.Checkboxes[p.i].Page], p)
		}
	}
	ink := map[int]float64{}
	pages := make([]int, 0, len(byPage))
	for pg := range byPage {
		pages = append(pages, pg)
	}
	sort.Ints(pages)
	for _, pg := range pages {
		ps := byPage[pg]
		boxes := make([]shenbao.Box, len(ps))
		for k, p := range ps {
			boxes[k] = p.box
		}
		fr, err := e.Ink(ctx, pdf, pg, boxes, inkDPI)
		if err != nil {
			// The options stay unsure and are flagged for review.
			continue
		}
		for k, p := range ps {
			ink[p.i] = fr[k]
		}
	}
	for _, ps := range groups {
		decideByInk(rep.Checkboxes, ps, ink, func(p probe) int { return p.i })
	}
}

// decideByInk ticks the options of one group whose ink clearly exceeds the
// group's emptiest box; a group with no box drawn at all is left unsure.
func decideByInk[P any](boxes []shenbao.Checkbox, ps []P, ink map[int]float64, index func(P) int) {
	least, most := 1.0, 0.0
	n := 0
	for _, p := range ps {
		v, ok := ink[index(p)]
		if !ok {
			continue
		}
		n++
		least, most = min(least, v), max(most, v)
	}
	if n < 2 || most < 0.05 {
		return
	}
	for _, p := range ps {
		i := index(p)
		v, ok := ink[i]
		if !ok {
			continue
		}
		margin := v - least
		boxes[i].Checked = margin >= 0.08
		boxes[i].Mark = "ink"
		switch {
		case margin >= 0.15 || most-least >= 0.15 && margin < 0.03:
			boxes[i].Confidence = 0.9 // clearly ticked, or clearly as empty as the emptiest
		default:
			boxes[i].Confidence = 0.6 // in between: a reviewer decides
		}
	}
}
