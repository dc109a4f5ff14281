package correct

import (
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/layout/formtest"
)

// mapFix maps c with tp as extraction does, then runs the stage.
func mapFix(c *shenbao.Content, tp *layout.Template) *layout.Mapped {
	m := layout.Map(c, tp)
	Apply(m, tp)
	return m
}

// fieldsDoc is a Doc holding only OCR'd fields, key → value and confidence.
func fieldsDoc(fs ...any) *Doc {
	d := newDoc(&layout.Mapped{}, &layout.Template{})
	for i := 0; i+2 < len(fs)+1; i += 3 {
		k := fs[i].(string)
		d.Fields = append(d.Fields, shenbao.Field{ID: k, Key: k, Value: fs[i+1].(string), Confidence: fs[i+2].(float64), Source: shenbao.SourceOCR})
	}
	return d
}

var (
	cells = formtest.Cells
	para  = formtest.Para
	table = formtest.Table
)

func field(t *testing.T, m *layout.Mapped, id string) shenbao.Field {
	t.Helper()
	return formtest.Field(t, m.Fields, id)
}

func TestPlausibility(t *testing.T) {
	tests := []struct {
		typ, v string
		low    bool
	}{
		{layout.TypePercent, "12.34", false}, {layout.TypePercent, "无", false}, {layout.TypePercent, "", false},
		{layout.TypePercent, "1234", true}, {layout.TypeAmount, "12.345", true}, {layout.TypeInteger, "l2", true},
		{layout.TypeText, "whatever", false},
		{layout.TypeInteger, "490", false},
		{layout.TypeInteger, "4.90", true}, // a speck read as a point
		{layout.TypeNumber, "4.90", false},
		{layout.TypeText, "市级工程技术研究中心、校企联合实验室等", false},
		{layout.TypeText, ";市级工程技术研究中心", true},
		{layout.TypeText, "境外分支机构达到17家.出口额年均增长14%以上", true},
		{layout.TypeText, "出口额12.5亿元（含转口）", false},
		{layout.TypeText, "省仪器仪表[程技术研究中心", true},
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
		if got := numberShapes(in); got != want {
			t.Errorf("numberShapes(%q) = %q, want %q", in, got, want)
		}
	}
	if got := layout.TrimBlank("，”凤溪市管理委员会_ "); got != "凤溪市管理委员会" {
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
		if got := fullWidth(in); got != want {
			t.Errorf("fullWidth(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCrossRead(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("集群名称: 宁波市鹤丰区锂电池材料产业集群"),
		para("一、基本情况"),
		table(cells("集群名称:(中小企业特色产业集群(XX产业))", "宁波市稚丰区锂电池材料产业集群")),
	}}
	m := mapFix(c, tp)
	if f := field(t, m, "name"); f.Confidence >= 0.8 {
		t.Errorf("name read differently from the cover kept confidence %.2f", f.Confidence)
	}
}

// A count read with a letter for a digit (工 for a serif 1) is taken as a
// number but not as a sure one.
func TestCountLookalike(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
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
		f := field(t, mapFix(c, tp), "plat_nat.count")
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
	tp, _ := layout.MustLoad().Get("nat2023")
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
		if f := field(t, mapFix(c, tp), tt.id); f.Value != tt.want {
			t.Errorf("%q: %s = %q, want %q", tt.line, tt.id, f.Value, tt.want)
		}
	}
}

// The cluster's name read alike on the cover and in the table, but with
// the county 所属地区 states read differently: neither may look certain.
func TestCountyRead(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2024")
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
		m := mapFix(c, tp)
		if f := field(t, m, "name"); (f.Confidence >= 0.8) != tt.sure {
			t.Errorf("county %s: name confidence %.2f", tt.county, f.Confidence)
		}
	}
}

