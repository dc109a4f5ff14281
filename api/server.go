// Package api is the HTTP API of `shenbao serve` (Gin), under /api/v1,
// documented by the OpenAPI file it serves at /api/v1/openapi.json.
//
// Errors are *shenbao.Error values turned into statuses in one place
// (errors.go); their bilingual message is the response, their cause stays
// in the log.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/throttle"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

//go:embed openapi.json
var openAPI []byte

// Queue is what the API needs of the job queue; *queue.Queue is one.
type Queue interface {
	Extract(ctx context.Context, appID int64) error
	Recheck(ctx context.Context, recheckID int64, appIDs []int64) error
	Jobs(ctx context.Context, states []string, limit int) ([]queue.Job, error)
	Ping(ctx context.Context) error
}

// PageRenderer renders one page of an original as PNG (extract/render,
// wired by cmd/shenbao). Page numbers start at 1.
type PageRenderer interface {
	PagePNG(ctx context.Context, mime string, data []byte, page int, dpi float64) ([]byte, error)
}

// Config is everything Server needs. Store, Queue and Checker are
// required.
type Config struct {
	Store   store.Store
	Queue   Queue
	Checker queue.Processor // re-runs the checks after a correction
	// Renderer may be nil: page images then answer 501.
	Renderer PageRenderer
	// MaxRenders bounds the page images rendered at once (default 2);
	// PageCacheBytes bounds the rendered images kept (default 64 MB).
	MaxRenders     int
	PageCacheBytes int64
	Metrics        *Metrics // may be nil
	Logger         *slog.Logger

	// MetricsToken, when set, serves /metrics on the API's address to
	// requests bearing it (Authorization: Bearer …). Without it /metrics is
	// not served there: serve MetricsHandler on a separate, internal
	// address instead (shenbao serve --metrics-addr).
	MetricsToken string

	// Throttle counts failed password tries (HTTP Basic here, the sign-in
	// form in package review: give both the same one). Nil makes one with
	// the default limits.
	Throttle *throttle.SignIn

	// Timeouts bound how long a client may hold a connection; zero fields
	// take their defaults.
	Timeouts Timeouts

	MaxUploadBytes  int64  // one file; default 100 MB
	MaxRequestBytes int64  // one upload request; default 10 × MaxUploadBytes
	MaxFiles        int    // files in one upload request; default 100
	TempDir         string // where uploads are spooled; default os.TempDir()
}

// Timeouts bound the time a client may take, so that slow or idle clients
// cannot hold the server's connections (and goroutines) without end.
type Timeouts struct {
	// ReadHeader is the time to send a request's headers; default 10 s.
	ReadHeader time.Duration
	// Read is the time to send a whole request, body included; default
	// 1 minute. Uploads get Upload instead.
	Read time.Duration
	// Idle is how long a kept-alive connection waits for its next
	// request; default 2 minutes.
	Idle time.Duration
	// Upload is the time to send an upload's body: generous, since a clerk
	// on a slow line may send 100 files; default 30 minutes.
	Upload time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&t.ReadHeader, 10 * time.Second}, {&t.Read, time.Minute}, {&t.Idle, 2 * time.Minute}, {&t.Upload, 30 * time.Minute}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	return t
}

// HTTPServer is the server to run h (the API, or the whole site around it)
// with: the configured timeouts on every connection, and an upload's own
// deadline set by the upload handler.
func (s *Server) HTTPServer(h http.Handler) *http.Server {
	t := s.cfg.Timeouts
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
}

