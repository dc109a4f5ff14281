package crosscheck

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
)

// syntheticReports makes n applications from the truth copies in testdata:
// each a new cluster (invented county, the base's industry) with its
// figures varied and its answers written afresh in the bases' style; every
// tenth is
// an earlier edition's application of the previous cluster, so that history
// is compared too; and one summary table per 50 applications.
func syntheticReports(t testing.TB, n int) []*shenbao.Report {
	files, _ := filepath.Glob(filepath.Join("testdata", "*_0*.truth.json"))
	var bases []*shenbao.Report
	chain := map[[2]rune][]rune{}
	for _, f := range files {
		r := truthReport(t, readTruth(t, f))
		bases = append(bases, r)
		for _, x := range r.Texts {
			rs := []rune(x.Text)
			for i := 2; i < len(rs); i++ {
				chain[[2]rune{rs[i-2], rs[i-1]}] = append(chain[[2]rune{rs[i-2], rs[i-1]}], rs[i])
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// babble writes n characters of the bases' style: an order-2 Markov
	// chain over their characters, so that answers share phrases the way
	// real ones do without being copies of each other.
	babble := func(seed string, n int) string {
		out := []rune(seed)[:2]
		for len(out) < n {
			next := chain[[2]rune{out[len(out)-2], out[len(out)-1]}]
			if len(next) == 0 {
				out = append(out, []rune(seed)[:2]...)
				continue
			}
			out = append(out, next[rng.IntN(len(next))])
		}
		return string(out)
	}
	han := []rune("青丰龙金柏河泰文松北梅凤清德鹤宁安平江川湖山阳源溪台浦城田州水")
	provinces := []string{"河北", "江西", "福建", "安徽", "湖南", "江苏", "湖北", "山东", "河南", "四川"}
	var out, apps []*shenbao.Report
	for i := range n {
		base := bases[i%len(bases)]
		r := &shenbao.Report{File: fmt.Sprintf("syn%04d.docx", i), Edition: base.Edition}
		county := string([]rune{han[rng.IntN(len(han))], han[rng.IntN(len(han))]}) + "县"
		city := string([]rune{han[rng.IntN(len(han))], han[rng.IntN(len(han))]}) + "市"
		prov := provinces[rng.IntN(len(provinces))]
		if i%10 == 9 && len(apps) > 0 {
			prev := apps[len(apps)-1]
			prov, city, county = prev.Fields[0].Value, prev.Fields[1].Value, prev.Fields[2].Value
		}
		tpl, ok := testTemplates(t).Get(base.Edition.ID)
		if !ok {
			t.Fatalf("no template %s", base.Edition.ID)
		}
		d := newDoc(base, tpl, &Rules{})
		name, org := prov+"省"+city+county+d.id.core+"产业集群", county+d.id.core+"产业园区管理委员会"
		if i%10 == 9 && len(apps) > 0 {
			name, org = apps[len(apps)-1].Fields[3].Value, apps[len(apps)-1].Fields[4].Value
		}
		r.Fields = append(r.Fields,
			shenbao.Field{Key: "region_prov", Column: "省(区、市)", Value: prov},
			shenbao.Field{Key: "region_city", Column: "市(区)", Value: city},
			shenbao.Field{Key: "region_county", Column: "县(市、区)", Value: county},
			shenbao.Field{Key: "name", Value: name},
			shenbao.Field{Key: "org", Value: org})
		for _, f := range base.Fields {
			switch f.Key {
			case "name", "cover_name", "org", "cover_org", "region_prov", "region_city", "region_county":
				continue
			}
			if f.Number != nil {
				x := *f.Number * (0.8 + 0.4*rng.Float64())
				f.Number = &x
				f.Value = strconv.FormatFloat(x, 'f', 2, 64)
			}
			r.Fields = append(r.Fields, f)
		}
		for k, x := range base.Texts {
			x.Text = babble(x.Text, len([]rune(x.Text)))
			// Every hundredth application copies one answer of the one
			// before: the findings the benchmark should produce.
			if i%100 == 98 && k == 0 {
				x.Text = apps[len(apps)-1].Texts[0].Text
			}
			r.Texts = append(r.Texts, x)
		}
		out = append(out, r)
		apps = append(apps, r)
	}
	for s := 0; s+50 <= len(apps); s += 50 {
		sum := &shenbao.Report{File: fmt.Sprintf("summary%02d.docx", s/50), Edition: shenbao.EditionMatch{ID: "nat2024-summary"}}
		for k, a := range apps[s : s+5] {
			no := strconv.Itoa(k + 1)
			for _, kv := range [][2]string{{"sum_name", a.Fields[3].Value}, {"sum_org", a.Fields[4].Value},
				{"sum_region", a.Fields[0].Value + "省" + a.Fields[1].Value + a.Fields[2].Value},
				{"sum_intro", "2023年集群总产值100.00亿元，拥有中小企业800家。"}} {
				sum.Fields = append(sum.Fields, shenbao.Field{Key: kv[0], Column: no, Value: kv[1], ID: kv[0] + "." + no})
			}
		}
		out = append(out, sum)
	}
	return out
}

// BenchmarkRun1000 runs the checks over 1,000 synthetic applications and
// 20 summary tables: all of them (the segmenter loaded beforehand, once per
// process in real use), and all but the copied-text check, which is nearly
// all segmenting.
func BenchmarkRun1000(b *testing.B) {
	reports := syntheticReports(b, 1000)
	ck := testChecker(b)
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"all", Options{Segmenter: testSegmenter(b)}},
		// After the first loop the cache holds every answer: a re-check.
		{"all-shingles-cached", Options{Segmenter: testSegmenter(b), Shingles: &MemoryCache{}}},
		{"without-copied-text", Options{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var results []Result
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				results = ck.Run(reports, bc.opts)
			}
			per := time.Since(start) / time.Duration(b.N)
			// CPU time too: on a shared machine wall time says more about
			// the neighbours than about this code.
			cpuPer := (cpuTime() - cpu0) / time.Duration(b.N)
			b.ReportMetric(float64(cpuPer.Milliseconds()), "cpu-ms/run")
			counts := map[string]int{}
			for _, r := range results {
				counts[r.Finding.Kind]++
			}
			b.ReportMetric(float64(per.Milliseconds()), "ms/run")
			b.Logf("%d reports: %v per run (%.0f reports/s), %v CPU per run; findings %v",
				len(reports), per.Round(time.Millisecond), float64(len(reports))/per.Seconds(), cpuPer.Round(time.Millisecond), counts)
		})
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
