package layout

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout/formtest"
)

var (
	cells  = formtest.Cells
	merged = formtest.Merged
	para   = formtest.Para
	table  = formtest.Table
)

func content(blocks ...shenbao.Block) *shenbao.Content {
	return &shenbao.Content{Format: shenbao.FormatPDFText, Blocks: blocks}
}

func field(t *testing.T, m *Mapped, id string) shenbao.Field {
	t.Helper()
	return formtest.Field(t, m.Fields, id)
}

func box(t *testing.T, m *Mapped, id string) shenbao.Checkbox {
	t.Helper()
	for _, c := range m.Checkboxes {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no checkbox %s", id)
	return shenbao.Checkbox{}
}

// The three year layouts the editions use, an OCR-damaged label, and ticks
// as glyphs, raw symbol-font letters and missing marks.
func TestMapLayouts(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	c := content(
		para("一、基本情况"),
		table(
			cells("主导产业所属产业类型", "£第一产业 R第二产业 £第三产业"),
			cells("集群主导产业不属于国家规定的禁止、限制和淘汰类产业", "☑是\n□否"),
			cells("获得省级中小企业特色产业集群", "是 否"),
		),
		para("二、主导产业情况"),
		table(
			cells("主导产业情况(近三年)", "2019年", "2020年", "2021年"),
			cells("集群总产值(亿元)", "118.87", "134.27", "151.46"),
			// One character misread by OCR (产 → 严).
			cells("集群内中小企业严值占集群总产值比例(%)", "77.33", "76.16", "76.80"),
		),
		para("四、数字化升级情况"),
		table(
			cells("工业软件采购金额(万元)", "2019年", "2020年", "2021年"),
			merged("3326.17", "4153.83", "5042.34"),
		),
		para("六、开放合作情况"),
		table(
			cells("近三年集群主导产品出口贸易额增长率(%)", "2019年", "23.71"),
			merged("2020年", "6.80"),
			merged("2021年", "11.07"),
		),
	)
	m := Map(c, tp)
	tests := []struct{ id, want string }{
		{"total_output.2021", "151.46"},
		{"sme_share.2020", "76.16"},
		{"sw_purchase.2019", "3326.17"},
		{"export_growth.2021", "11.07"},
	}
	for _, tt := range tests {
		if f := field(t, m, tt.id); f.Value != tt.want {
			t.Errorf("%s = %q, want %q", tt.id, f.Value, tt.want)
		}
	}
	// The damaged label is like no other row's: the mapping is sure of
	// it (anchorConfidence; TestAnchorConfidence has the doubtful kind).
	if f := field(t, m, "sme_share.2020"); f.Confidence != 1 {
		t.Errorf("OCR-damaged label: confidence %.2f, want 1", f.Confidence)
	}
	if f := field(t, m, "total_output.2021"); f.Number == nil || *f.Number != 151.46 {
		t.Errorf("number = %v", f.Number)
	}
	if !box(t, m, "industry_type.2").Checked || box(t, m, "industry_type.1").Checked {
		t.Error("raw Wingdings letters R/£ not read as ticked/empty")
	}
	if !box(t, m, "not_prohibited.1").Checked || box(t, m, "not_prohibited.2").Checked {
		t.Error("glyph ticks not read")
	}
	if cb := box(t, m, "recognised.1"); cb.Checked || cb.Confidence >= 0.8 {
		t.Errorf("options with no mark: checked=%v confidence=%.2f, want unchecked and unsure", cb.Checked, cb.Confidence)
	}
	// Rows the document does not have are reported, not invented.
	if f := field(t, m, "area"); f.Value != "" || f.Confidence != 0 {
		t.Errorf("missing row: %+v", f)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12.34", 12.34, true}, {"1,234.5", 1234.5, true}, {"-5.45", -5.45, true},
		{"29个", 29, true}, {"20%", 20, true}, {"无", 0, false}, {"", 0, false}, {"约30", 0, false},
	}
	for _, tt := range tests {
		got := ParseNumber(tt.in)
		if (got != nil) != tt.ok || got != nil && *got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, want %v/%v", tt.in, got, tt.want, tt.ok)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	c := content(para("关于举办2024年职工运动会的通知"), table(cells("项目", "时间"), cells("拔河", "2024年5月1日")))
	got := MustLoad().Detect(c)
	if got.ID != shenbao.EditionUnknown {
		t.Fatalf("edition = %s, want unknown", got.ID)
	}
	if len(got.Candidates) == 0 || got.Confidence >= MinConfidence {
		t.Errorf("unknown edition should list candidates with a low score: %+v", got)
	}
}

func TestMarkBefore(t *testing.T) {
	tests := []struct {
		text string
		at   int
		want int
	}{
		{"☑是", 1, 1}, {"□是", 1, -1}, {"□√是", 2, 1}, {"√□是", 2, 1},
		{"R是", 1, 1}, {"£是", 1, -1}, {"是", 0, 0}, {"的是", 1, 0},
	}
	for _, tt := range tests {
		if got := markBefore([]rune(tt.text), tt.at); got != tt.want {
			t.Errorf("markBefore(%q, %d) = %d, want %d", tt.text, tt.at, got, tt.want)
		}
	}
}

// Two cover lines OCR ran together, or read apart, the second label's
// brackets doubled: each blank keeps its own value.
func TestCoverLinesRunTogether(t *testing.T) {
	tp, _ := MustLoad().Get("cq2024")
	for _, lines := range [][]string{
		{"所属区县：柏浦区区（（县）中小企业主管部门（盖章） :柏浦区经济和信息化委员会"},
		// Apart, the second label read with its brackets doubled is
		// still a label, not the county's value wrapped.
		{"所属区县:柏浦区", "区《〈县)中小企业主管部门〈盖章) :柏浦区经济和信息化委", "员会"},
		// A label read with characters wrong (〈“ for （) is still a
		// label; a stray stop the underline left before a value goes.
		{"所属区县：．柏浦区", "区(县)中小企业主管部门〈“盖章) :柏浦区经济和信息化委", "员会"},
		{"所属区县：柏浦区区(县)中小企业主管部问〈盖章) :柏浦区经济和信息化委员会"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan}
		for _, l := range append(lines, "集群运营管理机构：柏浦区医疗器械产业园管理委员会") {
			c.Blocks = append(c.Blocks, para(l))
		}
		m := Map(c, tp)
		for id, want := range map[string]string{
			"region_county": "柏浦区",
			"cover_dept":    "柏浦区经济和信息化委员会",
			"cover_org":     "柏浦区医疗器械产业园管理委员会",
		} {
			if f := field(t, m, id); f.Value != want {
				t.Errorf("%q: %s = %q, want %q", lines[0], id, f.Value, want)
			}
		}
	}
}

// A cover value keeps nothing of its blank: OCR writes the blank after a
// label's colon as an ideographic space, and the underline's marks after
// it go as they do after an ASCII one. Spaces inside the value stay.
func TestCoverBlankSpace(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tt := range []struct{ line, id, want string }{
		{"申报时间：\u3000_2024年4月16日", "cover_date", "2024年4月16日"},
		{"申报时间：_2024年4月16日\u3000", "cover_date", "2024年4月16日"},
		{"联系人及联系电话：\u3000赵文  13912345678", "cover_contact", "赵文  13912345678"},
		{"申报时间： 2024年4月16日", "cover_date", "2024年4月16日"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("集群名称: 湖北省荆州市清阳市智能家电产业集群"),
			para(tt.line),
		}}
		if f := field(t, Map(c, tp), tt.id); f.Value != tt.want {
			t.Errorf("%q: %s = %q, want %q", tt.line, tt.id, f.Value, tt.want)
		}
	}
}

// Near reading finds a long label misread, never a short one in a value
// nor a value that only shares some of a label's words.
func TestIndexNormNear(t *testing.T) {
	for _, tt := range []struct {
		raw, label, want string
	}{
		{"区(县)中小企业主管部门〈“盖章) :柏浦区", "区（县）中小企业主管部门（盖章）：", " :柏浦区"[2:]},
		{"柏浦区区(县)中小企业主管部问(盖章):柏浦区", "区（县）中小企业主管部门（盖章）：", "柏浦区"},
		{"集群运营管理机构：柏浦区", "集群名称：", ""},
		{"柏浦区中小企业服务中心", "区（县）中小企业主管部门（盖章）：", ""},
	} {
		got := ""
		if _, end, ok := indexNormNear(tt.raw, Norm(tt.label)); ok {
			got = tt.raw[end:]
		}
		if got != tt.want {
			t.Errorf("after %q in %q: %q, want %q", tt.label, tt.raw, got, tt.want)
		}
	}
}

// The standards table as OCR reads it: a header misread (数最 for 数量), a
// category that lost a character (际), one that was not read at all, and
// an empty value cell; the values are taken by the header's columns.
func TestStandardsOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("三、创新能力情况"),
		table(
			cells("年度", "2019年", "", "", "2020年", "", "", "2021年", "", ""),
			cells("集群中小企业近三年主持(起草单位排名前三位)或参与制修订标准数量情况(需提供清单)", "类别", "主持数最", "参与数量", "类别", "主持数量", "参与数量", "类别", "上持数量", "参与数量"),
			merged("际", "0", "1", "国际", "0", "2", "国际", "1", "3"),
			merged("国家", "4", "", "", "5", "6", "国家", "7", "8"),
			merged("行业", "2", "8", "行业", "0", "11", "行业", "0", "10"),
			merged("团体", "9", "12", "团体", "6", "4", "团体", "9", "12"),
		),
	}}
	// The year header spans three columns a year.
	yr := &c.Blocks[1].Table.Rows[0]
	yr.Cells = []shenbao.Cell{{Text: "年度", Col: 0, Span: 1}, {Text: "2019年", Col: 1, Span: 3}, {Text: "2020年", Col: 4, Span: 3}, {Text: "2021年", Col: 7, Span: 3}}
	m := Map(c, tp)
	for id, want := range map[string]string{
		"standards.intl.lead.2019": "0", "standards.intl.part.2019": "1",
		"standards.intl.lead.2021": "1", "standards.intl.part.2021": "3",
		"standards.national.lead.2019": "4", "standards.national.part.2019": "",
		"standards.national.lead.2020": "5", "standards.national.part.2020": "6",
		"standards.group.part.2021": "12",
	} {
		if f := field(t, m, id); f.Value != want {
			t.Errorf("%s = %q, want %q", id, f.Value, want)
		}
	}
}

