package corroborate

import (
	"strings"
	"unicode"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// sameThing pairs the rows that state one thing twice: the cover's
// blanks and 一、基本情况's cells (as the corrections stage's twin doubts
// pair them).
var sameThing = [][2]string{{"cover_name", "name"}, {"cover_org", "org"}, {"cover_dept", "dept"}}

// inContact are the table's contact rows the cover's 联系人及联系电话
// blank may restate: the operator's contact and phone, or the
// department's.
var inContact = struct {
	cover string
	parts [][]string
}{"cover_contact", [][]string{{"org_contact", "org_phone"}, {"dept_contact", "dept_phone"}}}

// inName are the cover's region blanks, which the cluster's name spells
// out (湖北省孝感市凤溪市…产业集群 holds 湖北, 孝感 and 凤溪市).
var inName = []string{"region_prov", "region_city", "region_county"}

// twins raises the values the application states twice, read alike from
// different ink: the two readings are independent witnesses.
func (d *doc) twins() {
	// A region found in the table's reading of the name (another line of
	// another page) was read right; the name is not raised by it, as a
	// part says nothing of the rest.
	if n := d.at("name", 0); n >= 0 && d.witness(n) {
		name := key(d.fields[n].Value)
		for _, k := range inName {
			i := d.at(k, 0)
			if i >= 0 && len([]rune(key(d.fields[i].Value))) >= 2 && strings.Contains(name, key(d.fields[i].Value)) && d.candidate(i) {
				d.raise(i, "twin:name", []int{n})
			}
		}
	}
	d.divisions()
	for _, p := range sameThing {
		a, b := d.at(p[0], 0), d.at(p[1], 0)
		if a < 0 || b < 0 || len([]rune(key(d.fields[a].Value))) < 2 || key(d.fields[a].Value) != key(d.fields[b].Value) {
			continue
		}
		d.raiseBoth(a, b, "twin:"+p[1])
	}
	// The cover's contact holds a contact and phone of the table, in
	// order.
	c := d.at(inContact.cover, 0)
	if c < 0 {
		return
	}
	cover := key(d.fields[c].Value)
	for _, keys := range inContact.parts {
		var parts []int
		var joined string
		for _, k := range keys {
			if i := d.at(k, 0); i >= 0 && len([]rune(key(d.fields[i].Value))) >= 2 {
				parts = append(parts, i)
				joined += key(d.fields[i].Value)
			}
		}
		if len(parts) < len(keys) || cover != joined {
			continue
		}
		for _, i := range parts {
			d.raiseBoth(c, i, "twin:"+inContact.cover)
		}
	}
}

// raiseBoth raises a and b when both may be: one witness alone too
// doubtful, or repaired (perhaps from the other), is no second witness.
func (d *doc) raiseBoth(a, b int, by string) {
	if !d.witness(a) || !d.witness(b) {
		return
	}
	if d.candidate(a) {
		d.raise(a, by, []int{b})
	}
	if d.candidate(b) {
		d.raise(b, by, []int{a})
	}
}

// witness says whether field i can vouch for another: read from a text
// layer, or by OCR as a candidate would be.
func (d *doc) witness(i int) bool {
	f := d.fields[i]
	return f.Source != shenbao.SourceOCR || d.candidate(i)
}

// key is a value as two readings are compared: spaces dropped, widths
// folded.
func key(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b.WriteRune(shenbao.FoldWidth(r))
		}
	}
	return b.String()
}

// divisions raises the cover's province and city when the city, read in
// its own blank, is a division of that province as the official list
// has them (layout.Cities, regions.txt): a misread province names
// another, whose divisions the city is not, and a misread city is rarely
// another real division of the same province. A city the corrections
// stage put right from the province is no witness of it.
func (d *doc) divisions() {
	p, c := d.at(inName[0], 0), d.at(inName[1], 0)
	if p < 0 || c < 0 || !d.witness(p) || !d.witness(c) {
		return
	}
	prov := layout.RegionStem(key(d.fields[p].Value))
	city := layout.RegionStem(key(d.fields[c].Value))
	if len([]rune(prov)) < 2 || len([]rune(city)) < 2 {
		return
	}
	named := false
	for _, q := range layout.Provinces() {
		named = named || layout.RegionStem(q) == prov
	}
	if !named {
		return
	}
	for _, x := range layout.Cities(prov) {
		if layout.RegionStem(x) == city {
			d.raiseBoth(p, c, "twin:divisions")
			return
		}
	}
}
