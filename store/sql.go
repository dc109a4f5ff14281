package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/pack"
)

// Config says where the data lives. DatabaseURL, when it starts with
// postgres:// or postgresql://, selects PostgreSQL; otherwise DataDir holds
// the SQLite database and the originals.
type Config struct {
	DataDir     string
	DatabaseURL string
}

type sqlStore struct {
	db      *sql.DB
	dialect string
	dataDir string
	url     string
	// writes, on SQLite, is the database's one write lock as a queue in
	// Go (a channel's waiting senders go in the order they came): a
	// writer waiting in SQLite's busy handler sleeps 1, 2, 5 … 100 ms
	// between tries and may find the lock taken again each time, which
	// left the lock idle between writers and an upload waiting behind
	// writers that came after it (upload p95 482 ms with 50 clients).
	writes chan struct{}
}

// lockWrite takes the write lock (SQLite); the returned func releases it.
func (s *sqlStore) lockWrite(ctx context.Context) (func(), error) {
	if s.writes == nil {
		return func() {}, nil
	}
	select {
	case s.writes <- struct{}{}:
		return func() { <-s.writes }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exec runs a writing statement outside a transaction.
func (s *sqlStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.db.ExecContext(ctx, s.q(query), args...)
}

// Open connects to the configured database, runs the pending migrations
// and checks that the applied ones are the ones this binary knows.
func Open(ctx context.Context, cfg Config) (Store, error) {
	s := &sqlStore{dataDir: cfg.DataDir, url: cfg.DatabaseURL}
	var err error
	if IsPostgresURL(cfg.DatabaseURL) {
		s.dialect = DialectPostgres
		s.dataDir = ""
		if s.db, err = sql.Open("pgx", cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.db.SetMaxOpenConns(20)
	} else {
		s.dialect = DialectSQLite
		s.url = ""
		if cfg.DataDir == "" {
			return nil, errors.New("open sqlite: no data directory configured")
		}
		if err := privateDir(filepath.Join(cfg.DataDir, "originals")); err != nil {
			return nil, err
		}
		if err := privateDir(cfg.DataDir); err != nil {
			return nil, err
		}
		db := filepath.Join(cfg.DataDir, "shenbao.db")
		if err := PrivateSQLite(db); err != nil {
			return nil, err
		}
		if s.db, err = sql.Open("sqlite", SQLiteDSN(db)); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// Readers run concurrently under WAL; writers queue on the busy
		// timeout, and _txlock=immediate makes a writing transaction take
		// its lock at BEGIN instead of failing at its first write.
		s.db.SetMaxOpenConns(8)
		s.writes = make(chan struct{}, 1)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// IsPostgresURL reports whether u selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// privateDir creates dir (and its parents) readable by the service's user
// only, and tightens it if an older release made it wider: the data
// directory holds every applicant's documents.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict data directory: %w", err)
	}
	return nil
}

// PrivateSQLite creates the SQLite database file at path mode 0600 before
// SQLite opens it (SQLite would create it 0644 under the usual umask, and
// gives its -wal and -shm files the database file's mode), and tightens an
// existing database and its companion files.
func PrivateSQLite(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict database file: %w", err)
		}
	}
	return nil
}

// SQLiteDSN is the modernc.org/sqlite data source name for the database
// file at path: WAL, a busy timeout, foreign keys, immediate transactions.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func (s *sqlStore) Dialect() string     { return s.dialect }
func (s *sqlStore) DataDir() string     { return s.dataDir }
func (s *sqlStore) DatabaseURL() string { return s.url }
func (s *sqlStore) Close() error        { return s.db.Close() }

func (s *sqlStore) Ping(ctx context.Context) error {
	var n int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// q rewrites the ? placeholders of a query for PostgreSQL ($1, $2, …).
// Queries in this package never hold a literal question mark.
func (s *sqlStore) q(query string) string {
	if s.dialect != DialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *sqlStore) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func now() int64 { return time.Now().UnixMilli() }

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// ---- users and tokens

func (s *sqlStore) CreateUser(ctx context.Context, name, role, hash string) (*User, error) {
	if !ValidRole(role) {
		return nil, shenbao.Errorf(shenbao.EINVALID, "角色必须是 clerk、reviewer 或 admin。/ The role must be clerk, reviewer or admin.")
	}
	if strings.TrimSpace(name) == "" {
		return nil, shenbao.Errorf(shenbao.EINVALID, "用户名不能为空。/ The user name must not be empty.")
	}
	u := &User{Name: name, Role: role, PasswordHash: hash, CreatedAt: ms(now())}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM users WHERE name = ?"), name).Scan(&exists); err != nil {
			return fmt.Errorf("look up user %q: %w", name, err)
		}
		if exists > 0 {
			return shenbao.Errorf(shenbao.ECONFLICT, "用户 %s 已存在。/ User %s already exists.", name, name)
		}
		if err := tx.QueryRowContext(ctx, s.q("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
			name, role, hash, u.CreatedAt.UnixMilli()).Scan(&u.ID); err != nil {
			return fmt.Errorf("insert user %q: %w", name, err)
		}
		return s.audit(ctx, tx, AuditEntry{UserName: "system", Action: "user.create", Detail: map[string]any{"user": name, "role": role}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

const userCols = "u.id, u.name, u.role, u.password_hash, u.disabled, u.session_version, u.created_at"

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created, disabled int64
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &disabled, &u.SessionVersion, &created); err != nil {
		return nil, err
	}
	u.CreatedAt, u.Disabled = ms(created), disabled != 0
	return &u, nil
}

func (s *sqlStore) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users u WHERE u.name = ? AND u.disabled = 0"), name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

func (s *sqlStore) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+userCols+" FROM users u ORDER BY u.id")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

func (s *sqlStore) CreateToken(ctx context.Context, userID int64, name, hash string, expires *time.Time, by Actor) (int64, error) {
	var exp *int64
	if expires != nil {
		v := expires.UnixMilli()
		exp = &v
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q("INSERT INTO tokens (user_id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id"),
			userID, name, hash, now(), exp).Scan(&id); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		detail := map[string]any{"token": id, "user_id": userID, "name": name}
		if expires != nil {
			detail["expires_at"] = expires.UTC()
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "token.create", Detail: detail})
	})
	return id, err
}

