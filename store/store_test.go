package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

func open(t *testing.T, cfg store.Config) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sha(c byte) string { return strings.Repeat(string(c), 64) }

// rawDB opens cfg's database directly, around the store, and says which
// dialect it speaks.
func rawDB(t *testing.T, cfg store.Config) (*sql.DB, string) {
	t.Helper()
	dialect, driver, dsn := store.DialectSQLite, "sqlite", store.SQLiteDSN(filepath.Join(cfg.DataDir, "shenbao.db"))
	if cfg.DatabaseURL != "" {
		dialect, driver, dsn = store.DialectPostgres, "pgx", cfg.DatabaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dialect
}

func TestMigrationsRerunAndChecked(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		s.Close()
		s = open(t, cfg) // a second start applies nothing and accepts the schema
		s.Close()

		db, dialect := rawDB(t, cfg)
		if dialect == store.DialectPostgres {
			// Migration 7: packed reports compress with LZ4 (the test
			// server is built with it, as Debian's is).
			var method string
			if err := db.QueryRowContext(ctx, "SELECT attcompression FROM pg_attribute WHERE attrelid = 'reports'::regclass AND attname = 'packed'").Scan(&method); err != nil || method != "l" {
				t.Errorf("reports.packed compression %q (%v), want l (lz4)", method, err)
			}
		}
		if _, err := db.ExecContext(ctx, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), "differs") {
			t.Fatalf("edited migration: err = %v, want a checksum mismatch", err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future.sql', 'x', 0)"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), "upgrade") {
			t.Fatalf("newer schema: err = %v, want a refusal", err)
		}
	})
}

