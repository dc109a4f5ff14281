package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

// BenchmarkLoad is the loopback load test: 50 concurrent clients upload
// 500 distinct digital applications (docx variants) through HTTP, then it
// waits until every one is processed by the real pipeline. It fails on any
// error and is bounded by a deadline. Run it with
//
//	go test ./api -run '^$' -bench Load -benchtime 1x
//
// It reports the p95 upload latency and the end-to-end throughput.
func BenchmarkLoad(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { load(b, store.Config{DataDir: b.TempDir()}) })
	b.Run("postgres", func(b *testing.B) { load(b, store.Config{DatabaseURL: pgtest.Database(b)}) })
}

func load(b *testing.B, cfg store.Config) {
	const clients, files = 50, 500
	e := newEnv(b, cfg, realPipeline(b), func(_ *api.Config, q *queue.Config) { q.Workers = 2 })
	doc := sample(b)
	docs := make([][]byte, files)
	for i := range docs {
		docs[i] = variant(b, doc, i)
	}
	// Each client makes its own connections, like 50 separate browsers.
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	for b.Loop() {
		var mu sync.Mutex
		var latencies []time.Duration
		var ids []int64
		var errs []error
		next := make(chan int)
		go func() {
			defer close(next)
			for i := range files {
				select {
				case next <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		start := time.Now()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for i := range next {
					body, ct := multipartBody([]file{{fmt.Sprintf("申报表-%03d.docx", i), docs[i]}}, map[string]string{"batch": "load"})
					req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+api.Prefix+"/applications", body)
					req.Header.Set("Content-Type", ct)
					req.Header.Set("Authorization", "Bearer "+e.tokens["clerk"])
					t0 := time.Now()
					resp, err := client.Do(req)
					took := time.Since(t0)
					var out accepted
					if err == nil {
						if resp.StatusCode != http.StatusAccepted {
							err = fmt.Errorf("upload %d: status %d", i, resp.StatusCode)
						} else {
							err = json.NewDecoder(resp.Body).Decode(&out)
						}
						resp.Body.Close()
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else {
						latencies = append(latencies, took)
						ids = append(ids, out.Applications[0].ID)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		uploaded := time.Since(start)
		if len(errs) > 0 {
			b.Fatalf("%d upload errors, first: %v", len(errs), errs[0])
		}
		for {
			var l api.List
			e.json("GET", api.Prefix+"/applications?batch=load&status=done&limit=1", "admin", nil, http.StatusOK, &l)
			if l.Total == files {
				break
			}
			var f api.List
			e.json("GET", api.Prefix+"/applications?status=failed&limit=1", "admin", nil, http.StatusOK, &f)
			if f.Total > 0 {
				b.Fatalf("%d applications failed: %+v", f.Total, f.Applications[0])
			}
			if ctx.Err() != nil {
				b.Fatalf("only %d of %d processed before the deadline", l.Total, files)
			}
			time.Sleep(100 * time.Millisecond)
		}
		total := time.Since(start)
		slices.Sort(latencies)
		p50, p95, p99 := latencies[len(latencies)/2], latencies[len(latencies)*95/100], latencies[len(latencies)*99/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-upload-ms")
		b.ReportMetric(float64(p95.Microseconds())/1000, "p95-upload-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-upload-ms")
		b.ReportMetric(float64(len(errs)), "errors")
		b.ReportMetric(float64(files)/total.Seconds(), "apps/s")
		b.Logf("%d clients, %d uploads: %d errors; upload p50 %v p95 %v p99 %v (all uploaded in %v); all processed in %v: %.1f applications/s end to end",
			clients, files, len(errs), p50.Round(time.Millisecond), p95.Round(time.Millisecond), p99.Round(time.Millisecond),
			uploaded.Round(time.Millisecond), total.Round(time.Millisecond), float64(files)/total.Seconds())
		if len(ids) != files {
			b.Fatalf("%d ids for %d uploads", len(ids), files)
		}
	}
}
