package corroborate

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// TypedFloor is the least confidence at which a value both recognisers
// read alike is made sure by its form alone: a reading they agreed on,
// PP-OCR at least 0.8 sure of every character (ocr.Witnessed caps such a
// reading at 0.89), that no later stage doubted.
const TypedFloor = 0.88

// forms are the exact forms of the figures the form asks for (填报说明:
// 数据有小数时保留小数点后2位), and of phone numbers and dates.
var (
	twoDecimals = regexp.MustCompile(`^-?\d+\.\d\d%?$`)
	count       = regexp.MustCompile(`^(0|[1-9]\d*)$`)
	phone       = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)
	date        = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
)

// typed raises the values both recognisers read alike whose form is
// exactly their field's: a figure with the two decimals the form asks
// for, a count, a phone number, a date that exists. On the lab's 150-dpi
// copies, the two engines' shared misreadings at that confidence were
// all of an impossible form (a bracket for a 1, a stroke for a digit),
// which the corrections stage doubts; a shared substitution of one digit
// for another keeps the form and is not ruled out here, which is why the
// floor asks PP-OCR itself to have been fairly sure.
func (d *doc) typed() {
	for i, f := range d.fields {
		if f.Engine != shenbao.EngineBoth || f.Confidence < TypedFloor || !d.candidate(i) {
			continue
		}
		if d.wellFormed(i) {
			d.raise(i, "type:"+d.types[f.Key], nil)
		}
	}
}

// wellFormed says whether field i's value has its type's exact form.
func (d *doc) wellFormed(i int) bool {
	f := d.fields[i]
	v := strings.TrimSpace(f.Value)
	switch {
	case d.counted(i) || d.types[f.Key] == layout.TypeStandards:
		return count.MatchString(v)
	case d.types[f.Key] == layout.TypeAmount || d.types[f.Key] == layout.TypeNumber || d.types[f.Key] == layout.TypePercent:
		return twoDecimals.MatchString(v)
	case strings.HasSuffix(f.Key, "_phone"):
		return phone.MatchString(v)
	case strings.HasSuffix(f.Key, "date"):
		m := date.FindStringSubmatch(v)
		if m == nil {
			return false
		}
		mo, _ := strconv.Atoi(m[2])
		day, _ := strconv.Atoi(m[3])
		return mo >= 1 && mo <= 12 && day >= 1 && day <= 31
	}
	return false
}
