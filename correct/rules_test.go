package correct

import (
	"slices"
	"sync"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/layout"
)

// in is one OCR'd value of a nat2022 row: its key, column, value, and
// whether it was read from a table cell (with a reading) or a cover line.
type in struct {
	key, col, value string
	cell            bool
	conf            float64 // 0.95 when 0
	digits          string  // the digit model's reading, if any
	engine          string  // who read it (shenbao.Field.Engine); unnamed when ""
	rereads         []shenbao.Reread
	// text makes it a long answer (a shenbao.Text of the row key), not a
	// field.
	text bool
}

// nat2022 is the template the rules are tried on, loaded once.
var nat2022 = sync.OnceValue(func() *layout.Template {
	tp, _ := layout.MustLoad().Get("nat2022")
	return tp
})

// doc builds the Doc of the given values, as mapping leaves them.
func doc(t *testing.T, vs ...in) *Doc {
	t.Helper()
	tp := nat2022()
	m := &layout.Mapped{Readings: map[string]layout.Reading{}}
	for _, v := range vs {
		var s *layout.Spec
		for i := range tp.Rows {
			if tp.Rows[i].Key == v.key {
				s = &tp.Rows[i]
			}
		}
		if s == nil {
			t.Fatalf("nat2022 has no row %s", v.key)
		}
		conf := v.conf
		if conf == 0 {
			conf = 0.95
		}
		if v.text {
			m.Texts = append(m.Texts, shenbao.Text{ID: s.Key, Key: s.Key, Section: s.Section, Text: v.value,
				Chars: len([]rune(layout.StripSpace(v.value))), Limit: s.Limit, Confidence: conf})
			continue
		}
		f := shenbao.Field{ID: s.FieldID(v.col), Key: s.Key, Section: s.Section, Column: v.col, Value: v.value,
			Confidence: conf, Source: shenbao.SourceOCR, Engine: v.engine}
		if layout.IsNumeric(s.Type) {
			f.Number = layout.ParseNumber(v.value)
		}
		m.Fields = append(m.Fields, f)
		if v.cell {
			m.Readings[f.ID] = layout.Reading{Score: 1, Line: conf, Digits: v.digits, DigitsConf: 0.95, Rereads: v.rereads}
		}
	}
	return newDoc(m, tp)
}

// ruleCase runs one rule on a Doc and looks at one value: changed to
// want, or (want == the value as read) left alone.
type ruleCase struct {
	name string
	in   []in
	id   string // the field looked at
	want string
}

