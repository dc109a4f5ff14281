package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// BenchmarkRecheck is the service's re-check after a rule change: 10,000
// processed applications (SHENBAO_BENCH_APPS sets another number) in a
// real store, re-checked by POST /recheck through the HTTP API with two
// workers, timed until GET /recheck/{id} says every one is done. The
// applications are one Word application's report, extracted once, with
// every figure scaled and the cluster renamed per copy (their reading is
// BenchmarkLoad's and BenchmarkBulk10000's business; this measures the
// re-check). It reports the wall-clock rate and the process's CPU time per
// application, which says what two idle cores would do.
func BenchmarkRecheck(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { recheckBench(b, store.Config{DataDir: b.TempDir()}) })
	b.Run("postgres", func(b *testing.B) { recheckBench(b, store.Config{DatabaseURL: pgtest.Database(b)}) })
}

func recheckBench(b *testing.B, cfg store.Config) {
	n := 10000
	if s := os.Getenv("SHENBAO_BENCH_APPS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	p := realPipeline(b)
	e := newEnv(b, cfg, p)
	base, err := p.Extract(ctx, "申报表.docx", sample(b))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var saves []store.SaveReport
	for i := range n {
		sha := fmt.Sprintf("%064x", i+1)
		a, _, err := e.st.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: fmt.Sprintf("申报表-%05d.docx", i),
			MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Batch: "recheck"}, store.Actor{})
		if err != nil {
			b.Fatal(err)
		}
		saves = append(saves, store.SaveReport{AppID: a.ID, BaseVersion: -1, Kind: store.KindExtract, Report: vary(base, i, sha)})
		if len(saves) == 500 || i == n-1 {
			if _, err := e.st.SaveReports(ctx, nil, saves); err != nil {
				b.Fatal(err)
			}
			saves = saves[:0]
		}
	}
	b.Logf("%d applications stored in %v", n, time.Since(start).Round(time.Millisecond))

	for b.Loop() {
		// SHENBAO_RECHECK_PROFILE=FILE writes a CPU profile of the re-check.
		if p := os.Getenv("SHENBAO_RECHECK_PROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(f)
		}
		start, cpu0 := time.Now(), cpuTime()
		var run api.RecheckRun
		e.json("POST", api.Prefix+"/recheck?batch=recheck", "admin", nil, http.StatusAccepted, &run)
		if run.Total != n {
			b.Fatalf("recheck of %d applications, want %d", run.Total, n)
		}
		deadline := time.Now().Add(30 * time.Minute)
		for run.Done+run.Failed < run.Total {
			if time.Now().After(deadline) {
				b.Fatalf("recheck unfinished after 30 minutes: %+v", run)
			}
			// As often as a page showing the progress would ask: polling
			// every 20 ms was 7 % of the CPU measured here.
			time.Sleep(250 * time.Millisecond)
			e.json("GET", run.StatusURL, "admin", nil, http.StatusOK, &run)
		}
		took, cpu := time.Since(start), cpuTime()-cpu0
		pprof.StopCPUProfile()
		if run.Failed > 0 {
			b.Fatalf("%d of %d re-checks failed", run.Failed, run.Total)
		}
		cpuPer := cpu.Seconds() / float64(n)
		b.ReportMetric(float64(n)/took.Seconds(), "recheck-apps/s")
		b.ReportMetric(1000*cpuPer, "recheck-cpu-ms/app")
		b.Logf("POST /recheck of %d applications: %v (%.0f/s; target ≥ 1000/s), CPU %.2f ms per application (%.0f/s on 2 idle cores)",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), 1000*cpuPer, 2/cpuPer)
	}
}

// vary is a copy of rep as another application: every figure scaled by
// 0.8–1.2 (so the checks' outcomes vary too) and the cluster's name
// numbered.
func vary(rep *shenbao.Report, i int, sha string) *shenbao.Report {
	r := *rep
	r.SHA256 = sha
	r.File = fmt.Sprintf("申报表-%05d.docx", i)
	r.Fields = append([]shenbao.Field(nil), rep.Fields...)
	scale := 0.8 + 0.4*float64((i*7919)%1000)/1000
	for k := range r.Fields {
		f := &r.Fields[k]
		switch {
		case f.Number != nil:
			v := *f.Number * scale
			f.Number = &v
			f.Value = strconv.FormatFloat(v, 'f', 2, 64)
		case f.Key == "name" || f.Key == "cover_name":
			f.Value = fmt.Sprintf("%s%05d", f.Value, i)
		}
	}
	return &r
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
