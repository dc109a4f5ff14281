package crosscheck

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// Region is where a cluster is, each part as written or preset; compare
// with sameStem, which ignores the 省/市/区/县 suffixes that applications
// write inconsistently (湖北 / 湖北省).
type Region struct {
	Province string `yaml:"province"`
	City     string `yaml:"city"`
	County   string `yaml:"county"`
}

func (r Region) String() string { return r.Province + r.City + r.County }

// fill completes the parts r lacks from o.
func (r Region) fill(o Region) Region {
	if r.Province == "" {
		r.Province = o.Province
	}
	if r.City == "" {
		r.City = o.City
	}
	if r.County == "" {
		r.County = o.County
	}
	return r
}

// identity is what names a cluster: its name, its industry (the name
// without the region and the 产业集群 suffix), its institution and region.
type identity struct {
	name   string
	core   string
	org    string
	region Region
}

// doc is one mapped report with its identity and its values indexed.
type doc struct {
	r       *shenbao.Report
	t       *layout.Template
	file    string // the document as the caller names it (Result.Document)
	name    string // the file name messages show (displayName)
	edition string // the application edition (a summary's is its declared parent)
	year    int    // the latest data year of the edition
	id      identity
	unit    string                    // the quota unit: a province, a 计划单列市 or 兵团
	values  map[string]*shenbao.Field // the fields of a data year, by canonical id
	order   []string                  // ids of values in report order, for stable output
}

// valueID is what says two fields hold the same concept for the same year:
// the canonical field id (total_output.2021, standards.national.lead.2021),
// or key and column where a report carries no id.
func valueID(f *shenbao.Field) string {
	if f.ID != "" {
		return f.ID
	}
	return f.Key + "\x00" + f.Column
}

func newDoc(r *shenbao.Report, t *layout.Template, rules *Rules) *doc {
	d := &doc{r: r, t: t, file: r.File, edition: t.Edition(), values: map[string]*shenbao.Field{}}
	if d.file == "" {
		d.file = r.SHA256
	}
	d.name = displayName(d.file)
	if len(t.Years) > 0 {
		d.year = slices.Max(t.Years)
	}
	for i := range r.Fields {
		f := &r.Fields[i]
		if f.Year == 0 {
			continue
		}
		k := valueID(f)
		if _, dup := d.values[k]; !dup {
			d.values[k] = f
			d.order = append(d.order, k)
		}
	}
	if t.Kind == layout.KindApplication {
		name := first(d.keyValue("name"), d.keyValue("cover_name"))
		written := Region{
			Province: d.keyValue("region_prov"),
			City:     d.keyValue("region_city"),
			County:   d.keyValue("region_county"),
		}
		d.id = makeIdentity(name, first(d.keyValue("org"), d.keyValue("cover_org")), written, rules.EditionRegions[d.edition])
		d.unit = rules.unit(d.id.region)
	}
	return d
}

// yearField returns the field of key for a data year, or for year 0 the
// key's single value.
func (d *doc) yearField(key string, year int) *shenbao.Field {
	for i := range d.r.Fields {
		if f := &d.r.Fields[i]; f.Key == key && f.Year == year && (year != 0 || f.Column == "") {
			return f
		}
	}
	return nil
}