func (s *sqlStore) UserByToken(ctx context.Context, hash string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND u.disabled = 0 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)"), hash, now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("user by token: %w", err)
	}
	return u, nil
}

// changeUser applies set (an assignment list) to the named account, moves
// its session version on and writes the audit entry, in one transaction.
func (s *sqlStore) changeUser(ctx context.Context, name, set string, args []any, action string, detail map[string]any, by Actor) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET "+set+", session_version = session_version + 1 WHERE name = ?"), append(args, name)...)
		if err != nil {
			return fmt.Errorf("%s %q: %w", action, name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("%s %q: %w", action, name, err)
		} else if n == 0 {
			return notFound("user")
		}
		detail["user"] = name
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: action, Detail: detail})
	})
}

func (s *sqlStore) SetDisabled(ctx context.Context, name string, disabled bool, by Actor) error {
	action, flag := "user.enable", 0
	if disabled {
		action, flag = "user.disable", 1
	}
	return s.changeUser(ctx, name, "disabled = ?", []any{flag}, action, map[string]any{}, by)
}

func (s *sqlStore) SetPassword(ctx context.Context, name, hash string, by Actor) error {
	return s.changeUser(ctx, name, "password_hash = ?", []any{hash}, "user.passwd", map[string]any{}, by)
}

func (s *sqlStore) EndSessions(ctx context.Context, userID int64, by Actor) error {
	var name string
	if err := s.db.QueryRowContext(ctx, s.q("SELECT name FROM users WHERE id = ?"), userID).Scan(&name); errors.Is(err, sql.ErrNoRows) {
		return notFound("user")
	} else if err != nil {
		return fmt.Errorf("user %d: %w", userID, err)
	}
	return s.changeUser(ctx, name, "name = name", nil, "session.revoke", map[string]any{}, by)
}

func (s *sqlStore) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	query := "SELECT t.id, t.user_id, u.name, t.name, t.created_at, t.expires_at, t.revoked_at FROM tokens t JOIN users u ON u.id = t.user_id"
	var args []any
	if userID != 0 {
		query += " WHERE t.user_id = ?"
		args = append(args, userID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY t.id"), args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		var expires, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.User, &t.Name, &created, &expires, &revoked); err != nil {
			return nil, fmt.Errorf("scan token: %w", err)
		}
		t.CreatedAt = ms(created)
		t.ExpiresAt, t.RevokedAt = msPtr(expires), msPtr(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

func msPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := ms(v.Int64)
	return &t
}

func (s *sqlStore) RevokeToken(ctx context.Context, id int64, by Actor) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var user string
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q("SELECT u.name, t.revoked_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?"), id).Scan(&user, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("token")
		}
		if err != nil {
			return fmt.Errorf("token %d: %w", id, err)
		}
		if revoked.Valid {
			return nil // already revoked: nothing changes, nothing to audit
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE tokens SET revoked_at = ? WHERE id = ?"), now(), id); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "token.revoke", Detail: map[string]any{"token": id, "user": user}})
	})
}

// ---- originals

func (s *sqlStore) originalPath(sha string) string {
	return filepath.Join(s.dataDir, "originals", sha[:2], sha)
}

func validSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *sqlStore) PutOriginal(ctx context.Context, sha string, r io.Reader) error {
	if !validSHA(sha) {
		return fmt.Errorf("put original: bad sha256 %q", sha)
	}
	if s.dialect == DialectPostgres {
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read original: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, "INSERT INTO originals (sha256, data, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at", sha, data, now()); err != nil {
			return fmt.Errorf("store original %s: %w", sha, err)
		}
		return nil
	}
	path := s.originalPath(sha)
	if _, err := os.Stat(path); err == nil {
		// Content-addressed: already there. Touched, so that the sweep of
		// unreferenced originals gives this upload its grace period.
		t := time.Now()
		os.Chtimes(path, t, t)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store original: %w", err)
	}
	// Write beside the target and rename, so that a crash never leaves a
	// truncated file under a content address. CreateTemp makes it 0600.
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("store original: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return shenbao.NoSpace(fmt.Errorf("store original %s: %w", sha, err))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return shenbao.NoSpace(fmt.Errorf("store original %s: %w", sha, err))
	}
	if err := f.Close(); err != nil {
		return shenbao.NoSpace(fmt.Errorf("store original %s: %w", sha, err))
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("store original %s: %w", sha, err)
	}
	return nil
}

func (s *sqlStore) Original(ctx context.Context, sha string) ([]byte, error) {
	if !validSHA(sha) {
		return nil, notFound("original")
	}
	if s.dialect == DialectPostgres {
		var data []byte
		err := s.db.QueryRowContext(ctx, "SELECT data FROM originals WHERE sha256 = $1", sha).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("original")
		}
		if err != nil {
			return nil, fmt.Errorf("read original %s: %w", sha, err)
		}
		return data, nil
	}
	data, err := os.ReadFile(s.originalPath(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, notFound("original")
	}
	if err != nil {
		return nil, fmt.Errorf("read original %s: %w", sha, err)
	}
	return data, nil
}

// lockOriginal serialises, per original, the transactions that record an
// application of it and those that delete it. SQLite's write transactions
// are serial already (_txlock=immediate).
func (s *sqlStore) lockOriginal(ctx context.Context, tx *sql.Tx, sha string) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "original:"+sha); err != nil {
		return fmt.Errorf("lock original %s: %w", sha, err)
	}
	return nil
}

func (s *sqlStore) HasOriginal(ctx context.Context, sha string) (bool, error) {
	if !validSHA(sha) {
		return false, nil
	}
	if s.dialect == DialectPostgres {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM originals WHERE sha256 = $1", sha).Scan(&n); err != nil {
			return false, fmt.Errorf("look up original %s: %w", sha, err)
		}
		return n > 0, nil
	}
	_, err := os.Stat(s.originalPath(sha))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// deleteUnused deletes the original if no application refers to it, inside
