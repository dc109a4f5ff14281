package layout

import (
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout/formtest"
)

// The signature prompt is found where a character of it was misread or
// lost, and never in the department's stamp prompt below it.
func TestFuzzyPrompt(t *testing.T) {
	for _, tc := range []struct {
		text, prompt, after string // after: what follows the prompt found; "-" none found
	}{
		{"本单位承诺……\n单位责人（签字）：  彭小军\n区（县）中小企业主管部门（公章）：", "单位负责人（签字）：", "  彭小军\n区（县）中小企业主管部门（公章）："},
		{"单位负责人（签宇）： 王强", "单位负责人（签字）：", " 王强"},
		{"县级行政区划中小企业主管部门负责（签字）：任建国", "县级行政区划中小企业主管部门负责人（签字）：", "任建国"},
		// The stamp's prompt alone is no signature prompt.
		{"县级行政区划中小企业主管部门（公章）：  济信", "县级行政区划中小企业主管部门负责人（签字）：", "-"},
		// Nor is a line that reads otherwise.
		{"单位级放人（行）：沈游", "单位负责人（签字）：", "-"},
	} {
		end, ok := fuzzyPrompt(tc.text, Norm(tc.prompt))
		got := "-"
		if ok {
			got = tc.text[end:]
		}
		if got != tc.after {
			t.Errorf("fuzzyPrompt(%q): followed by %q, want %q", tc.text, got, tc.after)
		}
	}
}

// The signature prompt misread where a seal's ring ran into its line is
// known by its shape: its head's words nearly, ending in its last
// character, then a short bracket and a colon. The stamp's prompt, the
// promise's words and a long bracket are not it.
func TestShapedPrompt(t *testing.T) {
	for _, tc := range []struct {
		text, head, after string // after: what follows the prompt found; "-" none found
	}{
		{"本单位承诺……\n单位页贵人（刊）：王强  信\n县（市、区）中小企业主管部门（公章）：", "单位负责人", "王强  信\n县（市、区）中小企业主管部门（公章）："},
		{"位放责人(签) : 王强", "单位负责人", " 王强"},
		{"县级行政区划中小企业主管部们负贵人（刊字）：任洋", "县级行政区划中小企业主管部门负责人", "任洋"},
		// The stamp's prompt, even read without its 公章.
		{"县级行政区划中小企业主管部门（公章）：  济信", "县级行政区划中小企业主管部门负责人", "-"},
		{"县级行政区划中小企业主管部门（  ）：  济信", "县级行政区划中小企业主管部门负责人", "-"},
		{"区（县）中小企业主管部门（公  ）：", "单位负责人", "-"},
		// Words that read otherwise before the bracket.
		{"单位级放(刊)：王强", "单位负责人", "-"},
		{"张人（签）：王强", "单位负责人", "-"},
		// A bracket too long for the prompt's close, a head broken over lines.
		{"单位负责人（包括附件资料）：王强", "单位负责人", "-"},
		{"单位负\n责人（刊）：王强", "单位负责人", "-"},
	} {
		end, ok := shapedPrompt(tc.text, Norm(tc.head))
		got := "-"
		if ok {
			got = tc.text[end:]
		}
		if got != tc.after {
			t.Errorf("shapedPrompt(%q): followed by %q, want %q", tc.text, got, tc.after)
		}
	}
}