// TestCoverHintMisread: the naming hint printed under the cover's name
// blank, its "(XX" read as CCX, is the form's print, not the end of the
// name; a name that merely holds Latin letters is kept whole.
func TestCoverHintMisread(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tt := range []struct{ hint, want string }{
		{"CCX(省、市)XX(县、区)XX 产业))", "湖北省荆州市清阳市智能家电产业集群"},
		{"(XX(省、市)XX(县、区)XX产业))", "湖北省荆州市清阳市智能家电产业集群"},
		{"LED产业集群", "湖北省荆州市清阳市智能家电产业集群LED产业集群"},
		{"[重庆市中小企业特色产业集群（X产业） ]", "湖北省荆州市清阳市智能家电产业集群"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("集群名称: 湖北省荆州市清阳市智能家电产业集群"),
			para(tt.hint),
			para("所属地区:湖北省(区、市)荆州市(区)清阳市县(市、区)"),
		}}
		if f := field(t, Map(c, tp), "cover_name"); f.Value != tt.want {
			t.Errorf("under %q: cover_name = %q, want %q", tt.hint, f.Value, tt.want)
		}
	}
}

// Long options as OCR reads them, a character wrong or missing, are
// still found after their mark, and are as sure as the mark when the
// reading can be no other option of the group (see TestAssignment); a
// short option must match exactly.
func TestChoiceOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("二、主导产业情况"),
		table(cells("集群已开展的质量品牌建设工作",
			"☑开展了先进质量管理模式推广、品牌管理标准宣贯、质量诊断服务等工作\n□获得了集体商标、地理标志产品批准认证或证明商标通过注册\n□建立了品牌运营机制\n■依托质量技术基础公共服务乎台，提供计量、测试、认证等服")),
	}}
	m := Map(c, tp)
	last := box(t, m, "brand_work.4")
	if !last.Checked || last.Confidence < 0.9 {
		t.Errorf("misread option: checked=%v confidence %.2f, want ticked and sure", last.Checked, last.Confidence)
	}
	if b := box(t, m, "brand_work.3"); b.Checked || b.Confidence == 0 {
		t.Errorf("exact option: %+v", b)
	}
}

