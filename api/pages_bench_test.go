package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/extract/render"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// BenchmarkReviewerPages is the reviewer's wait for page images through the
// HTTP API (issue 23: the first page under 150 ms, each next one under 50
// ms): each op uploads a digital PDF application under new bytes, waits
// until the workers have processed it, and then, as a reviewer opening it,
// asks for page 1 — at once (first-now-ms, every other op: the reviewer
// was waiting for it) or 800 ms after (first-ms: opened from the list) —
// then for each next page after looking at the one before for 800 ms
// (next-ms). It reports medians and maxima.
//
//	go test ./api -run '^$' -bench ReviewerPages -benchtime 6x
func BenchmarkReviewerPages(b *testing.B) {
	pdf, err := os.ReadFile("../testdata/corpus/cq2024_03_pdf.pdf")
	if err != nil {
		b.Skip("no corpus")
	}
	if _, err := (render.Options{}).PagePNG(context.Background(), api.MIMEPDF, pdf, 1, 36); shenbao.ErrorCode(err) == shenbao.ENOTINSTALLED {
		b.Skipf("no page renderer in this build: %v", err)
	}
	e := newEnv(b, store.Config{DataDir: b.TempDir()}, realPipeline(b), func(c *api.Config, _ *queue.Config) { c.Renderer = render.Options{} })
	const pages, read = 5, 800 * time.Millisecond
	fetch := func(id int64, page int) time.Duration {
		start := time.Now()
		status, body := e.do("GET", fmt.Sprintf("%s/applications/%d/pages/%d.png?dpi=110", api.Prefix, id, page), "reviewer", nil, "")
		if status != http.StatusOK || len(body) == 0 {
			b.Fatalf("page %d: %d %s", page, status, body)
		}
		return time.Since(start)
	}
	var first, firstNow, next []time.Duration
	n := 0
	for b.Loop() {
		n++
		data := append(append([]byte(nil), pdf...), fmt.Sprintf("\n%%copy %d\n", n)...)
		id := e.mustUpload("clerk", []file{{"申报表.pdf", data}}, nil)[0].ID
		if d := e.wait(id, 5*time.Minute); d.Application.Status != store.StatusDone {
			b.Fatalf("application %d: %s %s", id, d.Application.Status, d.Application.ErrorMessage)
		}
		if n%2 == 0 {
			firstNow = append(firstNow, fetch(id, 1))
		} else {
			time.Sleep(read)
			first = append(first, fetch(id, 1))
		}
		for p := 2; p <= pages; p++ {
			time.Sleep(read)
			next = append(next, fetch(id, p))
		}
	}
	for _, m := range []struct {
		name string
		ds   []time.Duration
	}{{"first-ms", first}, {"first-now-ms", firstNow}, {"next-ms", next}} {
		if len(m.ds) == 0 {
			continue
		}
		slices.Sort(m.ds)
		b.ReportMetric(float64(m.ds[len(m.ds)/2].Microseconds())/1000, "median-"+m.name)
		b.ReportMetric(float64(m.ds[len(m.ds)-1].Microseconds())/1000, "max-"+m.name)
		target := "< 150ms"
		if m.name == "next-ms" {
			target = "< 50ms"
		}
		b.Logf("%s: median %v, max %v over %d (target %s)", m.name, m.ds[len(m.ds)/2].Round(time.Millisecond), m.ds[len(m.ds)-1].Round(time.Millisecond), len(m.ds), target)
	}
}
