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
	Metrics  *Metrics // may be nil
	Logger   *slog.Logger

	MaxUploadBytes  int64  // one file; default 100 MB
	MaxRequestBytes int64  // one upload request; default 10 × MaxUploadBytes
	MaxFiles        int    // files in one upload request; default 100
	TempDir         string // where uploads are spooled; default os.TempDir()
}

// Server serves the API.
type Server struct {
	cfg Config
	st  store.Store
	log *slog.Logger
	h   *gin.Engine
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
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger}
	gin.SetMode(gin.ReleaseMode)
	h := gin.New()
	h.ContextWithFallback = true
	h.Use(s.recover, apiHeaders)
	if cfg.Metrics != nil {
		h.Use(cfg.Metrics.middleware)
		h.GET("/metrics", cfg.Metrics.handler(cfg.Store))
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
	authed.GET("/exports/applications.xlsx", s.require(all), s.exportXLSX)
	authed.GET("/exports/applications.csv", s.require(all), s.exportCSV)
	s.h = h
	return s
}

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