func TestShortOptionMisread(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	read := func(options string) *Mapped {
		return Map(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("一、基本情况"), table(cells("主导产业所属产业类型", options)),
		}}, tp)
	}
	// 第二产业 read as 第三产业: the form's order places it.
	m := read("□第一产业\n☑第三产业\n□第三产业")
	if b := box(t, m, "industry_type.2"); !b.Checked || b.Confidence == 0 || b.Confidence >= 1 {
		t.Errorf("misread 第二产业: %+v, want ticked with less than full confidence", b)
	}
	if b := box(t, m, "industry_type.3"); b.Checked || b.Confidence == 0 {
		t.Errorf("第三产业: %+v, want found unticked", b)
	}
	// 第二产业 missing: the one 第三产业 is not taken for it.
	m = read("□第一产业\n☑第三产业")
	if b := box(t, m, "industry_type.2"); b.Confidence != 0 {
		t.Errorf("missing 第二产业 found: %+v", b)
	}
	if b := box(t, m, "industry_type.3"); !b.Checked {
		t.Errorf("第三产业: %+v, want ticked", b)
	}
}

func TestKnownSurname(t *testing.T) {
	for v, want := range map[string]bool{
		"冯国庆": true, "汉国庆": false, "欧阳娜": true, "袁超  13695835174": true, "责超  13695835174": false,
		"": true, "*-春霉": true, "肖红": true, "覃丽": true,
	} {
		if got := KnownSurname(v); got != want {
			t.Errorf("knownSurname(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestPlanDirectionAcrossPageBreak: on a scan the plan's target table is
// cut by the page break inside the 绿色化 direction, and the part on the
// next page starts with a blank 方向 cell under the note around the table:
// its rows still belong to 绿色化.
func TestPlanDirectionAcrossPageBreak(t *testing.T) {
	tp, _ := MustLoad().Get("gd2023")
	outer := func(note string, rows ...shenbao.Row) shenbao.Row {
		return shenbao.Row{Cells: []shenbao.Cell{{Text: note, Col: 0, Span: 1, Tables: []shenbao.Table{{Rows: rows}}}}}
	}
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("八、未来三年中小企业特色产业集群发展规划"),
		table(
			outer("（3000字以内）",
				cells("方向", "指标", "2022年基准值", "2025年目标值"),
				cells("绿色化", "二氧化碳排放量", "0.90吨/万元", "0.72吨/万元")),
			outer("（备注：基准值须符合中小企业特色产业集群认定标准）",
				cells("", "单位工业产值能耗", "0.24吨标准煤/万元", "下降13.80%"),
				cells("开放合作", "定性描述", "境外分支机构5家", "境外分支机构达到12家"))),
	}}
	got := "(not reported)"
	for _, f := range Map(c, tp).Fields {
		if f.Label == "绿色化/单位工业产值能耗" && f.Column == "2022年基准值" {
			got = f.Value
		}
	}
	if got != "0.24吨标准煤/万元" {
		t.Errorf("绿色化/单位工业产值能耗 2022年基准值 = %q, want 0.24吨标准煤/万元", got)
	}
}

// A sub-label OCR misread under its parent (圈系方式 for the department's
// 联系方式) is still the parent's, not the next parent's exact 联系方式.
func TestSubLabelMisread(t *testing.T) {
	tp, _ := MustLoad().Get("gd2023")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("一、基本情况"),
		table(
			cells("县（市、区）中小企业主管部门", "盛阳县经济和信息化局"),
			cells("联系人", "邓明", "圈系方式", "0760-4246022"),
			cells("集群运营管理机构", "盛阳县高端紧固件产业园运营管理有限公司"),
			cells("联系人", "袁超", "联系方式", "13695835174"),
		),
	}}
	m := Map(c, tp)
	for id, want := range map[string]string{"dept_phone": "0760-4246022", "org_phone": "13695835174"} {
		if f := field(t, m, id); f.Value != want {
			t.Errorf("%s = %q, want %q", id, f.Value, want)
		}
	}
}