// tx and under lockOriginal. On SQLite the file goes before the commit,
// while the write lock keeps every upload out: removing it after the
// commit could remove it under an upload recorded in between. (Should the
// commit then fail, the application's original is missing until someone
// uploads the file again.)
func (s *sqlStore) deleteUnused(ctx context.Context, tx *sql.Tx, sha string) (bool, error) {
	if err := s.lockOriginal(ctx, tx, sha); err != nil {
		return false, err
	}
	var refs int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM applications WHERE sha256 = ?"), sha).Scan(&refs); err != nil {
		return false, fmt.Errorf("references to original %s: %w", sha, err)
	}
	if refs > 0 {
		return false, nil
	}
	return s.deleteOriginal(ctx, tx, sha)
}

func (s *sqlStore) deleteOriginal(ctx context.Context, tx *sql.Tx, sha string) (bool, error) {
	if s.dialect == DialectPostgres {
		res, err := tx.ExecContext(ctx, "DELETE FROM originals WHERE sha256 = $1", sha)
		if err != nil {
			return false, fmt.Errorf("delete original %s: %w", sha, err)
		}
		n, _ := res.RowsAffected()
		return n > 0, nil
	}
	err := os.Remove(s.originalPath(sha))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete original %s: %w", sha, err)
	}
	return true, nil
}

func (s *sqlStore) ReleaseOriginal(ctx context.Context, sha string) error {
	if !validSHA(sha) {
		return fmt.Errorf("release original: bad sha256 %q", sha)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := s.deleteUnused(ctx, tx, sha)
		return err
	})
}

