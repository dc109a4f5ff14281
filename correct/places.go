package correct

import (
	"slices"

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
