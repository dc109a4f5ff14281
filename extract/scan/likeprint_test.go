package scan

import (
	"context"
	"image"
	"slices"
	"testing"

	"github.com/shenbao/shenbao/extract/ocr"
)

// likeSet is print of the Guangdong and national forms (their templates):
// the cells' print, the 填报说明 paragraph among the notes, remarks and
// heads among the rest.
func likeSet() *printSet {
	ps := newPrintSet([]string{
		"工业软件应用率稳步提升",
		"工业用水重复利用率（%）",
		"二氧化碳排放量",
		"集群协同发展情况（与先进制造业集群、国家新型工业化产业示范基地或龙头企业合作情况，200字以内）",
		"建立了共享制造机制，开展通用生产设备、物流、仓储、人力、设计等资源共享",
		"建设或引入国家中小企业公共服务示范平台",
		"国家制造业创新中心或国家级创新平台名称及数量",
		"集群总产值（亿元）",
		"单位负责人（签字）：",
		"集群名称：（中小企业特色产业集群（XX产业））",
		"县（市、区）中小企业主管部门（盖章）：",
		"近三年集群主导产业产值年均增速（%）",
		"近三年主导产业产值年均增速（%）",
		"数量", "名称", "是", "否",
	})
	ps.notes = newPrintSet([]string{"主导产品按获得的产品收入占比或重要程度从高到低填写。"})
	ps.other = newPrintSet([]string{
		"（注：勾选需提供佐证材料）",
		"（如涉及，需提供佐证材料）",
		"集群已开展的数字化新模式新业态推广工作：",
		"集群已建设的中小企业公共服务平台：",
		"县（市、区）中小企业主管部门（公章）：",
		"省级中小企业主管部门推荐意见",
		"推荐单位（公章）：",
		"县级行政区划中小企业主管部门负责人（签字）：",
		"（1）2024年度",
		"（1）2026年度",
	})
	return ps
}

// Tesseract's first readings of a 150-dpi copy of a Guangdong scan
// (gd2023_05): print with a character or two wrong is print, taken as
// printed; a value is never print, however much of a printed phrase it
// holds.
func TestLikeWhole(t *testing.T) {
	ps := likeSet()
	cases := []struct {
		read, want string // want "": not print
	}{
		// A remark, 勾 read as 色, and its closing bracket lost.
		{"(注: 色选需提供佐证材料)", "（注：勾选需提供佐证材料）"},
		{"(注: 色选需提供佐证材料", "（注：勾选需提供佐证材料）"},
		// Prompts, which a value may follow on their line: the
		// signer's name under a seal that Tesseract did not read, an
		// option group's head read with 集群 as one character.
		{"县级行政区划中小企业主管部门负责人（签字）：", ""},
		{"余已开展的数字化新模式新业态推广工作;", ""},
		{"伞已建设的中小企业公共服务平台;", ""},
		// An option with its remark after it.
		{"否 (如涉及，需提供佐证材料)", "（如涉及，需提供佐证材料）"},
		// Labels whose first character broke.
		{"[ 业软件应用率稳步提升", "工业软件应用率稳步提升"},
		{"[ 业用水重复利用率 (%)", "工业用水重复利用率（%）"},
		{"-氧化碳排放量", "二氧化碳排放量"},
		{"县〈市、区) 中小企业主管部门〈公章) :  了", ""},
		{"推荐单位〈公章) :", ""},
		// The nearest of the editions' phrases: a national label, not
		// Guangdong's.
		{"近三年集群主导产业产值年均增速", "近三年集群主导产业产值年均增速（%）"},
		// As near to two editions' print: not taken for either.
		{"(1) 2025 年度", ""},
		// A 填报说明 paragraph on one line.
		{"主导产品按获得的产品收入占比或重要程度从高到低填写。", "主导产品按获得的产品收入占比或重要程度从高到低填写。"},
		// Values: names, a platform's name inside an option's words,
		// figures after a printed prompt, a prompt with its name.
		{"名称: 国家级工业设计中心", ""},
		{"数量: 7个", ""},
		{"盛阳县高端紧固件产业园运营管理有限公司", ""},
		{"国家中小企业公共服务示范平台", ""},
		{"单位负责人（签字）：袁超", ""},
		{"集群总产值72.99", ""},
		{"公共服务乎台服务企", ""},
		// The start of a phrase, a character wrong: not whole.
		{"省级中小企业主管部", ""},
		// Too short to tell print from a value: a plan's 定性描述
		// might be written 二氧化碳.
		{"二氧化碳", ""},
		{"是", ""},
	}
	for _, c := range cases {
		if got, ok := ps.likeWhole(c.read); got != c.want || ok != (c.want != "") {
			t.Errorf("likeWhole(%q) = %q, %v; want %q", c.read, got, ok, c.want)
		}
	}
	if _, ok := (*printSet)(nil).likeWhole("（注：勾选需提供佐证材料）"); ok {
		t.Error("without print nothing is print")
	}
}