func (s *sqlStore) SweepOriginals(ctx context.Context, grace, retain time.Duration) (int, error) {
	cands, err := s.storedOriginals(ctx, time.Now().Add(-grace))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sha := range cands {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			ok, err := s.deleteUnused(ctx, tx, sha)
			if ok {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	if retain <= 0 {
		return n, nil
	}
	// Originals whose every application is finished and was uploaded
	// before the cut-off; the applications keep their reports and say
	// in the audit log why the file is gone.
	cut := now() - retain.Milliseconds()
	var args []any
	for _, st := range unfinished() {
		args = append(args, st)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	rows, err := s.db.QueryContext(ctx, s.q("SELECT sha256 FROM applications GROUP BY sha256 HAVING MAX(created_at) < ? AND SUM(CASE WHEN status IN ("+marks+") THEN 1 ELSE 0 END) = 0"),
		append([]any{cut}, args...)...)
	if err != nil {
		return n, fmt.Errorf("originals past retention: %w", err)
	}
	var old []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return n, fmt.Errorf("scan original: %w", err)
		}
		old = append(old, sha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	for _, sha := range old {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if err := s.lockOriginal(ctx, tx, sha); err != nil {
				return err
			}
			var fresh int
			if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM applications WHERE sha256 = ? AND created_at >= ?"), sha, cut).Scan(&fresh); err != nil {
				return fmt.Errorf("recheck original %s: %w", sha, err)
			}
			if fresh > 0 {
				return nil // uploaded again meanwhile
			}
			ok, err := s.deleteOriginal(ctx, tx, sha)
			if err != nil || !ok {
				return err
			}
			n++
			ids, err := idsTx(ctx, tx, s.q("SELECT id FROM applications WHERE sha256 = ?"), sha)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := s.audit(ctx, tx, AuditEntry{Action: "original.delete", ApplicationID: id,
					Detail: map[string]any{"sha256": sha, "reason": "retention", "retain": retain.String()}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// storedOriginals lists the originals stored before cut: files (whose
// modification time PutOriginal refreshes) or rows.
func (s *sqlStore) storedOriginals(ctx context.Context, cut time.Time) ([]string, error) {
	if s.dialect == DialectPostgres {
		rows, err := s.db.QueryContext(ctx, "SELECT o.sha256 FROM originals o WHERE o.created_at < $1 AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.sha256 = o.sha256)", cut.UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("list originals: %w", err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				return nil, fmt.Errorf("scan original: %w", err)
			}
			out = append(out, sha)
		}
		return out, rows.Err()
	}
	var out []string
	root := filepath.Join(s.dataDir, "originals")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.ModTime().After(cut) {
			return nil
		}
		switch name := d.Name(); {
		case validSHA(name):
			out = append(out, name)
		case strings.HasPrefix(name, ".upload-"):
			os.Remove(path) // PutOriginal's temp file of a process that died
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list originals: %w", err)
	}
	return out, nil
}

// ---- applications

const appCols = "a.id, a.sha256, a.filename, a.size, a.mime, a.batch, a.region, a.status, a.error_code, a.error_message, a.format, a.edition, a.year, a.cluster_name, a.error_count, a.warning_count, a.version, a.created_at, a.updated_at, a.reviewed_version, a.reviewed_by, a.reviewed_at, a.repair_count"

func scanApp(row interface{ Scan(...any) error }) (*Application, error) {
	var a Application
	var created, updated, reviewed int64
	if err := row.Scan(&a.ID, &a.SHA256, &a.Filename, &a.Size, &a.MIME, &a.Batch, &a.Region, &a.Status, &a.ErrorCode, &a.ErrorMessage,
		&a.Format, &a.Edition, &a.Year, &a.ClusterName, &a.Errors, &a.Warnings, &a.Version, &created, &updated,
		&a.ReviewedVersion, &a.ReviewedBy, &reviewed, &a.Repairs); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = ms(created), ms(updated)
	if reviewed != 0 {
		t := ms(reviewed)
		a.ReviewedAt = &t
	}
	return &a, nil
}

func (s *sqlStore) CreateApplication(ctx context.Context, n NewApplication, by Actor) (*Application, bool, error) {
	var app *Application
	var created bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// Serialised with deletes of the original: once this commits, the
		// original has a reference and stays (see HasOriginal).
		if err := s.lockOriginal(ctx, tx, n.SHA256); err != nil {
			return err
		}
		t := now()
		var id int64
		// One application per uploader of the same bytes: another
		// uploader's record, batch, region, reviews and corrections are
		// never handed over. The same uploader sending the file again gets
		// their own application back.
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO applications (sha256, filename, size, mime, batch, region, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`),
			n.SHA256, n.Filename, n.Size, n.MIME, n.Batch, n.Region, StatusQueued, nullID(by.ID), t, t).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// This uploader sent the same bytes before.
		case err != nil:
			return fmt.Errorf("insert application: %w", err)
		default:
			created = true
		}
		a, err := scanApp(tx.QueryRowContext(ctx, s.q("SELECT "+appCols+" FROM applications a WHERE a.sha256 = ? AND COALESCE(a.created_by, 0) = ?"), n.SHA256, by.ID))
		if err != nil {
			return fmt.Errorf("read application %s: %w", n.SHA256, err)
		}
		app = a
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO uploads (application_id, user_id, batch, filename, created_at) VALUES (?, ?, ?, ?, ?)"),
			a.ID, nullID(by.ID), n.Batch, n.Filename, t); err != nil {
			return fmt.Errorf("insert upload: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "application.upload", ApplicationID: a.ID,
			Detail: map[string]any{"filename": n.Filename, "sha256": n.SHA256, "size": n.Size, "batch": n.Batch, "new": created}})
	})
	return app, created, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *sqlStore) Application(ctx context.Context, id int64) (*Application, error) {
	a, err := scanApp(s.db.QueryRowContext(ctx, s.q("SELECT "+appCols+" FROM applications a WHERE a.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("application")
	}
	if err != nil {
		return nil, fmt.Errorf("application %d: %w", id, err)
	}
	return a, nil
}

func (s *sqlStore) where(f Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Status != "" {
		add("a.status = ?", f.Status)
	}
	if f.Edition != "" {
		add("a.edition = ?", f.Edition)
	}
	if f.Region != "" {
		add("a.region = ?", f.Region)
	}
	if f.Batch != "" {
		add("a.batch = ?", f.Batch)
	}
	if f.Year != 0 {
		add("a.year = ?", f.Year)
	}
	if f.HasErrors != nil {
		if *f.HasErrors {
			conds = append(conds, "a.error_count > 0")
		} else {
			conds = append(conds, "a.error_count = 0")
		}
	}
	if f.Reviewed != nil {
		if *f.Reviewed {
			conds = append(conds, "a.reviewed_version > 0 AND a.reviewed_version = a.version")
		} else {
			conds = append(conds, "(a.reviewed_version = 0 OR a.reviewed_version <> a.version)")
		}
	}
	if f.Query != "" {
		// instr/strpos rather than LIKE so that % and _ in the query are
		// plain characters.
		if s.dialect == DialectPostgres {
			add("strpos(a.cluster_name, ?) > 0", f.Query)
		} else {
			add("instr(a.cluster_name, ?) > 0", f.Query)
		}
	}
	if f.UploadedBy != 0 {
		add("EXISTS (SELECT 1 FROM uploads up WHERE up.application_id = a.id AND up.user_id = ?)", f.UploadedBy)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (s *sqlStore) Applications(ctx context.Context, f Filter) ([]Application, int, error) {
	where, args := s.where(f)
	var total int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM applications a"+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count applications: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
		if s.dialect == DialectPostgres {
			limit = 1 << 31
		}
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+appCols+" FROM applications a"+where+" ORDER BY a.id LIMIT ? OFFSET ?"), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list applications: %w", err)
	}
	defer rows.Close()
	out := []Application{}
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan application: %w", err)
		}
		out = append(out, *a)
	}
	return out, total, rows.Err()
}

func (s *sqlStore) ApplicationIDs(ctx context.Context, f Filter) ([]int64, error) {
	where, args := s.where(f)
	return s.ids(ctx, "SELECT a.id FROM applications a"+where+" ORDER BY a.id", args...)
}

func (s *sqlStore) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	return idsTx(ctx, s.db, s.q(query), args...)
}

func idsTx(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *sqlStore) Unfinished(ctx context.Context) ([]Application, error) {
	var args []any
	for _, st := range unfinished() {
		args = append(args, st)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+appCols+" FROM applications a WHERE a.status IN ("+marks+") ORDER BY a.id"), args...)
	if err != nil {
		return nil, fmt.Errorf("list unfinished: %w", err)
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("scan application: %w", err)
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

func (s *sqlStore) CanRead(ctx context.Context, u *User, appID int64) (bool, error) {
	if u == nil {
		return false, nil
	}
	if u.Role != RoleClerk {
		return true, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM uploads WHERE application_id = ? AND user_id = ?"), appID, u.ID).Scan(&n); err != nil {
		return false, fmt.Errorf("check access to %d: %w", appID, err)
	}
	return n > 0, nil
}

// SetStatus moves an application that has no report yet; a done
// application keeps its status, so that a late retry of a finished job
// cannot turn it back.
func (s *sqlStore) SetStatus(ctx context.Context, id int64, status, code, message string) error {
	if _, err := s.exec(ctx, "UPDATE applications SET status = ?, error_code = ?, error_message = ?, updated_at = ? WHERE id = ? AND status <> ?",
		status, code, message, now(), id, StatusDone); err != nil {
		return fmt.Errorf("set status of %d: %w", id, err)
	}
	return nil
}

func (s *sqlStore) Claim(ctx context.Context, id int64, stale time.Duration) (bool, error) {
	t := now()
	res, err := s.exec(ctx, `UPDATE applications SET status = ?, error_code = '', error_message = '', updated_at = ?
		WHERE id = ? AND status <> ? AND (status NOT IN (?, ?) OR updated_at < ?)`,
		StatusProcessing, t, id, StatusDone, StatusProcessing, StatusChecking, t-stale.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("claim %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %d: %w", id, err)
	}
	return n > 0, nil
}

func (s *sqlStore) Touch(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, "UPDATE applications SET updated_at = ? WHERE id = ? AND status IN (?, ?)",
		now(), id, StatusProcessing, StatusChecking); err != nil {
		return fmt.Errorf("heartbeat of %d: %w", id, err)
	}
	return nil
}

func (s *sqlStore) Requeue(ctx context.Context, id int64, by Actor) (bool, error) {
	var moved bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE applications SET status = ?, error_code = '', error_message = '', updated_at = ? WHERE id = ? AND status = ?"),
			StatusQueued, now(), id, StatusFailed)
		if err != nil {
			return fmt.Errorf("requeue %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		if moved = n > 0; !moved {
			return nil
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "application.requeue", ApplicationID: id, Detail: map[string]any{}})
	})
	return moved, err
}

func (s *sqlStore) DeleteApplication(ctx context.Context, id int64, by Actor) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		a, err := scanApp(tx.QueryRowContext(ctx, s.q("SELECT "+appCols+" FROM applications a WHERE a.id = ?"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("application")
		}
		if err != nil {
			return fmt.Errorf("application %d: %w", id, err)
		}
		for _, q := range []string{"DELETE FROM recheck_items WHERE application_id = ?", "DELETE FROM reviews WHERE application_id = ?",
			"DELETE FROM reports WHERE application_id = ?", "DELETE FROM uploads WHERE application_id = ?", "DELETE FROM applications WHERE id = ?"} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return fmt.Errorf("delete application %d: %w", id, err)
			}
		}
		// The original goes with its last application.
		gone, err := s.deleteUnused(ctx, tx, a.SHA256)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "application.delete", ApplicationID: id,
			Detail: map[string]any{"filename": a.Filename, "sha256": a.SHA256, "original_deleted": gone}})
	})
}

func (s *sqlStore) CountByStatus(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT status, COUNT(*) FROM applications GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count by status: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("scan count: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ---- reports

func (s *sqlStore) SaveReport(ctx context.Context, r SaveReport) (int, error) {
	body := pack.Marshal(r.Report)
	var version int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if r.JobID != nil {
			if err := s.jobDone(ctx, tx, *r.JobID); err != nil {
				return err
			}
		}
		v := &saver{s: s, tx: tx}
		var err error
		if version, err = v.save(ctx, r, body); err != nil {
			return err
		}
		return v.flush(ctx)
	})
	return version, err
}

// SaveReports stores a batch of report versions in one transaction: a
// re-check of thousands of applications writes them in a few commits
// instead of one each. jobID, when set, makes the batch idempotent like
// SaveReport's: it is recorded on the batch's first stored report (the
// column is unique), and a batch whose job already stored one stores
// nothing and returns ErrJobDone. An item whose application moved past
// its BaseVersion (ErrConflict) or was deleted (ENOTFOUND) is skipped with
// its error in errs; the others are stored.
func (s *sqlStore) SaveReports(ctx context.Context, jobID *int64, rs []SaveReport) (errs []error, err error) {
	bodies := make([][]byte, len(rs))
	for i, r := range rs {
		bodies[i] = pack.Marshal(r.Report)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if jobID != nil {
			if err := s.jobDone(ctx, tx, *jobID); err != nil {
				return err
			}
		}
		v := &saver{s: s, tx: tx}
		// The versions of the whole batch bumped in a few statements:
		// one round trip per application was most of a PostgreSQL
		// re-check's time.
		if err := v.bumpMany(ctx, rs); err != nil {
			return err
		}
		defer func() {
			if v.bump != nil {
				v.bump.Close()
			}
		}()
		errs = make([]error, len(rs))
		for i, r := range rs {
			r.JobID = nil
			if jobID != nil && !v.jobRecorded {
				r.JobID = jobID
			}
			_, errs[i] = v.save(ctx, r, bodies[i])
			switch {
			case errs[i] == nil:
				v.jobRecorded = v.jobRecorded || r.JobID != nil
			case errors.Is(errs[i], ErrConflict) || shenbao.ErrorCode(errs[i]) == shenbao.ENOTFOUND:
			default:
				return errs[i]
			}
		}
		return v.flush(ctx)
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// jobDone returns ErrJobDone when job's report is already stored.
func (s *sqlStore) jobDone(ctx context.Context, q querier, job int64) error {
	var n int
	if err := q.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM reports WHERE job_id = ?"), job).Scan(&n); err != nil {
		return fmt.Errorf("look up job %d: %w", job, err)
	}
	if n > 0 {
		return ErrJobDone
	}
	return nil
}

const (
	bumpQuery = `UPDATE applications SET version = version + 1, status = ?, error_code = '', error_message = '', format = ?, edition = ?, year = ?,
			cluster_name = ?, error_count = ?, warning_count = ?, repair_count = ?, updated_at = ? WHERE id = ?`
	bumpBaseQuery = bumpQuery + " AND version = ? RETURNING version"
	bumpAnyQuery  = bumpQuery + " RETURNING version"
	setItemQuery  = "UPDATE recheck_items SET state = ? WHERE recheck_id = ? AND application_id = ?"
	auditQuery    = "INSERT INTO audit (at, user_id, user_name, action, application_id, detail) VALUES (?, ?, ?, ?, ?, ?)"
)

// saver writes report versions in one transaction: each application's
// version bumped as it comes (a conflict must be known at once), and the
// rows that follow from it — the report, its recheck item, its audit
// entry — gathered and written by flush in a few multi-row statements, so
// that a batch of 100 costs a few round trips instead of 300.
type saver struct {
	s  *sqlStore
	tx *sql.Tx
	// bump is bumpBaseQuery prepared once for a batch on SQLite.
	bump *sql.Stmt
	// bumped holds the versions bumpMany bumped, by application, of the
	// applications in batched.
	bumped  map[int64]int
	batched map[int64]bool
	// jobRecorded is set once a report of the batch carries its job id.
	jobRecorded bool
	reports     []any           // the reports table's values, reportRowCols per row
	items       map[int64][]any // application ids done, by recheck id
	audits      []any           // auditQuery's values, auditRowCols per row
}

const (
	reportRowCols = 8
	auditRowCols  = 6
	// rowsPerInsert keeps a statement's parameters well under SQLite's
	// limit (32766) and PostgreSQL's (65535).
	rowsPerInsert = 500
	// bumpRowCols and bumpRowsPerStatement likewise for bumpMany.
	bumpRowCols          = 9
	bumpRowsPerStatement = 500
)

// bumpMany bumps the versions of the applications of rs still at their
// BaseVersion, bumpRowsPerStatement a statement, and keeps the new
// versions for save. It does nothing for a batch with an application
// twice or without a base version (save bumps those one by one): an
// UPDATE … FROM joins each application to one row of values at most.
func (v *saver) bumpMany(ctx context.Context, rs []SaveReport) error {
	if v.s.dialect != DialectPostgres {
		// In-process SQLite has no round trips to save, and parsing a
		// long VALUES list costs more than running one prepared
		// statement per application (BenchmarkRecheck/sqlite).
		p, err := v.tx.PrepareContext(ctx, bumpBaseQuery)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", bumpBaseQuery, err)
		}
		v.bump = p
		return nil
	}
	seen := make(map[int64]bool, len(rs))
	for _, r := range rs {
		if r.BaseVersion < 0 || seen[r.AppID] {
			return nil
		}
		seen[r.AppID] = true
	}
	v.bumped = make(map[int64]int, len(rs))
	v.batched = seen
	t := now()
	for chunk := range slices.Chunk(rs, bumpRowsPerStatement) {
		var q strings.Builder
		args := make([]any, 0, 2+len(chunk)*bumpRowCols)
		args = append(args, StatusDone, t)
		// Typed in every row: PostgreSQL takes the parameters of a VALUES
		// list for text otherwise.
		q.WriteString("WITH v (id, base, format, edition, year, cluster, errors, warnings, repairs) AS (VALUES ")
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))")
			sum := summarise(r.Report)
			args = append(args, r.AppID, r.BaseVersion, sum.format, sum.edition, sum.year, sum.cluster, sum.errors, sum.warnings, len(r.Report.Repairs))
		}
		q.WriteString(`) UPDATE applications SET version = applications.version + 1, status = ?, error_code = '', error_message = '',
			format = v.format, edition = v.edition, year = v.year, cluster_name = v.cluster, error_count = v.errors,
			warning_count = v.warnings, repair_count = v.repairs, updated_at = ?
			FROM v WHERE applications.id = v.id AND applications.version = v.base RETURNING applications.id, applications.version`)
		// The WITH's parameters come first in the text, the SET's after.
		args = append(args[2:], args[:2]...)
		rows, err := v.tx.QueryContext(ctx, v.s.q(q.String()), args...)
		if err != nil {
			return fmt.Errorf("bump versions of %d applications: %w", len(chunk), err)
		}
		for rows.Next() {
			var id int64
			var version int
			if err := rows.Scan(&id, &version); err != nil {
				rows.Close()
				return fmt.Errorf("bump versions: %w", err)
			}
			v.bumped[id] = version
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("bump versions of %d applications: %w", len(chunk), err)
		}
	}
	return nil
}

// save bumps the application's version (if still r.BaseVersion) and
// queues the report (packed, its JSON body left empty), its recheck item
// and audit entry for flush.
func (v *saver) save(ctx context.Context, r SaveReport, packed []byte) (int, error) {
	t := now()
	var version int
	var err error
	if v.batched[r.AppID] {
		// Bumped by bumpMany; not there: moved on or gone.
		var ok bool
		if version, ok = v.bumped[r.AppID]; !ok {
			err = sql.ErrNoRows
		}
	} else {
		sum := summarise(r.Report)
		args := []any{StatusDone, sum.format, sum.edition, sum.year, sum.cluster, sum.errors, sum.warnings, len(r.Report.Repairs), t, r.AppID}
		var row *sql.Row
		switch {
		case r.BaseVersion >= 0 && v.bump != nil:
			row = v.bump.QueryRowContext(ctx, append(args, r.BaseVersion)...)
		case r.BaseVersion >= 0:
			row = v.tx.QueryRowContext(ctx, v.s.q(bumpBaseQuery), append(args, r.BaseVersion)...)
		default:
			row = v.tx.QueryRowContext(ctx, v.s.q(bumpAnyQuery), args...)
		}
		err = row.Scan(&version)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := v.s.appTx(ctx, v.tx, r.AppID); err != nil {
			return 0, err
		}
		return 0, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("bump version of %d: %w", r.AppID, err)
	}
	var job any
	if r.JobID != nil {
		job = *r.JobID
	}
	v.reports = append(v.reports, r.AppID, version, r.Kind, job, nullID(r.By.ID), t, "", packed)
	if r.RecheckID != 0 {
		if v.items == nil {
			v.items = map[int64][]any{}
		}
		v.items[r.RecheckID] = append(v.items[r.RecheckID], r.AppID)
	}
	if r.Audit != nil {
		e := *r.Audit
		e.ApplicationID = r.AppID
		args, err := auditArgs(e)
		if err != nil {
			return 0, err
		}
		v.audits = append(v.audits, args...)
	}
	return version, nil
}

// flush writes what save queued.
func (v *saver) flush(ctx context.Context) error {
	if err := v.insertRows(ctx, "INSERT INTO reports (application_id, version, kind, job_id, created_by, created_at, body, packed) VALUES ", reportRowCols, v.reports); err != nil {
		return fmt.Errorf("insert reports: %w", err)
	}
	if err := v.insertRows(ctx, "INSERT INTO audit (at, user_id, user_name, action, application_id, detail) VALUES ", auditRowCols, v.audits); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	for rid, ids := range v.items {
		for chunk := range slices.Chunk(ids, rowsPerInsert) {
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
			args := append([]any{ItemDone, rid}, chunk...)
			if _, err := v.tx.ExecContext(ctx, v.s.q("UPDATE recheck_items SET state = ? WHERE recheck_id = ? AND application_id IN ("+marks+")"), args...); err != nil {
				return fmt.Errorf("recheck %d items: %w", rid, err)
			}
		}
	}
	v.reports, v.audits, v.items = nil, nil, nil
	return nil
}

// insertRows inserts values, cols per row, rowsPerInsert rows a statement.
func (v *saver) insertRows(ctx context.Context, insert string, cols int, values []any) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + "), "
	for chunk := range slices.Chunk(values, cols*rowsPerInsert) {
		q := insert + strings.TrimSuffix(strings.Repeat(row, len(chunk)/cols), ", ")
		if _, err := v.tx.ExecContext(ctx, v.s.q(q), chunk...); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlStore) appTx(ctx context.Context, tx *sql.Tx, id int64) (*Application, error) {
	a, err := scanApp(tx.QueryRowContext(ctx, s.q("SELECT "+appCols+" FROM applications a WHERE a.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("application")
	}
	if err != nil {
		return nil, fmt.Errorf("application %d: %w", id, err)
	}
	return a, nil
}

type summary struct {
	format, edition, cluster string
	year, errors, warnings   int
}

// clusterKeys are the template keys of 集群名称, the body's before the
// cover's, in the order they are trusted.
var clusterKeys = []string{"name", "cover_name"}

func summarise(r *shenbao.Report) summary {
	// The year is the template's declared programme year, never read from
	// the id's spelling (a summary table's id ends in -summary).
	sum := summary{format: r.Format, edition: r.Edition.ID, year: r.Edition.Year}
	for _, k := range clusterKeys {
		for _, f := range r.Fields {
			if f.Key == k && strings.TrimSpace(f.Value) != "" && sum.cluster == "" {
				sum.cluster = strings.TrimSpace(f.Value)
			}
		}
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case shenbao.SeverityError:
			sum.errors++
		case shenbao.SeverityWarning:
			sum.warnings++
		}
	}
	return sum
}

func (s *sqlStore) JobDone(ctx context.Context, jobID int64) (bool, error) {
	err := s.jobDone(ctx, s.db, jobID)
	if errors.Is(err, ErrJobDone) {
		return true, nil
	}
	return false, err
}

const reportCols = "r.application_id, r.version, r.kind, COALESCE(u.name, 'system'), r.created_at, r.body, r.packed"

func scanReport(row interface{ Scan(...any) error }) (*ReportVersion, error) {
	var v ReportVersion
	var created int64
	var body, packed []byte
	if err := row.Scan(&v.ApplicationID, &v.Version, &v.Kind, &v.CreatedBy, &created, &body, &packed); err != nil {
		return nil, err
	}
	v.CreatedAt = ms(created)
	v.Report = new(shenbao.Report)
	if packed != nil {
		// Versions stored since migration 6 are packed: a re-check's
		// reading costs a tenth of decoding their JSON.
		if err := pack.Unmarshal(packed, v.Report); err != nil {
			return nil, fmt.Errorf("decode report %d v%d: %w", v.ApplicationID, v.Version, err)
		}
		return &v, nil
	}
	// json v2 (the draft of encoding/json/v2) decodes a report 2.5× faster
	// than encoding/json: most of a re-check's reading. Bodies are written
	// by encoding/json (or re-serialised by PostgreSQL), valid UTF-8 with
	// the struct's member names, which both read alike.
	if err := jsonv2.Unmarshal(body, v.Report); err != nil {
		return nil, fmt.Errorf("decode report %d v%d: %w", v.ApplicationID, v.Version, err)
	}
	return &v, nil
}

func (s *sqlStore) Report(ctx context.Context, appID int64, version int) (*ReportVersion, error) {
	query := "SELECT " + reportCols + " FROM reports r LEFT JOIN users u ON u.id = r.created_by WHERE r.application_id = ? "
	args := []any{appID}
	if version > 0 {
		query += "AND r.version = ?"
		args = append(args, version)
	} else {
		query += "ORDER BY r.version DESC LIMIT 1"
	}
	v, err := scanReport(s.db.QueryRowContext(ctx, s.q(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("report")
	}
	if err != nil {
		return nil, fmt.Errorf("report %d v%d: %w", appID, version, err)
	}
	return v, nil
}

// LatestReports returns the current report of each of appIDs that has one,
// by application id, in one query per 500 ids: a re-check reads its batch
// with a few round trips instead of one per application.
func (s *sqlStore) LatestReports(ctx context.Context, appIDs []int64) (map[int64]*ReportVersion, error) {
	out := make(map[int64]*ReportVersion, len(appIDs))
	for ids := range slices.Chunk(appIDs, 500) {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, s.q("SELECT "+reportCols+` FROM reports r
			JOIN (SELECT application_id AS id, MAX(version) AS v FROM reports WHERE application_id IN (`+marks+`) GROUP BY application_id) m
				ON r.application_id = m.id AND r.version = m.v
			LEFT JOIN users u ON u.id = r.created_by`), args...)
		if err != nil {
			return nil, fmt.Errorf("reports of %d applications: %w", len(ids), err)
		}
		for rows.Next() {
			v, err := scanReport(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan report: %w", err)
			}
			out[v.ApplicationID] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("reports of %d applications: %w", len(ids), err)
		}
	}
	return out, nil
}

func (s *sqlStore) Versions(ctx context.Context, appID int64) ([]ReportVersion, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+reportCols+" FROM reports r LEFT JOIN users u ON u.id = r.created_by WHERE r.application_id = ? ORDER BY r.version"), appID)
	if err != nil {
		return nil, fmt.Errorf("versions of %d: %w", appID, err)
	}
	defer rows.Close()
	out := []ReportVersion{}
	for rows.Next() {
		v, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// ---- reviews and audit

func (s *sqlStore) SetReview(ctx context.Context, appID int64, key, decision, reason string, by Actor) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		t := now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO reviews (application_id, finding_key, decision, reason, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (application_id, finding_key) DO UPDATE SET decision = excluded.decision, reason = excluded.reason, user_id = excluded.user_id, created_at = excluded.created_at`),
			appID, key, decision, reason, nullID(by.ID), t); err != nil {
			return fmt.Errorf("save review: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "finding." + decision, ApplicationID: appID,
			Detail: map[string]any{"finding": key, "reason": reason}})
	})
}

// SetReviewed checks the version in the UPDATE itself, so that a
// correction or a re-check saved meanwhile makes the sign-off fail rather
// than land on a report the reviewer has not seen.
func (s *sqlStore) SetReviewed(ctx context.Context, appID int64, version int, note string, by Actor) error {
	if version < 0 {
		return shenbao.Errorf(shenbao.EINVALID, "报告版本不能为负数。/ The report version must not be negative.")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		a, err := s.appTx(ctx, tx, appID)
		if err != nil {
			return err
		}
		action := "application.reviewed"
		var res sql.Result
		if version == 0 {
			if a.ReviewedVersion == 0 {
				return nil // nothing to withdraw
			}
			action, version = "application.unreviewed", a.ReviewedVersion
			res, err = tx.ExecContext(ctx, s.q("UPDATE applications SET reviewed_version = 0, reviewed_by = '', reviewed_at = 0 WHERE id = ? AND reviewed_version = ?"),
				appID, version)
		} else {
			res, err = tx.ExecContext(ctx, s.q("UPDATE applications SET reviewed_version = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND version = ?"),
				version, by.Name, now(), appID, version)
		}
		if err != nil {
			return fmt.Errorf("%s %d: %w", action, appID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("%s %d: %w", action, appID, err)
		} else if n == 0 {
			// The report, or the sign-off being withdrawn, changed since
			// the reviewer saw it.
			return ErrConflict
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: action, ApplicationID: appID,
			Detail: map[string]any{"version": version, "note": note}})
	})
}

func (s *sqlStore) Reviews(ctx context.Context, appID int64) ([]Review, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT r.finding_key, r.decision, r.reason, COALESCE(u.name, ''), r.created_at FROM reviews r LEFT JOIN users u ON u.id = r.user_id WHERE r.application_id = ? ORDER BY r.finding_key"), appID)
	if err != nil {
		return nil, fmt.Errorf("reviews of %d: %w", appID, err)
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		var r Review
		var at int64
		if err := rows.Scan(&r.FindingKey, &r.Decision, &r.Reason, &r.By, &at); err != nil {
			return nil, fmt.Errorf("scan review: %w", err)
		}
		r.At = ms(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *sqlStore) Audit(ctx context.Context, e AuditEntry) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.audit(ctx, s.db, e)
}

func (s *sqlStore) audit(ctx context.Context, q querier, e AuditEntry) error {
	args, err := auditArgs(e)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, s.q(auditQuery), args...); err != nil {
		return fmt.Errorf("write audit %s: %w", e.Action, err)
	}
	return nil
}

// auditArgs are auditQuery's arguments for e.
func auditArgs(e AuditEntry) ([]any, error) {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return nil, fmt.Errorf("encode audit detail: %w", err)
	}
	if e.UserName == "" {
		e.UserName = "system"
	}
	return []any{now(), nullID(e.UserID), e.UserName, e.Action, nullID(e.ApplicationID), string(detail)}, nil
}

