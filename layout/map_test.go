package layout

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
)

func cells(texts ...string) shenbao.Row {
	var r shenbao.Row
	for i, t := range texts {
		r.Cells = append(r.Cells, shenbao.Cell{Text: t, Col: i, Span: 1})
	}
	return r
}

func merged(texts ...string) shenbao.Row {
	r := cells(append([]string{""}, texts...)...)
	r.Cells[0].Merged = true
	return r
}

func content(blocks ...shenbao.Block) *shenbao.Content {
	return &shenbao.Content{Format: shenbao.FormatPDFText, Blocks: blocks}
}

func para(s string) shenbao.Block { return shenbao.Block{Text: s} }

func table(rows ...shenbao.Row) shenbao.Block {
	return shenbao.Block{Table: &shenbao.Table{Rows: rows}}
}

func field(t *testing.T, m *Mapped, id string) shenbao.Field {
	t.Helper()
	for _, f := range m.Fields {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no field %s", id)
	return shenbao.Field{}
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
	if f := field(t, m, "sme_share.2020"); f.Confidence >= 1 || f.Confidence < minLabelScore {
		t.Errorf("OCR-damaged label: confidence %.2f, want in [%.2f,1)", f.Confidence, minLabelScore)
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

func TestPlausibility(t *testing.T) {
	tests := []struct {
		typ, v string
		low    bool
	}{
		{TypePercent, "12.34", false}, {TypePercent, "无", false}, {TypePercent, "", false},
		{TypePercent, "1234", true}, {TypeAmount, "12.345", true}, {TypeInteger, "l2", true},
		{TypeText, "whatever", false},
		{TypeInteger, "490", false},
		{TypeInteger, "4.90", true}, // a speck read as a point
		{TypeNumber, "4.90", false},
		{TypeText, "市级工程技术研究中心、校企联合实验室等", false},
		{TypeText, ";市级工程技术研究中心", true},
		{TypeText, "境外分支机构达到17家.出口额年均增长14%以上", true},
		{TypeText, "出口额12.5亿元（含转口）", false},
		{TypeText, "省仪器仪表[程技术研究中心", true},
	}
	for _, tt := range tests {
		if got := plausibility(tt.typ, tt.v) < 1; got != tt.low {
			t.Errorf("plausibility(%s, %q) low=%v, want %v", tt.typ, tt.v, got, tt.low)
		}
	}
}

func TestOCRDigits(t *testing.T) {
	tests := map[string]string{"|": "1", "l2": "12", "3.1O": "3.10", "无": "无", "": "", "abc": "abc", "12": "12",
		"47个〈需提供清单)": "47", "95.78，": "95.78", "”13": "13", "217:52": "217.52", "12:30:00": "12:30:00", "工": "1", "工业": "工业"}
	for in, want := range tests {
		if got := ocrDigits(in); got != want {
			t.Errorf("ocrDigits(%q) = %q, want %q", in, got, want)
		}
	}
	if got := trimBlank("，”凤溪市管理委员会_ "); got != "凤溪市管理委员会" {
		t.Errorf("trimBlank = %q", got)
	}
}

func TestOCRPunct(t *testing.T) {
	tests := map[string]string{
		"稚丰区经济和信息化局〈中小企业局)":  "稚丰区经济和信息化局（中小企业局）",
		"0.45吨/万元(降低19.10%)": "0.45吨/万元（降低19.10%）",
		"设备3429台(套),建立":      "设备3429台（套），建立",
		"SaaS (cloud)":       "SaaS (cloud)",
	}
	for in, want := range tests {
		if got := ocrPunct(in); got != want {
			t.Errorf("ocrPunct(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCrossRead(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("集群名称: 宁波市鹤丰区锂电池材料产业集群"),
		para("一、基本情况"),
		table(cells("集群名称:(中小企业特色产业集群(XX产业))", "宁波市稚丰区锂电池材料产业集群")),
	}}
	m := Map(c, tp)
	if f := field(t, m, "name"); f.Confidence >= 0.8 {
		t.Errorf("name read differently from the cover kept confidence %.2f", f.Confidence)
	}
}

// A count read with a letter for a digit (工 for a serif 1) is taken as a
// number but not as a sure one.
func TestCountLookalike(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	for _, tt := range []struct {
		cell, want string
		sure       bool
	}{
		{"数量：1个\n名称：国家级工业设计中心", "1", true},
		{"数量：工个\n名称：国家级工业设计中心", "1", false},
		{"数量：1工个\n名称：国家级工业设计中心", "11", false},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("三、创新能力情况"),
			table(cells("创新平台建设情况", "国家制造业创新中心或国家级创新平台名称及数量", tt.cell)),
		}}
		f := field(t, Map(c, tp), "plat_nat.count")
		if f.Value != tt.want || (f.Confidence >= 0.8) != tt.sure {
			t.Errorf("%q: %q at %.2f, want %q sure %v", tt.cell, f.Value, f.Confidence, tt.want, tt.sure)
		}
	}
}

// Cover blanks as OCR reads them: a bracket of the printed marker after a
// blank dropped (县市、区)), the county glued to its neighbour's misread
// marker by a stray quote, Chinese punctuation turned into brackets and
// ASCII, a speck read as a quote that closes nothing, the maker's line
// under the last blank read with a character wrong.
func TestCoverOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2023")
	for _, tt := range []struct{ line, id, want string }{
		{"所属地区:浙江省宁波市〈区) -德阳区  县市、区)", "region_county", "德阳区"},
		{"所属地区：浙江省宁波市《区)“德阳区县〈市、区)", "region_county", "德阳区"},
		{"所属地区：浙江省宁波市〈区)  德阳区县〈市、区)", "region_county", "德阳区"},
		{"所属地区：浙江省(区、市)宁波市(区)德阳区县(市、区)", "region_county", "德阳区"},
		{"县（市、区）中小企业主管部门（盖章）：德阳区经济和信息化局〈中小企业局)", "cover_dept", "德阳区经济和信息化局（中小企业局）"},
		{"联系人及联系电话：曾强  15705759965\n[业和信息化部制", "cover_contact", "曾强  15705759965"},
		{"联系人及联系电话：吴永刚  “15146354443", "cover_contact", "吴永刚  15146354443"},
		{"集群运营管理机构：宁波“专精”联盟", "cover_org", "宁波“专精”联盟"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan}
		for _, l := range strings.Split(tt.line, "\n") {
			c.Blocks = append(c.Blocks, para(l))
		}
		if f := field(t, Map(c, tp), tt.id); f.Value != tt.want {
			t.Errorf("%q: %s = %q, want %q", tt.line, tt.id, f.Value, tt.want)
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

// The cluster's name read alike on the cover and in the table, but with
// the county 所属地区 states read differently: neither may look certain.
func TestCountyRead(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tt := range []struct {
		county string
		sure   bool
	}{
		{"凤溪市", false},
		{"风溪市", true},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("集群名称: 湖北省孝感市风溪市仪器仪表产业集群"),
			para("所属地区: 湖北省(区、市) 孝感市(区) " + tt.county + "县(市、区)"),
			para("一、基本情况"),
			table(cells("集群名称：(XX(省、市)XX(县、区)XX产业))", "湖北省孝感市风溪市仪器仪表产业集群")),
		}}
		m := Map(c, tp)
		if f := field(t, m, "name"); (f.Confidence >= 0.8) != tt.sure {
			t.Errorf("county %s: name confidence %.2f", tt.county, f.Confidence)
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

func TestOCRPercent(t *testing.T) {
	tests := map[string]string{
		"0.62吨/万元（降低11.9896）": "0.62吨/万元（降低11.98%）",
		"27.27%0":             "27.27%",
		"16.96":               "16.96", // two decimals: a number, not a sign
		"下降13.80%":            "下降13.80%",
		"建成公共服务平台4个":          "建成公共服务平台4个",
	}
	for in, want := range tests {
		if got := ocrPercent(in); got != want {
			t.Errorf("ocrPercent(%q) = %q, want %q", in, got, want)
		}
	}
}

// A scanned declaration: the signature after a pen stroke read as a
// quote, and the seal's prompt on the next line read without its colon.
func TestDeclarationOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2023")
	for _, tt := range []struct{ line, want string }{
		{"单位负责人(签字) :”曾娜", "曾娜"},
		// The seal stamped beside the signature leaves specks that read
		// as characters, apart from the name.
		{"单位负责人(签字):” 叶春梅  /全", "叶春梅"},
		{"单位负责人(签字):  程明  Nb", "程明"},
		// One character and a wide gap is no name to cut at.
		{"单位负责人(签字):  程  明", "程  明"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"),
			table(cells("真实性声明", "本单位承诺此次申报中小企业特色产业集群的申请材料(包括附件资\n料)真实、合法。\n"+tt.line+"\n县〈市、区)中小企业主管部门〈公章) ;\n2023年3月8日")),
		}}
		m := Map(c, tp)
		if f := field(t, m, "signer"); f.Value != tt.want {
			t.Errorf("%s: signer = %q, want %q", tt.line, f.Value, tt.want)
		}
		if f := field(t, m, "sign_date"); f.Value != "2023年3月8日" {
			t.Errorf("%s: sign_date = %q", tt.line, f.Value)
		}
	}
}

func TestCountyNames(t *testing.T) {
	tp, _ := MustLoad().Get("gd2023")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("集群名称：中山市万阳具高端紧固件产业集群"),
		para("所属地区：广东 省（区、市）中山 市（区）_盛阳县 县（市、区）"),
		para("县（市、区）中小企业主管部门（盖章）：盛阳具经济和信息化局"),
		para("集群运营管理机构：盛阳县家具产业园运营管理有限公司"),
	}}
	m := Map(c, tp)
	for id, want := range map[string]string{
		"cover_name":    "中山市盛阳县高端紧固件产业集群",
		"region_county": "盛阳县",
		"cover_dept":    "盛阳县经济和信息化局",
		"cover_org":     "盛阳县家具产业园运营管理有限公司",
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
// still found after their mark; a short option must match exactly.
func TestChoiceOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("二、主导产业情况"),
		table(cells("集群已开展的质量品牌建设工作",
			"☑开展了先进质量管理模式推广、品牌管理标准宣贯、质量诊断服务等工作\n□获得了集体商标、地理标志产品批准认证或证明商标通过注册\n□建立了品牌运营机制\n■依托质量技术基础公共服务乎台，提供计量、测试、认证等服")),
	}}
	m := Map(c, tp)
	last := box(t, m, "brand_work.4")
	if !last.Checked || last.Confidence == 0 || last.Confidence >= 1 {
		t.Errorf("misread option: checked=%v confidence %.2f, want ticked and found with less than full confidence", last.Checked, last.Confidence)
	}
	if b := box(t, m, "brand_work.3"); b.Checked || b.Confidence == 0 {
		t.Errorf("exact option: %+v", b)
	}
}