func TestApplicationLifecycle(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		clerk, err := s.CreateUser(ctx, "clerk1", store.RoleClerk, "hash")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateUser(ctx, "clerk2", store.RoleClerk, "hash")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "clerk1", store.RoleClerk, "hash"); shenbao.ErrorCode(err) != shenbao.ECONFLICT {
			t.Fatalf("duplicate user: %v", err)
		}

		if err := s.PutOriginal(ctx, sha('a'), strings.NewReader("original bytes")); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Original(ctx, sha('a')); err != nil || string(got) != "original bytes" {
			t.Fatalf("Original = %q, %v", got, err)
		}
		if _, err := s.Original(ctx, sha('b')); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Fatalf("missing original: %v", err)
		}

		n := store.NewApplication{SHA256: sha('a'), Filename: "a.pdf", Size: 14, MIME: "application/pdf", Batch: "b1", Region: "湖北"}
		a1, created, err := s.CreateApplication(ctx, n, store.ActorOf(clerk))
		if err != nil || !created {
			t.Fatalf("first upload: created=%v err=%v", created, err)
		}
		again, created, err := s.CreateApplication(ctx, n, store.ActorOf(clerk))
		if err != nil || created || again.ID != a1.ID {
			t.Fatalf("same bytes again by the same clerk: id %d vs %d, created=%v err=%v", again.ID, a1.ID, created, err)
		}
		// Another clerk's upload of the same bytes is their own
		// application: their file name, batch and region, not clerk1's.
		n2 := store.NewApplication{SHA256: sha('a'), Filename: "copy.pdf", Size: 14, MIME: "application/pdf", Batch: "b9", Region: "重庆"}
		a2, created, err := s.CreateApplication(ctx, n2, store.ActorOf(other))
		if err != nil || !created || a2.ID == a1.ID || a2.Filename != "copy.pdf" || a2.Batch != "b9" || a2.Region != "重庆" {
			t.Fatalf("same bytes by another clerk: %+v (first %d), created=%v err=%v; want a new application of theirs", a2, a1.ID, created, err)
		}
		third, _ := s.CreateUser(ctx, "clerk3", store.RoleClerk, "hash")
		for _, tc := range []struct {
			u    *store.User
			app  int64
			want bool
		}{{clerk, a1.ID, true}, {other, a1.ID, false}, {third, a1.ID, false}, {other, a2.ID, true}, {clerk, a2.ID, false}} {
			if ok, err := s.CanRead(ctx, tc.u, tc.app); err != nil || ok != tc.want {
				t.Errorf("CanRead(%s, %d) = %v, %v; want %v", tc.u.Name, tc.app, ok, err, tc.want)
			}
		}
		if err := s.DeleteApplication(ctx, a2.ID, store.ActorOf(clerk)); err != nil {
			t.Fatal(err)
		}

		job := int64(42)
		rep := &shenbao.Report{Format: shenbao.FormatPDFText, Edition: shenbao.EditionMatch{ID: "nat2024", Year: 2024},
			Fields:   []shenbao.Field{{ID: "name", Key: "name", Value: "武汉光谷激光产业集群"}},
			Findings: []shenbao.Finding{{Kind: shenbao.KindMissing, Severity: shenbao.SeverityError}, {Severity: shenbao.SeverityWarning}}}
		v, err := s.SaveReport(ctx, store.SaveReport{AppID: a1.ID, BaseVersion: 0, Kind: store.KindExtract, JobID: &job, Report: rep})
		if err != nil || v != 1 {
			t.Fatalf("SaveReport = %d, %v", v, err)
		}
		if _, err := s.SaveReport(ctx, store.SaveReport{AppID: a1.ID, BaseVersion: -1, Kind: store.KindExtract, JobID: &job, Report: rep}); !errors.Is(err, store.ErrJobDone) {
			t.Fatalf("second save by the same job: %v, want ErrJobDone", err)
		}
		if _, err := s.SaveReport(ctx, store.SaveReport{AppID: a1.ID, BaseVersion: 0, Kind: store.KindCorrection, Report: rep}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale base version: %v, want ErrConflict", err)
		}
		if done, _ := s.JobDone(ctx, job); !done {
			t.Fatal("JobDone = false after save")
		}
		got, err := s.Application(ctx, a1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.StatusDone || got.Edition != "nat2024" || got.Year != 2024 || got.ClusterName != "武汉光谷激光产业集群" || got.Errors != 1 || got.Warnings != 1 || got.Version != 1 {
			t.Fatalf("summary not updated: %+v", got)
		}
		// A late failure report for a done application must not undo it.
		if err := s.SetStatus(ctx, a1.ID, store.StatusFailed, "crashed", "x"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Application(ctx, a1.ID); got.Status != store.StatusDone {
			t.Fatalf("status after late failure = %s", got.Status)
		}

		a3, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: sha('c'), Filename: "c.docx", MIME: "x", Batch: "b2"}, store.ActorOf(other))
		if err != nil {
			t.Fatal(err)
		}
		// A summary table whose id has no year and no -summary suffix is
		// filed under the year its template declares (layout's
		// TestEditionFactsFromData detects it with that year).
		summary := &shenbao.Report{Format: shenbao.FormatDOCX, Edition: shenbao.EditionMatch{ID: "zhejiang-list-b", Year: 2025}}
		if _, err := s.SaveReport(ctx, store.SaveReport{AppID: a3.ID, Kind: store.KindExtract, Report: summary}); err != nil {
			t.Fatal(err)
		}
		yes := true
		for _, tc := range []struct {
			name string
			f    store.Filter
			want int
		}{
			{"all", store.Filter{}, 2},
			{"status", store.Filter{Status: store.StatusDone}, 2},
			{"batch", store.Filter{Batch: "b2"}, 1},
			{"year", store.Filter{Year: 2024}, 1},
			{"year of a summary table", store.Filter{Year: 2025}, 1},
			{"no such year", store.Filter{Year: 2023}, 0},
			{"has errors", store.Filter{HasErrors: &yes}, 1},
			{"text", store.Filter{Query: "光谷"}, 1},
			{"text no match", store.Filter{Query: "%"}, 0},
			{"clerk own", store.Filter{UploadedBy: clerk.ID}, 1},
			{"paging", store.Filter{Limit: 1, Offset: 1}, 1},
		} {
			list, total, err := s.Applications(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(list) != tc.want {
				t.Errorf("%s: %d applications (total %d), want %d", tc.name, len(list), total, tc.want)
			}
		}

		if err := s.DeleteApplication(ctx, a1.ID, store.ActorOf(clerk)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Application(ctx, a1.ID); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
	})
}