func (s *sqlStore) AuditLog(ctx context.Context, appID int64) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT at, COALESCE(user_id, 0), user_name, action, COALESCE(application_id, 0), detail FROM audit WHERE application_id = ? ORDER BY id"), appID)
	if err != nil {
		return nil, fmt.Errorf("audit of %d: %w", appID, err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at int64
		var detail string
		if err := rows.Scan(&at, &e.UserID, &e.UserName, &e.Action, &e.ApplicationID, &detail); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.At = ms(at)
		e.Detail = json.RawMessage(detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ---- rechecks

func (s *sqlStore) CreateRecheck(ctx context.Context, filter string, appIDs []int64, by Actor) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q("INSERT INTO rechecks (filter, total, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
			filter, len(appIDs), nullID(by.ID), now()).Scan(&id); err != nil {
			return fmt.Errorf("insert recheck: %w", err)
		}
		// Many rows per statement: a re-check of 10,000 is 20 inserts.
		for ids := range slices.Chunk(appIDs, 500) {
			args := make([]any, 0, 3*len(ids))
			for _, a := range ids {
				args = append(args, id, a, ItemQueued)
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(ids)), ", ")
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recheck_items (recheck_id, application_id, state) VALUES "+values), args...); err != nil {
				return fmt.Errorf("insert recheck items: %w", err)
			}
		}
		return s.audit(ctx, tx, AuditEntry{UserID: by.ID, UserName: by.Name, Action: "recheck.create",
			Detail: map[string]any{"recheck": id, "filter": json.RawMessage(filter), "applications": len(appIDs)}})
	})
	return id, err
}

