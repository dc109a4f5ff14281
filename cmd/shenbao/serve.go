package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/throttle"
)

// serviceFlags are the flags serve and worker share.
type serviceFlags struct {
	dataDir     string
	databaseURL string
	workers     int
	profile     string
	logJSON     bool
	ocrThreads  int
	retain      time.Duration
	ocr         ocrFlags
}

func (m *Main) serviceFlagSet(name string) (*flag.FlagSet, *serviceFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sf := &serviceFlags{}
	fs.StringVar(&sf.dataDir, "data-dir", defaultDataDir(), "embedded mode: the folder holding the SQLite database and the originals")
	fs.StringVar(&sf.databaseURL, "database-url", "", "postgres://… to keep everything in PostgreSQL (several serve/worker processes); it holds the password: prefer SHENBAO_DATABASE_URL, since flags show in ps")
	fs.StringVar(&sf.profile, "profile", "", "rule profile; default: each edition's own")
	fs.BoolVar(&sf.logJSON, "log-json", false, "log as JSON lines")
	fs.IntVar(&sf.ocrThreads, "ocr-threads", 0, "Tesseract threads per scanned document (default: the core count)")
	fs.DurationVar(&sf.retain, "retain-originals", 0, "delete the uploaded files of finished applications this long after upload, e.g. 8760h (reports stay; 0: keep them)")
	sf.ocr.register(fs)
	return fs, sf
}

func defaultDataDir() string {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		return d
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "shenbao")
	}
	return "shenbao-data"
}

