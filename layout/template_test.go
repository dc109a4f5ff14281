package layout

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shenbao/shenbao"
)

func TestEmbeddedTemplatesValid(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cq2024", "cq2024-summary", "gd2023", "nat2022", "nat2022-summary", "nat2023", "nat2023-summary", "nat2024", "nat2024-summary"}
	var got []string
	for _, tp := range set.All() {
		got = append(got, tp.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("editions = %v, want %v", got, want)
	}
}

func TestFieldID(t *testing.T) {
	s := Spec{Key: "standards", Columns: []string{"国际/主持数量/2021年", "国家/参与数量/2022年"}}
	tests := []struct {
		spec Spec
		col  string
		want string
	}{
		{Spec{Key: "area", Columns: []string{""}}, "", "area"},
		{Spec{Key: "total_output", Columns: []string{"2021年", "2022年"}}, "2022年", "total_output.2022"},
		{s, "国际/主持数量/2021年", "standards.intl.lead.2021"},
		{Spec{Key: "plan_rd", Columns: []string{"2023年基准值", "2026年目标值"}}, "2026年目标值", "plan_rd.target"},
		{Spec{Key: "plat_nat", Columns: []string{"数量", "名称"}}, "名称", "plat_nat.names"},
	}
	for _, tt := range tests {
		if got := tt.spec.FieldID(tt.col); got != tt.want {
			t.Errorf("FieldID(%q) = %q, want %q", tt.col, got, tt.want)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	base := "id: x\nkind: application\nname: n\ntitle: t\nyear: 2024\nsections: [s]\nrows:\n"
	tests := map[string]string{
		"unknown type":     "  - {key: a, section: s, label: L, type: bogus, columns: ['']}\n",
		"no columns":       "  - {key: a, section: s, label: L, type: text}\n",
		"one option":       "  - {key: a, section: s, label: L, type: choice, options: [是]}\n",
		"no limit":         "  - {key: a, section: s, label: L, type: longtext}\n",
		"unknown section":  "  - {key: a, section: z, label: L, type: text, columns: ['']}\n",
		"duplicate id":     "  - {key: a, section: s, label: L, type: text, columns: ['']}\n  - {key: a, section: s, label: M, type: text, columns: ['']}\n",
		"label whitespace": "  - {key: a, section: s, label: 'L M', type: text, columns: ['']}\n",
		"unknown member":   "  - {key: a, section: s, label: L, type: text, columns: [''], colour: red}\n",
		// The plan's table is found by its printed header, which no row
		// holds: the template must say it (anchors.plan_header).
		"plan without its header": "  - {key: a, section: s, parent: P, label: L, type: plan_target, columns: [基准值, 目标值]}\n",
	}
	for name, rows := range tests {
		if _, err := Parse([]byte(base + rows)); err == nil {
			t.Errorf("%s: Parse accepted an invalid template", name)
		}
	}
	row := "  - {key: a, section: s, label: L, type: text, columns: ['']}\n"
	for name, doc := range map[string]string{
		"application without year":  strings.Replace(base, "year: 2024\n", "", 1) + row,
		"application with a parent": base + "parent: y\n" + row,
		"summary without parent":    strings.Replace(base, "application", "summary", 1) + row,
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
	if _, err := Parse([]byte(base + "  - {key: a, section: s, label: L, type: text, columns: ['']}\n")); err != nil {
		t.Errorf("valid template rejected: %v", err)
	}
	withHeader := strings.Replace(base, "rows:", "anchors: {plan_header: [方向, 指标]}\nrows:", 1)
	if _, err := Parse([]byte(withHeader + "  - {key: a, section: s, parent: P, label: L, type: plan_target, columns: [基准值, 目标值]}\n")); err != nil {
		t.Errorf("plan with its header rejected: %v", err)
	}
}

// listed returns the phrases of ps, each of which must be neither empty,
// spaced, repeated nor among apart (what must be kept apart from them).
func listed(t *testing.T, what string, ps []string, apart map[string]bool) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range ps {
		if p == "" || strings.ContainsAny(p, " \t\n") || seen[p] || apart[p] {
			t.Errorf("%s %q: empty, spaced, repeated or among the cells' print", what, p)
		}
		seen[p] = true
	}
	return seen
}

func TestPrinted(t *testing.T) {
	seen := listed(t, "printed phrase", MustLoad().Printed(), nil)
	// A long label of the national form, a header part and a section.
	for _, want := range []string{"集群内中小企业有效发明专利拥有量（包括发明专利、国防专利、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权等）", "主持数量", "二、主导产业情况"} {
		if !seen[want] {
			t.Errorf("Printed lacks %q", want)
		}
	}
}

// A form's labels, in the order a scan meets them, are each among its
// printed phrases (a scan reader matches one against the other), open
// with the title, and hold each section heading where its first row is.
func TestLabelsInOrder(t *testing.T) {
	for _, tpl := range MustLoad().All() {
		printed := map[string]bool{}
		for _, p := range tpl.Printed() {
			printed[strings.Join(strings.Fields(p), "")] = true
		}
		labels := tpl.Labels()
		if len(labels) == 0 || labels[0] != tpl.Title {
			t.Errorf("%s: labels open with %q, want the title", tpl.ID, labels[:min(1, len(labels))])
		}
		for _, l := range labels {
			if !printed[strings.Join(strings.Fields(l), "")] {
				t.Errorf("%s: label %q is not among the printed phrases", tpl.ID, l)
			}
		}
		// Each row's label comes after the last one's (rows of one label
		// in a row are its columns: one cell), its section heading
		// before it.
		at, section, last := 0, "", ""
		for _, r := range tpl.Rows {
			if r.Label == last {
				continue // one cell, the rows its columns
			}
			last = r.Label
			k := slices.Index(labels[at:], r.Label)
			if k < 0 {
				t.Errorf("%s: row %q not in order among the labels", tpl.ID, r.Label)
				break
			}
			if r.Section != section && r.Section != r.Label && !slices.Contains(labels[at:at+k], r.Section) {
				t.Errorf("%s: section %q not before its first row %q", tpl.ID, r.Section, r.Label)
			}
			at, section = at+k+1, r.Section
		}
	}
}

// The rest of the print is kept apart from the cells' (a paragraph of it
// must not complete the lines under it) and listed once.
func TestOtherPrint(t *testing.T) {
	set := MustLoad()
	seen := listed(t, "other print", set.OtherPrint(), listed(t, "printed phrase", set.Printed(), nil))
	// The maker's line, a remark under option groups, a group's head
	// and the national 2024 declaration.
	for _, want := range []string{"广东省工业和信息化厅制", "（注：勾选需提供佐证材料）", "集群已建设的中小企业公共服务平台：", "本单位承诺此次申报中小企业特色产业集群的申请材料(包括附件资料)真实、合法。如有不实之处，本单位愿意负相应责任，并承担由此产生的一切后果。"} {
		if !seen[want] {
			t.Errorf("OtherPrint lacks %q", want)
		}
	}
}

// The 填报说明 paragraphs are kept apart from the cells' print: a value must
// never be taken for one, and each is listed once.
func TestNotes(t *testing.T) {
	set := MustLoad()
	seen := listed(t, "note", set.Notes(), listed(t, "printed phrase", set.Printed(), nil))
	// gd2023's first, and the ninth as national 2023 numbers it.
	for _, want := range []string{"集群应如实填报所附各表。要求文字简洁，数据准确、详实。填报数据将依权限对相关部门和单位开放共享，仅供审核验证和查阅用。", "9.企业研发费用是指企业研发活动中发生的相关费用，具体按照财政部、国家税务总局、科技部《关于完善研究开发费用税前加计扣除政策的通知》（财税[2015]119号）有关规定进行归集。"} {
		if !seen[want] {
			t.Errorf("Notes lacks %q", want)
		}
	}
}

// withTestEditions loads the embedded templates plus those under
// testdata/<dir>, as a province adding its own data files would.
func withTestEditions(t *testing.T, dir string) (*Set, error) {
	t.Helper()
	m := fstest.MapFS{}
	add := func(fsys fs.FS, pattern string) {
		names, err := fs.Glob(fsys, pattern)
		if err != nil || len(names) == 0 {
			t.Fatalf("templates %s: %v", pattern, err)
		}
		for _, n := range names {
			data, err := fs.ReadFile(fsys, n)
			if err != nil {
				t.Fatal(err)
			}
			m["editions/"+path.Base(n)] = &fstest.MapFile{Data: data}
		}
	}
	add(editionFS, "editions/*.yaml")
	add(os.DirFS("testdata/"+dir), "*.yaml")
	return LoadFS(m, "editions")
}

// TestEditionFactsFromData: an edition whose id has no year and whose
// summary table is not named …-summary loads from data files alone, is
// detected, and carries the year and parent it declares.
func TestEditionFactsFromData(t *testing.T) {
	set, err := withTestEditions(t, "zhejiang")
	if err != nil {
		t.Fatal(err)
	}
	sum, ok := set.Get("zhejiang-list-b")
	if !ok {
		t.Fatal("zhejiang-list-b not loaded")
	}
	if sum.Year != 2025 || sum.Edition() != "zhejiang" {
		t.Errorf("summary: year %d, edition %q; want 2025 (its parent's), zhejiang", sum.Year, sum.Edition())
	}
	if app, _ := set.Get("zhejiang"); app.Edition() != "zhejiang" {
		t.Errorf("application's edition = %q", app.Edition())
	}
	for _, tp := range set.All() {
		if tp.Year == 0 {
			t.Errorf("%s has no programme year", tp.ID)
		}
	}

	// A summary table as a docx reader gives it: title, headers, a row.
	c := &shenbao.Content{Format: shenbao.FormatDOCX, Blocks: []shenbao.Block{
		{Text: "2025年度浙江省中小企业特色产业集群推荐汇总表（第二批）"},
		{Table: &shenbao.Table{Rows: []shenbao.Row{
			{Cells: []shenbao.Cell{{Text: "序号"}, {Text: "集群名称"}, {Text: "集群运营管理机构"}, {Text: "所在省、市、县（区）"}, {Text: "主导产业"}}},
			{Cells: []shenbao.Cell{{Text: "1"}, {Text: "湖州市吴兴区童装产业集群"}, {Text: "吴兴区童装产业发展服务中心"}, {Text: "浙江省湖州市吴兴区"}, {Text: "童装"}}},
		}}},
	}}
	m := set.Detect(c)
	if m.ID != "zhejiang-list-b" || m.Year != 2025 {
		t.Errorf("detected %s (year %d, candidates %v), want zhejiang-list-b, 2025", m.ID, m.Year, m.Candidates)
	}

	// A parent that is missing or is itself a summary is refused.
	for name, parent := range map[string]string{"missing": "zj2099", "a summary": "nat2024-summary"} {
		data, _ := os.ReadFile("testdata/zhejiang/zhejiang-list-b.yaml")
		bad := strings.Replace(string(data), "parent: zhejiang", "parent: "+parent, 1)
		m := fstest.MapFS{"e/a.yaml": &fstest.MapFile{Data: []byte(bad)}}
		for _, n := range []string{"nat2024.yaml", "nat2024-summary.yaml"} {
			d, _ := editionFS.ReadFile("editions/" + n)
			m["e/"+n] = &fstest.MapFile{Data: d}
		}
		if _, err := LoadFS(m, "e"); err == nil {
			t.Errorf("parent %s: loaded", name)
		}
	}
}