func (s *sqlStore) Recheck(ctx context.Context, id int64) (*Recheck, error) {
	r := &Recheck{ID: id}
	var created int64
	err := s.db.QueryRowContext(ctx, s.q("SELECT filter, total, created_at FROM rechecks WHERE id = ?"), id).Scan(&r.Filter, &r.Total, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("recheck")
	}
	if err != nil {
		return nil, fmt.Errorf("recheck %d: %w", id, err)
	}
	r.CreatedAt = ms(created)
	rows, err := s.db.QueryContext(ctx, s.q("SELECT state, COUNT(*) FROM recheck_items WHERE recheck_id = ? GROUP BY state"), id)
	if err != nil {
		return nil, fmt.Errorf("recheck %d progress: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("scan progress: %w", err)
		}
		switch st {
		case ItemQueued:
			r.Queued = n
		case ItemDone:
			r.Done = n
		case ItemFailed:
			r.Failed = n
		}
	}
	return r, rows.Err()
}

func (s *sqlStore) SetRecheckItem(ctx context.Context, recheckID, appID int64, state string) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.setItem(ctx, s.db, recheckID, appID, state)
}

func (s *sqlStore) setItem(ctx context.Context, q querier, recheckID, appID int64, state string) error {
	if _, err := q.ExecContext(ctx, s.q(setItemQuery), state, recheckID, appID); err != nil {
		return fmt.Errorf("recheck %d item %d: %w", recheckID, appID, err)
	}
	return nil
}
