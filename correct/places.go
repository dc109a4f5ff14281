package correct

import (
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// countyNamed are the keys of the names that begin with the county.
var countyNamed = []string{"cover_name", "name", "cover_org", "org", "cover_dept", "dept"}

// kindShapes are the characters OCR reads for the last character of a
// division's name (its kind), by kind: 县 comes back as 具.
var kindShapes = map[rune]string{'县': "具"}

// countyKind puts back the kind of the county (县) where OCR read it as a
// character shaped like it (具) in the names that begin with the county
// 所属地区 states (盛阳具经济和信息化局 where 所属地区 reads 盛阳县). Only
// a misshapen kind right after the county's stem (one character of it may
// differ) changes: 盛阳县家具产业园 keeps its 家具.
type countyKind struct{}

func (countyKind) Name() string    { return "county_kind" }
func (countyKind) Title() string   { return "县名字形" }
func (countyKind) Factor() float64 { return 0.7 }
func (countyKind) About() string {
	return "名称中紧跟县名的“县”被读成形近字（盛阳具→盛阳县），以封面所属地区为准；名称中其他位置的同一字（家具）不动"
}

func (r countyKind) apply(d *Doc) {
	ci, cr := d.county()
	if ci < 0 {
		return
	}
	shapes, ok := kindShapes[cr[len(cr)-1]]
	if !ok {
		return
	}
	stem := cr[:len(cr)-1]
	for i := range d.Fields {
		if !slices.Contains(countyNamed, d.Fields[i].Key) {
			continue
		}
		rs := []rune(d.Fields[i].Value)
		for j := len(stem); j < len(rs); j++ {
			if strings.ContainsRune(shapes, rs[j]) && differing(rs[j-len(stem):j], stem) <= 1 {
				copy(rs[j-len(stem):j+1], cr)
			}
		}
		d.repair(i, r, string(rs), 0)
	}
}

// county returns the index of the cover's county (所属地区) and its
// characters, or -1 when it is missing or too short to hold against the
// names (two characters or fewer).
func (d *Doc) county() (int, []rune) {
	ci := slices.IndexFunc(d.Fields, func(f shenbao.Field) bool { return f.Key == "region_county" })
	if ci < 0 {
		return -1, nil
	}
	cr := []rune(layout.TrimBlank(d.Fields[ci].Value))
	if len(cr) < 3 {
		return -1, nil
	}
	return ci, cr
}

// differing counts the positions where a and b (of a's length at least)
// hold different characters.
func differing(a, b []rune) int {
	n := 0
	for k, r := range a {
		if b[k] != r {
			n++
		}
	}
	return n
}

// cityName puts right an OCR'd city of 所属地区 that no division of its
// province is called, where exactly one is called so but for one
// character (草州 in 湖北 is 荆州; where two are, 荆州 and 鄂州, the one
// the application writes about elsewhere), and the same misreading where
// the names hold the city before 市. A city that exists stays, and so does
// another real city in a name (荆门 beside 荆州).
type cityName struct{}

func (cityName) Name() string    { return "city_name" }
func (cityName) Title() string   { return "地市名称" }
func (cityName) Factor() float64 { return 0.7 }
func (cityName) About() string {
	return "所属地区的市名不在该省区划中、而恰有一个区划仅差一字时更正（湖北 草州→荆州），名称中“某市”同样更正；真实存在的市名不动"
}

func (r cityName) apply(d *Doc) {
	at := map[string]int{}
	for i, f := range d.Fields {
		at[f.Key] = i
	}
	ci, ok := at["region_city"]
	if !ok {
		return
	}
	prov := ""
	if pi, ok := at["region_prov"]; ok {
		prov = d.Fields[pi].Value
	}
	cities := layout.Cities(prov)
	read := []rune(layout.RegionStem(layout.TrimBlank(d.Fields[ci].Value)))
	if len(read) < 2 {
		return
	}
	known := func(rs []rune) bool {
		return slices.ContainsFunc(cities, func(c string) bool { return layout.RegionStem(c) == string(rs) })
	}
	right := read
	if !known(read) {
		var near [][]rune
		for _, c := range cities {
			if s := []rune(layout.RegionStem(c)); len(s) == len(read) && differing(s, read) == 1 {
				near = append(near, s)
			}
		}
		if len(near) > 1 {
			near = d.namedElsewhere(near)
		}
		if len(near) != 1 {
			return
		}
		right = near[0]
		d.repair(ci, r, strings.Replace(d.Fields[ci].Value, string(read), string(right), 1), 0)
	}
	// The names: "<city>市" one character off the city, and no city itself.
	for i := range d.Fields {
		if !slices.Contains(countyNamed, d.Fields[i].Key) {
			continue
		}
		rs := []rune(d.Fields[i].Value)
		for j := 0; j+len(right) < len(rs); j++ {
			w := rs[j : j+len(right)]
			if rs[j+len(right)] == '市' && differing(w, right) == 1 && !known(w) {
				copy(w, right)
			}
		}
		d.repair(i, r, string(rs), 0)
	}
}

// namedElsewhere keeps the candidate cities that the application names
// elsewhere, in a name or a long answer ("…位于荆州市…").
func (d *Doc) namedElsewhere(cands [][]rune) [][]rune {
	var out [][]rune
	for _, c := range cands {
		w := string(c) + "市"
		if slices.ContainsFunc(d.Texts, func(t shenbao.Text) bool { return strings.Contains(t.Text, w) }) ||
			slices.ContainsFunc(d.Fields, func(f shenbao.Field) bool {
				return slices.Contains(countyNamed, f.Key) && strings.Contains(f.Value, w)
			}) {
			out = append(out, c)
		}
	}
	return out
}

// sureRead is the confidence at which an OCR'd name counts as a witness
// of how the county is written (see countyReading).
const sureRead = 0.9

// countyReading settles how the county is written when its readings
// differ by one character: the cover's 所属地区 and the names that begin
// with it (风溪市 in the cluster's name, 凤溪市 in the department's). A
// reading that two sure names share, where no other reading is sure,
// replaces the others; failing that, the one reading written wholly with
// characters places are named with (鹤丰区, where the others read 稚丰区:
// no place is called with 稚). The readings replaced are replaced
// wherever the application writes them, in values and long answers.
// Where neither settles it (sure witnesses on both sides, one witness,
// two readings both written as places are) nothing changes, and
// twinDoubts flags them all.
type countyReading struct{}

func (countyReading) Name() string    { return "county_reading" }
func (countyReading) Title() string   { return "区县名称" }
func (countyReading) Factor() float64 { return 0.7 }
func (countyReading) About() string {
	return "所属地区与各名称中的区县名仅差一字时统一：两个以上可信名称一致者为准，否则取唯一全由地名用字写成的读法；两边都有可信证据时不改"
}

func (r countyReading) apply(d *Doc) {
	ci, cr := d.county()
	if ci < 0 {
		return
	}
	readings := []string{string(cr)}
	sure := map[string]int{}
	if d.readConfidence(ci) >= sureRead {
		sure[string(cr)]++
	}
	for i, f := range d.Fields {
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
			if d.readConfidence(i) >= sureRead {
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
			d.replaceReading(r, v, best)
		}
	}
}

// onlyPlaceName returns the one reading written wholly with characters
// places are named with, or "" when there is not exactly one.
func onlyPlaceName(readings []string) string {
	found := ""
	for _, v := range readings {
		if strings.IndexFunc(v, func(r rune) bool { return !layout.PlaceChar(r) }) >= 0 {
			continue
		}
		if found != "" {
			return ""
		}
		found = v
	}
	return found
}

// replaceReading writes right instead of the misreading wrong wherever it
// stands, the county's own field included.
func (d *Doc) replaceReading(r Rule, wrong, right string) {
	for i, f := range d.Fields {
		if f.Key == "region_county" && layout.TrimBlank(f.Value) == wrong {
			d.repair(i, r, right, 0)
		} else if strings.Contains(f.Value, wrong) {
			d.repair(i, r, strings.ReplaceAll(f.Value, wrong, right), 0)
		}
	}
	for i, t := range d.Texts {
		d.repairText(i, r, strings.ReplaceAll(t.Text, wrong, right))
	}
}
