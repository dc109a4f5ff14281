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
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

// serviceFlags are the flags serve and worker share.
type serviceFlags struct {
	dataDir     string
	databaseURL string
	workers     int
	profile     string
	logJSON     bool
	ocrThreads  int
	ocr         ocrFlags
}

func (m *Main) serviceFlagSet(name string) (*flag.FlagSet, *serviceFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sf := &serviceFlags{}
	fs.StringVar(&sf.dataDir, "data-dir", defaultDataDir(), "embedded mode: the folder holding the SQLite database and the originals")
	fs.StringVar(&sf.databaseURL, "database-url", "", "postgres://… to keep everything in PostgreSQL (several serve/worker processes)")
	fs.StringVar(&sf.profile, "profile", "", "rule profile; default: each edition's own")
	fs.BoolVar(&sf.logJSON, "log-json", false, "log as JSON lines")
	fs.IntVar(&sf.ocrThreads, "ocr-threads", 0, "Tesseract threads per scanned document (default: the core count)")
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
		if err := os.MkdirAll(sf.dataDir, 0o750); err != nil {
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
	st, err := sf.openStore(ctx)
	if err != nil {
		return nil, err
	}
	p, err := m.pipeline(sf.profile, "")
	if err != nil {
		st.Close()
		return nil, err
	}
	so, err := sf.ocr.scanOptions(sf.ocrThreads)
	if err != nil {
		st.Close()
		return nil, err
	}
	p.Extractor.ScanWith(so)
	metrics := api.NewMetrics()
	q, err := queue.Open(ctx, st, p, queue.Config{Workers: workers, Logger: log, Observer: metrics})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := q.Start(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return &service{st: st, q: q, checker: p, metrics: metrics, log: log}, nil
}

func (s *service) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.q.Stop(ctx)
	s.st.Close()
}

// serve runs the API (and, by default, workers in the same process).
func (m *Main) serve(ctx context.Context, args []string) error {
	fs, sf := m.serviceFlagSet("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	workers := fs.Int("workers", 2, "jobs this process works at once (0: API only, with separate `shenbao worker` processes)")
	maxMB := fs.Int64("max-mb", 100, "largest upload, MB")
	sessionKey := fs.String("session-key", "", "signs the review pages' sessions (32+ bytes); set it when several serve processes share users")
	secure := fs.Bool("secure-cookies", false, "mark session cookies Secure (TLS terminated by a proxy in front)")
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
	srv := api.New(api.Config{
		Store: svc.st, Queue: svc.q, Checker: svc.checker, Renderer: m.renderer(),
		Metrics: svc.metrics, Logger: log, MaxUploadBytes: *maxMB << 20,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	m.addr = ln.Addr().String()
	site, err := m.site(srv, svc, *sessionKey, *secure)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
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

// user adds an account: shenbao user add NAME --role R (password from
// SHENBAO_PASSWORD or stdin), the only way to make the first admin.
func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return &shenbao.Error{Code: "usage", Message: "用法 / usage: shenbao user add NAME --role clerk|reviewer|admin"}
	}
	fs, sf := m.serviceFlagSet("user add")
	role := fs.String("role", store.RoleClerk, "clerk, reviewer or admin")
	password := fs.String("password", "", "the password (better: SHENBAO_PASSWORD, or type it on stdin)")
	name, err := m.parseName(fs, args[1:])
	if err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		if pw, err = m.readLine("密码 / password: "); err != nil {
			return err
		}
	}
	st, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := auth.AddUser(ctx, st, name, *role, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "已创建用户 %s（%s）/ created user %s (%s)\n", u.Name, u.Role, u.Name, u.Role)
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

// token creates an API token for scripts: shenbao token create USER.
func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return &shenbao.Error{Code: "usage", Message: "用法 / usage: shenbao token create USER [--name N] [--ttl 720h]"}
	}
	fs, sf := m.serviceFlagSet("token create")
	tname := fs.String("name", "cli", "what the token is for")
	ttl := fs.Duration("ttl", 0, "lifetime (0: no expiry)")
	name, err := m.parseName(fs, args[1:])
	if err != nil {
		return err
	}
	st, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, err := auth.CreateToken(ctx, st, name, *tname, *ttl)
	if err != nil {
		return err
	}
	// Shown once; only its hash is stored.
	fmt.Fprintln(m.Stdout, tok)
	return nil
}

// splitName takes a leading positional argument before the flags.
func splitName(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}