func TestOCRDate(t *testing.T) {
	tests := map[string]string{
		"县(市、区)中小企业主管部门(公章)\n2023年6月12介": "2023年6月12日",
		"2024年6洽8日":      "2024年6月8日",
		"2824年6月4骨":      "", // no year of this century: left for the reviewer
		"2023年618日":      "", // 月 lost: month and day cannot be told apart
		"推荐单位(公章):\n年月日": "",
	}
	for in, want := range tests {
		if got := ocrDate(in); got != want {
			t.Errorf("ocrDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// The 2024 declaration's prompt read with a stray character (（签字7）) and
// the name on the next line.
func TestSignerPromptOCR(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("九、真实性声明及推荐意见"),
		table(cells("真实性声明", "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。\n县级行政区划中小企业主管部门负责人(签字7)\n任洋\n县级行政区划中小企业主管部门〈公瘟) :                宇\n2024年6月4骨")),
	}}
	m := Map(c, tp)
	var signer, date shenbao.Field
	for _, f := range m.Fields {
		switch f.Key {
		case "signer":
			signer = f
		case "sign_date":
			date = f
		}
	}
	if signer.Value != "任洋" || date.Value != "2024年6月4日" {
		t.Errorf("signer %q, date %q; want 任洋, 2024年6月4日", signer.Value, date.Value)
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

func TestDigitsInstead(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	row := cells("集群中小企业近三年研发投入强度(%)", "3.11", "昌", "")
	row.Cells[1].Lines = []shenbao.Line{{Text: "3.11", Confidence: 0.95, Weakest: 0.95, Digits: "3.17", DigitsConfidence: 0.95}}
	row.Cells[2].Lines = []shenbao.Line{{Text: "昌", Confidence: 0.4, Weakest: 0.4, Digits: "3.95", DigitsConfidence: 0.93}}
	row.Cells[3].Lines = []shenbao.Line{{Text: "", Digits: "1", DigitsConfidence: 0.3}}
	m := Map(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("三、创新能力情况"),
		table(cells("指标", "2019年", "2020年", "2021年"), row),
	}}, tp)
	if f := field(t, m, "rd_intensity.2020"); f.Value != "3.95" || f.Confidence < 0.8 || f.Confidence >= 0.93 {
		t.Errorf("digit reading not used: %q at %.2f, want 3.95 a little less sure than its reading", f.Value, f.Confidence)
	}
	if f := field(t, m, "rd_intensity.2021"); f.Value != "1" || f.Confidence >= 0.8 {
		t.Errorf("unsure digit reading of a blank: %q at %.2f, want 1 under review", f.Value, f.Confidence)
	}
	// Two sure readings of the same ink that disagree: neither is taken
	// on trust.
	if f := field(t, m, "rd_intensity.2019"); f.Value != "3.11" || f.Confidence >= 0.8 {
		t.Errorf("digit model disagreeing: %q at %.2f, want 3.11 under review", f.Value, f.Confidence)
	}

	growth := cells("集群主导产业产值增速(%)", "11", "2", "")
	growth.Cells[1].Lines = []shenbao.Line{{Text: "11", Confidence: 0.9, Weakest: 0.9, Digits: "11.31", DigitsConfidence: 0.9}}
	growth.Cells[2].Lines = []shenbao.Line{{Text: "2", Confidence: 0.9, Weakest: 0.9, Digits: "22+", DigitsConfidence: 0.9}}
	m = Map(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("二、主导产业情况"),
		table(cells("指标", "2019年", "2020年", "2021年"), growth),
	}}, tp)
	if f := field(t, m, "main_growth.2019"); f.Value != "11.31" || f.Confidence >= 0.8 {
		t.Errorf("digit model reading what the first dropped: %q at %.2f, want 11.31 under review", f.Value, f.Confidence)
	}
	if f := field(t, m, "main_growth.2020"); f.Value != "22" {
		t.Errorf("digit reading with the unit read as a sign: %q, want 22", f.Value)
	}
}

