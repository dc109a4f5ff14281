package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// variant is one Word application made from a corpus one: another county
// (so each is another cluster), every figure scaled by 0.8–1.2 with its
// decimals kept, and a quarter of the characters of each long answer
// replaced, so no two variants share their values or their answers and
// neither the cache nor the copied-text check can fold them together. The
// form's print (instructions, numbered notes, questions) is left alone.
type variant struct {
	parts  []*zip.File
	xml    string
	county string
	// keepAnswers leaves the long answers as they are: a copy of another
	// cluster's (TestRecheckGolden's copied-text cases).
	keepAnswers bool
}

var (
	wtRun   = regexp.MustCompile(`(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)`)
	figure  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	printed = regexp.MustCompile(`^\s*[0-9]+[.、．]|是否|填报|说明|注：`)
	hanPool = []rune("青丰龙金柏河泰文松北梅凤清德鹤宁安平江川湖山阳源溪台浦城田州水新兴华盛达")
)

func loadVariants(b testing.TB) []variant {
	paths, _ := filepath.Glob("../testdata/corpus/*_docx.docx")
	var out []variant
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		var truth struct {
			Cluster struct{ County string } `json:"cluster"`
		}
		tj, err := os.ReadFile(strings.TrimSuffix(p, ".docx") + ".truth.json")
		if err != nil || json.Unmarshal(tj, &truth) != nil || truth.Cluster.County == "" {
			b.Fatalf("%s: no truth with the cluster's county", p)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		v := variant{county: truth.Cluster.County}
		for _, f := range zr.File {
			if f.Name == "word/document.xml" {
				rc, _ := f.Open()
				x, _ := io.ReadAll(rc)
				rc.Close()
				v.xml = string(x)
			}
			v.parts = append(v.parts, f)
		}
		out = append(out, v)
	}
	return out
}

// make writes variant n.
func (v variant) make(b testing.TB, n int) []byte {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	hr := []rune(v.county)
	county := string([]rune{hanPool[rng.IntN(len(hanPool))], hanPool[rng.IntN(len(hanPool))]}) + string(hr[len(hr)-1])
	x := strings.ReplaceAll(v.xml, v.county, county)
	x = wtRun.ReplaceAllStringFunc(x, func(m string) string {
		s := wtRun.FindStringSubmatch(m)
		t := s[2]
		switch {
		case figure.MatchString(t) && len(t) < 11:
			f, _ := strconv.ParseFloat(t, 64)
			dec := 0
			if i := strings.IndexByte(t, '.'); i >= 0 {
				dec = len(t) - i - 1
			}
			t = strconv.FormatFloat(f*(0.8+0.4*rng.Float64()), 'f', dec, 64)
		case len([]rune(t)) > 40 && !printed.MatchString(t) && !v.keepAnswers:
			rs := []rune(t)
			for i, r := range rs {
				if r >= 0x4e00 && r <= 0x9fff && rng.IntN(4) == 0 {
					rs[i] = hanPool[rng.IntN(len(hanPool))]
				}
			}
			t = string(rs)
		}
		return s[1] + t + s[3]
	})
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range v.parts {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			b.Fatal(err)
		}
		if f.Name == "word/document.xml" {
			io.WriteString(w, x)
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	return out.Bytes()
}

// BenchmarkBulk10000 checks 10,000 distinct Word applications (variants of
// the corpus's, see variant; SHENBAO_BENCH_APPS sets another number) cold —
// extract, check, the checks across applications, caches written — then
// re-checks them from the caches as after a rule change, and reports both
// rates. SHENBAO_RECHECK_PROFILE=FILE writes a CPU profile of the re-check.
// SHENBAO_BENCH_CACHE=DIR keeps the caches in DIR under a fixed key, so that
// profiling the re-check again skips the (half-hour) extraction: the "cold"
// figure of a second run with the same DIR is then not cold, and entries
// written by an older build are re-checked as they are.
func BenchmarkBulk10000(b *testing.B) {
	n := 10000
	if s := os.Getenv("SHENBAO_BENCH_APPS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	vs := loadVariants(b)
	if len(vs) == 0 {
		b.Skip("no corpus")
	}
	items := make([]Item, n)
	for i := range items {
		data := vs[i%len(vs)].make(b, i)
		items[i] = Item{Path: fmt.Sprintf("app%05d.docx", i), Size: int64(len(data)), open: func() ([]byte, error) { return data, nil }}
	}
	for i := 0; i < b.N; i++ {
		r := crossRunner(b)
		if dir := os.Getenv("SHENBAO_BENCH_CACHE"); dir != "" {
			r.Cache = &Cache{Dir: dir, Key: "bench"}
			r.CrossOptions.Shingles = Shingles{Dir: filepath.Join(dir, "shingles")}
		}
		start := time.Now()
		o := r.Run(context.Background(), items)
		cold := time.Since(start)
		if p := os.Getenv("SHENBAO_RECHECK_PROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(f)
		}
		// Re-checked rounds times (SHENBAO_RECHECK_ROUNDS, default 1) for a
		// profile with enough samples.
		rounds := 1
		if s := os.Getenv("SHENBAO_RECHECK_ROUNDS"); s != "" {
			var err error
			if rounds, err = strconv.Atoi(s); err != nil {
				b.Fatal(err)
			}
		}
		var o2 *Outcome
		start, cpu0 := time.Now(), cpuTime()
		for range rounds {
			o2 = r.Run(context.Background(), items)
		}
		warm := time.Since(start) / time.Duration(rounds)
		warmCPU := (cpuTime() - cpu0) / time.Duration(rounds)
		pprof.StopCPUProfile()
		kinds := map[string]int{}
		for _, res := range append(o.Results, o2.Results...) {
			if res.Report == nil {
				b.Fatalf("%s failed: %+v", res.Path, res.Failure)
			}
		}
		for _, res := range o2.Results {
			for _, f := range res.Report.Findings {
				kinds[f.Kind]++
			}
		}
		// CPU time too: on a shared machine wall time says more about the
		// neighbours than about this code; CPU time per application says
		// what two idle cores would do (2 s of CPU a second).
		cpuPer := warmCPU.Seconds() / float64(n)
		b.Logf("%d applications: cold %v (%.1f/s), re-check %v (%.0f/s; target ≥ 1000/s), re-check CPU %.2f ms per application (%.0f/s on 2 idle cores); re-check findings %v",
			n, cold.Round(time.Millisecond), float64(n)/cold.Seconds(), warm.Round(time.Millisecond), float64(n)/warm.Seconds(),
			1000*cpuPer, 2/cpuPer, kinds)
		b.ReportMetric(float64(n)/cold.Seconds(), "cold-apps/s")
		b.ReportMetric(float64(n)/warm.Seconds(), "recheck-apps/s")
		b.ReportMetric(1000*cpuPer, "recheck-cpu-ms/app")
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
