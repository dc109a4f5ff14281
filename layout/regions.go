package layout

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
)

//go:embed regions.txt
var regionData string

//go:embed placechars.txt
var placeCharData string

// placeChar holds the characters place names are written with (see
// placechars.txt).
var placeChar = charSet(placeCharData)

// province is a province-level division and the divisions under it.
type province struct {
	name   string
	cities []string
}

var provinces = func() []province {
	var out []province
	for _, line := range strings.Split(regionData, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, province{f[0], f[1:]})
	}
	return out
}()

// regionStem is a division's name without its kind (荆州 for 荆州市,
// 内蒙古 for 内蒙古自治区): the form prints the kind after the blank.
func regionStem(s string) string {
	for _, kind := range []string{"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "林区", "省", "市", "盟", "区", "县"} {
		if t := strings.TrimSuffix(s, kind); t != s && len([]rune(t)) >= 2 {
			return t
		}
	}
	return s
}

// citiesOf returns the divisions under the province named prov, or under
// every province when prov names none.
func citiesOf(prov string) []string {
	stem := regionStem(trimBlank(prov))
	var all []string
	for _, p := range provinces {
		if stem != "" && regionStem(p.name) == stem {
			return p.cities
		}
		all = append(all, p.cities...)
	}
	return all
}

// repairCity puts right an OCR'd city of 所属地区 that no division of its
// province is called, where exactly one is called so but for one
// character (草州 in 湖北 is 荆州), and the same misreading where the
// names hold the city before 市. What is put right stays doubtful.
func (m *mapper) repairCity() {
	at := map[string]int{}
	for i, f := range m.out.Fields {
		at[f.Key] = i
	}
	ci, ok := at["region_city"]
	if !ok {
		return
	}
	prov := ""
	if pi, ok := at["region_prov"]; ok {
		prov = m.out.Fields[pi].Value
	}
	cities := citiesOf(prov)
	city := &m.out.Fields[ci]
	read := []rune(regionStem(trimBlank(city.Value)))
	if len(read) < 2 {
		return
	}
	known := func(rs []rune) bool {
		return slices.ContainsFunc(cities, func(c string) bool { return regionStem(c) == string(rs) })
	}
	right := read
	if !known(read) {
		var near [][]rune
		for _, c := range cities {
			if s := []rune(regionStem(c)); len(s) == len(read) && differing(s, read) == 1 {
				near = append(near, s)
			}
		}
		if len(near) > 1 {
			near = m.namedElsewhere(near)
		}
		if len(near) != 1 {
			return
		}
		right = near[0]
		city.Value = strings.Replace(city.Value, string(read), string(right), 1)
		city.Confidence *= 0.7
	}
	// The names: "<city>市" one character off the city, and no city itself.
	for i := range m.out.Fields {
		f := &m.out.Fields[i]
		if !slices.Contains(countyNamed, f.Key) {
			continue
		}
		rs := []rune(f.Value)
		changed := false
		for j := 0; j+len(right) < len(rs); j++ {
			w := rs[j : j+len(right)]
			if rs[j+len(right)] == '市' && differing(w, right) == 1 && !known(w) {
				copy(w, right)
				changed = true
			}
		}
		if changed {
			f.Value = string(rs)
			f.Confidence *= 0.7
		}
	}
}

// namedElsewhere keeps the candidate cities that the application names
// elsewhere, in a name or a long answer ("…位于荆州市…"): where two cities
// are each one character off the reading (草州: 荆州, 鄂州), the one the
// application writes about is it.
func (m *mapper) namedElsewhere(cands [][]rune) [][]rune {
	var out [][]rune
	for _, c := range cands {
		w := string(c) + "市"
		if slices.ContainsFunc(m.out.Texts, func(t shenbao.Text) bool { return strings.Contains(t.Text, w) }) ||
			slices.ContainsFunc(m.out.Fields, func(f shenbao.Field) bool {
				return slices.Contains(countyNamed, f.Key) && strings.Contains(f.Value, w)
			}) {
			out = append(out, c)
		}
	}
	return out
}

// sureRead is the confidence at which an OCR'd name counts as a witness
// of how the county is written (see repairCounty).
const sureRead = 0.9

// repairCounty settles how the county is written when its readings
// differ by one character: the cover's 所属地区 and the names that begin
// with it (风溪市 in the cluster's name, 凤溪市 in the department's). A
// reading that two sure names share, where no other reading is sure,
// replaces the others; failing that, the one reading written wholly with
// characters places are named with (鹤丰区, where the others read 稚丰区:
// no place is called with 稚). The readings replaced are replaced
// wherever the application writes them, in values and long answers.
// Where neither settles it nothing changes (countyRead then flags them
// all).
func (m *mapper) repairCounty() {
	ci, cr := m.county()
	if ci < 0 {
		return
	}
	readings := []string{string(cr)}
	sure := map[string]int{}
	if m.out.Fields[ci].Confidence >= sureRead {
		sure[string(cr)]++
	}
	for _, f := range m.out.Fields {
		if !slices.Contains(countyNamed, f.Key) {
			continue
		}
		rs := []rune(f.Value)
		for j := 0; j+len(cr) <= len(rs); j++ {
			w := rs[j : j+len(cr)]
			if w[len(w)-1] != cr[len(cr)-1] || differing(w, cr) > 1 {
				continue
			}
			if !slices.Contains(readings, string(w)) {
				readings = append(readings, string(w))
			}
			if f.Confidence >= sureRead {
				sure[string(w)]++
			}
			break
		}
	}
	if len(readings) < 2 {
		return
	}
	best := ""
	switch len(sure) {
	case 0:
	case 1:
		for v, n := range sure {
			if n >= 2 {
				best = v
			}
		}
	default:
		return // two readings with sure witnesses: a reviewer decides
	}
	if best == "" {
		best = onlyPlaceName(readings)
	}
	if best == "" {
		return
	}
	for _, v := range readings {
		if v != best {
			m.replaceReading(v, best)
		}
	}
}

// onlyPlaceName returns the one reading written wholly with characters
// places are named with, or "" when there is not exactly one.
func onlyPlaceName(readings []string) string {
	found := ""
	for _, v := range readings {
		if strings.IndexFunc(v, func(r rune) bool { return !placeChar[r] }) >= 0 {
			continue
		}
		if found != "" {
			return ""
		}
		found = v
	}
	return found
}

// replaceReading writes right instead of the misreading wrong wherever
// it stands, the county's own field included; what changes stays
// doubtful.
func (m *mapper) replaceReading(wrong, right string) {
	for i := range m.out.Fields {
		f := &m.out.Fields[i]
		if f.Key == "region_county" && trimBlank(f.Value) == wrong {
			f.Value = right
			f.Confidence *= 0.7
		} else if strings.Contains(f.Value, wrong) {
			f.Value = strings.ReplaceAll(f.Value, wrong, right)
			f.Confidence *= 0.7
		}
	}
	for i := range m.out.Texts {
		t := &m.out.Texts[i]
		if strings.Contains(t.Text, wrong) {
			t.Text = strings.ReplaceAll(t.Text, wrong, right)
			t.Confidence *= 0.7
		}
	}
}