// On a scan the signer is the rest of the prompt's line: a line under it
// is what a seal left or the stamp's prompt misread (a name wrapped
// under it is told by where its line starts: TestDeclarationSignerWrapped).
// A text layer's wrapped name keeps its tail.
func TestDeclarationSigner(t *testing.T) {
	tp, _ := MustLoad().Get("nat2022")
	const promise = "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。\n"
	for _, tc := range []struct {
		format, cell, want string
	}{
		{shenbao.FormatPDFScan, promise + "单位负责人(签字)：  朱艳\n福\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "朱艳"},
		{shenbao.FormatPDFScan, promise + "单位负责人(签字)：  韩永刚\n区《县)中小企业主管部站(和ji)\n2022年11月3日", "韩永刚"},
		{shenbao.FormatPDFScan, promise + "单位责人(签字)：  彭小军\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "彭小军"},
		{shenbao.FormatPDFScan, promise + "单位负责人(签字)：  ·韩永刚 ,\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "韩永刚"},
		{shenbao.FormatPDFScan, promise + "单位负责人(签字吕，彭艳\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "彭艳"},
		{shenbao.FormatPDFScan, promise + "单位负责人(签字)：  阿依·买买提\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "阿依·买买提"},
		{shenbao.FormatPDFText, promise + "单位负责人(签字)：  欧阳\n明月\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "欧阳明月"},
		// The prompt known by its shape only on a scan (a seal's ring
		// read into its line); a text layer's prompt is printed.
		{shenbao.FormatPDFScan, promise + "单位页贵人（刊）：王强\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", "王强"},
		{shenbao.FormatPDFText, promise + "单位页贵人（刊）：王强\n县（市、区）中小企业主管部门（公章）：\n2022年11月3日", ""},
	} {
		c := &shenbao.Content{Format: tc.format, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"), table(cells("真实性声明", tc.cell)),
		}}
		m := Map(c, tp)
		if f := field(t, m, "signer"); f.Value != tc.want {
			t.Errorf("%s %q: signer %q, want %q", tc.format, tc.cell, f.Value, tc.want)
		}
		if f := field(t, m, "sign_date"); f.Value != "2022年11月3日" {
			t.Errorf("%s %q: date %q", tc.format, tc.cell, f.Value)
		}
	}
}

// On a scan a name wrapped under a long prompt starts where the prompt's
// line starts; a seal's character read under the name stands where the
// seal is.
func TestDeclarationSignerWrapped(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tc := range []struct {
		x     float64 // where the line under the name starts
		under string  // what it reads
		want  string
	}{
		{100, "然", "杨浩然"},
		{400, "然", "杨浩"},
		// The stamp's prompt with no more than its 县（市、区） read.
		{100, "县市、区)中小人PR", "杨浩"},
	} {
		row := formtest.Lined("真实性声明",
			shenbao.Line{Text: "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。", BBox: shenbao.Box{100, 100, 500, 112}, Confidence: 0.9},
			shenbao.Line{Text: "县级行政区划中小企业主管部门负责人（签字）：  杨浩", BBox: shenbao.Box{100, 130, 480, 142}, Confidence: 0.9},
			shenbao.Line{Text: tc.under, BBox: shenbao.Box{tc.x, 146, tc.x + 12, 158}, Confidence: 0.9},
			shenbao.Line{Text: "2024年4月1日", BBox: shenbao.Box{380, 200, 480, 212}, Confidence: 0.9},
		)
		m := Map(&shenbao.Content{Format: shenbao.FormatPDFScan, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"), table(row),
		}}, tp)
		if f := field(t, m, "signer"); f.Value != tc.want {
			t.Errorf("line under the name at x %.0f: signer %q, want %q", tc.x, f.Value, tc.want)
		}
	}
}

// TestDeclarationPartialDate: on a scan, a date read with its year and
// day and nothing between them (a seal's ring over the month) is taken as
// read and unsure, not left blank for a "not signed" finding; a whole
// date stays sure, a text layer's partial date is not taken, and a line
// with no day read is no date.
func TestDeclarationPartialDate(t *testing.T) {
	tp, _ := MustLoad().Get("nat2024")
	for _, tc := range []struct {
		format, date string
		want         string
		unsure       bool
	}{
		{shenbao.FormatPDFScan, "县级行政区划中小企业主管部门（公章）2021年  9日", "2021年9日", true},
		{shenbao.FormatPDFScan, "县级行政区划中小企业主管部门（公章）：2021年 、 30日）", "2021年30日", true},
		{shenbao.FormatPDFScan, "县级行政区划中小企业主管部门（公章）：2021年 一二三四 30日）", "", false},
		{shenbao.FormatPDFScan, "县级行政区划中小企业主管部门（公章）：2021年11月30日", "2021年11月30日", false},
		{shenbao.FormatPDFScan, "县级行政区划中小企业主管部门（公章）：2021年", "", false},
		{shenbao.FormatPDFText, "县级行政区划中小企业主管部门（公章）：2021年  9日", "", false},
	} {
		row := formtest.Lined("真实性声明",
			shenbao.Line{Text: "本单位承诺此次申报中小企业特色产业集群的申请材料真实、合法。", BBox: shenbao.Box{100, 100, 500, 112}, Confidence: 0.95},
			shenbao.Line{Text: "县级行政区划中小企业主管部门负责人（签字）：  杨浩", BBox: shenbao.Box{100, 130, 480, 142}, Confidence: 0.95},
			shenbao.Line{Text: tc.date, BBox: shenbao.Box{100, 200, 480, 212}, Confidence: 0.95},
		)
		m := Map(&shenbao.Content{Format: tc.format, Blocks: []shenbao.Block{
			para("九、真实性声明及推荐意见"), table(row),
		}}, tp)
		f := field(t, m, "sign_date")
		if f.Value != tc.want {
			t.Errorf("%s %q: date %q, want %q", tc.format, tc.date, f.Value, tc.want)
		}
		if f.Value != "" && (f.Confidence < 0.8) != tc.unsure {
			t.Errorf("%s %q: confidence %.2f, want unsure %v", tc.format, tc.date, f.Confidence, tc.unsure)
		}
	}
}
