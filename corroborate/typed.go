package corroborate

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// TypedFloor is the least confidence at which a value both recognisers
// read alike is made sure by its form: a reading they agreed on, PP-OCR
// fairly sure of every character (ocr.Witnessed caps such a reading at
// 0.89), that no later stage doubted. On the lab's 150-dpi copies (six
// applications, TestConfidenceDump) the agreed misreadings sat at 0.745
// (a lone 6 read 5 by both) and 0.86 (个 read 1, in a cell that is no
// figure and unit); every well-formed agreed reading from 0.8 up was
// right.
const TypedFloor = 0.8

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
	case d.types[f.Key] == layout.TypePlanTarget:
		u, ok := d.planUnits(i)
		return ok && u[0] == u[1] && u[0] != ""
	case d.types[f.Key] == layout.TypeCountNames:
		return d.namesInForm(i, v)
	case strings.HasSuffix(f.Key, "date"):
		m := date.FindStringSubmatch(v)
		if m == nil {
			return false
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		day, _ := strconv.Atoi(m[3])
		// A date that exists: time.Date carries 30 February over.
		at := time.Date(y, time.Month(mo), day, 0, 0, 0, 0, time.UTC)
		return mo >= 1 && mo <= 12 && at.Day() == day && int(at.Month()) == mo
	}
	return false
}

// Doubt is the most a value that fails its field's form may keep: under
// the review threshold (0.8, extract.Extractor.ReviewThreshold), so the
// reviewer is asked to look at it.
const Doubt = 0.75

// Misfit forms: a figure (a sign, digits, one point, a percent sign) and
// a person's name (two to four Chinese characters).
var (
	figureForm = regexp.MustCompile(`^-?\d+(\.\d+)?%?$`)
	personForm = regexp.MustCompile(`^\p{Han}{2,4}$`)
	digitRun   = regexp.MustCompile(`[0-9][0-9-]*[0-9]|[0-9]`)
)

// misfits lowers the OCR'd values whose reading fails their field's form
// where the form admits no exception: a phone number that is not one (a
// digit short: 10 digits for a mobile's 11), a date that does not exist
// or is not a date, a count with a letter in it, a figure that is not a
// number, a contact's name with a letter or digit in it, a plan figure
// whose unit is its row's other unit cut short. The applicant
// writes these as the form asks (填报说明); a reading that breaks the form
// is a misreading, however sure the recogniser was of it. A figure with
// other than the form's two decimals may be the applicant's (a decimals
// defect the checks report), so it is doubted only where the recognisers
// disagreed: one of them saw another reading of the same ink.
func (d *doc) misfits() {
	for i, f := range d.fields {
		v := strings.TrimSpace(f.Value)
		if f.Source != shenbao.SourceOCR || v == "" || f.Confidence <= Doubt {
			continue
		}
		if why := d.misfit(i, v); why != "" {
			d.lower(i, "misfit:"+why)
		}
	}
}

// misfit names the form field i's value v breaks, or "".
func (d *doc) misfit(i int, v string) string {
	f := d.fields[i]
	typ := d.types[f.Key]
	switch {
	case strings.HasSuffix(f.Key, "_phone"):
		if !phone.MatchString(v) {
			return "phone"
		}
	case f.Key == inContact.cover:
		// 联系人及联系电话: a name, then the phone.
		for _, run := range digitRun.FindAllString(v, -1) {
			if !phone.MatchString(run) {
				return "phone"
			}
		}
	case strings.HasSuffix(f.Key, "date"):
		if !d.wellFormed(i) {
			return "date"
		}
	case d.counted(i) || typ == layout.TypeStandards:
		if !count.MatchString(v) {
			return "count"
		}
	case typ == layout.TypeAmount || typ == layout.TypeNumber || typ == layout.TypePercent:
		if !figureForm.MatchString(v) {
			return "figure"
		}
		if !twoDecimals.MatchString(v) && f.Engine != shenbao.EngineBoth {
			return "decimals"
		}
	case d.person[f.Key]:
		if !personForm.MatchString(v) {
			return "person"
		}
	case typ == layout.TypePlanTarget:
		// A figure whose unit is its row's other cell's cut short (亿
		// beside 亿元) lost its tail to the reader.
		if u, ok := d.planUnits(i); ok && u[0] != u[1] && strings.HasPrefix(u[1], u[0]) {
			return "unit"
		}
	}
	return ""
}

// planFigure is a plan cell printed as a figure and its unit alone
// ("155家", "2.80亿元", "31.50%"): a count, or two decimals.
var planFigure = regexp.MustCompile(`^(0|[1-9]\d*|\d+\.\d\d)(\D+)$`)

// planUnits are the units of plan field i's row, i's own first and its
// other cell's second, when both cells are a figure and its unit alone.
// The base and the target of one row measure one thing (a count of 家, a
// share in %), so the two cells, read from different ink, bear out each
// other's unit.
func (d *doc) planUnits(i int) ([2]string, bool) {
	f := d.fields[i]
	m := planFigure.FindStringSubmatch(strings.TrimSpace(f.Value))
	if m == nil {
		return [2]string{}, false
	}
	for j, g := range d.fields {
		if j == i || g.Key != f.Key {
			continue
		}
		n := planFigure.FindStringSubmatch(strings.TrimSpace(g.Value))
		if n == nil {
			return [2]string{}, false
		}
		return [2]string{m[2], n[2]}, true
	}
	return [2]string{}, false
}

// namesList is the form of a count+names row's names (填报说明: 名称之间
// 用顿号隔开): names of four or more Chinese characters (brackets and a
// middle dot allowed) joined by 、, an open list ending in 等.
var namesList = regexp.MustCompile(`^[\p{Han}（）·]{4,}(、[\p{Han}（）·]{4,})*等?$`)

// namesInForm says whether v, the names of count+names field i, is a
// list in its form that its row's count admits: no more names than the
// count, and as many when the list is closed (no 等).
func (d *doc) namesInForm(i int, v string) bool {
	if !namesList.MatchString(v) {
		return false
	}
	f := d.fields[i]
	for j, g := range d.fields {
		if j == i || g.Key != f.Key || !d.counted(j) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(g.Value))
		if err != nil {
			return false
		}
		listed := strings.Count(v, "、") + 1
		if strings.HasSuffix(v, "等") {
			return listed <= n
		}
		return listed == n
	}
	return false
}