// TestUpgradeKeepsApplications applies 001 alone, as a database made by the
// previous release, stores an application, and opens it with this program:
// the pending migrations run and the application reads back unreviewed.
func TestUpgradeKeepsApplications(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		db, dialect := rawDB(t, cfg)
		first, err := os.ReadFile(filepath.Join("migrations", dialect, "001_init.sql"))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(first)
		for _, q := range []string{
			string(first),
			"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
			fmt.Sprintf("INSERT INTO schema_migrations VALUES (1, '001_init.sql', '%x', 0)", sum),
			fmt.Sprintf("INSERT INTO applications (sha256, filename, size, mime, status, version, created_at, updated_at) VALUES ('%s', 'old.pdf', 1, 'application/pdf', 'done', 3, 0, 0)", sha('d')),
			// Rows that refer to it must survive the table's rebuild (004
			// on SQLite): with foreign keys on, dropping the old table
			// would have cascaded to them.
			// A JSON body, as every version was stored before 006
			// packed them: still read.
			`INSERT INTO reports (application_id, version, kind, created_at, body) VALUES (1, 3, 'extract', 0, '{"file":"old.pdf","fields":[{"id":"name","value":"旧集群"}]}')`,
			"INSERT INTO uploads (application_id, filename, created_at) VALUES (1, 'old.pdf', 0)",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%.60s…: %v", q, err)
			}
		}
		s := open(t, cfg)
		list, _, err := s.Applications(ctx, store.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("applications after the upgrade: %d, %v", len(list), err)
		}
		if a := list[0]; a.Version != 3 || a.ReviewedVersion != 0 || a.ReviewedBy != "" || a.ReviewedAt != nil || a.Reviewed() {
			t.Fatalf("upgraded application: %+v, want version 3 and no sign-off", a)
		}
		if vs, err := s.Versions(ctx, list[0].ID); err != nil || len(vs) != 1 {
			t.Fatalf("report after the upgrade: %d, %v; want the one stored before", len(vs), err)
		}
		if v, err := s.Report(ctx, list[0].ID, 0); err != nil || v.Report.File != "old.pdf" || len(v.Report.Fields) != 1 || v.Report.Fields[0].Value != "旧集群" {
			t.Fatalf("JSON report after the upgrade: %+v, %v", v, err)
		}
		u, _ := s.CreateUser(ctx, "c", store.RoleClerk, "hash")
		if ok, err := s.CanRead(ctx, u, list[0].ID); err != nil || ok {
			t.Fatalf("CanRead after the upgrade: %v, %v", ok, err)
		}
		var uploads int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM uploads").Scan(&uploads); err != nil || uploads != 1 {
			t.Fatalf("uploads after the upgrade: %d, %v; want the one stored before", uploads, err)
		}
	})
}