// keyValue returns the first non-blank value of key in any column (the
// region blanks carry their unit as the column header).
func (d *doc) keyValue(key string) string {
	for i := range d.r.Fields {
		if f := &d.r.Fields[i]; f.Key == key && strings.TrimSpace(f.Value) != "" {
			return strings.TrimSpace(f.Value)
		}
	}
	return ""
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// makeIdentity reads a cluster's identity from its name, with the region as
// written taking precedence over what the name says, and the edition's
// preset filling what neither gives — unless they name another place than
// the preset (the Ningbo issue of a form used by a cluster elsewhere).
func makeIdentity(name, org string, written, preset Region) identity {
	n := normalize(name)
	parsed, core := parseName(n)
	r := written.fill(parsed)
	if regionAgrees(preset, r) {
		r = r.fill(preset)
	}
	return identity{name: n, core: core, org: normalize(org), region: r}
}

// normalize removes whitespace and folds full-width letters, digits and
// brackets, so that the same name typed twice compares equal.
func normalize(s string) string {
	var b strings.Builder
	// About s's bytes (a full-width form becomes a shorter ASCII one):
	// one allocation, where growing it was a tenth of a cached re-check.
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace[c] {
				b.WriteByte(c)
			}
			i++
			continue
		}
		// A character kept is copied as it stands, not decoded and
		// encoded again, and no Han character is looked up in the
		// White_Space table (none is above U+3000): the two were most of
		// the time normalising a long answer took.
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r <= 0x3000 && unicode.IsSpace(r):
		case r >= '！' && r <= '～':
			b.WriteByte(byte(r - 0xFEE0))
		case r == utf8.RuneError && size == 1:
			b.WriteRune(r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// asciiSpace marks the ASCII characters unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// provinces lists the provincial units by the stem a name begins with —
// layout's divisions (regions.txt) and the 兵团, which the notices count as
// one — the longer first so that 新疆生产建设兵团 wins over 新疆.
var provinces = provinceStems(append(layout.Provinces(), "新疆生产建设兵团"))

func provinceStems(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = stem(n)
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

var provinceSuffix = regexp.MustCompile(`^(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)`)

// adminUnit is one prefecture- or county-level name at the start of a
// cluster name: a short run of Han characters ending in its unit suffix.
// The trailing optional suffix keeps 随州市 whole where the lazy run would
// stop at the 州 of 随州.
var adminUnit = regexp.MustCompile(`^\p{Han}{1,8}?(?:自治州|自治县|地区|市|州|盟|县|区|旗)(?:市|县|区)?`)

var clusterSuffix = regexp.MustCompile(`(?:特色产业集群|产业集群|集群|产业)$`)

// parseName splits a cluster name of the form the form asks for —
// XX(省、市)XX(县、区)XX产业集群 — into its region and its industry.
func parseName(n string) (Region, string) {
	var r Region
	rest := n
	for _, p := range provinces {
		if strings.HasPrefix(rest, p) {
			r.Province = p
			rest = rest[len(p):]
			rest = rest[len(provinceSuffix.FindString(rest)):]
			break
		}
	}
	var units []string
	for len(units) < 2 {
		u := adminUnit.FindString(rest)
		if u == "" || len([]rune(u)) < 2 {
			break
		}
		units = append(units, u)
		rest = rest[len(u):]
	}
	switch len(units) {
	case 2:
		r.City, r.County = units[0], units[1]
	case 1:
		// The form asks for XX(省、市)XX(县、区): a lone 市 is the
		// prefecture, except under a municipality, whose units are counties.
		if strings.HasSuffix(units[0], "县") || strings.HasSuffix(units[0], "区") || strings.HasSuffix(units[0], "旗") ||
			municipality(r.Province) {
			r.County = units[0]
		} else {
			r.City = units[0]
		}
	}
	return r, clusterSuffix.ReplaceAllString(rest, "")
}

// municipality reports whether p is a provincial unit that is a city
// (北京市, 重庆市…, as regions.txt names them), whose divisions are counties.
func municipality(p string) bool { return slices.Contains(municipalities, stem(p)) }

var municipalities = func() []string {
	var out []string
	for _, n := range layout.Provinces() {
		if strings.HasSuffix(n, "市") {
			out = append(out, stem(n))
		}
	}
	return out
}()

var stemSuffix = regexp.MustCompile(`(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗)$`)

// stem drops a region name's unit suffix (湖北省 → 湖北, 柏塘区 → 柏塘),
// keeping names that would be left with one character (沙市).
func stem(s string) string {
	s = normalize(s)
	t := stemSuffix.ReplaceAllString(s, "")
	if len([]rune(t)) < 2 {
		return s
	}
	return t
}

func sameStem(a, b string) bool { return stem(a) == stem(b) }

// regionCompatible reports whether two regions can be the same place: every
// part both name agrees, and they share a county, or a city where one of
// them names no county.
func regionCompatible(a, b Region) bool {
	for _, p := range [][2]string{{a.Province, b.Province}, {a.City, b.City}, {a.County, b.County}} {
		if p[0] != "" && p[1] != "" && !sameStem(p[0], p[1]) {
			return false
		}
	}
	if a.County != "" && b.County != "" {
		return true
	}
	return a.City != "" && b.City != ""
}

// clusterScore is how sure we are that two identities are the same cluster:
// 0 for different places, else how alike their industries are named.
func clusterScore(a, b identity) float64 {
	if !regionCompatible(a.region, b.region) || a.core == "" || b.core == "" {
		return 0
	}
	return dice(a.core, b.core)
}

// dice is the Dice coefficient of two strings' character bigrams: it stays
// high when a word is added or dropped (精密轴承 / 高端精密轴承: 0.75).
func dice(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if !utf8.ValidString(a) || !utf8.ValidString(b) {
		return diceMaps(a, b)
	}
	// Sorted packed bigrams instead of maps of strings: the summary check
	// scores every row against every application of its edition, and the
	// maps were most of its time. The same sets, so the same score.
	ga, gb := packedBigrams(a), packedBigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	return 2 * float64(intersection(ga, gb)) / float64(len(ga)+len(gb))
}

// packedBigrams is bigrams of valid UTF-8 as a sorted set of two runes
// packed in one number; a one-rune string is its rune with a second half
// no rune has.
func packedBigrams(s string) []uint64 {
	rs := []rune(s)
	if len(rs) == 1 {
		return []uint64{uint64(rs[0])<<32 | 0xFFFFFFFF}
	}
	var out []uint64
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, uint64(rs[i])<<32|uint64(rs[i+1]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// diceMaps is dice on string bigrams, for text that is not valid UTF-8
// (where a lone invalid byte is its own one-character "bigram").
func diceMaps(a, b string) float64 {
	ga, gb := bigrams(a), bigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	common := 0
	for g := range ga {
		if gb[g] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(ga)+len(gb))
}

func bigrams(s string) map[string]bool {
	rs := []rune(s)
	m := map[string]bool{}
	if len(rs) == 1 {
		m[s] = true
	}
	for i := 0; i+1 < len(rs); i++ {
		m[string(rs[i:i+2])] = true
	}
	return m
}

// unit is the quota unit a region belongs to: a 计划单列市 and 兵团 count
// apart from their province.
func (rules *Rules) unit(r Region) string {
	for _, c := range rules.Corps {
		if r.Province != "" && sameStem(r.Province, c) {
			return stem(c)
		}
	}
	for _, c := range rules.PlanCities {
		if r.City != "" && sameStem(r.City, c) {
			return stem(c)
		}
	}
	if r.Province == "" {
		return ""
	}
	return stem(r.Province)
}

// clusters is the result of matching applications to each other.
type clusters struct {
	pairs []pair // matched pairs, i < j
	root  []int  // union-find: the representative of each document's cluster
}

type pair struct {
	i, j  int
	score float64
}

func (c *clusters) find(i int) int {
	for c.root[i] != i {
		c.root[i] = c.root[c.root[i]]
		i = c.root[i]
	}
	return i
}

func (c *clusters) same(i, j int) bool { return c.find(i) == c.find(j) }

// matchClusters finds the pairs of applications that are the same cluster.
// Documents are grouped by place first, so that only applications from the
// same county or city are scored.
func matchClusters(apps []*doc, threshold float64) *clusters {
	c := &clusters{root: make([]int, len(apps))}
	for i := range c.root {
		c.root[i] = i
	}
	blocks := map[string][]int{}
	for i, d := range apps {
		k := stem(d.id.region.County)
		if k == "" {
			k = "city:" + stem(d.id.region.City)
		}
		blocks[k] = append(blocks[k], i)
	}
	// A document naming no county may be the same cluster as one that names
	// it in the same city, so those are scored against the whole city.
	byCity := map[string][]int{}
	for i, d := range apps {
		byCity[stem(d.id.region.City)] = append(byCity[stem(d.id.region.City)], i)
	}
	seen := map[[2]int]bool{}
	score := func(i, j int) {
		if i > j {
			i, j = j, i
		}
		if i == j || seen[[2]int{i, j}] {
			return
		}
		seen[[2]int{i, j}] = true
		if s := clusterScore(apps[i].id, apps[j].id); s >= threshold {
			c.pairs = append(c.pairs, pair{i, j, s})
			c.root[c.find(i)] = c.find(j)
		}
	}
	for _, b := range blocks {
		for x := range b {
			for y := x + 1; y < len(b); y++ {
				score(b[x], b[y])
			}
		}
	}
	for i, d := range apps {
		if d.id.region.County == "" && d.id.region.City != "" {
			for _, j := range byCity[stem(d.id.region.City)] {
				score(i, j)
			}
		}
	}
	slices.SortFunc(c.pairs, func(a, b pair) int {
		if a.i != b.i {
			return a.i - b.i
		}
		return a.j - b.j
	})
	return c
}

// number reads a field's numeric value: the extractor's number where it
// gave one, else the value as written without thousands separators.
func number(f *shenbao.Field) (float64, bool) {
	if f.Number != nil {
		return *f.Number, true
	}
	v := strings.ReplaceAll(normalize(f.Value), ",", "")
	x, err := strconv.ParseFloat(v, 64)
	return x, err == nil
}

// displayName is how a message names a document: its file name, and the
// archive (the batch) it came in — never the path it has on the machine
// that ran the check (/tmp/…/x.zip!/history/a.pdf is a.pdf（x.zip）).
func displayName(file string) string {
	file = strings.ReplaceAll(file, "\\", "/")
	archive, member, ok := strings.Cut(file, "!/")
	if !ok {
		return path.Base(file)
	}
	return path.Base(member) + "（" + path.Base(archive) + "）"
}

// displayNames is displayName of each file.
func displayNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = displayName(f)
	}
	return out
}
