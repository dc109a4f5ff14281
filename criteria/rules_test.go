package criteria

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// Clean applications the cases start from (no planted defects).
const (
	nat2024 = "nat2024_01_docx.truth.json"
	nat2022 = "nat2022_01_docx.truth.json"
	cq2024  = "cq2024_01_docx.truth.json"
)

type mut func(*shenbao.Report, *layout.Template)

func spec(tm *layout.Template, key string) *layout.Spec {
	for i := range tm.Rows {
		if tm.Rows[i].Key == key {
			return &tm.Rows[i]
		}
	}
	return nil
}

// set writes a value as the mapper would report it.
func set(key, col, value string) mut {
	return func(r *shenbao.Report, tm *layout.Template) {
		for i := range r.Fields {
			f := &r.Fields[i]
			if f.Key == key && f.Column == col {
				f.Value = value
				if f.Number != nil || layout.IsNumeric(spec(tm, key).Type) {
					f.Number = layout.ParseNumber(value)
				}
				return
			}
		}
		panic("no field " + key + " " + col)
	}
}

func confidence(key, col string, c float64) mut {
	return func(r *shenbao.Report, tm *layout.Template) {
		for i := range r.Fields {
			if r.Fields[i].Key == key && r.Fields[i].Column == col {
				r.Fields[i].Confidence = c
			}
		}
	}
}

func unlocated(key, col string) mut {
	return func(r *shenbao.Report, tm *layout.Template) {
		for i := range r.Fields {
			if r.Fields[i].Key == key && r.Fields[i].Column == col {
				r.Fields[i].Confidence = 0
			}
		}
	}
}

// tick leaves exactly the given options of a group ticked.
func tick(key string, options ...string) mut {
	return func(r *shenbao.Report, tm *layout.Template) {
		for i := range r.Checkboxes {
			b := &r.Checkboxes[i]
			if b.Key == key {
				b.Checked = false
				for _, o := range options {
					b.Checked = b.Checked || b.Option == o
				}
			}
		}
	}
}

func text(key, s string) mut {
	return func(r *shenbao.Report, tm *layout.Template) {
		for i := range r.Texts {
			if r.Texts[i].Key == key {
				r.Texts[i].Text, r.Texts[i].Chars = s, CountNonSpace(s)
			}
		}
	}
}

func format(f string) mut {
	return func(r *shenbao.Report, tm *layout.Template) { r.Format = f }
}

func han(n int) string { return strings.Repeat("集", n) }