// A scan whose every label is read with a character wrong is still its
// edition; text from a text layer must match exactly.
func TestDetectOCRNear(t *testing.T) {
	set := MustLoad()
	tp, _ := set.Get("nat2024")
	var blocks []shenbao.Block
	for _, r := range tp.Rows {
		if rs := []rune(Norm(r.Label)); len(rs) >= 5 {
			rs[2] = '〇'
			blocks = append(blocks, para(string(rs)))
		}
	}
	blocks = append(blocks, para("2021年 2022年 2023年"))
	for format, want := range map[string]string{shenbao.FormatPDFScan: "nat2024", shenbao.FormatPDFText: shenbao.EditionUnknown} {
		if got := set.Detect(&shenbao.Content{Format: format, Blocks: blocks}); got.ID != want {
			t.Errorf("%s: edition %s (%v), want %s", format, got.ID, got.Candidates, want)
		}
	}
}

// Year headers a scan cut short (019年, 19年) or left partly unread
// (年度 | 19 | 2020年 | 01 4[) still name the edition's years; figures and
// other editions' years do not.
func TestYearHeadersOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	tests := []struct {
		format string
		header []string
		want   string // total_output.2019, .2020, .2021 joined by |
	}{
		{shenbao.FormatPDFScan, []string{"主导产业情况（近三年）", "2019年", "2020年", "2021年"}, "60.03|66.43|76.27"},
		{shenbao.FormatPDFScan, []string{"E导产业情况（近三年）", "019年", "020年", "021年"}, "60.03|66.43|76.27"},
		{shenbao.FormatPDFScan, []string{"年度", "19", "2020年", "01 4[ 国"}, "60.03|66.43|76.27"},
		// No year read exactly: no header; exact headers as printed.
		{shenbao.FormatPDFScan, []string{"年度", "19", "20", "21"}, "||"},
		{shenbao.FormatPDFScan, []string{"年度", "2020年", "2021年", "2022年"}, "|60.03|66.43"},
		// A year out of its place is no header of the edition's years.
		{shenbao.FormatPDFScan, []string{"年度", "2020年", "2019年", "01 4["}, "||"},
		// A text layer's header is exact or none.
		{shenbao.FormatPDFText, []string{"主导产业情况（近三年）", "019年", "020年", "021年"}, "||"},
	}
	for _, tt := range tests {
		c := &shenbao.Content{Format: tt.format, Blocks: []shenbao.Block{
			para("二、主导产业情况"),
			table(cells(tt.header...), cells("集群总产值(亿元)", "60.03", "66.43", "76.27")),
		}}
		if g := yearValues(t, Map(c, tp), "total_output"); g != tt.want {
			t.Errorf("%s %q: %s, want %s", tt.format, tt.header, g, tt.want)
		}
	}
}

