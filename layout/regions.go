package layout

import (
	_ "embed"
	"strings"
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

// Cities returns the divisions under the province named prov, or under
// every province when prov names none.
func Cities(prov string) []string { return citiesOf(prov) }

// RegionStem is a division's name without its kind (see regionStem).
func RegionStem(s string) string { return regionStem(s) }

// PlaceChar says whether places are named with r (see placechars.txt).
func PlaceChar(r rune) bool { return placeChar[r] }
