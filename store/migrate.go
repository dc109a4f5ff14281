package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered schema change. Files are named
// NNN_description.sql, one directory per dialect, and are never edited once
// released: the checksum of every applied migration is compared at start.
type migration struct {
	version int
	name    string
	sql     string
	sum     string
}

func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNN_description.sql", e.Name())
		}
		data, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(data)
		out = append(out, migration{version: v, name: e.Name(), sql: string(data), sum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies the pending migrations in one transaction and refuses to
// start on a database that a newer binary migrated, or whose applied
// migrations differ from the ones embedded here.
func (s *sqlStore) migrate(ctx context.Context) (err error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	// One connection for the whole run: on SQLite a migration that rebuilds
	// a table (SQLite cannot drop a constraint) runs with foreign keys off,
	// as SQLite documents — with them on, dropping the old table would
	// cascade its deletes to every child row — and they are checked before
	// the commit and turned on again before the connection goes back to
	// the pool.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == DialectSQLite {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); ferr != nil && err == nil {
				err = fmt.Errorf("migrate: foreign keys back on: %w", ferr)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	if err := s.applyMigrations(ctx, tx, ms); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

func (s *sqlStore) applyMigrations(ctx context.Context, tx *sql.Tx, ms []migration) error {
	if s.dialect == DialectPostgres {
		// Several serve and worker processes may start together.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7351092)"); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		checksum   TEXT    NOT NULL,
		applied_at BIGINT  NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[int]migration{}
	for rows.Next() {
		var m migration
		if err := rows.Scan(&m.version, &m.name, &m.sum); err != nil {
			rows.Close()
			return fmt.Errorf("scan schema_migrations: %w", err)
		}
		applied[m.version] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if len(applied) > len(ms) {
		return fmt.Errorf("database schema is at version %d but this program knows only %d: upgrade shenbao", len(applied), len(ms))
	}
	for _, m := range ms {
		if a, ok := applied[m.version]; ok {
			if a.sum != m.sum {
				return fmt.Errorf("migration %d (%s) applied to the database differs from %s in this program", m.version, a.name, m.name)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"),
			m.version, m.name, m.sum, now()); err != nil {
			return fmt.Errorf("record migration %s: %w", m.name, err)
		}
	}
	if s.dialect == DialectSQLite {
		var bad int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&bad); err != nil {
			return fmt.Errorf("check foreign keys after migrating: %w", err)
		}
		if bad > 0 {
			return fmt.Errorf("migrations left %d rows with broken foreign keys; nothing was applied", bad)
		}
	}
	return nil
}
