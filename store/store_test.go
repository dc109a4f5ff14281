package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

func TestMigrationsRerunAndChecked(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		s := open(t, cfg)
		s.Close()
		s = open(t, cfg) // a second start applies nothing and accepts the schema
		s.Close()

		driver, dsn := "sqlite", store.SQLiteDSN(filepath.Join(cfg.DataDir, "shenbao.db"))
		if cfg.DatabaseURL != "" {
			driver, dsn = "pgx", cfg.DatabaseURL
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
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
		rep := &shenbao.Report{Format: shenbao.FormatPDFText, Edition: shenbao.EditionMatch{ID: "nat2024"},
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

		s.CreateApplication(ctx, store.NewApplication{SHA256: sha('c'), Filename: "c.docx", MIME: "x", Batch: "b2"}, store.ActorOf(other))
		yes := true
		for _, tc := range []struct {
			name string
			f    store.Filter
			want int
		}{
			{"all", store.Filter{}, 2},
			{"status", store.Filter{Status: store.StatusDone}, 1},
			{"batch", store.Filter{Batch: "b2"}, 1},
			{"year", store.Filter{Year: 2024}, 1},
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