// A year and its value a line (the open-co-operation rows): a year read
// without its 年 or not at all is known by its line, when every year
// that reads is in its place; otherwise nothing is guessed. On a scan a
// mark before a year (its first digit taken for a ticked box) is dropped.
func TestYearLinesOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	tests := []struct {
		format string
		years  [3]string
		want   string // export_growth.2019, .2020, .2021 joined by |
	}{
		{shenbao.FormatPDFScan, [3]string{"2019年", "2020年", "2021年"}, "3.06|8.43|5.58"},
		{shenbao.FormatPDFScan, [3]string{"2019年", "[ZU 2]", "2021"}, "3.06|8.43|5.58"},
		{shenbao.FormatPDFScan, [3]string{"019年", "020年", "2021"}, "3.06|8.43|5.58"},
		// A year out of its place: only the years that read are taken.
		{shenbao.FormatPDFScan, [3]string{"2020年", "[ZU 2]", "2021年"}, "|3.06|5.58"},
		// Nothing read as a year: nothing guessed.
		{shenbao.FormatPDFScan, [3]string{"[ZU", "[ZU 2]", "Z0"}, "||"},
		// A year's first digit taken for a ticked box is still the year.
		{shenbao.FormatPDFScan, [3]string{"☑2019年", "☑2020年", "☑2021年"}, "3.06|8.43|5.58"},
		{shenbao.FormatPDFText, [3]string{"☑2019年", "2020年", "2021年"}, "|8.43|5.58"},
		// A text layer's year is exact or none.
		{shenbao.FormatPDFText, [3]string{"2019年", "2020", "2021年"}, "3.06||5.58"},
	}
	for _, tt := range tests {
		c := &shenbao.Content{Format: tt.format, Blocks: []shenbao.Block{
			para("六、开放合作情况"),
			table(
				cells("近三年集群主导产品出口贸易额增长率(%)", tt.years[0], "3.06"),
				merged(tt.years[1], "8.43"),
				merged(tt.years[2], "5.58"),
			),
		}}
		if g := yearValues(t, Map(c, tp), "export_growth"); g != tt.want {
			t.Errorf("%s %q: %s, want %s", tt.format, tt.years, g, tt.want)
		}
	}
}