// got is what a case compares: the error and warning findings' rule,
// column and severity. Messages go to the golden file.
type got struct {
	Rule     string `json:"rule"`
	Column   string `json:"column"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func (g got) String() string { return g.Rule + "@" + g.Column + ":" + g.Severity }

var cases = []struct {
	name    string
	base    string
	profile string
	muts    []mut
	want    []string // rule@column:severity of every error and warning
}{
	// Word limits: the Word 字数, the stricter character count, OCR margin.
	{"word_limit/at_limit", nat2024, "", []mut{text("txt_chain", han(200))}, nil},
	{"word_limit/over", nat2024, "", []mut{text("txt_chain", han(201))}, []string{"form.word_limit@:error"}},
	{"word_limit/latin_run_counts_one", nat2024, "", []mut{text("txt_chain", han(199)+"2023")},
		[]string{"form.word_limit@:warning"}},
	{"word_limit/spaces_do_not_count", nat2024, "", []mut{text("txt_chain", han(100)+" \n\t"+han(100))}, nil},
	{"word_limit/scan_within_ocr_margin", nat2024, "", []mut{format(shenbao.FormatPDFScan), text("txt_chain", han(204))},
		[]string{"form.word_limit@:warning"}},
	{"word_limit/scan_beyond_margin", nat2024, "", []mut{format(shenbao.FormatPDFScan), text("txt_chain", han(205))},
		[]string{"form.word_limit@:error"}},
	{"word_limit/plan_3000", nat2024, "", []mut{text("plan", han(3001))}, []string{"form.word_limit@:error"}},

	{"word_limit/summary_intro", "nat2024_summary_2.truth.json", "", []mut{set("sum_intro", "3", han(301))},
		[]string{"form.word_limit@3:error"}},
	{"word_limit/summary_intro_at_limit", "nat2024_summary_2.truth.json", "", []mut{set("sum_intro", "3", han(300))}, nil},

	// Completeness: a blank is missing, 无 is an answer; unlocated is not the applicant's blank.
	{"required/blank_vs_none", nat2024, "", []mut{set("pct", "", ""), set("overseas", "", "无")},
		[]string{"form.required@:error"}},
	{"required/not_located", nat2024, "", []mut{set("pct", "", ""), unlocated("pct", "")}, nil},
	{"required/cover", nat2024, "", []mut{set("cover_contact", "", " ")}, []string{"form.required@:error"}},
	{"required/signature_is_a_warning", nat2024, "", []mut{set("signer", "县级行政区划中小企业主管部门负责人（签字）：", "")},
		[]string{"form.signature@县级行政区划中小企业主管部门负责人（签字）：:warning"}},
	{"required/blank_text", nat2024, "", []mut{text("txt_intl", "")}, []string{"form.required@:error"}},
	{"count_names/count_without_names", nat2024, "", []mut{set("plat_nat", "名称", "无")},
		[]string{"form.count_names@名称:error"}},
	{"count_names/names_without_count", nat2024, "", []mut{set("plat_nat", "数量", "0")},
		[]string{"form.count_names@数量:error"}},
	{"count_names/zero_and_none", nat2024, "", []mut{set("plat_nat", "数量", "0"), set("plat_nat", "名称", "无")}, nil},
	{"count_names/zero_and_blank", nat2024, "", []mut{set("plat_nat", "数量", "0"), set("plat_nat", "名称", "")},
		[]string{"form.required@名称:error"}},
	{"single_choice/none", nat2024, "", []mut{tick("industry_type")}, []string{"form.single_choice@:error"}},
	{"single_choice/both", nat2024, "", []mut{tick("recognised", "是", "否")}, []string{"form.single_choice@是、否:error"}},
	{"single_choice/multi_may_be_empty", nat2024, "", []mut{tick("coop_work")}, nil},

	// Format.
	{"decimals/three", nat2024, "", []mut{set("sme_share", "2023年", "87.046")}, []string{"form.decimals@2023年:error"}},
	{"decimals/two_and_commas", nat2024, "", []mut{set("sme_share", "2023年", "87.05"), set("fdi", "2021年", "33,093.18")}, nil},
	{"decimals/plan_value", nat2024, "", []mut{set("plan_co2", "2026年目标值", "0.375吨/万元（降低18.48%）")},
		[]string{"form.decimals@2026年目标值:error"}},
	{"numeric_text/year_column", nat2024, "", []mut{set("sw_purchase", "2022年", "约6800")},
		[]string{"form.numeric_text@2022年:error"}},
	{"range/share_over_100", nat2024, "", []mut{set("solid_util", "", "101.96")}, []string{"form.share_range@:error"}},
	{"range/negative_count", nat2024, "", []mut{set("overseas", "", "-3")}, []string{"form.count_range@:error"}},
	{"range/share_at_100", nat2024, "", []mut{set("solid_util", "", "100.00")}, nil},
	{"range/negative_growth_is_fine", nat2022, "", []mut{set("fdi_growth", "2020年", "-12.50")}, nil},

	// Thresholds of the national standard, on every year, at the threshold.
	{"threshold/output_at_40", nat2024, "", []mut{set("total_output", "2022年", "40.00")}, nil},
	{"threshold/output_below_40", nat2024, "", []mut{set("total_output", "2022年", "39.99")},
		[]string{"nat.output@2022年:error"}},
	{"threshold/misread_is_a_warning", nat2024, "", []mut{set("total_output", "2022年", "39.99"), confidence("total_output", "2022年", 0.6)},
		[]string{"nat.output@2022年:warning"}},
	{"threshold/share_at_70", nat2024, "", []mut{set("sme_share", "2022年", "70.00"), set("main_share", "2022年", "70.00")},
		[]string{"nat.main_share@2022年:error"}}, // 以上 includes 70, 高于 does not
	{"threshold/growth_at_10", nat2022, "", []mut{set("main_cagr", "", "10.00"), set("plan_growth", "2021年基准值", "10.00%")},
		[]string{"form.main_cagr@:error", "nat.growth@:error"}},
	{"threshold/tier_9", nat2024, "", []mut{
		set("xjr", "2023年", "0"), set("zjtx", "2023年", "3"), set("hitech_only", "2023年", "3"), set("innov_sme", "2023年", "3"),
		set("plan_quality_sme", "2023年基准值", "3家")},
		[]string{"nat.tier@2023年:error"}},
	{"threshold/tier_10", nat2024, "", []mut{
		set("xjr", "2023年", "0"), set("zjtx", "2023年", "3"), set("hitech_only", "2023年", "3"), set("innov_sme", "2023年", "4"),
		set("plan_quality_sme", "2023年基准值", "3家")}, nil},
	{"threshold/co2_flat", nat2024, "", []mut{set("co2_intensity", "2022年", "0.55")}, []string{"nat.co2_falling@2022年:error"}},
	{"threshold/rd_growth_mean", nat2022, "", []mut{set("rd_growth", "2019年", "-5.00")}, []string{"nat.rd_growth@:error"}},
	{"threshold/area", nat2024, "", []mut{set("area", "", "100.01")}, []string{"nat.area@:warning"}},

	// The eligibility questions: 是 is disqualifying in 2024, 否 before.
	{"answer/2024_prohibited_yes", nat2024, "", []mut{tick("prohibited", "是")}, []string{"elig.prohibited@是:error"}},
	{"answer/2024_accident_yes", nat2024, "", []mut{tick("accident", "是")}, []string{"elig.accident@是:error"}},
	{"answer/2024_violation_yes", nat2024, "", []mut{tick("violation", "是")}, []string{"elig.violation@是:error"}},
	{"answer/2022_not_prohibited_no", nat2022, "", []mut{tick("not_prohibited", "否")}, []string{"elig.not_prohibited@否:error"}},
	{"answer/2022_not_prohibited_yes", nat2022, "", []mut{tick("not_prohibited", "是")}, nil},
	{"answer/cq_no_accident_no", cq2024, "", []mut{tick("no_accident", "否")}, []string{"elig.no_accident@否:error"}},
	{"answer/energy_not_applicable", nat2024, "", []mut{tick("energy_eff", "非高耗能行业，不适用")}, nil},

	// Arithmetic, with the rounding of 2-decimal figures.
	{"arithmetic/growth_within_rounding", nat2022, "", []mut{set("main_growth", "2021年", "11.98")}, nil},
	{"arithmetic/growth_beyond_rounding", nat2022, "", []mut{set("main_growth", "2021年", "12.05")},
		[]string{"form.main_growth@2021年:error", "form.main_cagr@:error"}},
	{"arithmetic/rd_growth", nat2022, "", []mut{set("rd_growth", "2021年", "14.00")},
		[]string{"form.rd_growth@2021年:error"}},
	{"arithmetic/sme_more_than_all", nat2024, "", []mut{set("sme_count", "2022年", "808")}, []string{"form.sme_count@2022年:error"}},
	{"arithmetic/per10k", nat2024, "", []mut{set("patent_per10k", "", "31.25")}, []string{"form.patent_per10k@:error"}},
	{"arithmetic/cloud_share", nat2024, "", []mut{set("cloud_share", "", "60.00")}, []string{"form.cloud_share@:error"}},
	{"arithmetic/iip_rate", nat2024, "", []mut{set("iip_rate", "", "25.00"), set("plan_iip", "2023年基准值", "25.00%")},
		[]string{"form.iip_rate@:error"}},
	{"arithmetic/energy_reduction", nat2024, "", []mut{set("energy_reduction", "", "20.00")},
		[]string{"form.energy_reduction@:error"}},
	{"arithmetic/fdi_growth", nat2024, "", []mut{set("fdi_growth", "2023年", "12.00")}, []string{"form.fdi_growth@2023年:error"}},

	// Plan targets: at the requirement, 左右, the base against the form.
	{"plan/growth_at_10", nat2024, "", []mut{set("plan_growth", "2026年目标值", "10.00%")}, nil},
	{"plan/growth_below_10", nat2024, "", []mut{set("plan_growth", "2026年目标值", "9.99%")},
		[]string{"nat.plan.growth@2026年目标值:error"}},
	{"plan/iip_about_45", nat2024, "", []mut{set("plan_iip", "2026年目标值", "40.50%")}, nil},
	{"plan/iip_below_about_45", nat2024, "", []mut{set("plan_iip", "2026年目标值", "40.49%")},
		[]string{"nat.plan.iip@2026年目标值:error"}},
	{"plan/co2_stated_fall", nat2024, "", []mut{set("plan_co2", "2026年目标值", "0.40吨/万元（降低13.04%）")},
		[]string{"nat.plan.co2@2026年目标值:error"}},
	{"plan/energy_level_only", nat2024, "", []mut{set("plan_energy", "2026年目标值", "0.42吨标准煤/万元")},
		[]string{"nat.plan.energy@2026年目标值:error"}},
	{"plan/patents_cagr", nat2024, "", []mut{set("plan_patents", "2026年目标值", "44件")},
		[]string{"nat.plan.patents@2026年目标值:error"}},
	{"plan/patents_rate_stated", nat2024, "", []mut{set("plan_patents", "2026年目标值", "年均增长14%")},
		[]string{"nat.plan.patents@2026年目标值:error"}},
	{"plan/rd_rate_stated", nat2024, "", []mut{set("plan_rd", "2026年目标值", "年均增长12.00%")}, nil},
	{"plan/rd_base_as_intensity", nat2024, "", []mut{set("plan_rd", "2023年基准值", "研发投入强度3.36%")}, nil},
	{"plan/quality_sme_not_rising", nat2024, "", []mut{set("plan_quality_sme", "2026年目标值", "105家")},
		[]string{"form.plan_target.quality_sme@2026年目标值:error"}},
	{"plan/base_mismatch", nat2024, "", []mut{set("plan_patents", "2023年基准值", "30件")},
		[]string{"form.plan_base.patents@2023年基准值:error"}},
	{"plan/cq_requirements", cq2024, "", []mut{set("plan_growth", "2026年目标值", "5.99%")},
		[]string{"cq.plan.growth@2026年目标值:error"}},

	// Profiles: the standard decides.
	{"profile/west_output_35_nat", nat2024, "nat", []mut{set("total_output", "2022年", "35.00")},
		[]string{"nat.output@2022年:error"}},
	{"profile/west_output_35_west", nat2024, "west", []mut{set("total_output", "2022年", "35.00")}, nil},
	{"profile/west_output_29_west", nat2024, "west", []mut{set("total_output", "2022年", "29.00")},
		[]string{"nat.output@2022年:error"}},
	{"profile/west_share_66", nat2024, "west", []mut{set("sme_share", "2022年", "66.00")}, nil},
	{"profile/cq_default", cq2024, "", nil, nil},
	{"profile/unknown_runs_form_rules_only", cq2024, "moon", []mut{set("area", "", "168.555")},
		[]string{"form.decimals@:error"}}, // no cq.area: the profile's thresholds do not run
	{"profile/cq_against_nat", cq2024, "nat", nil, []string{
		"nat.output@2021年:error", "nat.main_share@2023年:error", "nat.growth@:error",
		"nat.plan.rd@2026年目标值:error", "nat.plan.patents@2026年目标值:error", "nat.plan.iip@2026年目标值:error",
		"nat.plan.co2@2026年目标值:error", "nat.plan.energy@2026年目标值:error"}},
}

func TestRules(t *testing.T) {
	set := layout.MustLoad()
	e := MustLoad()
	golden := map[string][]got{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := readTruth(filepath.Join("testdata", "corpus", tc.base))
			if err != nil {
				t.Fatal(err)
			}
			rep, tm, err := reportFromTruth(tr, set)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tc.muts {
				m(rep, tm)
			}
			var gs []got
			var keys []string
			for _, f := range e.Check(rep, tm, tc.profile) {
				if f.Severity == shenbao.SeverityInfo {
					continue
				}
				g := got{f.Rule, f.Column, f.Severity, f.Message}
				gs = append(gs, g)
				keys = append(keys, g.String())
			}
			sort.Strings(keys)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(keys, want) && !(len(keys) == 0 && len(want) == 0) {
				t.Errorf("findings\n got %v\nwant %v", keys, want)
				for _, g := range gs {
					t.Log(g.Message)
				}
			}
			golden[tc.name] = gs
		})
	}
	checkGolden(t, filepath.Join("testdata", "golden", "rules.json"), golden)
}

// checkGolden compares the messages with the golden file (rewritten with -update).
func checkGolden(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(data) {
		t.Errorf("%s differs from the findings; review and rerun with -update", path)
	}
}

func TestFindingsLocated(t *testing.T) {
	set := layout.MustLoad()
	tr, err := readTruth(filepath.Join("testdata", "corpus", "nat2024_02_docx.truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, tm, err := reportFromTruth(tr, set)
	if err != nil {
		t.Fatal(err)
	}
	p := 7
	box := shenbao.Box{10, 20, 30, 40}
	for i := range rep.Fields {
		if rep.Fields[i].ID == "sme_share.2023" {
			rep.Fields[i].Page, rep.Fields[i].BBox = &p, &box
		}
	}
	for _, f := range MustLoad().Check(rep, tm, "") {
		if f.Rule != "form.decimals" {
			continue
		}
		if f.Page == nil || *f.Page != 7 || f.BBox == nil || *f.BBox != box {
			t.Errorf("finding not located on its field: page %v bbox %v", f.Page, f.BBox)
		}
		if !reflect.DeepEqual(f.FieldIDs, []string{"sme_share.2023"}) || f.Section != "二、主导产业情况" ||
			f.Label != "集群内中小企业产值占集群总产值比例（%）" || f.Basis == "" {
			t.Errorf("finding %+v", f)
		}
		return
	}
	t.Fatal("no decimals finding")
}

func TestEvidenceIsInfo(t *testing.T) {
	set := layout.MustLoad()
	tr, err := readTruth(filepath.Join("testdata", "corpus", nat2024))
	if err != nil {
		t.Fatal(err)
	}
	rep, tm, err := reportFromTruth(tr, set)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, f := range MustLoad().Check(rep, tm, "") {
		if f.Rule == "form.evidence" {
			if f.Severity != shenbao.SeverityInfo {
				t.Errorf("evidence finding at %s", f.Severity)
			}
			labels[f.Label] = true
		}
	}
	for _, l := range []string{"集群已开展的产业链强链补链工作", "创新平台建设情况(需提供清单及佐证材料)/国家制造业创新中心或国家级创新平台名称及数量",
		"近三年集群中小企业主持(起草单位排名前三位)或参与制修订标准数量情况(需提供清单)"} {
		if !labels[l] {
			t.Errorf("no evidence finding for %s", l)
		}
	}
	// 0 with 无 asks for nothing.
	if labels["集群绿色制造体系建设水平(注：包括绿色工厂、绿色工业园区、绿色供应链管理企业、绿色设计产品等，需提供清单及佐证材料)/国家级绿色制造体系建设情况"] {
		t.Error("evidence asked for a row reported as 0/无")
	}
}

func TestRulesListing(t *testing.T) {
	e := MustLoad()
	if got, want := e.Profiles(), []string{"cq", "nat", "west"}; !reflect.DeepEqual(got, want) {
		t.Errorf("profiles %v, want %v", got, want)
	}
	ids := map[string]bool{}
	for _, s := range e.Rules() {
		for _, r := range s.Rules {
			if ids[r.ID] {
				t.Errorf("duplicate rule id %s", r.ID)
			}
			ids[r.ID] = true
			if r.Kind == "" || r.Severity == "" || r.Basis == "" || r.Set != s.ID {
				t.Errorf("rule %s: kind %q severity %q basis %q set %q", r.ID, r.Kind, r.Severity, r.Basis, r.Set)
			}
		}
	}
	for _, want := range []string{"form.word_limit", "elig.prohibited", "nat.output", "cq.output", "nat.plan.iip"} {
		if !ids[want] {
			t.Errorf("no rule %s", want)
		}
	}
	west, ok := e.ProfileRules("west")
	if !ok {
		t.Fatal("no west profile")
	}
	for _, r := range west {
		if r.ID == "nat.output" && (*r.Value != 30 || r.Set != "west") {
			t.Errorf("west nat.output: value %v set %s", *r.Value, r.Set)
		}
	}
	nat, _ := e.ProfileRules("nat")
	for _, r := range nat {
		if r.ID == "nat.output" && *r.Value != 40 {
			t.Errorf("the west override changed nat's own rule: %v", *r.Value)
		}
	}
}

func TestLoadProfileFile(t *testing.T) {
	e := MustLoad()
	id, err := e.LoadProfileFile(filepath.Join("testdata", "profiles", "zj.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := readTruth(filepath.Join("testdata", "corpus", nat2024))
	if err != nil {
		t.Fatal(err)
	}
	rep, tm, err := reportFromTruth(tr, layout.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range e.Check(rep, tm, id) {
		if f.Severity != shenbao.SeverityInfo {
			keys = append(keys, got{Rule: f.Rule, Column: f.Column, Severity: f.Severity}.String())
		}
	}
	want := []string{"nat.output@2021年:error", "nat.output@2022年:error"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("custom profile findings %v, want %v", keys, want)
	}
	if len(e.Check(rep, tm, "nat")) == 0 {
		t.Fatal("no info findings at all")
	}

	for _, bad := range []struct{ name, yaml, says string }{
		{"not_a_profile", "set: x\nname: x\nrules: []\n", "profile: true"},
		{"unknown_member", "set: x\nname: x\nprofile: true\ncolour: red\n", "colour"},
		{"bad_kind", "set: x\nname: x\nprofile: true\nrules:\n- {id: x.a, kind: style, severity: error, check: compare, key: area, op: '<=', value: 1, message: m, basis: b}\n", "vocabulary"},
		{"bad_check", "set: x\nname: x\nprofile: true\nrules:\n- {id: x.a, kind: threshold, severity: error, check: guess, message: m, basis: b}\n", "unknown check"},
		{"bad_op", "set: x\nname: x\nprofile: true\nrules:\n- {id: x.a, kind: threshold, severity: error, check: compare, key: area, op: '=', value: 1, message: m, basis: b}\n", "needs key, op"},
		{"unknown_override", "set: x\nname: x\nprofile: true\nextends: nat\noverride:\n- {id: nat.nothing, value: 1}\n", "no such rule"},
		{"unknown_base", "set: x\nname: x\nprofile: true\nextends: moon\n", "no such profile"},
		{"taken_id", "set: nat\nname: x\nprofile: true\n", "duplicate"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "p.yaml")
			if err := os.WriteFile(p, []byte(bad.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := e.LoadProfileFile(p)
			var se *shenbao.Error
			if !errors.As(err, &se) || se.Code != shenbao.EINVALID || !strings.Contains(se.Message, bad.says) {
				t.Errorf("err = %v, want invalid saying %q", err, bad.says)
			}
		})
	}
	if got := e.Profiles(); !reflect.DeepEqual(got, []string{"cq", "nat", "west", "zj"}) {
		t.Errorf("a rejected profile stayed loaded: %v", got)
	}
	if _, err := e.LoadProfileFile(filepath.Join(t.TempDir(), "none.yaml")); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
		t.Errorf("missing file: %v", err)
	}
}

func TestCountChars(t *testing.T) {
	for _, tc := range []struct {
		in             string
		word, nonspace int
	}{
		{"", 0, 0},
		{"集群总产值", 5, 5},
		{"集群，总产值。", 7, 7},
		{"2023年集群总产值104.06亿元", 10, 18},
		{"5G+工业互联网", 6, 8},
		{"Hello world 你好", 4, 12},
		{"“小巨人”企业（国家级）", 12, 12},
		{"A  B\n\tC", 3, 3},
		{"PCT国际专利", 5, 7},
		{"ISO9001认证", 3, 9},
	} {
		if got := CountChars(tc.in); got != tc.word {
			t.Errorf("CountChars(%q) = %d, want %d", tc.in, got, tc.word)
		}
		if got := CountNonSpace(tc.in); got != tc.nonspace {
			t.Errorf("CountNonSpace(%q) = %d, want %d", tc.in, got, tc.nonspace)
		}
	}
}