// cases holds, for every rule, what it must change and what it must leave
// alone.
var cases = map[string][]ruleCase{
	"digit_shapes": {
		{"a letter l for a 1", []in{{key: "ent_count", col: "2021年", value: "l2", cell: true}}, "ent_count.2021", "12"},
		{"a serif 1 read as 工", []in{{key: "ent_count", col: "2021年", value: "工", cell: true}}, "ent_count.2021", "1"},
		{"a point read as a colon", []in{{key: "main_growth", col: "2021年", value: "217:52", cell: true}}, "main_growth.2021", "217.52"},
		{"an O for a 0", []in{{key: "main_growth", col: "2021年", value: "3.1O", cell: true}}, "main_growth.2021", "3.10"},
		{"a note and a stray comma", []in{{key: "ent_count", col: "2021年", value: "47个〈需提供清单)，", cell: true}}, "ent_count.2021", "47"},
		{"a blurred serif 1 read as a bracket", []in{{key: "main_growth", col: "2021年", value: "48.9]", cell: true}}, "main_growth.2021", "48.91"},
		{"a bracket for a leading 1", []in{{key: "main_growth", col: "2021年", value: "[593.40", cell: true}}, "main_growth.2021", "1593.40"},
		{"11 read as the numeral Ⅱ", []in{{key: "ent_count", col: "2021年", value: "Ⅱ", cell: true}}, "ent_count.2021", "11"},
		{"a bracket in words stays", []in{{key: "ent_count", col: "2021年", value: "[工业]", cell: true}}, "ent_count.2021", "[工业]"},
		{"a real 11 stays", []in{{key: "ent_count", col: "2021年", value: "11", cell: true}}, "ent_count.2021", "11"},
		{"words stay words", []in{{key: "ent_count", col: "2021年", value: "工业", cell: true}}, "ent_count.2021", "工业"},
		{"a time is no point", []in{{key: "main_growth", col: "2021年", value: "12:30:00", cell: true}}, "main_growth.2021", "12:30:00"},
		{"无 stays", []in{{key: "ent_count", col: "2021年", value: "无", cell: true}}, "ent_count.2021", "无"},
		{"a text row is not a number", []in{{key: "name", value: "l2", cell: true}}, "name", "l2"},
	},

	"percent_shadow": {
		{"a 9 and a 6 around the sign", []in{{key: "plan_rd", col: "2024年目标值", value: "14.509%6", cell: true}}, "plan_rd.target", "14.50%"},
		{"in words", []in{{key: "plan_rd", col: "2024年目标值", value: "0.62吨/万元(降低11.989%6)", cell: true}}, "plan_rd.target", "0.62吨/万元(降低11.98%)"},
		{"96 before the sign", []in{{key: "plan_rd", col: "2021年基准值", value: "23.6696%", cell: true}}, "plan_rd.base", "23.66%"},
		{"a 6 after it, read by Tesseract", []in{{key: "plan_rd", col: "2024年目标值", value: "14.50%6", cell: true, engine: shenbao.EngineTesseract}}, "plan_rd.target", "14.50%"},
		{"%。 read as %“ with a 9", []in{{key: "name", value: "满意度达到799%“。", cell: true}}, "name", "满意度达到79%。"},
		{"%。 read as %“", []in{{key: "name", value: "增长9%“。", cell: true}}, "name", "增长9%。"},
		{"a 9 that is the number's own", []in{{key: "name", value: "覆盖率达到89%“。", cell: true}}, "name", "覆盖率达到89%。"},
		{"PP-OCR has not the habit: a third decimal stays", []in{{key: "plan_rd", col: "2024年目标值", value: "12.349%", cell: true, engine: shenbao.EnginePPOCR}}, "plan_rd.target", "12.349%"},
		{"nor when both engines read it", []in{{key: "plan_rd", col: "2024年目标值", value: "12.349%", cell: true, engine: shenbao.EngineBoth}}, "plan_rd.target", "12.349%"},
		{"a sign alone", []in{{key: "plan_rd", col: "2024年目标值", value: "23.66%", cell: true}}, "plan_rd.target", "23.66%"},
		{"a year is no sign", []in{{key: "name", value: "1996年成立", cell: true}}, "name", "1996年成立"},
		{"a bare four-decimal number is not this rule's", []in{{key: "plan_rd", col: "2024年目标值", value: "34.1996", cell: true}}, "plan_rd.target", "34.1996"},
		{"a real quote after a sign", []in{{key: "name", value: "达到8%，“专精特新”", cell: true}}, "name", "达到8%，“专精特新”"},
	},
	"percent_glyph": {
		{"a digit inside the sign's box", []in{{key: "plan_rd", col: "2024年目标值", value: "789%", cell: true, rereads: glyph("789%", "78%")}}, "plan_rd.target", "78%"},
		{"a digit after the sign, in words", []in{{key: "name", value: "满意度达到11.99%6以上", cell: true, rereads: glyph("11.99%6", "11.99%")}}, "name", "满意度达到11.99%以上"},
		{"a real four-decimal value, no sign read", []in{{key: "plan_rd", col: "2024年目标值", value: "11.9896", cell: true}}, "plan_rd.target", "11.9896"},
		{"a true 8% the boxes keep", []in{{key: "plan_rd", col: "2024年目标值", value: "8%", cell: true}}, "plan_rd.target", "8%"},
		{"a value read otherwise than the word (PP-OCR's)", []in{{key: "plan_rd", col: "2024年目标值", value: "79%", cell: true, rereads: glyph("789%", "78%")}}, "plan_rd.target", "79%"},
		{"the word inside a longer number", []in{{key: "plan_rd", col: "2024年目标值", value: "1789%", cell: true, rereads: glyph("789%", "78%")}}, "plan_rd.target", "1789%"},
	},
	"list_gap": {
		{"a 、 PP-OCR did not see", []in{{key: "plat_prov", col: "名称", value: "省级工业互联网平台  省级智能工厂、省级数字化车间等", cell: true, engine: shenbao.EnginePPOCR}}, "plat_prov.names", "省级工业互联网平台、省级智能工厂、省级数字化车间等"},
		{"both engines read the gap", []in{{key: "plat_prov", col: "名称", value: "省级工业互联网平台  省级智能工厂", cell: true, engine: shenbao.EngineBoth}}, "plat_prov.names", "省级工业互联网平台、省级智能工厂"},
		{"a wide gap is Tesseract's spacing, not a 、", []in{{key: "plat_prov", col: "名称", value: "省级企业  技术中心、市级平台", cell: true, engine: shenbao.EngineTesseract}}, "plat_prov.names", "省级企业  技术中心、市级平台"},
		{"a middle dot Tesseract read", []in{{key: "plat_prov", col: "名称", value: "省级企业技术中心·市级平台", cell: true, engine: shenbao.EngineTesseract}}, "plat_prov.names", "省级企业技术中心、市级平台"},
		{"a gap between Latin words", []in{{key: "plat_prov", col: "名称", value: "取得CE  UL认证的省级平台", cell: true, engine: shenbao.EnginePPOCR}}, "plat_prov.names", "取得CE  UL认证的省级平台"},
		{"a single space", []in{{key: "plat_prov", col: "名称", value: "省级工业互联网平台 省级智能工厂", cell: true}}, "plat_prov.names", "省级工业互联网平台 省级智能工厂"},
		{"a 、 read as a middle dot", []in{{key: "plat_prov", col: "名称", value: "省级企业技术中心·省级工程技术研究中心 ・ 市级平台等", cell: true}}, "plat_prov.names", "省级企业技术中心、省级工程技术研究中心、市级平台等"},
		{"a middle dot between Latin words", []in{{key: "plat_prov", col: "名称", value: "取得CE·UL认证的省级平台", cell: true}}, "plat_prov.names", "取得CE·UL认证的省级平台"},
		{"a middle dot in a text row", []in{{key: "name", value: "某某·集群", cell: true}}, "name", "某某·集群"},
		{"not a names list", []in{{key: "cover_contact", value: "吴永刚  李明"}}, "cover_contact", "吴永刚  李明"},
	},
	"contact_gap": {
		{"a gap read as a full stop", []in{{key: "cover_contact", value: "蔡婷.13694621218"}}, "cover_contact", "蔡婷  13694621218"},
		{"a comma and a fixed line", []in{{key: "cover_contact", value: "刘雪梅， 023-72434345"}}, "cover_contact", "刘雪梅  023-72434345"},
		{"a name and number apart", []in{{key: "cover_contact", value: "蔡婷  13694621218"}}, "cover_contact", "蔡婷  13694621218"},
		{"a number a digit short", []in{{key: "cover_contact", value: "蔡婷.1369462121"}}, "cover_contact", "蔡婷.1369462121"},
		{"not a contact's row", []in{{key: "name", value: "蔡婷.13694621218", cell: true}}, "name", "蔡婷.13694621218"},
	},
	"seal_remnant": {
		{"the seal's remnant after the name", []in{{key: "signer", col: "单位负责人（签字）：", value: "叶春梅  /全", cell: true}}, "signer", "叶春梅"},
		{"the pen stroke before it", []in{{key: "signer", col: "单位负责人（签字）：", value: "”曾娜", cell: true}}, "signer", "曾娜"},
		{"one character is no name to cut at", []in{{key: "signer", col: "单位负责人（签字）：", value: "程  明", cell: true}}, "signer", "程  明"},
		{"a clean name", []in{{key: "signer", col: "单位负责人（签字）：", value: "曾娜", cell: true}}, "signer", "曾娜"},
		{"not a signature", []in{{key: "name", value: "叶春梅  /全", cell: true}}, "name", "叶春梅  /全"},
	},

	"date_year": {
		{"the ring took the year's first digit and changed the next", []in{{key: "sign_date", col: "日期", value: "622年5月23日", cell: true}}, "sign_date", "2022年5月23日"},
		{"two digits left of the year", []in{{key: "sign_date", col: "日期", value: "22年10月9日", cell: true}}, "sign_date", "2022年10月9日"},
		{"its first digit changed", []in{{key: "sign_date", col: "日期", value: "3022年6月12日", cell: true}}, "sign_date", "2022年6月12日"},
		{"marks misread stay for date_marks", []in{{key: "sign_date", col: "日期", value: "022年6月12介", cell: true}}, "sign_date", "2022年6月12介"},
		{"a year of this century is no repair", []in{{key: "sign_date", col: "日期", value: "2021年5月23日", cell: true}}, "sign_date", "2021年5月23日"},
		{"a tail not the form's year", []in{{key: "sign_date", col: "日期", value: "623年5月23日", cell: true}}, "sign_date", "623年5月23日"},
		{"one digit is no tail", []in{{key: "sign_date", col: "日期", value: "2年5月23日", cell: true}}, "sign_date", "2年5月23日"},
		{"no month of the year", []in{{key: "sign_date", col: "日期", value: "622年13月5日", cell: true}}, "sign_date", "622年13月5日"},
		{"the month hidden is not invented", []in{{key: "sign_date", col: "日期", value: "22年14日", cell: true}}, "sign_date", "22年14日"},
		{"not a date row", []in{{key: "signer", col: "单位负责人（签字）：", value: "22年5月23日", cell: true}}, "signer", "22年5月23日"},
	},

	"date_marks": {
		{"日 misread", []in{{key: "sign_date", col: "日期", value: "2023年6月12介", cell: true}}, "sign_date", "2023年6月12日"},
		{"月 misread", []in{{key: "sign_date", col: "日期", value: "2024年6洽8日", cell: true}}, "sign_date", "2024年6月8日"},
		{"no year of this century", []in{{key: "sign_date", col: "日期", value: "2824年6月4骨", cell: true}}, "sign_date", "2824年6月4骨"},
		{"no month of the year", []in{{key: "sign_date", col: "日期", value: "2023年13月5日", cell: true}}, "sign_date", "2023年13月5日"},
		{"a clean date", []in{{key: "sign_date", col: "日期", value: "2023年6月12日", cell: true}}, "sign_date", "2023年6月12日"},
	}, "punct_width": {
		{"angle brackets and an ASCII bracket", []in{{key: "dept", value: "稚丰区经济和信息化局〈中小企业局)", cell: true}}, "dept", "稚丰区经济和信息化局（中小企业局）"},
		{"a comma between Chinese characters", []in{{key: "name", value: "设备3429台(套),建立", cell: true}}, "name", "设备3429台（套），建立"},
		{"Latin text keeps its own", []in{{key: "name", value: "SaaS (cloud)", cell: true}}, "name", "SaaS (cloud)"},
		{"the parts of 所属地区 are words", []in{{key: "region_county", col: "县（市、区）", value: "德阳区)"}}, "region_county", "德阳区)"},
	},

	"full_stop": {
		{"a middle dot and a degree sign where sentences end", []in{{key: "txt_chain", value: "满意度达到68%·组织培训21场，认证28项°30家企业设立网点·", text: true}}, "txt_chain", "满意度达到68%。组织培训21场，认证28项。30家企业设立网点。"},
		{"a degree of temperature", []in{{key: "txt_chain", value: "窑温控制在1200°C以内。", text: true}}, "txt_chain", "窑温控制在1200°C以内。"},
		{"a dot between Latin letters", []in{{key: "txt_chain", value: "引进S·A公司设备。", text: true}}, "txt_chain", "引进S·A公司设备。"},
	},

	"unpaired_quotes": {
		{"a speck read as an opening quote", []in{{key: "cover_contact", value: "吴永刚  “15146354443"}}, "cover_contact", "吴永刚  15146354443"},
		{"paired quotes stay", []in{{key: "cover_org", value: "宁波“专精”联盟"}}, "cover_org", "宁波“专精”联盟"},
	}, "digit_model": {
		{"the first reading is no number", []in{{key: "main_growth", col: "2021年", value: "昌", cell: true, conf: 0.4, digits: "3.95"}}, "main_growth.2021", "3.95"},
		{"the first reading dropped a point", []in{{key: "main_growth", col: "2021年", value: "11", cell: true, conf: 0.9, digits: "11.31"}}, "main_growth.2021", "11.31"},
		{"two sure readings disagree: the first stays", []in{{key: "main_growth", col: "2021年", value: "3.11", cell: true, digits: "3.17"}}, "main_growth.2021", "3.11"},
		{"both read alike", []in{{key: "main_growth", col: "2021年", value: "3.11", cell: true, digits: "3.11"}}, "main_growth.2021", "3.11"},
		{"无 stays", []in{{key: "main_growth", col: "2021年", value: "无", cell: true, digits: "1"}}, "main_growth.2021", "无"},
		{"no digit reading", []in{{key: "main_growth", col: "2021年", value: "昌", cell: true}}, "main_growth.2021", "昌"},
	},

	"near_printed": {
		{"one character the form never prints", []in{{key: "name", value: "公共服务乎台服务企业1417家次以上", cell: true}}, "name", "公共服务平台服务企业1417家次以上"},
		{"the form's words", []in{{key: "name", value: "公共服务平台服务企业1417家次以上", cell: true}}, "name", "公共服务平台服务企业1417家次以上"},
		{"at a window's edge: doubted, not changed", []in{{key: "name", value: "柏浦区医疗器械产业集群", cell: true}}, "name", "柏浦区医疗器械产业集群"},
		{"a name of the form's words and others it prints", []in{{key: "name", value: "湖南省汽车零部件产业集群", cell: true}}, "name", "湖南省汽车零部件产业集群"},
	}, "city_name": {
		{"one city one off", []in{{key: "region_prov", col: "省（区、市）", value: "湖南省"}, {key: "region_city", col: "市（区）", value: "湘谭"}}, "region_city", "湘潭"},
		{"a known city stays", []in{{key: "region_prov", col: "省（区、市）", value: "湖北"}, {key: "region_city", col: "市（区）", value: "荆州"}}, "region_city", "荆州"},
	},
}