// yearValues is a national-2022 row's values for 2019, 2020 and 2021,
// joined by |.
func yearValues(t *testing.T, m *Mapped, key string) string {
	t.Helper()
	var got []string
	for _, y := range []string{"2019", "2020", "2021"} {
		got = append(got, field(t, m, key+"."+y).Value)
	}
	return strings.Join(got, "|")
}

// A label OCR read with its first character misread and its unit note
// cut off is still its row's label; another row's is not, nor a short
// label whose note is most of what tells it apart.
func TestLabelScoreNote(t *testing.T) {
	for _, tt := range []struct {
		cell, label string
		match       bool
	}{
		{"［业用水重复利用率", "工业用水重复利用率(%)", true},
		{"大宗工业固废综合利用率（9", "大宗工业固废综合利用率(%)", true},
		{"工业用水重复利用率(%)", "工业用水重复利用率(%)", true},
		{"［业用水重复利用率", "大宗工业固废综合利用率(%)", false},
		{"企业上云比例", "集群工业互联网平台应用普及率(%)", false},
		{"面积", "集群占地面积(平方公里)", false},
	} {
		if got := labelScore(Norm(tt.cell), Norm(tt.label)) >= minLabelScore; got != tt.match {
			t.Errorf("labelScore(%q, %q) matches = %v, want %v", tt.cell, tt.label, got, tt.match)
		}
	}
}

// A names list read from a scan: a lost rule runs the next row's prompts
// on. A wide gap where OCR did not see a 、 is mapped as read (the
// corrections stage's list_gap rule decides), as is a text layer.
func TestCountNamesOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tt := range []struct {
		format, cell, want string
	}{
		{shenbao.FormatPDFScan, "数量：  7个\n名称：省级工业互联网平台  省级智能工厂、省级数字化车间等", "省级工业互联网平台  省级智能工厂、省级数字化车间等"},
		{shenbao.FormatPDFScan, "数量：  7个\n名称：省级工业互联网平台、省级智能工厂等数量：  9个\n名称：市级数字化车间等", "省级工业互联网平台、省级智能工厂等"},
		{shenbao.FormatPDFScan, "数量：2个\n名称：取得CE  UL认证的省级平台、省级智能工厂", "取得CE  UL认证的省级平台、省级智能工厂"},
		{shenbao.FormatPDFScan, "数量：2个\n名称：省级工业互联网平台 省级智能工厂", "省级工业互联网平台 省级智能工厂"},
		{shenbao.FormatPDFText, "数量：2个\n名称：省级工业互联网平台  省级智能工厂", "省级工业互联网平台  省级智能工厂"},
	} {
		c := &shenbao.Content{Format: tt.format, Blocks: []shenbao.Block{
			para("三、创新能力情况"),
			table(
				cells("创新平台建设情况(需提供清单及佐证材料)", "省级制造业创新中心或省级创新平台名称及数量", tt.cell),
			),
		}}
		if f := field(t, Map(c, tp), "plat_prov.names"); f.Value != tt.want {
			t.Errorf("%s %q: names %q, want %q", tt.format, tt.cell, f.Value, tt.want)
		}
	}
}

