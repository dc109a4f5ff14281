// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb in a
// temporary directory, the server on a Unix socket there, removed when the
// test binary ends. Tests call Database for a fresh database each; the
// package's TestMain calls Run so that the cluster is stopped at the end.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/shenbao/shenbao/store"
)

var (
	once    sync.Once
	dir     string
	port    int
	runAs   *user.User
	binDir  string
	startEr error
	started atomic.Bool
	dbSeq   atomic.Int64
)

// Run runs the tests and stops the cluster if one was started.
func Run(m *testing.M) int {
	code := m.Run()
	if started.Load() {
		stop()
	}
	return code
}

// Database returns the URL of a new empty database in the shared cluster,
// starting the cluster on first use. It skips the test when PostgreSQL is
// not installed.
func Database(t testing.TB) string {
	t.Helper()
	once.Do(func() { startEr = start() })
	if errors.Is(startEr, errNotInstalled) {
		t.Skipf("PostgreSQL tests skipped: %v (install Debian's postgresql package to run them)", startEr)
	}
	if startEr != nil {
		t.Fatalf("start PostgreSQL: %v", startEr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := sql.Open("pgx", url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return url(name)
}

var errNotInstalled = errors.New("initdb and pg_ctl not found")

func url(db string) string {
	return fmt.Sprintf("postgres://shenbao@/%s?host=%s&port=%d&sslmode=disable", db, dir, port)
}

func findBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", errNotInstalled
}

// command runs a PostgreSQL program; as root it runs as the postgres user,
// since the server refuses to run as root.
func command(name string, args ...string) *exec.Cmd {
	prog := filepath.Join(binDir, name)
	if runAs != nil {
		return exec.Command("runuser", append([]string{"-u", runAs.Username, "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

func start() error {
	var err error
	if binDir, err = findBin(); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if runAs, err = user.Lookup("postgres"); err != nil {
			return fmt.Errorf("running as root needs a postgres user to run the server: %w", err)
		}
	}
	reapStale()
	if dir, err = os.MkdirTemp("", fmt.Sprintf("shenbao-pg-%d-", os.Getpid())); err != nil {
		return err
	}
	if runAs != nil {
		uid, _ := strconv.Atoi(runAs.Uid)
		gid, _ := strconv.Atoi(runAs.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "shenbao", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// A port number names the socket file; the server listens on no TCP
	// address, so parallel test binaries do not collide.
	port = 20000 + os.Getpid()%20000
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir, port)
	if out, err := command("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	started.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", url("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

// reapStale stops and removes clusters left by test binaries that died
// without running Run's cleanup (a test timeout panics past it).
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "shenbao-pg-*-*"))
	for _, d := range dirs {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(d), "shenbao-pg-%d-", &pid); err != nil || pid == os.Getpid() {
			continue
		}
		if p, err := os.FindProcess(pid); err == nil && p.Signal(syscall.Signal(0)) == nil {
			continue // its test binary still runs
		}
		command("pg_ctl", "-D", filepath.Join(d, "data"), "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(d)
	}
}

func stop() {
	command("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(dir)
}

// Backends runs fn against a fresh embedded SQLite data directory and a
// fresh PostgreSQL database, as subtests "sqlite" and "postgres".
func Backends(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, store.Config{DataDir: t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { fn(t, store.Config{DatabaseURL: Database(t)}) })
}