// A scanned declaration: the signature after a pen stroke read as a
// quote, and the seal's prompt on the next line read without its colon.
func TestDeclarationOCR(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2023")
	for _, tt := range []struct{ line, want string }{
		{"单位负责人(签字) :”曾娜", "曾娜"},
		// The seal stamped beside the signature leaves specks that read
		// as characters, apart from the name.
		{"单位负责人(签字):” 叶春梅  /全", "叶春梅"},
		{"单位负责人(签字):  程明  Nb", "程明"},
		// One character and a wide gap is no name to cut at.
		{"单位负责人(签字):  程  明", "程  明"},
		// The prompt misread where the seal's ring ran into its line,
		// and a character of the ring after the name.
		{"单位页贵人（刊）：王强  信", "王强"},
		// The ring joined the stamp's prompt to the name's line.
		{"单位负责人(等字):。”王强  产、县市、区)中小企业主管部门《公章学<", "王强"},
	} {
		c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"),
			table(cells("真实性声明", "本单位承诺此次申报中小企业特色产业集群的申请材料(包括附件资\n料)真实、合法。\n"+tt.line+"\n县〈市、区)中小企业主管部门〈公章) ;\n2023年3月8日")),
		}}
		m := mapFix(c, tp)
		if f := field(t, m, "signer"); f.Value != tt.want {
			t.Errorf("%s: signer = %q, want %q", tt.line, f.Value, tt.want)
		}
		if f := field(t, m, "sign_date"); f.Value != "2023年3月8日" {
			t.Errorf("%s: sign_date = %q", tt.line, f.Value)
		}
	}
}

// The 2024 declaration's prompt read with a stray character (（签字7）) and
// the name wrapped onto the next line, which starts where the prompt's
// does (a line under the prompt elsewhere is a seal's: layout's
// TestDeclarationSigner).
func TestSignerPromptOCR(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2024")
	row := formtest.Lined("真实性声明",
		shenbao.Line{Text: "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。", BBox: shenbao.Box{100, 100, 500, 112}, Confidence: 0.9},
		shenbao.Line{Text: "县级行政区划中小企业主管部门负责人(签字7)", BBox: shenbao.Box{100, 130, 480, 142}, Confidence: 0.9},
		shenbao.Line{Text: "任洋", BBox: shenbao.Box{102, 146, 126, 158}, Confidence: 0.9},
		shenbao.Line{Text: "县级行政区划中小企业主管部门〈公瘟) :                宇", BBox: shenbao.Box{100, 170, 480, 182}, Confidence: 0.9},
		shenbao.Line{Text: "2024年6月4骨", BBox: shenbao.Box{380, 200, 480, 212}, Confidence: 0.9},
	)
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("九、真实性声明及推荐意见"), table(row),
	}}
	m := mapFix(c, tp)
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

// A scanned date whose year a seal's ring crossed is mapped as read and
// completed from the form's programme year, never sure; one whose month
// the seal hid is kept as read and unsure, for the reviewer to read the
// month (layout's partial date); a text layer's date is mapped as before.
func TestSealYearOCR(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2024")
	for _, tt := range []struct {
		format, date, want string
	}{
		{shenbao.FormatPDFScan, "624年5月23日", "2024年5月23日"},
		{shenbao.FormatPDFScan, "24年5月2了日", "2024年5月2日"},
		{shenbao.FormatPDFScan, "2024年5月23日", "2024年5月23日"},
		{shenbao.FormatPDFScan, "623年5月23日", "623年5月23日"},
		{shenbao.FormatPDFScan, "2024年  19日", "2024年19日"},
		{shenbao.FormatPDFText, "24年5月23日", ""},
	} {
		row := formtest.Lined("真实性声明",
			shenbao.Line{Text: "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。", BBox: shenbao.Box{100, 100, 500, 112}, Confidence: 0.99},
			shenbao.Line{Text: "县级行政区划中小企业主管部门负责人（签字）：任洋", BBox: shenbao.Box{100, 130, 480, 142}, Confidence: 0.99},
			shenbao.Line{Text: "县级行政区划中小企业主管部门（公章）：", BBox: shenbao.Box{100, 170, 480, 182}, Confidence: 0.99},
			shenbao.Line{Text: tt.date, BBox: shenbao.Box{380, 200, 480, 212}, Confidence: 0.99},
		)
		m := mapFix(&shenbao.Content{Format: tt.format, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"), table(row),
		}}, tp)
		f := field(t, m, "sign_date")
		if f.Value != tt.want {
			t.Errorf("%s %q: sign_date %q, want %q", tt.format, tt.date, f.Value, tt.want)
		}
		if f.Value != tt.date && f.Value != "" && f.Confidence >= 0.9 {
			t.Errorf("%s %q: repaired to %q at confidence %.2f: a repair is never sure", tt.format, tt.date, f.Value, f.Confidence)
		}
		if !strings.Contains(f.Value, "月") && f.Value != "" && f.Confidence >= 0.8 {
			t.Errorf("%s %q: a date without its month at confidence %.2f: it must be reviewed", tt.format, tt.date, f.Confidence)
		}
	}
}

