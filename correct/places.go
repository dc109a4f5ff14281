package correct

import (
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// countyNamed are the keys of the names that begin with the county.
var countyNamed = []string{"cover_name", "name", "cover_org", "org", "cover_dept", "dept"}

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