func TestSignOff(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		rev, err := s.CreateUser(ctx, "reviewer1", store.RoleReviewer, "hash")
		if err != nil {
			t.Fatal(err)
		}
		by := store.ActorOf(rev)
		a, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: sha('a'), Filename: "a.pdf", MIME: "application/pdf"}, by)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: sha('b'), Filename: "b.pdf", MIME: "application/pdf"}, by)
		if err != nil {
			t.Fatal(err)
		}
		rep := &shenbao.Report{Format: shenbao.FormatPDFText, Edition: shenbao.EditionMatch{ID: "nat2024"}}
		save := func(base int) {
			t.Helper()
			if _, err := s.SaveReport(ctx, store.SaveReport{AppID: a.ID, BaseVersion: base, Kind: store.KindCorrection, By: by, Report: rep}); err != nil {
				t.Fatal(err)
			}
		}
		get := func() *store.Application {
			t.Helper()
			got, err := s.Application(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		reviewedIDs := func(want bool) []int64 {
			t.Helper()
			ids, err := s.ApplicationIDs(ctx, store.Filter{Reviewed: &want})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}

		if err := s.SetReviewed(ctx, a.ID, 1, "", by); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("sign-off before any report: %v, want ErrConflict", err)
		}
		save(0)
		if err := s.SetReviewed(ctx, a.ID, 2, "", by); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("sign-off of a version to come: %v, want ErrConflict", err)
		}
		before := time.Now().Add(-time.Second)
		if err := s.SetReviewed(ctx, a.ID, 1, "材料齐全", by); err != nil {
			t.Fatal(err)
		}
		got := get()
		if !got.Reviewed() || got.ReviewedVersion != 1 || got.ReviewedBy != "reviewer1" || got.ReviewedAt == nil || got.ReviewedAt.Before(before) {
			t.Fatalf("after sign-off: %+v", got)
		}
		if ids := reviewedIDs(true); len(ids) != 1 || ids[0] != a.ID {
			t.Fatalf("reviewed: %v, want [%d]", ids, a.ID)
		}
		if ids := reviewedIDs(false); len(ids) != 1 || ids[0] != other.ID {
			t.Fatalf("not reviewed: %v, want [%d]", ids, other.ID)
		}

		// A correction makes a new version: the sign-off stays recorded
		// but no longer counts, and a sign-off of the old version is stale.
		save(1)
		got = get()
		if got.Reviewed() || got.ReviewedVersion != 1 || got.ReviewedBy != "reviewer1" {
			t.Fatalf("after a correction: %+v, want the old sign-off kept and not counted", got)
		}
		if ids := reviewedIDs(true); len(ids) != 0 {
			t.Fatalf("reviewed after a correction: %v, want none", ids)
		}
		if ids := reviewedIDs(false); len(ids) != 2 {
			t.Fatalf("not reviewed after a correction: %v, want both", ids)
		}
		if err := s.SetReviewed(ctx, a.ID, 1, "", by); !errors.Is(err, store.ErrConflict) || shenbao.ErrorCode(err) != shenbao.ECONFLICT {
			t.Fatalf("stale sign-off: %v, want ErrConflict", err)
		}
		if err := s.SetReviewed(ctx, a.ID, 2, "", by); err != nil {
			t.Fatal(err)
		}
		if got := get(); !got.Reviewed() || got.ReviewedVersion != 2 {
			t.Fatalf("after the second sign-off: %+v", got)
		}

		// Withdrawing clears it; withdrawing again changes nothing.
		for range 2 {
			if err := s.SetReviewed(ctx, a.ID, 0, "签字页缺失", by); err != nil {
				t.Fatal(err)
			}
		}
		if got := get(); got.Reviewed() || got.ReviewedVersion != 0 || got.ReviewedBy != "" || got.ReviewedAt != nil {
			t.Fatalf("after withdrawal: %+v", got)
		}
		if err := s.SetReviewed(ctx, 9999, 1, "", by); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Fatalf("no such application: %v", err)
		}
		if err := s.SetReviewed(ctx, a.ID, -1, "", by); shenbao.ErrorCode(err) != shenbao.EINVALID {
			t.Fatalf("negative version: %v", err)
		}

		log, err := s.AuditLog(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got2 []string
		for _, e := range log {
			if strings.HasPrefix(e.Action, "application.") && e.Action != "application.upload" {
				got2 = append(got2, fmt.Sprintf("%s %s %s", e.Action, e.UserName, e.Detail))
			}
		}
		want := []string{
			`application.reviewed reviewer1 {"note":"材料齐全","version":1}`,
			`application.reviewed reviewer1 {"note":"","version":2}`,
			`application.unreviewed reviewer1 {"note":"签字页缺失","version":2}`,
		}
		if !slices.Equal(got2, want) {
			t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got2, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestPrivateFiles: the SQLite database, its WAL and the originals are
// readable by the service's user only, also when an older release left
// them wider.
func TestPrivateFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "originals"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := open(t, store.Config{DataDir: dir})
	if _, err := s.CreateUser(ctx, "u", store.RoleClerk, "hash"); err != nil { // writes the WAL
		t.Fatal(err)
	}
	if err := s.PutOriginal(ctx, sha('e'), strings.NewReader("bytes")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                                0o700,
		filepath.Join(dir, "originals"):    0o700,
		filepath.Join(dir, "originals/ee"): 0o700,
		filepath.Join(dir, "originals/ee/"+sha('e')): 0o600,
		filepath.Join(dir, "shenbao.db"):             0o600,
		filepath.Join(dir, "shenbao.db-wal"):         0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", path, got, want)
		}
	}
}

// auditActions lists the audit log's actions (all of it, not one
// application's) in order.
func auditActions(t *testing.T, cfg store.Config) []string {
	t.Helper()
	db, _ := rawDB(t, cfg)
	rows, err := db.Query("SELECT action || ' by ' || user_name FROM audit ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out = append(out, a)
	}
	return out
}