// glyph and ink are the reader's evidence that read reads as as: glyph
// boxes, a number's ink.
func glyph(read, as string) []shenbao.Reread {
	return []shenbao.Reread{{Kind: shenbao.RereadPercentGlyph, Read: read, As: as}}
}

func fieldOf(t *testing.T, d *Doc, id string) shenbao.Field {
	t.Helper()
	for _, f := range d.Fields {
		if f.ID == id {
			return f
		}
	}
	// A long answer as a field: its text the value.
	for _, x := range d.Texts {
		if x.ID == id {
			return shenbao.Field{ID: x.ID, Key: x.Key, Value: x.Text, Confidence: x.Confidence}
		}
	}
	t.Fatalf("no field %s", id)
	return shenbao.Field{}
}

// TestRules runs each rule on what it must change and what it must leave
// alone; every change is recorded under the rule's name and lowers the
// value's confidence, and what is left alone records nothing.
func TestRules(t *testing.T) {
	for _, r := range Rules() {
		cs := cases[r.Name()]
		changes, keeps := 0, 0
		for _, c := range cs {
			t.Run(r.Name()+"/"+c.name, func(t *testing.T) {
				d := doc(t, c.in...)
				before := fieldOf(t, d, c.id)
				r.apply(d)
				got := fieldOf(t, d, c.id)
				if got.Value != c.want {
					t.Fatalf("%s = %q, want %q", c.id, got.Value, c.want)
				}
				var rec []shenbao.Repair
				for _, x := range d.repairs {
					if x.FieldID == c.id {
						rec = append(rec, x)
					}
				}
				if got.Value == before.Value {
					if len(rec) != 0 {
						t.Errorf("left alone but recorded %+v", rec)
					}
					return
				}
				if len(rec) != 1 {
					t.Fatalf("changed %q → %q with %d repairs recorded, want 1", before.Value, got.Value, len(rec))
				}
				x := rec[0]
				if x.Rule != r.Name() || x.Read != before.Value || x.Value != got.Value {
					t.Errorf("recorded %+v, want rule %s, read %q, value %q", x, r.Name(), before.Value, got.Value)
				}
				if x.ConfidenceBefore != before.Confidence || x.ConfidenceAfter >= x.ConfidenceBefore || got.Confidence > x.ConfidenceAfter {
					t.Errorf("confidence %.3f → %.3f (recorded %.3f → %.3f): a repair must lower it", before.Confidence, got.Confidence, x.ConfidenceBefore, x.ConfidenceAfter)
				}
			})
			if c.want == valueOf(c.in, c.id) {
				keeps++
			} else {
				changes++
			}
		}
		if changes == 0 || keeps == 0 {
			t.Errorf("rule %s has %d cases it changes and %d it leaves alone; it needs both", r.Name(), changes, keeps)
		}
	}
}

