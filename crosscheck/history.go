package crosscheck

import (
	"fmt"
	"math"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// unitScale converts amounts to one unit so that an edition asking in 万元
// can be compared with one asking in 亿元.
var unitScale = map[string]float64{"元": 1, "万元": 1e4, "亿元": 1e8}

// history compares, for every pair of applications of the same cluster,
// the values both report for the same key and year: a figure for a past
// year should not change between one year's application and the next.
// Only rows that ask the same question in both editions are compared
// (layout.Comparable). The finding goes on the later document, which
// changed the figure.
func (c *Checker) history(apps []*doc, m *clusters) []Result {
	var out []Result
	for _, p := range m.pairs {
		later, earlier := apps[p.i], apps[p.j]
		if earlier.year > later.year || (earlier.year == later.year && earlier.file > later.file) {
			later, earlier = earlier, later
		}
		for _, k := range later.order {
			f := later.values[k]
			g := earlier.values[k]
			if g == nil || !layout.Comparable(later.t.Row(f.Key), earlier.t.Row(g.Key)) {
				continue
			}
			if same, ok := sameValue(f, g); ok && !same {
				out = append(out, historyResult(later, earlier, f, g, p.score))
			}
		}
	}
	return out
}

// sameValue compares two reported values; ok is false when either is blank
// or they cannot be compared (different units).
func sameValue(f, g *shenbao.Field) (same, ok bool) {
	a, b := strings.TrimSpace(f.Value), strings.TrimSpace(g.Value)
	if a == "" || b == "" {
		return false, false
	}
	x, okx := number(f)
	y, oky := number(g)
	if !okx || !oky {
		return normalize(a) == normalize(b), true
	}
	if f.Unit != g.Unit {
		sf, okf := unitScale[f.Unit]
		sg, okg := unitScale[g.Unit]
		if !okf || !okg {
			return false, false
		}
		x, y = x*sf, y*sg
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)), true
}

func historyResult(later, earlier *doc, f, g *shenbao.Field, score float64) Result {
	label := f.Label
	if f.Column != "" {
		label += " " + f.Column
	}
	return Result{
		Document: later.file,
		Others:   []string{earlier.file},
		Score:    round2(score),
		Finding: shenbao.Finding{
			Kind:     shenbao.KindHistoryMismatch,
			Rule:     "history.value",
			Severity: shenbao.SeverityWarning,
			FieldIDs: []string{f.ID},
			Section:  f.Section,
			Label:    f.Label,
			Column:   f.Column,
			Message: fmt.Sprintf("%s：本表（%s）填报 %s，%s（%s）填报 %s；两表为同一集群（匹配度 %.2f），同一年份的数据前后不一致。",
				label, later.edition, strings.TrimSpace(f.Value), earlier.name, earlier.edition, strings.TrimSpace(g.Value), score),
			Basis: "同一集群历年申报表中同一年份的数据应当一致",
			Page:  f.Page,
			BBox:  f.BBox,
		},
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
