package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// Metrics are the Prometheus metrics of serve and worker processes. It is
// also the queue's Observer, so that job durations, OCR pages and failures
// are counted where the jobs run.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	uploads  prometheus.Counter
	jobs     *prometheus.HistogramVec
	failures *prometheus.CounterVec
	ocrPages prometheus.Counter
	faults   *prometheus.CounterVec
	// extracted is told of each extraction finished (onExtracted).
	extracted atomic.Pointer[func(*shenbao.Report)]
}

// NewMetrics registers the metrics in a new registry (with the Go and
// process collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shenbao_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shenbao_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		uploads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "shenbao_uploads_total", Help: "Files accepted by POST /applications.",
		}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shenbao_job_duration_seconds", Help: "Job attempt durations by stage and outcome.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"stage", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shenbao_job_failures_total", Help: "Failed job attempts by stage and error code.",
		}, []string{"stage", "code"}),
		ocrPages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "shenbao_ocr_pages_total", Help: "Pages read by OCR.",
		}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shenbao_faults_total", Help: "Server faults an operator must look at, in requests and jobs: no_space (a full disk), killed (a child process killed from outside, e.g. by the OOM killer).",
		}, []string{"code"}),
	}
	for _, c := range faultCodes {
		m.faults.WithLabelValues(c) // present at 0, so that alerts see a rise
	}
	m.reg.MustRegister(m.requests, m.latency, m.uploads, m.jobs, m.failures, m.ocrPages, m.faults,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// ScanWorkers exports started, the count of scan worker processes started
// (extract.Extractor.ScanWorkersStarted): a warm worker reads document
// after document, so scan jobs ÷ workers started is their reuse, and a
// count rising with the jobs says workers are being replaced (crashes,
// failed documents, idling out). Call it once per Metrics.
func (m *Metrics) ScanWorkers(started func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "shenbao_scan_workers_started_total", Help: "Scan worker processes started; each keeps its OCR engines warm for the documents after its first.",
	}, func() float64 { return float64(started()) }))
}

// faultCodes are the error codes counted in shenbao_faults_total.
var faultCodes = []string{shenbao.ENOSPACE, shenbao.EKILLED}

// fault counts err if it is one of faultCodes.
func (m *Metrics) fault(err error) {
	if code := shenbao.ErrorCode(err); slices.Contains(faultCodes, code) {
		m.faults.WithLabelValues(code).Inc()
	}
}

// Registry is where the metrics live (for a worker's own /metrics).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// JobDone implements queue.Observer.
func (m *Metrics) JobDone(stage string, took time.Duration, rep *shenbao.Report, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
		m.failures.WithLabelValues(stage, shenbao.ErrorCode(err)).Inc()
		m.fault(err)
	}
	m.jobs.WithLabelValues(stage, outcome).Observe(took.Seconds())
	if err == nil && rep != nil && rep.Format == shenbao.FormatPDFScan && stage == "extract" {
		m.ocrPages.Add(float64(rep.Pages))
	}
	if f := m.extracted.Load(); f != nil && err == nil && rep != nil && stage == "extract" {
		(*f)(rep)
	}
}

// onExtracted has f told of every report an extract job of this process
// made (the server renders its first page ahead).
func (m *Metrics) onExtracted(f func(*shenbao.Report)) { m.extracted.Store(&f) }

func (m *Metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // keeps unknown paths from growing the label set
	}
	method := methodLabel(c.Request.Method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
}

// methodLabel is the method as a label value: a client may send any token
// as a method, and each new one would start new series, so every method
// HTTP does not define counts as "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// handler serves /metrics, with the queue depth read from the store at
// scrape time so that every serve process reports the shared figure. It
// registers that gauge: call it once per Metrics.
func (m *Metrics) handler(st store.Store) http.Handler {
	depth := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "shenbao_applications", Help: "Applications by status; queued + processing + checking is the extract queue depth.",
	}, []string{"status"})
	m.reg.MustRegister(collectorFunc{depth, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		counts, err := st.CountByStatus(ctx)
		if err != nil {
			return
		}
		for _, s := range store.Statuses() {
			depth.WithLabelValues(s).Set(float64(counts[s]))
		}
	}})
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// guardMetrics answers /metrics on the API's own address only to a scraper
// sending the configured token, compared in constant time: the figures
// (request counts, queue depth, application counts) are not for visitors.
func guardMetrics(token string, h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="shenbao metrics"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, ErrorBody{Error: detail(errMetricsToken)})
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

var errMetricsToken = shenbao.Errorf(shenbao.EUNAUTHORIZED, "/metrics 需要监控令牌（Authorization: Bearer …）。/ /metrics needs the metrics token (Authorization: Bearer …).")

// collectorFunc refreshes a gauge vector before each scrape.
type collectorFunc struct {
	*prometheus.GaugeVec
	refresh func()
}

func (c collectorFunc) Collect(ch chan<- prometheus.Metric) {
	c.refresh()
	c.GaugeVec.Collect(ch)
}

var _ http.Handler = (*Server)(nil)
