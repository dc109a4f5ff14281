package crosscheck

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name string
		want Region
		core string
	}{
		{"湖北省随州市青台市超硬材料及制品产业集群", Region{"湖北", "随州市", "青台市"}, "超硬材料及制品"},
		{"宁波市鹤川区汽车零部件产业集群", Region{"", "宁波市", "鹤川区"}, "汽车零部件"},
		{"柏塘区特种电线电缆产业集群", Region{"", "", "柏塘区"}, "特种电线电缆"},
		{"重庆市柏塘区特种电线电缆产业集群", Region{"重庆", "", "柏塘区"}, "特种电线电缆"},
		{"广西壮族自治区柳州市柳江区汽车零部件产业集群", Region{"广西", "柳州市", "柳江区"}, "汽车零部件"},
		{"新疆生产建设兵团第八师石河子市纺织产业集群", Region{"新疆生产建设兵团", "第八师石河子市", ""}, "纺织"},
		{"江苏省无锡市 宜兴市 环保装备 产业集群", Region{"江苏", "无锡市", "宜兴市"}, "环保装备"},
		{"恩施土家族苗族自治州利川市茶叶产业集群", Region{"", "恩施土家族苗族自治州", "利川市"}, "茶叶"},
	}
	for _, tt := range tests {
		got, core := parseName(normalize(tt.name))
		if got != tt.want || core != tt.core {
			t.Errorf("parseName(%q) = %+v %q, want %+v %q", tt.name, got, core, tt.want, tt.core)
		}
	}
}

func TestClusterScore(t *testing.T) {
	id := func(name string, r Region) identity { return makeIdentity(name, "", r, Region{}) }
	a := id("湖北省随州市青台市超硬材料及制品产业集群", Region{})
	tests := []struct {
		desc string
		b    identity
		min  float64
		max  float64
	}{
		{"same name", id("湖北省随州市青台市超硬材料及制品产业集群", Region{}), 1, 1},
		{"name shortened, province as written", id("随州市青台市超硬材料产业集群", Region{Province: "湖北省"}), 0.6, 0.9},
		{"county renamed 市→区 in the same city", id("湖北省随州市青台区超硬材料及制品产业集群", Region{}), 1, 1},
		{"same industry, another county", id("湖北省随州市丰川县超硬材料及制品产业集群", Region{}), 0, 0},
		{"same county name in another province", id("江西省宜春市青台市超硬材料及制品产业集群", Region{}), 0, 0},
		{"another industry, same county", id("湖北省随州市青台市汽车零部件产业集群", Region{}), 0, 0.2},
		{"no county but the same city", id("随州市超硬材料及制品产业集群", Region{Province: "湖北"}), 1, 1},
	}
	for _, tt := range tests {
		if s := clusterScore(a, tt.b); s < tt.min || s > tt.max {
			t.Errorf("%s: score %.2f, want %.2f–%.2f", tt.desc, s, tt.min, tt.max)
		}
	}
}