// Server serves the API.
type Server struct {
	cfg     Config
	st      store.Store
	log     *slog.Logger
	h       *gin.Engine
	metrics http.Handler // nil without Config.Metrics
	pages   *pageImages
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 100 << 20
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = 10 * cfg.MaxUploadBytes
	}
	if cfg.MaxFiles <= 0 {
		cfg.MaxFiles = 100
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Timeouts = cfg.Timeouts.withDefaults()
	if cfg.Throttle == nil {
		cfg.Throttle = throttle.New(throttle.Config{})
	}
	if cfg.MaxRenders <= 0 {
		cfg.MaxRenders = defaultMaxRenders
	}
	if cfg.PageCacheBytes <= 0 {
		cfg.PageCacheBytes = defaultPageCache
	}
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger, pages: newPageImages(cfg.MaxRenders, cfg.PageCacheBytes)}
	gin.SetMode(gin.ReleaseMode)
	h := gin.New()
	h.ContextWithFallback = true
	h.Use(s.recover, apiHeaders)
	if cfg.Metrics != nil {
		if cfg.Renderer != nil {
			cfg.Metrics.onExtracted(s.firstPageAhead)
		}
		h.Use(cfg.Metrics.middleware)
		s.metrics = cfg.Metrics.handler(cfg.Store)
		if cfg.MetricsToken != "" {
			h.GET("/metrics", guardMetrics(cfg.MetricsToken, s.metrics))
		}
	}
	h.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	h.GET("/readyz", s.ready)
	h.NoRoute(func(c *gin.Context) {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "没有这个地址。/ No such endpoint."))
	})
	h.HandleMethodNotAllowed = false

	v1 := h.Group(Prefix)
	v1.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) })
	authed := v1.Group("", s.authenticate)
	all := []string{store.RoleClerk, store.RoleReviewer, store.RoleAdmin}
	reviewers := []string{store.RoleReviewer, store.RoleAdmin}
	admin := []string{store.RoleAdmin}

	authed.GET("/me", s.require(all), s.me)
	authed.POST("/applications", s.require(all), s.upload)
	authed.GET("/applications", s.require(all), s.list)
	authed.GET("/applications/:id", s.require(all), s.readable, s.get)
	authed.DELETE("/applications/:id", s.require(admin), s.readable, s.delete)
	authed.GET("/applications/:id/versions", s.require(all), s.readable, s.versions)
	authed.GET("/applications/:id/audit", s.require(reviewers), s.readable, s.auditLog)
	authed.GET("/applications/:id/pages/:page", s.require(all), s.readable, s.page)
	authed.GET("/applications/:id/original", s.require(all), s.readable, s.original)
	authed.PATCH("/applications/:id/fields/:field", s.require(reviewers), s.readable, s.correct)
	authed.POST("/applications/:id/findings/:action", s.require(reviewers), s.readable, s.review)
	authed.POST("/applications/:id/reviewed", s.require(reviewers), s.readable, s.markReviewed)
	authed.DELETE("/applications/:id/reviewed", s.require(reviewers), s.readable, s.withdrawReviewed)
	authed.POST("/recheck", s.require(admin), s.recheck)
	authed.GET("/recheck/:id", s.require(admin), s.recheckStatus)
	authed.GET("/jobs", s.require(admin), s.jobs)
	authed.GET("/users", s.require(admin), s.users)
	authed.POST("/users", s.require(admin), s.addUser)
	authed.POST("/users/:name/disable", s.require(admin), s.setDisabled(true))
	authed.POST("/users/:name/enable", s.require(admin), s.setDisabled(false))
	authed.PUT("/users/:name/password", s.require(admin), s.setPassword)
	authed.DELETE("/users/:name/sessions", s.require(admin), s.endSessions)
	authed.GET("/tokens", s.require(admin), s.tokens)
	authed.POST("/tokens", s.require(admin), s.createToken)
	authed.DELETE("/tokens/:id", s.require(admin), s.revokeToken)
	authed.GET("/exports/applications.xlsx", s.require(all), s.exportXLSX)
	authed.GET("/exports/applications.csv", s.require(all), s.exportCSV)
	s.h = h
	return s
}

// MetricsHandler serves the metrics to anyone who reaches it, for a
// listener of its own on an internal address; nil without Config.Metrics.
func (s *Server) MetricsHandler() http.Handler { return s.metrics }

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Routes lists the method and path of every route (for the OpenAPI test).
func (s *Server) Routes() [][2]string {
	var out [][2]string
	for _, r := range s.h.Routes() {
		out = append(out, [2]string{r.Method, r.Path})
	}
	return out
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "path", c.Request.URL.Path, "panic", v)
			s.fail(c, shenbao.Errorf(shenbao.EINTERNAL, "内部错误，请联系管理员。/ Internal error; please contact the administrator."))
		}
	}()
	c.Next()
}

// apiHeaders marks every answer as the pages are marked: browsers must not
// guess another type than the one sent (an uploaded original declared as
// PDF must never run as HTML), and no answer — reports, originals, page
// images — is kept in a shared or disk cache, since each holds an
// applicant's data; the server caches page images itself.
func apiHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
	defer cancel()
	db, q := "ok", "ok"
	status := http.StatusOK
	if err := s.st.Ping(ctx); err != nil {
		s.log.Error("readyz: database", "err", err)
		db, status = "unreachable", http.StatusServiceUnavailable
	}
	if err := s.cfg.Queue.Ping(ctx); err != nil {
		s.log.Error("readyz: queue", "err", err)
		q, status = "unreachable", http.StatusServiceUnavailable
	}
	c.JSON(status, gin.H{"database": db, "queue": q})
}