// TestRevocation: disabling, a password change and ending sessions move
// the session version on; disabled accounts and revoked or expired tokens
// authenticate nobody; every change is audited.
func TestRevocation(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		admin := store.Actor{ID: 0, Name: "cli"}
		u, err := s.CreateUser(ctx, "clerk1", store.RoleClerk, "hash")
		if err != nil {
			t.Fatal(err)
		}
		past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
		live, _ := s.CreateToken(ctx, u.ID, "live", "h-live", &future, admin)
		s.CreateToken(ctx, u.ID, "expired", "h-expired", &past, admin)
		forever, _ := s.CreateToken(ctx, u.ID, "forever", "h-forever", nil, admin)
		for hash, want := range map[string]bool{"h-live": true, "h-expired": false, "h-forever": true} {
			if _, err := s.UserByToken(ctx, hash); (err == nil) != want {
				t.Errorf("token %s authenticates: %v, want %v", hash, err == nil, want)
			}
		}
		if err := s.RevokeToken(ctx, forever, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, "h-forever"); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Errorf("revoked token: %v, want not found", err)
		}
		if err := s.RevokeToken(ctx, 999, admin); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Errorf("revoke unknown token: %v", err)
		}
		ts, err := s.Tokens(ctx, u.ID)
		if err != nil || len(ts) != 3 {
			t.Fatalf("Tokens = %v, %v", ts, err)
		}
		for _, tk := range ts {
			if want := tk.ID == live; tk.Active(time.Now()) != want {
				t.Errorf("token %s active = %v, want %v", tk.Name, !want, want)
			}
		}

		version := func() int64 {
			t.Helper()
			got, err := s.Users(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return got[0].SessionVersion
		}
		v0 := version()
		if err := s.EndSessions(ctx, u.ID, store.ActorOf(u)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, "clerk1", "hash2", admin); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByName(ctx, "clerk1"); got.PasswordHash != "hash2" {
			t.Errorf("password hash %q after SetPassword", got.PasswordHash)
		}
		if err := s.SetDisabled(ctx, "clerk1", true, admin); err != nil {
			t.Fatal(err)
		}
		if v := version(); v != v0+3 {
			t.Errorf("session version %d after sign-out, password and disable, want %d", v, v0+3)
		}
		if _, err := s.UserByName(ctx, "clerk1"); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Errorf("disabled user by name: %v", err)
		}
		if _, err := s.UserByToken(ctx, "h-live"); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Errorf("disabled user's token: %v", err)
		}
		if us, _ := s.Users(ctx); !us[0].Disabled {
			t.Error("Users does not show the account disabled")
		}
		if err := s.SetDisabled(ctx, "clerk1", false, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, "h-live"); err != nil {
			t.Errorf("enabled again, its live token: %v", err)
		}
		if err := s.SetDisabled(ctx, "nobody", true, admin); shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
			t.Errorf("disable unknown user: %v", err)
		}
		want := []string{"user.create by system", "token.create by cli", "token.create by cli", "token.create by cli", "token.revoke by cli",
			"session.revoke by clerk1", "user.passwd by cli", "user.disable by cli", "user.enable by cli"}
		if got := auditActions(t, cfg); !slices.Equal(got, want) {
			t.Errorf("audit log:\n%v\nwant\n%v", got, want)
		}
	})
}

