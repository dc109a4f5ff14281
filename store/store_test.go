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

		db, _ := rawDB(t, cfg)
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
		n.Filename = "copy.pdf"
		a2, created, err := s.CreateApplication(ctx, n, store.ActorOf(other))
		if err != nil || created || a2.ID != a1.ID {
			t.Fatalf("same bytes again: id %d vs %d, created=%v err=%v", a2.ID, a1.ID, created, err)
		}
		// Both clerks uploaded it, so both may read it; a third may not.
		third, _ := s.CreateUser(ctx, "clerk3", store.RoleClerk, "hash")
		for u, want := range map[*store.User]bool{clerk: true, other: true, third: false} {
			if ok, err := s.CanRead(ctx, u, a1.ID); err != nil || ok != want {
				t.Errorf("CanRead(%s) = %v, %v; want %v", u.Name, ok, err, want)
			}
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
		summary := &shenbao.Report{Format: shenbao.FormatDOCX, Edition: shenbao.EditionMatch{ID: "zj2025-summary-b", Year: 2025}}
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
