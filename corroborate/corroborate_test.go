package corroborate

import (
	"fmt"
	"slices"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// tmpl is the few rows the tests need, as an edition declares them.
var tmpl = &layout.Template{ID: "test", Kind: layout.KindApplication, Rows: []layout.Spec{
	{Key: "cover_name", Type: layout.TypeText, Columns: []string{""}},
	{Key: "name", Type: layout.TypeText, Columns: []string{""}},
	{Key: "region_prov", Type: layout.TypeText, Columns: []string{"省"}},
	{Key: "region_city", Type: layout.TypeText, Columns: []string{"市"}},
	{Key: "region_county", Type: layout.TypeText, Columns: []string{"县"}},
	{Key: "cover_contact", Type: layout.TypeText, Columns: []string{""}},
	{Key: "org_contact", Type: layout.TypeText, Columns: []string{""}},
	{Key: "org_phone", Type: layout.TypeText, Columns: []string{""}},
	{Key: "sme_count", Type: layout.TypeInteger, Columns: []string{"2022年", "2023年"}},
	{Key: "cloud_count", Type: layout.TypeInteger, Columns: []string{""}},
	{Key: "cloud_share", Type: layout.TypePercent, Columns: []string{""}},
	{Key: "fdi", Type: layout.TypeAmount, Columns: []string{"2022年", "2023年"}},
	{Key: "fdi_growth", Type: layout.TypePercent, Columns: []string{"2022年", "2023年"}},
	{Key: "energy_intensity", Type: layout.TypeNumber, Columns: []string{"2021年", "2022年", "2023年"}},
	{Key: "energy_reduction", Type: layout.TypePercent, Columns: []string{""}},
	{Key: "patents", Type: layout.TypeInteger, Columns: []string{""}},
	{Key: "iip_rate", Type: layout.TypePercent, Columns: []string{""}},
	{Key: "zjtx", Type: layout.TypeInteger, Columns: []string{"2022年", "2023年"}},
	{Key: "xjr", Type: layout.TypeInteger, Columns: []string{"2022年", "2023年"}},
	{Key: "champion", Type: layout.TypeInteger, Columns: []string{"2022年", "2023年"}},
	{Key: "plan_patents", Type: layout.TypePlanTarget, Columns: []string{"2023年基准值", "2026年目标值"}},
	{Key: "plan_iip", Type: layout.TypePlanTarget, Columns: []string{"2023年基准值", "2026年目标值"}},
	{Key: "plan_quality_sme", Type: layout.TypePlanTarget, Columns: []string{"2023年基准值", "2026年目标值"}},
	{Key: "dept_contact", Type: layout.TypeText, Columns: []string{""}, Person: true},
	{Key: "dept_phone", Type: layout.TypeText, Columns: []string{""}},
	{Key: "sign_date", Type: layout.TypeDeclaration, Columns: []string{"日期"}},
	{Key: "plat_nat", Type: layout.TypeCountNames, Columns: []string{"数量", "名称"}},
}}

// f is an OCR'd field: id (key or key.year), value, confidence.
func f(id, value string, conf float64) shenbao.Field {
	key, col, year := id, "", 0
	for i := range id {
		if id[i] == '.' {
			key, col = id[:i], id[i+1:]
			if _, err := fmt.Sscan(col, &year); err == nil {
				col += "年"
			}
			break
		}
	}
	return shenbao.Field{ID: id, Key: key, Column: col, Year: year, Value: value, Confidence: conf, Source: shenbao.SourceOCR}
}

// plan is a plan row's cell: key.base or key.target.
func plan(id, value string, conf float64) shenbao.Field {
	x := f(id, value, conf)
	x.Column = map[string]string{"base": "2023年基准值", "target": "2026年目标值"}[x.Column]
	return x
}

// iipPlan is plan_iip's base and target, read at 0.7, and the table's
// iip_rate it restates, at 0.6.
func iipPlan(base, target, table string) []shenbao.Field {
	return []shenbao.Field{plan("plan_iip.base", base, 0.7), plan("plan_iip.target", target, 0.7), f("iip_rate", table, 0.6)}
}

// countNames is plat_nat's count and names, read at 0.7.
func countNames(count, names string) []shenbao.Field {
	s := tmpl.Rows[len(tmpl.Rows)-1]
	return []shenbao.Field{
		{ID: s.FieldID("数量"), Key: s.Key, Column: "数量", Value: count, Confidence: 0.7, Source: shenbao.SourceOCR},
		{ID: s.FieldID("名称"), Key: s.Key, Column: "名称", Value: names, Confidence: 0.7, Source: shenbao.SourceOCR},
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		fields  []shenbao.Field
		repairs []string // field ids the corrections stage repaired
		raised  []string // field ids that must come out at Sure
	}{
		{
			name: "a share that is its part over its whole raises all three",
			fields: []shenbao.Field{f("cloud_share", "48.32", 0.7), f("cloud_count", "503", 0.85),
				f("sme_count.2022", "1013", 0.8), f("sme_count.2023", "1041", 0.6)},
			raised: []string{"cloud_share", "cloud_count", "sme_count.2023"},
		},
		{
			name: "a share one digit off raises nothing",
			fields: []shenbao.Field{f("cloud_share", "48.12", 0.7), f("cloud_count", "503", 0.85),
				f("sme_count.2023", "1041", 0.6)},
		},
		{
			name: "a repaired operand is left as the repair left it; the others rise",
			fields: []shenbao.Field{f("cloud_share", "48.32%", 0.7), f("cloud_count", "503", 0.85),
				f("sme_count.2023", "1041", 0.6)},
			repairs: []string{"cloud_count"},
			raised:  []string{"cloud_share", "sme_count.2023"},
		},
		{
			name: "a reading below the floor is not rescued by fitting",
			fields: []shenbao.Field{f("cloud_share", "48.32", 0.3), f("cloud_count", "503", 0.85),
				f("sme_count.2023", "1041", 0.85)},
			raised: []string{"cloud_count", "sme_count.2023"},
		},
		{
			// 56086.82 / 59589.38 − 1 = −5.878 %: the rate sees the
			// amounts' first four digits, not their cents.
			name: "a growth rate vouches only for the digits it is sensitive to",
			fields: []shenbao.Field{f("fdi.2022", "59589.38", 0.7), f("fdi.2023", "56086.82", 0.7),
				f("fdi_growth.2022", "24.97", 0.7), f("fdi_growth.2023", "-5.88", 0.7)},
			raised: []string{"fdi_growth.2023"},
		},
		{
			name: "a fall from the first year to the last",
			fields: []shenbao.Field{f("energy_intensity.2021", "0.30", 0.8), f("energy_intensity.2022", "0.27", 0.8),
				f("energy_intensity.2023", "0.25", 0.8), f("energy_reduction", "16.67", 0.8)},
			// Two-digit levels leave the fall ±3 points wide: only the
			// last year's level is pinned by it.
			raised: []string{"energy_intensity.2023"},
		},
		{
			name:   "the cluster's name read alike on the cover and in the table",
			fields: []shenbao.Field{f("cover_name", "湖北省孝感市凤溪市仪器仪表产业集群", 0.75), f("name", "湖北省孝感市凤溪市仪器仪表 产业集群", 0.85)},
			raised: []string{"cover_name", "name"},
		},
		{
			name: "a region the table's name spells out",
			fields: []shenbao.Field{f("region_county", "凤溪市", 0.75), f("region_city", "孝感", 0.75), f("region_prov", "湖", 0.75),
				f("name", "湖北省孝感市凤溪市仪器仪表产业集群", 0.85), f("cover_name", "湖北省孝感市风溪市仪器仪表产业集群", 0.75)},
			// One character is too little to witness; the name itself
			// is not raised by a part of it, nor by a twin that differs.
			raised: []string{"region_county", "region_city"},
		},
		{
			name:   "a city that is a division of the province read beside it",
			fields: []shenbao.Field{f("region_prov", "湖北", 0.75), f("region_city", "孝感", 0.75)},
			raised: []string{"region_prov", "region_city"},
		},
		{
			// 湖南 for 湖北: a province whose divisions the city is not.
			name:   "a city that is no division of the province raises nothing",
			fields: []shenbao.Field{f("region_prov", "湖南", 0.75), f("region_city", "孝感", 0.75)},
		},
		{
			name:    "a city the corrections stage put right from the province is no witness",
			fields:  []shenbao.Field{f("region_prov", "湖北省", 0.75), f("region_city", "孝感市", 0.6)},
			repairs: []string{"region_city"},
		},
		{
			name:   "names that differ by a character raise nothing",
			fields: []shenbao.Field{f("cover_name", "湖北省孝感市风溪市仪器仪表产业集群", 0.75), f("name", "湖北省孝感市凤溪市仪器仪表产业集群", 0.85)},
		},
		{
			name:    "a twin copied by a repair is no second witness",
			fields:  []shenbao.Field{f("cover_name", "湖北省孝感市凤溪市仪器仪表产业集群", 0.6), f("name", "湖北省孝感市凤溪市仪器仪表产业集群", 0.85)},
			repairs: []string{"cover_name"},
		},
		{
			name: "the cover's contact is the table's contact and phone",
			fields: []shenbao.Field{f("cover_contact", "吴永刚  15146354443", 0.7), f("org_contact", "吴永刚", 0.8),
				f("org_phone", "15146354443", 0.85)},
			raised: []string{"cover_contact", "org_contact", "org_phone"},
		},
		{
			// A count equal to the names it lists was no evidence: on the
			// held-out scans it made a misread count sure.
			name:   "a count that is the number of names listed is not raised",
			fields: countNames("2", "国家仪器仪表创新中心分中心、国家地方联合工程研究中心"),
		},
		{
			name: "a plan's base that restates the table's figure raises both",
			fields: []shenbao.Field{plan("plan_patents.base", "36件", 0.7), plan("plan_patents.target", "54件", 0.7),
				f("patents", "36", 0.8), plan("plan_iip.base", "36.53%", 0.85), plan("plan_iip.target", "31.50%", 0.85), f("iip_rate", "36.53", 0.6)},
			raised: []string{"plan_patents.base", "patents", "plan_iip.base", "iip_rate"},
		},
		{
			name: "a base that is the sum of the base year's counts raises them all",
			fields: []shenbao.Field{plan("plan_quality_sme.base", "95家", 0.7), plan("plan_quality_sme.target", "155家", 0.7), f("zjtx.2022", "70", 0.7),
				f("zjtx.2023", "80", 0.7), f("xjr.2023", "12", 0.7), f("champion.2023", "3", 0.7)},
			raised: []string{"plan_quality_sme.base", "zjtx.2023", "xjr.2023", "champion.2023"},
		},
		{
			// A misread digit on either side breaks the equality; a
			// figure printed to another precision is not the same
			// reading; a cell with two figures is a sentence.
			name: "a base that differs, or is printed otherwise, raises nothing",
			fields: []shenbao.Field{plan("plan_patents.base", "38件", 0.7), f("patents", "36", 0.8),
				plan("plan_iip.base", "36.5%", 0.85), f("iip_rate", "36.50", 0.6),
				plan("plan_quality_sme.base", "2023年95家", 0.7), f("zjtx.2023", "80", 0.7), f("xjr.2023", "12", 0.7), f("champion.2023", "3", 0.7)},
		},
		{
			// The equality vouches for the figure; the unit must be read
			// alike in the row's other cell too (a lost / on a lab copy).
			name:   "a base whose words around its figure the target does not bear out raises nothing",
			fields: iipPlan("0.69吨万元", "0.62吨/万元（降低10.14%）", "0.69"),
		},
		{
			name:   "a base whose unit the target bears out after other words",
			fields: iipPlan("境外分支机构3家", "境外分支机构达到11家，出口额年均增长13%以上", "3"),
			raised: []string{"plan_iip.base", "iip_rate"},
		},
		{
			name:    "a repaired base is no witness of the table",
			fields:  []shenbao.Field{plan("plan_patents.base", "36件", 0.7), f("patents", "36", 0.8)},
			repairs: []string{"plan_patents.base"},
		},
		{
			name:   "blank twins raise nothing",
			fields: []shenbao.Field{f("cover_name", "", 0.7), f("name", "", 0.7)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reps []shenbao.Repair
			for _, id := range tt.repairs {
				reps = append(reps, shenbao.Repair{FieldID: id})
			}
			before := map[string]float64{}
			for _, x := range tt.fields {
				before[x.ID] = x.Confidence
			}
			raised := Apply(tt.fields, reps, tmpl)
			var ids []string
			for _, r := range raised {
				ids = append(ids, r.FieldID)
			}
			for _, x := range tt.fields {
				want := slices.Contains(tt.raised, x.ID)
				switch {
				case want && x.Confidence != Sure:
					t.Errorf("%s: confidence %.2f, want raised to %.2f (raised %v)", x.ID, x.Confidence, Sure, ids)
				case !want && x.Confidence != before[x.ID]:
					t.Errorf("%s: confidence %.2f, want left at %.2f (raised %v)", x.ID, x.Confidence, before[x.ID], ids)
				}
			}
			if len(raised) != len(tt.raised) {
				t.Errorf("raised %v, want %v", ids, tt.raised)
			}
		})
	}
}

// A value both engines read alike, fairly surely, is made sure by its
// exact form; any other form, engine or doubt leaves it alone.
func TestTyped(t *testing.T) {
	both := func(id, v string, conf float64) shenbao.Field {
		x := f(id, v, conf)
		x.Engine = shenbao.EngineBoth
		return x
	}
	bothPlan := func(id, v string, conf float64) shenbao.Field {
		x := plan(id, v, conf)
		x.Engine = shenbao.EngineBoth
		return x
	}
	tests := []struct {
		f    shenbao.Field
		sure bool
		with []shenbao.Field // the row's other cells
	}{
		{both("fdi.2022", "59589.38", 0.89), true, nil},
		{both("cloud_share", "48.32%", 0.89), true, nil},
		{both("cloud_count", "503", 0.89), true, nil},
		{both("org_phone", "15146354443", 0.89), true, nil},
		{both("fdi.2022", "59589.3", 0.89), false, nil},     // one decimal
		{both("cloud_count", "4.97", 0.89), false, nil},     // a point in a count
		{both("cloud_count", "]97", 0.89), false, nil},      // a stroke for a digit
		{both("org_phone", "1514635444", 0.89), false, nil}, // a digit short
		{both("fdi.2022", "59589.38", 0.8), true, nil},
		{both("fdi.2022", "59589.38", 0.79), false, nil}, // doubted after reading
		{both("cloud_count", "5", 0.745), false, nil},    // a lone 6 both engines read 5 on the lab's copies
		{f("fdi.2022", "59589.38", 0.89), false, nil},    // one engine's reading
		// A plan cell is in form when it and its row's other cell are a
		// figure and the same unit.
		{bothPlan("plan_patents.target", "54件", 0.89), true, []shenbao.Field{plan("plan_patents.base", "36件", 0.6)}},
		{bothPlan("plan_patents.target", "54件", 0.89), false, []shenbao.Field{plan("plan_patents.base", "36家", 0.6)}},
		{bothPlan("plan_patents.base", "建成公共服务平台41", 0.89), false, []shenbao.Field{plan("plan_patents.target", "服务企业408家次以上", 0.6)}},
		{bothPlan("plan_patents.base", "41", 0.89), false, []shenbao.Field{plan("plan_patents.target", "54", 0.6)}},
		// A names list in its form (、 between names of four or more
		// characters) as long as its count says, or shorter and open (等).
		{both("plat_nat.名称", "国家企业技术中心、国家工业设计中心", 0.85), true, []shenbao.Field{f("plat_nat.数量", "2", 0.6)}},
		{both("plat_nat.名称", "国家企业技术中心、国家工业设计中心等", 0.85), true, []shenbao.Field{f("plat_nat.数量", "5", 0.6)}},
		{both("plat_nat.名称", "国家企业技术中心、国家工业设计中心", 0.85), false, []shenbao.Field{f("plat_nat.数量", "3", 0.6)}},
		{both("plat_nat.名称", "国家企业技术中心、国家工业设计中心等", 0.85), false, []shenbao.Field{f("plat_nat.数量", "1", 0.6)}},
		{both("plat_nat.名称", "国家企业技术中心、国家工业设计中心", 0.85), false, nil}, // no count read
		{both("plat_nat.名称", "国家企业技术中心,国家工业设计中心", 0.85), false, []shenbao.Field{f("plat_nat.数量", "2", 0.6)}},
		{both("plat_nat.名称", "国家企业技术中心、国家工", 0.85), false, []shenbao.Field{f("plat_nat.数量", "2", 0.6)}},
	}
	for _, tt := range tests {
		fs := append([]shenbao.Field{tt.f}, tt.with...)
		Apply(fs, nil, tmpl)
		if got := fs[0].Confidence == Sure; got != tt.sure {
			t.Errorf("%s %q (%s, %.2f): sure=%v, want %v", tt.f.ID, tt.f.Value, tt.f.Engine, tt.f.Confidence, got, tt.sure)
		}
	}
}

// A reading that breaks a form the applicant has no reason to break is
// lowered under the review threshold however sure it was read, and then
// raised by nothing; a reading in its form, or a figure's decimals both
// engines saw, is left alone.
func TestMisfits(t *testing.T) {
	tests := []struct {
		f     shenbao.Field
		doubt bool
		with  []shenbao.Field // the row's other cells
	}{
		{f("org_phone", "3800138000", 0.85), true, nil},          // a mobile a digit short
		{f("org_phone", "13800138000", 0.85), false, nil},        // a mobile
		{f("dept_phone", "0571-87654321", 0.85), false, nil},     // a fixed line
		{f("cover_contact", "吴永刚  1514635444", 0.85), true, nil}, // the cover's phone a digit short
		{f("cover_contact", "吴永刚  15146354443", 0.85), false, nil},
		{f("sign_date", "2023年5月80-", 0.84), true, nil},
		{f("sign_date", "2023年2月30日", 0.84), true, nil}, // no such day
		{f("sign_date", "2024年2月29日", 0.84), false, nil},
		{f("sign_date", "2023年13月2日", 0.84), true, nil},
		{f("cloud_count", "4O7", 0.85), true, nil}, // a letter for a digit
		{f("cloud_count", "503", 0.85), false, nil},
		{f("fdi.2022", "5958,38", 0.85), true, nil},
		{f("fdi.2022", "0.7", 0.85), true, nil}, // a digit lost where the engines disagreed
		{func() shenbao.Field { x := f("fdi.2022", "0.7", 0.85); x.Engine = shenbao.EngineBoth; return x }(), false, nil},
		{f("dept_contact", "E浩然", 0.84), true, nil},
		{f("dept_contact", "王浩然", 0.84), false, nil},
		{f("org_phone", "3800138000", 0.7), false, nil}, // already under review: left as read
		{plan("plan_patents.target", "54件", 0.85), false, []shenbao.Field{plan("plan_patents.base", "36件", 0.85)}},
		{plan("plan_iip.target", "5.91亿", 0.84), true, []shenbao.Field{plan("plan_iip.base", "2.26亿元", 0.85)}}, // 元 lost
		{plan("plan_iip.target", "下降8.49%", 0.84), false, []shenbao.Field{plan("plan_iip.base", "0.51吨/万元", 0.85)}},
	}
	for _, tt := range tests {
		fs := append([]shenbao.Field{tt.f}, tt.with...)
		Apply(fs, nil, tmpl)
		if got := fs[0].Confidence == Doubt; got != tt.doubt {
			t.Errorf("%s %q (%.2f): doubted=%v (now %.2f), want %v", tt.f.ID, tt.f.Value, tt.f.Confidence, got, fs[0].Confidence, tt.doubt)
		}
	}
	// Doubted, a value is raised by no evidence: the cover and the
	// table agree on a phone a digit short.
	fs := []shenbao.Field{f("cover_contact", "吴永刚  1514635444", 0.85), f("org_contact", "吴永刚", 0.85), f("org_phone", "1514635444", 0.85)}
	Apply(fs, nil, tmpl)
	for _, x := range fs {
		if x.Confidence >= Sure {
			t.Errorf("%s %q raised to %.2f, though its phone breaks its form", x.ID, x.Value, x.Confidence)
		}
	}
}

// A text layer's values and a summary table are not the stage's.
func TestLeavesAlone(t *testing.T) {
	digital := []shenbao.Field{f("cover_name", "甲集群", 1), f("name", "甲集群", 1)}
	for i := range digital {
		digital[i].Source = shenbao.SourcePDFText
	}
	if r := Apply(digital, nil, tmpl); len(r) != 0 {
		t.Errorf("text layer: raised %v", r)
	}
	summary := *tmpl
	summary.Kind = layout.KindSummary
	fs := []shenbao.Field{f("cover_name", "甲集群", 0.7), f("name", "甲集群", 0.7)}
	if r := Apply(fs, nil, &summary); len(r) != 0 {
		t.Errorf("summary: raised %v", r)
	}
}