func TestDigitsLikelier(t *testing.T) {
	for _, tt := range []struct {
		v, d         string
		dconf, vconf float64
		want         bool
	}{
		{"11", "11.31", 0.9, 0.9, true},       // a point and digits dropped
		{"3", "13", 0.9, 0.9, true},           // a leading digit dropped
		{"16.6626", "16.66%", 0.9, 0.9, true}, // % read as two digits
		{"42.75946", "42.75%", 0.9, 0.9, true},
		{"558", "551", 0.97, 0.71, true}, // the digit model much surer
		{"3.11", "3.17", 0.95, 0.95, false},
		{"25.99", "25.98", 0.8, 0.7, false},
		{"16.66", "6.66%", 0.9, 0.9, false},
	} {
		if got := digitsLikelier(tt.v, tt.d, tt.dconf, tt.vconf); got != tt.want {
			t.Errorf("digitsLikelier(%q, %q, %.2f, %.2f) = %v, want %v", tt.v, tt.d, tt.dconf, tt.vconf, got, tt.want)
		}
	}
}

func TestKnownSurname(t *testing.T) {
	for v, want := range map[string]bool{
		"冯国庆": true, "汉国庆": false, "欧阳娜": true, "袁超  13695835174": true, "责超  13695835174": false,
		"": true, "*-春霉": true, "肖红": true, "覃丽": true,
	} {
		if got := knownSurname(v); got != want {
			t.Errorf("knownSurname(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNearPrinted(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	m := &mapper{t: tp}
	for _, tt := range []struct {
		v, want string
		near    bool
	}{
		// 平台 read as 乎台: one character off the labels' 服务平台, and
		// 乎 is printed nowhere on the form.
		{"公共服务乎台服务企业1417家次以上", "公共服务平台服务企业1417家次以上", true},
		{"公共服务平台服务企业1417家次以上", "公共服务平台服务企业1417家次以上", false},
		// 械 is printed nowhere and 械产业集 is one off the form's 色产业集,
		// but at the window's edge: doubted, not changed.
		{"柏浦区医疗器械产业集群", "柏浦区医疗器械产业集群", true},
		// A name built of the form's words and others it prints.
		{"湖南省汽车零部件产业集群", "湖南省汽车零部件产业集群", false},
		{"无", "无", false},
	} {
		if got, near := m.nearPrinted(tt.v); got != tt.want || near != tt.near {
			t.Errorf("nearPrinted(%q) = %q, %v, want %q, %v", tt.v, got, near, tt.want, tt.near)
		}
	}
}

func TestBoxAsCharacter(t *testing.T) {
	for v, want := range map[string]string{
		"境外分支机构达到12家，出 □额年均增长14%以上": "境外分支机构达到12家，出口额年均增长14%以上",
		"出□额":    "出口额",
		"□ 其他":   "□ 其他", // a box that opens the value is a box
		"平台3个 □": "平台3个 □",
	} {
		got, changed := boxAsCharacter(v)
		if got != want || changed != (v != want) {
			t.Errorf("boxAsCharacter(%q) = %q, %v, want %q", v, got, changed, want)
		}
	}
}

func TestOddCounter(t *testing.T) {
	for v, want := range map[string]bool{
		"建成公共服务平台4唉": true, "建成公共服务平台4个": false, "公共服务平台服务企业1417家次以上": false,
		"下降13.80%": false, "12.5亿元": false, "无": false, "5G网络": false, "第2批": false,
	} {
		if got := oddCounter(v); got != want {
			t.Errorf("oddCounter(%q) = %v, want %v", v, got, want)
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