// TestOriginalsDeleted: an original goes with its last application, a
// failed upload's with ReleaseOriginal, an unreferenced one after its
// grace period, and with a retention setting every finished application's
// after that time; one in use stays.
func TestOriginalsDeleted(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		c1, _ := s.CreateUser(ctx, "c1", store.RoleClerk, "hash")
		c2, _ := s.CreateUser(ctx, "c2", store.RoleClerk, "hash")
		exists := func(sha string) bool {
			t.Helper()
			_, err := s.Original(ctx, sha)
			if err != nil && shenbao.ErrorCode(err) != shenbao.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil
		}
		put := func(sha string) {
			t.Helper()
			if err := s.PutOriginal(ctx, sha, strings.NewReader("bytes of "+sha[:1])); err != nil {
				t.Fatal(err)
			}
		}
		app := func(sha string, u *store.User) int64 {
			t.Helper()
			a, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: sha, Filename: "f.pdf", MIME: "application/pdf"}, store.ActorOf(u))
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}

		// Shared by two uploaders: the first delete keeps it.
		put(sha('a'))
		a1, a2 := app(sha('a'), c1), app(sha('a'), c2)
		s.DeleteApplication(ctx, a1, store.ActorOf(c1))
		if !exists(sha('a')) {
			t.Fatal("original deleted while another application uses it")
		}
		s.DeleteApplication(ctx, a2, store.ActorOf(c1))
		if exists(sha('a')) {
			t.Error("original kept after its last application was deleted")
		}
		if ok, err := s.HasOriginal(ctx, sha('a')); ok || err != nil {
			t.Errorf("HasOriginal of a deleted original = %v, %v", ok, err)
		}

		// A failed upload's original.
		put(sha('b'))
		if err := s.ReleaseOriginal(ctx, sha('b')); err != nil {
			t.Fatal(err)
		}
		if exists(sha('b')) {
			t.Error("ReleaseOriginal kept an unreferenced original")
		}
		put(sha('c'))
		app(sha('c'), c1)
		if err := s.ReleaseOriginal(ctx, sha('c')); err != nil || !exists(sha('c')) {
			t.Errorf("ReleaseOriginal of one in use: %v, exists %v", err, exists(sha('c')))
		}

		// An orphan (a process died between storing and recording) goes
		// once past the grace period, not before.
		put(sha('d'))
		if n, err := s.SweepOriginals(ctx, time.Hour, 0); err != nil || n != 0 || !exists(sha('d')) {
			t.Fatalf("sweep within the grace period: %d, %v", n, err)
		}
		time.Sleep(5 * time.Millisecond)
		if n, err := s.SweepOriginals(ctx, time.Millisecond, 0); err != nil || n != 1 || exists(sha('d')) || !exists(sha('c')) {
			t.Fatalf("sweep past the grace period: %d, %v; orphan exists %v, used exists %v", n, err, exists(sha('d')), exists(sha('c')))
		}

		// Retention: c's application is queued (unfinished): kept; once
		// failed (finished) and older than the retention: deleted, the
		// application kept and told in its audit log.
		cID, _ := s.ApplicationIDs(ctx, store.Filter{})
		time.Sleep(5 * time.Millisecond)
		if n, err := s.SweepOriginals(ctx, time.Hour, time.Millisecond); err != nil || n != 0 || !exists(sha('c')) {
			t.Fatalf("retention on an unfinished application: %d, %v", n, err)
		}
		s.SetStatus(ctx, cID[0], store.StatusFailed, "x", "x")
		if n, err := s.SweepOriginals(ctx, time.Hour, 24*time.Hour); err != nil || n != 0 || !exists(sha('c')) {
			t.Fatalf("retention not yet reached: %d, %v", n, err)
		}
		if n, err := s.SweepOriginals(ctx, time.Hour, time.Millisecond); err != nil || n != 1 || exists(sha('c')) {
			t.Fatalf("retention reached: %d, %v", n, err)
		}
		if _, err := s.Application(ctx, cID[0]); err != nil {
			t.Fatalf("application after its original's retention: %v", err)
		}
		log, _ := s.AuditLog(ctx, cID[0])
		if last := log[len(log)-1]; last.Action != "original.delete" {
			t.Errorf("last audit entry %s, want original.delete", last.Action)
		}
	})
}