// valueOf is the value read for the field id among vs.
func valueOf(vs []in, id string) string {
	for _, v := range vs {
		for _, s := range nat2022().Rows {
			if s.Key == v.key && s.FieldID(v.col) == id {
				return v.value
			}
		}
	}
	return ""
}

// Every rule has a name, a title for reviewers and a line for the
// corrections command, lowers confidence, and no two share a name.
func TestRuleList(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if r.Name() == "" || r.Title() == "" || r.About() == "" || seen[r.Name()] {
			t.Errorf("rule %q: title %q, about %q (or a second rule of that name)", r.Name(), r.Title(), r.About())
		}
		seen[r.Name()] = true
		if f := r.Factor(); f <= 0 || f >= 1 {
			t.Errorf("rule %s: factor %.2f, want in (0, 1)", r.Name(), f)
		}
		if Title(r.Name()) != r.Title() {
			t.Errorf("Title(%s) = %q", r.Name(), Title(r.Name()))
		}
	}
	if Title("gone") != "gone" {
		t.Errorf("an unknown rule's title is its name")
	}
}

// The stage leaves values read from a text layer or a Word file alone.
func TestOnlyOCR(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
	m := &layout.Mapped{Fields: []shenbao.Field{{ID: "ent_count.2021", Key: "ent_count", Value: "l2", Confidence: 1, Source: shenbao.SourcePDFText}}}
	if rs := Apply(m, tp); len(rs) != 0 || m.Fields[0].Value != "l2" || m.Fields[0].Confidence != 1 {
		t.Errorf("a text-layer value was corrected: %+v, %+v", m.Fields[0], rs)
	}
}

// A four-decimal plan value read from a scan stays as written after the
// stage, beside a base written with % or without, so the decimals check
// still reports it: no rule turns a number into a percentage.
func TestFourDecimalsStayVisible(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		base     string
		decimals bool
	}{{"12.3000", true}, {"12.30%", true}} {
		d := doc(t, in{key: "plan_rd", col: "2021年基准值", value: tt.base, cell: true}, in{key: "plan_rd", col: "2024年目标值", value: "11.9896", cell: true})
		m := &layout.Mapped{Fields: d.Fields, Readings: d.readings}
		Apply(m, tp)
		rep := &shenbao.Report{Format: shenbao.FormatPDFScan, Edition: shenbao.EditionMatch{ID: tp.ID}, Fields: m.Fields}
		found := false
		for _, f := range rules.Check(rep, tp, "") {
			if f.Kind == shenbao.KindDecimals && slices.Contains(f.FieldIDs, "plan_rd.target") {
				found = true
			}
		}
		if found != tt.decimals {
			t.Errorf("base %s: target %q, decimals finding %v, want %v", tt.base, m.Fields[1].Value, found, tt.decimals)
		}
	}
}