func TestPreset(t *testing.T) {
	ningbo := Region{Province: "浙江", City: "宁波"}
	tests := []struct {
		name    string
		written Region
		want    Region
	}{
		{"鹤川区汽车零部件产业集群", Region{County: "鹤川区"}, Region{"浙江", "宁波", "鹤川区"}},
		{"宁波市鹤川区汽车零部件产业集群", Region{}, Region{"浙江", "宁波市", "鹤川区"}},
		// The Ningbo issue of the form used by a cluster elsewhere.
		{"苏州市吴江区丝绸产业集群", Region{}, Region{"", "苏州市", "吴江区"}},
		{"吴江区丝绸产业集群", Region{Province: "江苏"}, Region{"江苏", "", "吴江区"}},
	}
	for _, tt := range tests {
		if got := makeIdentity(tt.name, "", tt.written, ningbo).region; got != tt.want {
			t.Errorf("%s: region %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// app builds a minimal application report: identity fields and the given
// values (key/column → value).
func app(file, edition, name, prov, city, county string, values map[string]string) *shenbao.Report {
	r := &shenbao.Report{File: file, Edition: shenbao.EditionMatch{ID: edition}}
	add := func(key, col, v string) {
		f := shenbao.Field{Key: key, Column: col, Value: v}
		if strings.HasSuffix(col, "年") {
			fmt.Sscanf(col, "%d年", &f.Year)
			f.ID = fmt.Sprintf("%s.%d", key, f.Year)
		}
		r.Fields = append(r.Fields, f)
	}
	add("name", "", name)
	add("org", "", name+"管理委员会")
	add("region_prov", "省(区、市)", prov)
	add("region_city", "市(区)", city)
	add("region_county", "县(市、区)", county)
	for _, k := range sortedKeys(values) {
		key, col, _ := strings.Cut(k, "/")
		add(key, col, values[k])
	}
	return r
}

func summary(file, edition string, rows ...map[string]string) *shenbao.Report {
	r := &shenbao.Report{File: file, Edition: shenbao.EditionMatch{ID: edition}}
	for i, row := range rows {
		for _, k := range sortedKeys(row) {
			r.Fields = append(r.Fields, shenbao.Field{Key: k, Column: fmt.Sprint(i + 1), Value: row[k], ID: fmt.Sprintf("%s.%d", k, i+1)})
		}
	}
	return r
}

func rules(results []Result) []string {
	var out []string
	for _, r := range results {
		out = append(out, fmt.Sprintf("%s %s %s%v", r.Finding.Rule, r.Document, r.Finding.Column, r.Others))
	}
	return out
}

func TestQuotas(t *testing.T) {
	ck := testChecker(t)
	var hubei, ningbo, cq []*shenbao.Report
	industries := []string{"超硬材料", "汽车零部件", "精密轴承", "仪器仪表", "智能家电", "医疗器械"}
	for i, ind := range industries {
		county := fmt.Sprintf("青%c县", '甲'+rune(i))
		hubei = append(hubei, app(fmt.Sprintf("hb%d.docx", i), "nat2022", "随州市"+county+ind+"产业集群", "湖北", "随州", county, nil))
		ningbo = append(ningbo, app(fmt.Sprintf("nb%d.docx", i), "nat2022", "宁波市"+county+ind+"产业集群", "浙江", "宁波", county, nil))
		cq = append(cq, app(fmt.Sprintf("cq%d.docx", i), "cq2024", "柏塘区"+ind+"产业集群", "", "", "柏塘区", nil))
	}
	// The same application sent twice (docx and PDF) is one cluster.
	twice := app("hb0.pdf", "nat2022", hubei[0].Fields[0].Value, "湖北", "随州", "青甲县", nil)
	tests := []struct {
		desc    string
		reports []*shenbao.Report
		want    []string
	}{
		{"province at its limit of 5", hubei[:5], nil},
		{"province over 5", hubei, []string{"quota.nat2022.province  [hb0.docx hb1.docx hb2.docx hb3.docx hb4.docx hb5.docx]"}},
		{"one cluster in two files counts once", append(slices.Clone(hubei[:5]), twice), nil},
		{"计划单列市 at 3", ningbo[:3], nil},
		{"计划单列市 over 3", ningbo[:4], []string{"quota.nat2022.province  [nb0.docx nb1.docx nb2.docx nb3.docx]"}},
		{"Chongqing county at 3", cq[:3], nil},
		{"Chongqing county over 3", cq[:4], []string{"quota.cq2024.county  [cq0.docx cq1.docx cq2.docx cq3.docx]"}},
		{"the 2022 quota does not apply to 2024", []*shenbao.Report{
			app("x1", "nat2024", "湖北省随州市甲县A产业集群", "湖北", "随州", "甲县", nil),
			app("x2", "nat2024", "湖北省随州市乙县B产业集群", "湖北", "随州", "乙县", nil),
			app("x3", "nat2024", "湖北省随州市丙县C产业集群", "湖北", "随州", "丙县", nil),
			app("x4", "nat2024", "湖北省随州市丁县D产业集群", "湖北", "随州", "丁县", nil),
			app("x5", "nat2024", "湖北省随州市戊县E产业集群", "湖北", "随州", "戊县", nil),
			app("x6", "nat2024", "湖北省随州市己县F产业集群", "湖北", "随州", "己县", nil),
		}, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range ck.Run(tt.reports, Options{}) {
			if r.Finding.Kind == KindQuota {
				got = append(got, rules([]Result{r})...)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.desc, got, tt.want)
		}
	}
}

func TestSummaryRows(t *testing.T) {
	ck := testChecker(t)
	a := app("a.docx", "nat2024", "湖北省随州市青台市超硬材料及制品产业集群", "湖北", "随州", "青台市",
		map[string]string{"total_output/2023年": "104.06", "sme_count/2023年": "819"})
	b := app("b.docx", "nat2024", "湖北省荆州市北浦县特种电线电缆产业集群", "湖北", "荆州", "北浦县", nil)
	other := app("c.docx", "nat2024", "江西省宜春市丰川县泵业产业集群", "江西", "宜春", "丰川县", nil)
	good := map[string]string{
		"sum_name": "湖北省随州市青台市超硬材料及制品产业集群", "sum_org": "湖北省随州市青台市超硬材料及制品产业集群管理委员会",
		"sum_region": "湖北省随州市青台市", "sum_industry": "超硬材料及制品",
		"sum_intro": "集群以超硬材料及制品为主导产业。2023年集群总产值104.06亿元，拥有中小企业819家。",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for x, y := range good {
			m[x] = y
		}
		m[k] = v
		return m
	}
	tests := []struct {
		desc    string
		reports []*shenbao.Report
		want    []string
	}{
		{"row agrees; b of the same province is not listed; c's province has no table",
			[]*shenbao.Report{a, b, other, summary("s.docx", "nat2024-summary", good)},
			[]string{"summary.unlisted b.docx [s.docx]"}},
		{"name", []*shenbao.Report{a, summary("s.docx", "nat2024-summary", with("sum_name", "湖北省随州市青台市超硬材料产业集群"))},
			[]string{"summary.name s.docx 1[a.docx]"}},
		{"region", []*shenbao.Report{a, summary("s.docx", "nat2024-summary", with("sum_region", "湖北省随州市丰川县"))},
			[]string{"summary.region s.docx 1[a.docx]"}},
		{"industry", []*shenbao.Report{a, summary("s.docx", "nat2024-summary", with("sum_industry", "精密轴承"))},
			[]string{"summary.industry s.docx 1[a.docx]"}},
		{"intro figure", []*shenbao.Report{a, summary("s.docx", "nat2024-summary", with("sum_intro", "2023年集群总产值104.60亿元，拥有中小企业819家。"))},
			[]string{"summary.intro_fact s.docx 1[a.docx]"}},
		{"intro over its limit", []*shenbao.Report{a, summary("s.docx", "nat2024-summary", with("sum_intro", strings.Repeat("集群", 151)))},
			[]string{"summary.intro_limit s.docx 1[]"}},
		{"the same application as docx and PDF is listed once",
			[]*shenbao.Report{a, app("a.pdf", "nat2024", "湖北省随州市青台市超硬材料及制品产业集群", "湖北", "随州", "青台市", nil), summary("s.docx", "nat2024-summary", good)},
			nil},
		{"row without application", []*shenbao.Report{summary("s.docx", "nat2024-summary", good)},
			[]string{"summary.orphan_row s.docx 1[]"}},
		{"a table of another year matches nothing", []*shenbao.Report{a, summary("s.docx", "nat2022-summary", good)},
			[]string{"summary.orphan_row s.docx 1[]"}},
	}
	for _, tt := range tests {
		got := rules(ck.Run(tt.reports, Options{}))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.desc, got, tt.want)
		}
	}
}

func TestHistoryUnits(t *testing.T) {
	ck := testChecker(t)
	a := app("a.docx", "nat2024", "湖北省随州市青台市超硬材料产业集群", "湖北", "随州", "青台市", map[string]string{"fdi/2021年": "33093.18", "ent_count/2021年": "759"})
	b := app("b.docx", "nat2022", "随州市青台市超硬材料产业集群", "湖北", "随州", "青台市", map[string]string{"fdi/2021年": "3.309318", "ent_count/2021年": "759"})
	field(a, "fdi", "2021年").Unit, field(b, "fdi", "2021年").Unit = "万元", "亿元"
	if got := ck.Run([]*shenbao.Report{a, b}, Options{}); len(got) != 0 {
		t.Errorf("same amount in 万元 and 亿元 reported: %q", rules(got))
	}
	field(b, "ent_count", "2021年").Value = "760"
	got := rules(ck.Run([]*shenbao.Report{a, b}, Options{}))
	if want := []string{"history.value a.docx 2021年[b.docx]"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRulesValidate(t *testing.T) {
	for _, bad := range []string{
		"quotas: [{rule: q, editions: [nat2022], per: city, max: 3, severity: error, basis: x}]",
		"quotas: [{rule: q, editions: [nat2022], per: county, max: 0, severity: error, basis: x}]",
		"intro_facts: [{key: k, pattern: '(\\d+', value: 1}]",
		"intro_facts: [{key: k, pattern: '(\\d+)', value: 2}]",
		"quotas: [{rule: q, editions: [nat2022], per: county, max: 3, severity: error, basis: x, extra: 1}]",
	} {
		r, err := ParseRules([]byte(bad))
		if err == nil {
			_, err = NewWithRules(testTemplates(t), r)
		}
		if err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if _, err := New(testTemplates(t)); err != nil {
		t.Errorf("embedded rules: %v", err)
	}
}

// TestDivisionsFromLayout: the provincial units crosscheck reads names
// against are layout's (regions.txt), not a list of its own.
func TestDivisionsFromLayout(t *testing.T) {
	if got := strings.Join(municipalities, ","); got != "北京,天津,上海,重庆" {
		t.Errorf("municipalities = %s", got)
	}
	if len(provinces) != len(layout.Provinces())+1 || provinces[0] != "新疆生产建设兵团" {
		t.Errorf("provinces = %v: want regions.txt's %d and the 兵团 first", provinces, len(layout.Provinces()))
	}
	for _, p := range []string{"内蒙古", "广西", "新疆", "湖北"} {
		if !slices.Contains(provinces, p) {
			t.Errorf("provinces lacks %s", p)
		}
	}
}

// TestDiceMatchesMaps: dice on packed bigrams scores every pair as the
// string-map version does: repeated bigrams, one-rune and empty strings,
// ASCII and Han, and invalid UTF-8 (which keeps the map version).
func TestDiceMatchesMaps(t *testing.T) {
	alphabet := []rune("青台市超硬材料及制品产业集群园区a1 ")
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		rs := make([]rune, rng.IntN(8))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	pairs := [][2]string{{"", ""}, {"青", "青"}, {"青", "台"}, {"青", "青台"}, {"青青青", "青青"}, {"\xff", "\xfe"}, {"青\xff", "青\xfe"}}
	for range 20000 {
		pairs = append(pairs, [2]string{word(), word()})
	}
	for _, p := range pairs {
		if got, want := dice(p[0], p[1]), diceMaps(p[0], p[1]); got != want {
			t.Fatalf("dice(%q, %q) = %v, the maps say %v", p[0], p[1], got, want)
		}
	}
}

// TestRadixSort: radixSort orders by key as a stable sort does, keys that
// differ only in high bits and equal keys (kept in their order) included.
func TestRadixSort(t *testing.T) {
	type e struct{ key, n uint64 }
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{0, 1, 2, 7, 1000, 70000} {
		s := make([]e, size)
		for i := range s {
			k := rng.Uint64()
			switch i % 3 {
			case 0:
				k &= 0xffff << 48 // high bits only
			case 1:
				k %= 5 // many equal keys
			}
			s[i] = e{k, uint64(i)}
		}
		want := slices.Clone(s)
		slices.SortStableFunc(want, func(a, b e) int { return cmp.Compare(a.key, b.key) })
		radixSort(s, func(x e) uint64 { return x.key })
		if !slices.Equal(s, want) {
			t.Fatalf("radixSort of %d entries differs from the stable sort", size)
		}
	}
}