// TestSaveReports: a batch is stored in one go, skipping (and naming) an
// item whose application moved on or is gone; its job id makes it
// idempotent; LatestReports reads each application's current report.
func TestSaveReports(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		var ids []int64
		for i, c := range []byte("pqrs") {
			a, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: sha(c), Filename: fmt.Sprintf("%d.docx", i), MIME: "test"}, store.Actor{})
			if err != nil {
				t.Fatal(err)
			}
			rep := &shenbao.Report{Format: shenbao.FormatDOCX, Edition: shenbao.EditionMatch{ID: "nat2024", Year: 2024},
				Fields: []shenbao.Field{{ID: "name", Key: "name", Value: fmt.Sprintf("集群%d", i)}}}
			if _, err := s.SaveReport(ctx, store.SaveReport{AppID: a.ID, BaseVersion: 0, Kind: store.KindExtract, Report: rep}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		// ids[1] is corrected (version 2) after the batch read version 1;
		// ids[2] is deleted.
		if _, err := s.SaveReport(ctx, store.SaveReport{AppID: ids[1], BaseVersion: 1, Kind: store.KindCorrection, Report: &shenbao.Report{Edition: shenbao.EditionMatch{ID: "nat2024"}}}); err != nil {
			t.Fatal(err)
		}
		rid, err := s.CreateRecheck(ctx, "{}", ids, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteApplication(ctx, ids[2], store.Actor{}); err != nil {
			t.Fatal(err)
		}
		latest, err := s.LatestReports(ctx, append(ids, 999999))
		if err != nil {
			t.Fatal(err)
		}
		if len(latest) != 3 || latest[ids[0]].Version != 1 || latest[ids[1]].Version != 2 || latest[ids[3]].Report.Fields[0].Value != "集群3" {
			t.Fatalf("LatestReports: %d reports %+v", len(latest), latest)
		}
		var batch []store.SaveReport
		for _, id := range ids {
			rep := &shenbao.Report{Format: shenbao.FormatDOCX, Edition: shenbao.EditionMatch{ID: "nat2024", Year: 2024},
				Findings: []shenbao.Finding{{Kind: shenbao.KindMissing, Severity: shenbao.SeverityError}}}
			batch = append(batch, store.SaveReport{AppID: id, BaseVersion: 1, Kind: store.KindCheck, Report: rep, RecheckID: rid,
				Audit: &store.AuditEntry{Action: "report.check"}})
		}
		job := int64(7)
		errs, err := s.SaveReports(ctx, &job, batch)
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || !errors.Is(errs[1], store.ErrConflict) || shenbao.ErrorCode(errs[2]) != shenbao.ENOTFOUND || errs[3] != nil {
			t.Fatalf("SaveReports errors %v; want nil, conflict, not found, nil", errs)
		}
		for _, id := range []int64{ids[0], ids[3]} {
			if a, err := s.Application(ctx, id); err != nil || a.Version != 2 || a.Errors != 1 {
				t.Errorf("application %d after the batch: %+v, %v; want version 2 with 1 error", id, a, err)
			}
		}
		if a, _ := s.Application(ctx, ids[1]); a.Version != 2 || a.Errors != 0 {
			t.Errorf("the corrected application was overwritten: %+v", a)
		}
		if r, err := s.Recheck(ctx, rid); err != nil || r.Done != 2 || r.Queued != 1 {
			t.Errorf("recheck progress %+v, %v; want 2 done, 1 queued (the deleted one's item went with it)", r, err)
		}
		if done, err := s.JobDone(ctx, job); err != nil || !done {
			t.Errorf("JobDone = %v, %v after the batch", done, err)
		}
		if _, err := s.SaveReports(ctx, &job, batch); !errors.Is(err, store.ErrJobDone) {
			t.Errorf("the same job's batch again: %v, want ErrJobDone", err)
		}
		if a, _ := s.Application(ctx, ids[0]); a.Version != 2 {
			t.Errorf("the repeated batch was stored: version %d", a.Version)
		}
	})
}

// TestConcurrentWriters: uploads, heartbeats, reports and audit entries
// written at once by many goroutines all land (on SQLite they queue for
// the one write lock in Go; none may fail busy or wait on another that
// holds the lock while waiting itself).
func TestConcurrentWriters(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		const n = 48
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				a, _, err := s.CreateApplication(ctx, store.NewApplication{SHA256: fmt.Sprintf("%064x", i+1), Filename: "a.docx", MIME: "test"}, store.Actor{})
				if err == nil {
					err = s.Touch(ctx, a.ID)
				}
				if err == nil {
					_, err = s.SaveReport(ctx, store.SaveReport{AppID: a.ID, BaseVersion: 0, Kind: store.KindExtract, Report: &shenbao.Report{Edition: shenbao.EditionMatch{ID: "nat2024"}}})
				}
				if err == nil {
					err = s.Audit(ctx, store.AuditEntry{Action: "test.write", ApplicationID: a.ID})
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		counts, err := s.CountByStatus(ctx)
		if err != nil || counts[store.StatusDone] != n {
			t.Fatalf("%v done of %d (%v)", counts, n, err)
		}
		// A writer whose request has gone gives up instead of queueing.
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := s.CreateApplication(gone, store.NewApplication{SHA256: sha('z'), Filename: "z.docx", MIME: "test"}, store.Actor{}); err == nil {
			t.Error("an upload whose request had gone was recorded")
		}
	})
}