func (sf *serviceFlags) logger(m *Main) *slog.Logger {
	if sf.logJSON {
		return slog.New(slog.NewJSONHandler(m.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(m.Stderr, nil))
}

func (sf *serviceFlags) openStore(ctx context.Context) (store.Store, error) {
	if sf.databaseURL == "" {
		if err := os.MkdirAll(sf.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	st, err := store.Open(ctx, store.Config{DataDir: sf.dataDir, DatabaseURL: sf.databaseURL})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}

// service is what serve and worker start: the store, the pipeline and the
// queue working it.
type service struct {
	st      store.Store
	q       *queue.Queue
	checker *checker
	metrics *api.Metrics
	log     *slog.Logger
}

func (m *Main) startService(ctx context.Context, sf *serviceFlags, workers int, log *slog.Logger) (*service, error) {
	// Copies of uploads that children of a killed process were reading.
	if n, err := child.SweepTemp(); err != nil {
		log.Warn("sweep temporary files", "err", err)
	} else if n > 0 {
		log.Info("removed stale temporary files", "files", n)
	}
	st, err := sf.openStore(ctx)
	if err != nil {
		return nil, err
	}
	p, err := m.pipeline(sf.profile, "")
	if err != nil {
		st.Close()
		return nil, err
	}
	so, err := sf.ocr.scanOptions(ctx, sf.ocrThreads, "")
	if err != nil {
		st.Close()
		return nil, err
	}
	p.Extractor.ScanWith(so)
	metrics := api.NewMetrics()
	metrics.ScanWorkers(p.Extractor.ScanWorkersStarted)
	q, err := queue.Open(ctx, st, p, queue.Config{Workers: workers, Logger: log, Observer: metrics, RetainOriginals: sf.retain})
	if err != nil {
		p.Extractor.Close()
		st.Close()
		return nil, err
	}
	if err := q.Start(ctx); err != nil {
		p.Extractor.Close()
		st.Close()
		return nil, err
	}
	return &service{st: st, q: q, checker: p, metrics: metrics, log: log}, nil
}

// stop drains the queue: running jobs get the queue's 30 s grace, then are
// put back (queue.Stop); the margin covers the database's goodbye.
func (s *service) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	s.q.Stop(ctx)
	s.checker.Extractor.Close()
	s.st.Close()
}

// serve runs the API (and, by default, workers in the same process).
func (m *Main) serve(ctx context.Context, args []string) error {
	fs, sf := m.serviceFlagSet("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	workers := fs.Int("workers", 2, "jobs this process works at once (0: API only, with separate `shenbao worker` processes)")
	maxMB := fs.Int64("max-mb", 100, "largest upload, MB")
	sessionKey := fs.String("session-key", "", "signs the review pages' sessions (32+ bytes); set it when several serve processes share users; a secret: prefer SHENBAO_SESSION_KEY, since flags show in ps")
	secure := fs.Bool("secure-cookies", false, "mark session cookies Secure (TLS terminated by a proxy in front)")
	var to api.Timeouts
	fs.DurationVar(&to.Read, "read-timeout", time.Minute, "time a client may take to send a request (uploads: --upload-timeout)")
	fs.DurationVar(&to.Upload, "upload-timeout", 30*time.Minute, "time a client may take to send an upload")
	fs.DurationVar(&to.Idle, "idle-timeout", 2*time.Minute, "how long an idle kept-alive connection stays open")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics, unauthenticated, on this separate (internal) address, e.g. 127.0.0.1:9090")
	metricsToken := fs.String("metrics-token", "", "serve /metrics on --addr to scrapers sending this bearer token (prefer SHENBAO_METRICS_TOKEN: flags show in ps)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	log := sf.logger(m)
	svc, err := m.startService(ctx, sf, *workers, log)
	if err != nil {
		return err
	}
	defer svc.stop()
	svc.checker.Extractor.MaxBytes = *maxMB << 20
	// One throttle for the sign-in form and HTTP Basic.
	signIns := throttle.New(throttle.Config{})
	srv := api.New(api.Config{Throttle: signIns,
		Store: svc.st, Queue: svc.q, Checker: svc.checker, Renderer: m.renderer(),
		Metrics: svc.metrics, MetricsToken: *metricsToken, Timeouts: to, Logger: log, MaxUploadBytes: *maxMB << 20,
	})
	if *metricsAddr != "" {
		stop, err := serveMetrics(*metricsAddr, srv, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	m.addr = ln.Addr().String()
	site, err := m.site(srv, svc, *sessionKey, *secure, signIns)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(site)
	log.Info("shenbao serving", "addr", m.addr, "store", svc.st.Dialect(), "workers", *workers)
	if m.ready != nil {
		close(m.ready)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

// serveMetrics serves /metrics alone on addr, for an internal network or
// loopback; stop closes it.
func serveMetrics(addr string, srv *api.Server, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s (metrics): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	hs := srv.HTTPServer(mux)
	go func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "addr", addr, "err", err)
		}
	}()
	log.Info("metrics served", "addr", ln.Addr().String())
	return func() { hs.Close() }, nil
}

// worker runs only the job workers, for scaling out on PostgreSQL.
func (m *Main) worker(ctx context.Context, args []string) error {
	fs, sf := m.serviceFlagSet("worker")
	workers := fs.Int("workers", 2, "jobs this process works at once")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	log := sf.logger(m)
	svc, err := m.startService(ctx, sf, max(*workers, 1), log)
	if err != nil {
		return err
	}
	defer svc.stop()
	log.Info("shenbao worker started", "store", svc.st.Dialect(), "workers", *workers)
	<-ctx.Done()
	return nil
}

// cliActor is who the audit log names for the account commands: whoever
// runs the binary on the server.
var cliActor = store.Actor{Name: "cli"}

const userUsage = "用法 / usage: shenbao user add NAME --role clerk|reviewer|admin | user disable NAME | user enable NAME | user passwd NAME"

// user manages accounts: add (the only way to make the first admin),
// disable, enable, passwd. Passwords come from SHENBAO_PASSWORD or stdin.
func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &shenbao.Error{Code: "usage", Message: userUsage}
	}
	fs, sf := m.serviceFlagSet("user " + args[0])
	var role, password *string
	switch args[0] {
	case "add":
		role = fs.String("role", store.RoleClerk, "clerk, reviewer or admin")
		fallthrough
	case "passwd":
		password = fs.String("password", "", "the password; flags show in ps: prefer SHENBAO_PASSWORD, or type it on stdin")
	case "disable", "enable":
	default:
		return &shenbao.Error{Code: "usage", Message: userUsage}
	}
	name, err := m.parseName(fs, args[1:])
	if err != nil {
		return err
	}
	var pw string
	if password != nil {
		if pw = *password; pw == "" {
			if pw, err = m.readLine("密码 / password: "); err != nil {
				return err
			}
		}
	}
	st, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "add":
		u, err := auth.AddUser(ctx, st, name, *role, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "已创建用户 %s（%s）/ created user %s (%s)\n", u.Name, u.Role, u.Name, u.Role)
	case "passwd":
		if err := auth.SetPassword(ctx, st, name, pw, cliActor); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "已修改 %s 的密码，其所有会话已结束 / changed the password of %s and ended all its sessions\n", name, name)
	default:
		if err := st.SetDisabled(ctx, name, args[0] == "disable", cliActor); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %s\n", name, args[0]+"d")
	}
	return nil
}

// parseName parses the flags of a command that takes a user name, given
// before or after the flags.
func (m *Main) parseName(fs *flag.FlagSet, args []string) (string, error) {
	name, rest := splitName(args)
	if err := m.parse(fs, rest); err != nil {
		return "", err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		return "", &shenbao.Error{Code: "usage", Message: "缺少用户名 / missing user name"}
	}
	return name, nil
}

const tokenUsage = "用法 / usage: shenbao token create USER [--name N] [--ttl 2160h] | token list [USER] | token revoke ID"

// token manages API tokens for scripts: create (shown once; by default
// they expire after 90 days), list, revoke.
func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &shenbao.Error{Code: "usage", Message: tokenUsage}
	}
	fs, sf := m.serviceFlagSet("token " + args[0])
	var tname *string
	var ttl *time.Duration
	switch args[0] {
	case "create":
		tname = fs.String("name", "cli", "what the token is for")
		ttl = fs.Duration("ttl", api.DefaultTokenTTL, "lifetime (0: never expires)")
	case "list", "revoke":
	default:
		return &shenbao.Error{Code: "usage", Message: tokenUsage}
	}
	arg, rest := splitName(args[1:])
	if err := m.parse(fs, rest); err != nil {
		return err
	}
	if arg == "" && fs.NArg() > 0 {
		arg = fs.Arg(0)
	}
	if arg == "" && args[0] != "list" {
		return &shenbao.Error{Code: "usage", Message: tokenUsage}
	}
	st, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "create":
		tok, _, err := auth.CreateTokenBy(ctx, st, arg, *tname, *ttl, cliActor)
		if err != nil {
			return err
		}
		// Shown once; only its hash is stored.
		fmt.Fprintln(m.Stdout, tok)
	case "revoke":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return &shenbao.Error{Code: "usage", Message: tokenUsage}
		}
		if err := st.RevokeToken(ctx, id, cliActor); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "已吊销令牌 %d / revoked token %d\n", id, id)
	default:
		var uid int64
		if arg != "" {
			u, err := st.UserByName(ctx, arg)
			if err != nil {
				return err
			}
			uid = u.ID
		}
		ts, err := st.Tokens(ctx, uid)
		if err != nil {
			return err
		}
		now := time.Now()
		fmt.Fprintf(m.Stdout, "%-6s %-16s %-16s %-8s %-20s %s\n", "id", "user", "name", "state", "created", "expires")
		for _, t := range ts {
			state, exp := "active", "never"
			if t.ExpiresAt != nil {
				exp = t.ExpiresAt.Local().Format(time.DateTime)
			}
			switch {
			case t.RevokedAt != nil:
				state = "revoked"
			case !t.Active(now):
				state = "expired"
			}
			fmt.Fprintf(m.Stdout, "%-6d %-16s %-16s %-8s %-20s %s\n", t.ID, t.User, t.Name, state, t.CreatedAt.Local().Format(time.DateTime), exp)
		}
	}
	return nil
}

// splitName takes a leading positional argument before the flags.
func splitName(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}