// TestNumericValue: a count cell's printed unit and note are print, on
// the number's own line or below it; what is not after a number is left
// as read, for the checks to see.
func TestNumericValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  29  个\n(需提供清单)", "29"},
		{"71个(需提供清单)", "71"},
		{"71 个（需提供清单及佐证材料）", "71"},
		{"12.50", "12.50"},
		{"3家", "3"},
		{"(需提供清单)", "(需提供清单)"}, // no number before it: nothing to cut
		{"", ""},
	} {
		if got := numericValue(&shenbao.Cell{Text: tc.in}); got != tc.want {
			t.Errorf("numericValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Two count+names rows a scan ran together (the rule between them lost):
// the label cell holds both labels, the value cell both rows' prompts.
// Each row reads its own prompts, by the labels' order, under the review
// threshold; a label that only ends a cell (a stray mark before it) is
// the row's own.
func TestCountNamesMergedRows(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	parent := "集群绿色制造体系建设水平(注：包括绿色工厂、绿色工业园区、绿色供应链管理企业、绿色设计产品等，需提供清单及佐证材料)"
	build := func(format, second, secondValue string) *Mapped {
		return Map(&shenbao.Content{Format: format, Blocks: []shenbao.Block{
			para("五、绿色化转型情况"),
			table(
				cells(parent, "国家级绿色制造体系建设情况", "数量：5个\n名称：国家级绿色工厂等"),
				merged(second, secondValue),
			),
		}}, tp)
	}
	m := build(shenbao.FormatPDFScan, "省级绿色制造体系建设情况其他绿色制造体系建设情况",
		"数量：7个\n名称：省级绿色工厂、省级节水型企业等数量：9个\n名称：市级绿色工厂等")
	for _, tt := range []struct{ id, want string }{
		{"green_nat.count", "5"}, {"green_prov.count", "7"}, {"green_prov.names", "省级绿色工厂、省级节水型企业等"},
		{"green_other.count", "9"}, {"green_other.names", "市级绿色工厂等"},
	} {
		f := field(t, m, tt.id)
		if f.Value != tt.want {
			t.Errorf("%s = %q, want %q", tt.id, f.Value, tt.want)
		}
		if strings.HasPrefix(tt.id, "green_other") && f.Confidence >= 0.9 {
			t.Errorf("%s: confidence %.2f, want under 0.9", tt.id, f.Confidence)
		}
	}
	// The second row's prompts lost: nothing is read for it.
	m = build(shenbao.FormatPDFScan, "省级绿色制造体系建设情况其他绿色制造体系建设情况", "数量：7个\n名称：省级绿色工厂等")
	if f := field(t, m, "green_other.count"); f.Value != "" {
		t.Errorf("no second prompts: green_other.count = %q", f.Value)
	}
	// A label alone in its cell, a mark read before it: its own row.
	m = build(shenbao.FormatPDFScan, "口其他绿色制造体系建设情况", "数量：4个\n名称：市级绿色工厂等")
	if f := field(t, m, "green_other.count"); f.Value != "4" {
		t.Errorf("a mark before the label: green_other.count = %q, want 4", f.Value)
	}
}