func TestDigitsInstead(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
	row := cells("集群中小企业近三年研发投入强度(%)", "3.11", "昌", "")
	row.Cells[1].Lines = []shenbao.Line{{Text: "3.11", Confidence: 0.95, Weakest: 0.95, Digits: "3.17", DigitsConfidence: 0.95}}
	row.Cells[2].Lines = []shenbao.Line{{Text: "昌", Confidence: 0.4, Weakest: 0.4, Digits: "3.95", DigitsConfidence: 0.93}}
	row.Cells[3].Lines = []shenbao.Line{{Text: "", Digits: "1", DigitsConfidence: 0.3}}
	m := mapFix(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("三、创新能力情况"),
		table(cells("指标", "2019年", "2020年", "2021年"), row),
	}}, tp)
	// Taken from the digit model, and repaired: less sure than the
	// first reading was, so a reviewer sees what the Chinese model read.
	if f := field(t, m, "rd_intensity.2020"); f.Value != "3.95" || f.Confidence >= 0.4 {
		t.Errorf("digit reading not used: %q at %.2f, want 3.95 less sure than the first reading (0.40)", f.Value, f.Confidence)
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
	m = mapFix(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
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

func values(m *Doc) map[string]string {
	out := map[string]string{}
	for _, f := range m.Fields {
		out[f.Key] = f.Value
	}
	return out
}

// Tesseract's per-cent habits are undone in the long answers too (it
// reads them alone), recorded and doubted; a sign read right is as read.
func TestPercentShadowInTexts(t *testing.T) {
	d := doc(t, in{key: "name", value: "湘江装备产业集群", cell: true})
	d.Texts = []shenbao.Text{
		{ID: "txt_a", Key: "txt_a", Text: "工序数控化率达到63%“。组织满意度达到799%“。", Chars: 22, Confidence: 0.9},
		{ID: "txt_b", Key: "txt_b", Text: "出口额年均增长14%以上。", Chars: 13, Confidence: 0.9},
	}
	percentShadow{}.apply(d)
	if got := d.Texts[0]; got.Text != "工序数控化率达到63%。组织满意度达到79%。" || got.Chars != len([]rune(got.Text)) || got.Confidence >= 0.9 {
		t.Errorf("text = %q, %d chars (confidence %.2f)", got.Text, got.Chars, got.Confidence)
	}
	if got := d.Texts[1]; got.Text != "出口额年均增长14%以上。" || got.Confidence != 0.9 {
		t.Errorf("a clean text changed: %q (confidence %.2f)", got.Text, got.Confidence)
	}
	if len(d.repairs) != 1 || d.repairs[0].FieldID != "txt_a" || d.repairs[0].Rule != "percent_shadow" ||
		d.repairs[0].ConfidenceAfter >= d.repairs[0].ConfidenceBefore {
		t.Errorf("repairs = %+v, want one of txt_a by percent_shadow, lowering its confidence", d.repairs)
	}
}

func TestRepairCity(t *testing.T) {
	tests := []struct {
		name   string
		m      *Doc
		want   map[string]string
		lowers bool // the city's confidence is lowered
	}{
		{"two cities one off (荆州, 鄂州): the one the name holds",
			fieldsDoc("region_prov", "湖北", 0.75, "region_city", "草州", 0.75, "cover_name", "湖北省草州市清阳市智能家电产业集群", 0.75, "name", "湖北省荆州市清阳市智能家电产业集群", 0.9),
			map[string]string{"region_city": "荆州", "cover_name": "湖北省荆州市清阳市智能家电产业集群", "name": "湖北省荆州市清阳市智能家电产业集群"}, true},
		{"two cities one off and nothing names either: unchanged",
			fieldsDoc("region_prov", "湖北", 0.75, "region_city", "草州", 0.75, "cover_name", "湖北省草州市清阳市智能家电产业集群", 0.75),
			map[string]string{"region_city": "草州", "cover_name": "湖北省草州市清阳市智能家电产业集群"}, false},
		{"one city one off",
			fieldsDoc("region_prov", "湖南省", 0.75, "region_city", "湘谭", 0.75, "name", "湘谭市青水区泵业产业集群", 0.9),
			map[string]string{"region_city": "湘潭", "name": "湘潭市青水区泵业产业集群"}, true},
		{"a known city; a name's misread one is put right",
			fieldsDoc("region_prov", "湖北", 0.75, "region_city", "荆州", 0.75, "cover_name", "湖北省斌州市清阳市智能家电产业集群", 0.75),
			map[string]string{"region_city": "荆州", "cover_name": "湖北省荆州市清阳市智能家电产业集群"}, false},
		{"another known city in a name is no misreading (荆门 beside 荆州)",
			fieldsDoc("region_prov", "湖北", 0.75, "region_city", "荆州", 0.75, "org", "荆门市产业园运营管理有限公司", 0.9),
			map[string]string{"region_city": "荆州", "org": "荆门市产业园运营管理有限公司"}, false},
		{"nothing near: unchanged",
			fieldsDoc("region_prov", "湖北", 0.75, "region_city", "某某", 0.75),
			map[string]string{"region_city": "某某"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cityName{}.apply(tt.m)
			got := values(tt.m)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if c := tt.m.Fields[1].Confidence; (c < 0.75) != tt.lowers {
				t.Errorf("city confidence %.2f", c)
			}
		})
	}
}

// The reader's evidence reaches the stage through mapping untouched: a
// table cell's and a long answer's lines carry their rereads, the mapped
// values are as read, and the stage applies them, recorded and doubted.
func TestRereadsThroughMapping(t *testing.T) {
	tp, _ := layout.MustLoad().Get("nat2022")
	growth := cells("集群主导产业产值增速(%)", "11", "395", "12.5")
	growth.Cells[1].Lines = []shenbao.Line{{Text: "11", Confidence: 0.95, Weakest: 0.95}}
	// A reread of a kind no rule applies (ink_point, retired; as old
	// stored readings carry) changes nothing.
	growth.Cells[2].Lines = []shenbao.Line{{Text: "395", Confidence: 0.95, Weakest: 0.95,
		Rereads: []shenbao.Reread{{Kind: "ink_point", Read: "395", As: "3.95"}}}}
	growth.Cells[3].Lines = []shenbao.Line{{Text: "12.5", Confidence: 0.95, Weakest: 0.95}}
	chain := cells("集群产业链培育和招商情况(200字以内)", "本地配套率达到789%。")
	chain.Cells[1].Lines = []shenbao.Line{{Text: "本地配套率达到789%。", Confidence: 0.9, Weakest: 0.9,
		Rereads: []shenbao.Reread{{Kind: shenbao.RereadPercentGlyph, Read: "789%。", As: "78%。"}}}}
	c := &shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
		para("二、主导产业情况"),
		table(cells("指标", "2019年", "2020年", "2021年"), growth, chain),
	}}
	m := layout.Map(c, tp)
	if f := field(t, m, "main_growth.2020"); f.Value != "395" {
		t.Fatalf("mapping applied the reread: %q", f.Value)
	}
	repairs := Apply(m, tp)
	for id, want := range map[string]string{"main_growth.2019": "11", "main_growth.2020": "395", "main_growth.2021": "12.5"} {
		if f := field(t, m, id); f.Value != want {
			t.Errorf("%s = %q, want %q as read", id, f.Value, want)
		}
	}
	var text shenbao.Text
	for _, x := range m.Texts {
		if x.ID == "txt_chain" {
			text = x
		}
	}
	if text.Text != "本地配套率达到78%。" {
		t.Errorf("txt_chain = %q", text.Text)
	}
	got := map[string]string{}
	for _, r := range repairs {
		got[r.FieldID] = r.Rule + " " + r.Read + "→" + r.Value
	}
	want := map[string]string{"txt_chain": "percent_glyph 本地配套率达到789%。→本地配套率达到78%。"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("repair of %s: %q, want %q", id, got[id], w)
		}
	}
	for _, id := range []string{"main_growth.2019", "main_growth.2020", "main_growth.2021"} {
		if got[id] != "" {
			t.Errorf("%s repaired: %s", id, got[id])
		}
	}
}