// A wrapped label's later lines, and an option's wrapped end, continue
// the phrase the lines above them in the cell open (readings of the same
// copy), and are taken as that part of it; a value under a label or an
// option is not.
func TestLikeContinues(t *testing.T) {
	ps := likeSet()
	label := []string{"集群协同发展情况", "(与先进制造业  集群、国家新型工", "业化产业示范基地或龙头企业合作", "情况，200字以内)"}
	cases := []struct {
		name  string
		reads []string
		want  string // "": not print
	}{
		{"a label's second line", label[:2], "（与先进制造业集群、国家新型工"},
		{"its third", label[:3], "业化产业示范基地或龙头企业合作"},
		{"its last", label, "情况，200字以内）"},
		{"an option's wrapped end", []string{"建立了共享制造机制，开展通用生产设备、物流、仓储、", "人力、设计等资源共享"}, "人力、设计等资源共享"},
		{"a narrow label, its first characters lost", []string{"家制造业创新中心或", "家级创新平台名称及"}, "家级创新平台名称及"},
		{"a count's value under its prompt", []string{"数量：18个", "名称：省级重点实验室、省高端紧固件产业"}, ""},
		{"a signer's name and date under the prompt", []string{"单位负责人（签字）：", "袁超 2023年6月18日"}, ""},
		{"a value under a label", []string{"集群名称：", "中山市盛阳县高端紧固件产业集群"}, ""},
		{"words under a label's first line that do not go on with it", []string{"集群协同发展情况", "与龙头企业开展技术合作"}, ""},
		{"a platform's name under the option that holds it", []string{"建设或引入国家中小企业公共服务示范平台", "国家中小企业公共服务示范平台"}, ""},
		{"the line under a whole phrase", []string{"工业软件应用率稳步提升", "工业软件应用率稳步提升"}, ""},
		{"a continuation too short to tell", []string{"国家制造业创新中心或国家级创新平台名称及", "数量"}, ""},
		{"a first line too short to open a phrase", []string{"集群", "总产值（亿元）"}, ""},
	}
	for _, c := range cases {
		if got, ok := ps.likeContinues(c.reads); got != c.want || ok != (c.want != "") {
			t.Errorf("%s: likeContinues(%q) = %q, %v; want %q", c.name, c.reads, got, ok, c.want)
		}
	}
}

// readValues leaves to Tesseract what it read as print by likeness — a
// wrapped label's later line in its cell, a remark, a line opening the
// rest of the print exactly — and, settled, takes it as printed; not the
// values beside them.
func TestReadValuesSkipsLikePrint(t *testing.T) {
	pg := newPage(1, 200, likeSet())
	pg.gray = image.NewGray(image.Rect(0, 0, 2000, 400))
	w := &fakeWitness{reads: map[image.Rectangle][]ocr.Reading{}}
	pg.witness, pg.engine = w, ocr.EngineBoth
	reads := []string{"集群协同发展情况", "(与先进制造业  集群、国家新型工", "(注: 色选需提供佐证材料)", "与龙头企业开展技术合作", "中山市盛阳县高端紧固件产业集群", "省级中小企业主管部"}
	for i, r := range reads {
		rect := image.Rect(0, 40*i, 400, 40*i+30)
		pg.piece(rect, ocr.Line)
		pg.res = append(pg.res, ocr.Result{Lines: []ocr.TextLine{{Text: r, Rect: rect, Conf: 0.9, Low: 0.9}}})
	}
	// The label's cell holds its first two lines; the value and a
	// stray line under the label's words have cells of their own.
	lay := []blockLay{{table: &tableLay{cells: []*cellLay{
		{lines: []lineLay{{piece: 0}, {piece: 1}}},
		{lines: []lineLay{{piece: 2}}},
		{lines: []lineLay{{piece: 3}}},
		{lines: []lineLay{{piece: 4}}},
	}}}}
	v, err := pg.readValues(context.Background(), lay)
	if err != nil {
		t.Fatal(err)
	}
	var asked []int
	for _, r := range w.asked {
		asked = append(asked, r.Min.Y/40)
	}
	// The label's first line is a printed prefix (printed), its
	// second continues it, the remark is print whole, the prompt's
	// start opens the rest of the print.
	if want := []int{3, 4}; !slices.Equal(asked, want) {
		t.Errorf("read pieces %v, want %v", asked, want)
	}
	// Settled, what was read like print is the print it is.
	v.settle(pg)
	for i, want := range map[int]string{1: "（与先进制造业集群、国家新型工", 2: "（注：勾选需提供佐证材料）", 5: "省级中小企业主管部", 3: "与龙头企业开展技术合作"} {
		if got := pg.res[i].Lines[0].Text; got != want {
			t.Errorf("piece %d reads %q, want %q", i, got, want)
		}
	}
}
