package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/auth"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/extract"
	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/pipeline"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

func TestMain(m *testing.M) {
	child.Main() // page renders run MuPDF in a re-executed test binary
	os.Exit(pgtest.Run(m))
}

// realPipeline is the production processing for docx files (PDF readers
// need cgo and are wired by cmd/shenbao).
func realPipeline(t testing.TB) *pipeline.Pipeline {
	rules, err := criteria.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Pipeline{Extractor: extract.New(layout.MustLoad()), Rules: rules}
}

// env is a running service: store, queue with workers, HTTP server, and a
// token per role.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	st     store.Store
	q      *queue.Queue
	tokens map[string]string
}

type option func(*api.Config, *queue.Config)

func newEnv(t testing.TB, cfg store.Config, proc queue.Processor, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	qc := queue.Config{Workers: 2, PollInterval: 50 * time.Millisecond, SweepInterval: time.Second, RetryBackoff: 100 * time.Millisecond,
		ExtractTimeout: time.Minute, Logger: log}
	ac := api.Config{Store: st, Checker: proc, Logger: log, Metrics: api.NewMetrics(), MetricsToken: metricsToken, TempDir: t.TempDir()}
	for _, o := range opts {
		o(&ac, &qc)
	}
	qc.Observer = ac.Metrics
	q, err := queue.Open(ctx, st, proc, qc)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ac.Queue = q
	// Served as shenbao serve serves it: with the API's own timeouts.
	srv := api.New(ac)
	ts := httptest.NewUnstartedServer(srv)
	ts.Config = srv.HTTPServer(srv)
	ts.Start()
	e := &env{t: t, st: st, q: q, srv: ts, tokens: map[string]string{"metrics": ac.MetricsToken}}
	t.Cleanup(func() {
		e.srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
		st.Close()
	})
	for _, u := range []struct{ name, role string }{{"admin", store.RoleAdmin}, {"reviewer", store.RoleReviewer}, {"clerk", store.RoleClerk}, {"clerk2", store.RoleClerk}} {
		if _, err := auth.AddUser(ctx, st, u.name, u.role, "password-"+u.name); err != nil {
			t.Fatal(err)
		}
		tok, err := auth.CreateToken(ctx, st, u.name, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = tok
	}
	return e
}

// metricsToken guards /metrics in tests; env.tokens has it as "metrics".
const metricsToken = "metrics-token-for-tests"

// do sends a request as user ("" for anonymous) and returns the status and
// body.
func (e *env) do(method, path, user string, body io.Reader, contentType string) (int, []byte) {
	e.t.Helper()
	res, data := e.send(method, path, user, body, contentType)
	return res.StatusCode, data
}

// send is do returning the whole response, its body read and closed.
func (e *env) send(method, path, user string, body io.Reader, contentType string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, data
}

func (e *env) json(method, path, user string, in any, want int, out any) {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	status, data := e.do(method, path, user, body, "application/json")
	if status != want {
		e.t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, user, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

type file struct {
	name string
	data []byte
}

func multipartBody(files []file, fields map[string]string) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("file", f.name)
		fw.Write(f.data)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

func (e *env) upload(user string, files []file, fields map[string]string) (int, []byte) {
	e.t.Helper()
	body, ct := multipartBody(files, fields)
	return e.do("POST", api.Prefix+"/applications", user, body, ct)
}

type accepted struct {
	Applications []api.Accepted `json:"applications"`
}

func (e *env) mustUpload(user string, files []file, fields map[string]string) []api.Accepted {
	e.t.Helper()
	status, data := e.upload(user, files, fields)
	if status != http.StatusAccepted {
		e.t.Fatalf("upload: status %d: %s", status, data)
	}
	var out accepted
	if err := json.Unmarshal(data, &out); err != nil {
		e.t.Fatal(err)
	}
	return out.Applications
}

// wait polls an application until it leaves the queue.
func (e *env) wait(id int64, timeout time.Duration) api.Detail {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var d api.Detail
		e.json("GET", fmt.Sprintf("%s/applications/%d", api.Prefix, id), "admin", nil, http.StatusOK, &d)
		if d.Application.Status == store.StatusDone || d.Application.Status == store.StatusFailed {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("application %d still %s after %v", id, d.Application.Status, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sample(t testing.TB) []byte {
	data, err := os.ReadFile("testdata/nat2024_01.docx")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// variant returns a docx with the same content and different bytes (an
// extra archive member), so that it is a different application.
func variant(t testing.TB, docx []byte, n int) []byte {
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create(fmt.Sprintf("customXml/variant-%d.txt", n))
	fmt.Fprintf(w, "%d", n)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestService walks the whole flow through the HTTP API on both
// databases: upload → processed → report → correction → recheck → export,
// with the role rules along the way.
func TestService(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		e := newEnv(t, cfg, realPipeline(t))
		doc := sample(t)
		p := api.Prefix

		// Role rules that need no data.
		if status, _ := e.do("GET", p+"/applications", "", nil, ""); status != http.StatusUnauthorized {
			t.Fatalf("anonymous list: %d, want 401", status)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+p+"/me", nil)
		req.SetBasicAuth("reviewer", "password-reviewer")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("basic auth: %v %v", resp.StatusCode, err)
		}
		req.SetBasicAuth("reviewer", "wrong-password")
		if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad password: %d, want 401", resp.StatusCode)
		}
		e.json("POST", p+"/recheck", "reviewer", nil, http.StatusForbidden, nil)
		e.json("GET", p+"/users", "clerk", nil, http.StatusForbidden, nil)

		acc := e.mustUpload("clerk", []file{{"申报表.docx", doc}}, map[string]string{"batch": "2024-1", "region": "湖北"})
		if len(acc) != 1 || acc[0].Duplicate || acc[0].StatusURL == "" {
			t.Fatalf("upload answer: %+v", acc)
		}
		id := acc[0].ID
		again := e.mustUpload("clerk", []file{{"申报表.docx", doc}}, nil)
		if again[0].ID != id || !again[0].Duplicate {
			t.Fatalf("same bytes again: %+v, want application %d marked duplicate", again[0], id)
		}
		other := e.mustUpload("clerk2", []file{{"other.docx", variant(t, doc, 1)}}, map[string]string{"batch": "2024-2"})[0].ID

		d := e.wait(id, time.Minute)
		if d.Application.Status != store.StatusDone || d.Current == nil {
			t.Fatalf("not processed: %+v", d.Application)
		}
		rep := d.Current.Report
		if rep.Edition.ID != "nat2024" || d.Application.Year != 2024 || d.Application.ClusterName == "" || rep.SHA256 != acc[0].SHA256 {
			t.Fatalf("report summary: edition %q year %d cluster %q", rep.Edition.ID, d.Application.Year, d.Application.ClusterName)
		}
		e.wait(other, time.Minute)

		// Clerks see their own uploads only.
		var l api.List
		e.json("GET", p+"/applications", "clerk", nil, http.StatusOK, &l)
		if l.Total != 1 || l.Applications[0].ID != id {
			t.Fatalf("clerk's list: %+v", l)
		}
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, other), "clerk", nil, http.StatusNotFound, nil)
		e.json("GET", fmt.Sprintf("%s/applications/%d/original", p, other), "clerk", nil, http.StatusNotFound, nil)
		e.json("GET", p+"/applications", "clerk2", nil, http.StatusOK, &l)
		if l.Total != 1 {
			t.Fatalf("clerk2's list: %d applications, want 1", l.Total)
		}
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"", 2}, {"?batch=2024-2", 1}, {"?status=done&edition=nat2024&year=2024", 2}, {"?year=2023", 0},
			{"?region=" + url.QueryEscape("湖北"), 1}, {"?limit=1&offset=1", 1},
			{"?q=" + url.QueryEscape(string([]rune(d.Application.ClusterName)[:2])), 2},
		} {
			e.json("GET", p+"/applications"+tc.query, "reviewer", nil, http.StatusOK, &l)
			if len(l.Applications) != tc.want {
				t.Errorf("list %s: %d applications, want %d", tc.query, len(l.Applications), tc.want)
			}
		}
		e.json("GET", p+"/applications?has_errors=maybe", "reviewer", nil, http.StatusUnprocessableEntity, nil)

		status, orig := e.do("GET", fmt.Sprintf("%s/applications/%d/original", p, id), "clerk", nil, "")
		if status != http.StatusOK || !bytes.Equal(orig, doc) {
			t.Fatalf("original: status %d, %d bytes", status, len(orig))
		}
		// No renderer is configured in this test: a typed 501.
		e.json("GET", fmt.Sprintf("%s/applications/%d/pages/1.png", p, id), "clerk", nil, http.StatusNotImplemented, nil)

		// Correction: the clerk may not, the reviewer may; the checks re-run
		// and the audit log keeps old, new, who and why.
		var field shenbao.Field
		for _, f := range rep.Fields {
			if f.Key == "name" {
				field = f
			}
		}
		if field.ID == "" {
			t.Fatal("report has no 集群名称 field")
		}
		path := fmt.Sprintf("%s/applications/%d/fields/%s", p, id, field.ID)
		fix := map[string]any{"value": "测试市测试区改正产业集群", "reason": "与营业执照核对"}
		e.json("PATCH", path, "clerk", fix, http.StatusForbidden, nil)
		e.json("PATCH", path, "", fix, http.StatusUnauthorized, nil)
		e.json("PATCH", path, "reviewer", map[string]any{"value": "x"}, http.StatusUnprocessableEntity, nil)
		e.json("PATCH", fmt.Sprintf("%s/applications/%d/fields/no.such", p, id), "reviewer", fix, http.StatusNotFound, nil)
		var v2 store.ReportVersion
		e.json("PATCH", path, "reviewer", fix, http.StatusOK, &v2)
		if v2.Version != 2 || v2.Kind != store.KindCorrection || v2.CreatedBy != "reviewer" {
			t.Fatalf("correction version: %+v", v2)
		}
		fix["version"] = 1 // stale
		e.json("PATCH", path, "reviewer", fix, http.StatusConflict, nil)
		e.json("GET", p+"/applications?q="+url.QueryEscape("改正"), "reviewer", nil, http.StatusOK, &l)
		if l.Total != 1 {
			t.Fatalf("search after correction: %d results", l.Total)
		}
		var audit struct{ Audit []store.AuditEntry }
		e.json("GET", fmt.Sprintf("%s/applications/%d/audit", p, id), "reviewer", nil, http.StatusOK, &audit)
		var seen bool
		for _, a := range audit.Audit {
			det, _ := json.Marshal(a.Detail)
			if a.Action == "field.correct" && a.UserName == "reviewer" && strings.Contains(string(det), field.Value) && strings.Contains(string(det), "与营业执照核对") {
				seen = true
			}
		}
		if !seen {
			t.Fatalf("audit log lacks the correction: %+v", audit.Audit)
		}

		// Findings: accept with a reason; the decision shows on the report.
		if len(v2.Report.Findings) > 0 {
			fpath := fmt.Sprintf("%s/applications/%d/findings/0:dismiss", p, id)
			e.json("POST", fpath, "clerk", map[string]string{"reason": "x"}, http.StatusForbidden, nil)
			e.json("POST", fpath, "reviewer", map[string]string{}, http.StatusUnprocessableEntity, nil)
			e.json("POST", fpath, "reviewer", map[string]string{"reason": "附件已补充说明"}, http.StatusOK, nil)
			e.json("POST", fmt.Sprintf("%s/applications/%d/findings/9999:accept", p, id), "reviewer", map[string]string{"reason": "x"}, http.StatusNotFound, nil)
			e.json("GET", fmt.Sprintf("%s/applications/%d", p, id), "reviewer", nil, http.StatusOK, &d)
			if len(d.Reviews) != 1 || d.Reviews[0].Decision != "dismissed" || d.Reviews[0].N != 0 {
				t.Fatalf("reviews: %+v", d.Reviews)
			}
		}

		// Recheck: queued check jobs, progress to completion.
		var run api.RecheckRun
		e.json("POST", p+"/recheck?edition=nat2024", "admin", nil, http.StatusAccepted, &run)
		if run.Total != 2 {
			t.Fatalf("recheck total %d, want 2", run.Total)
		}
		deadline := time.Now().Add(time.Minute)
		for run.Done+run.Failed < run.Total {
			if time.Now().After(deadline) {
				t.Fatalf("recheck stuck: %+v", run)
			}
			time.Sleep(50 * time.Millisecond)
			e.json("GET", run.StatusURL, "admin", nil, http.StatusOK, &run)
		}
		if run.Failed != 0 {
			t.Fatalf("recheck failures: %+v", run)
		}
		var vs struct{ Versions []store.ReportVersion }
		e.json("GET", fmt.Sprintf("%s/applications/%d/versions", p, id), "clerk", nil, http.StatusOK, &vs)
		if len(vs.Versions) != 3 || vs.Versions[2].Kind != store.KindCheck || vs.Versions[0].Kind != store.KindExtract {
			t.Fatalf("versions: %d", len(vs.Versions))
		}
		// The correction survives the recheck.
		for _, f := range vs.Versions[2].Report.Fields {
			if f.ID == field.ID && f.Value != "测试市测试区改正产业集群" {
				t.Fatalf("recheck lost the correction: %q", f.Value)
			}
		}

		// Exports: the same filters; the clerk's holds only their own.
		status, data := e.do("GET", p+"/exports/applications.csv", "clerk", nil, "")
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
		if status != http.StatusOK || err != nil || len(rows) != 2 {
			t.Fatalf("csv export: status %d, %d rows, %v", status, len(rows), err)
		}
		// The last column counts the values the corrections stage changed:
		// none on a Word file.
		if last := len(rows[0]) - 1; rows[0][last] != "识别更正 Repairs" || rows[1][last] != "0" {
			t.Errorf("csv export's repair column: %q / %q", rows[0][last], rows[1][last])
		}
		status, data = e.do("GET", p+"/exports/applications.xlsx?batch=2024-1", "reviewer", nil, "")
		if status != http.StatusOK {
			t.Fatalf("xlsx export: %d %s", status, data)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sheets := x.GetSheetList()
		apps, _ := x.GetRows(sheets[0])
		findings, _ := x.GetRows(sheets[1])
		if len(sheets) != 2 || len(apps) != 2 || apps[1][0] != fmt.Sprint(id) || len(findings) != 1+len(vs.Versions[2].Report.Findings) {
			t.Fatalf("xlsx: sheets %v, %d application rows, %d finding rows", sheets, len(apps), len(findings))
		}

		// Admin only: jobs (dead letters), delete.
		// River marks a job completed shortly after its work committed.
		var jobs struct{ Jobs []queue.Job }
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			e.json("GET", p+"/jobs?state=completed", "admin", nil, http.StatusOK, &jobs)
			if len(jobs.Jobs) == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("completed jobs: %d, want 3 (2 extract, 1 check of both)", len(jobs.Jobs))
			}
		}
		e.json("GET", p+"/jobs?state=bogus", "admin", nil, http.StatusUnprocessableEntity, nil)
		e.json("DELETE", fmt.Sprintf("%s/applications/%d", p, other), "reviewer", nil, http.StatusForbidden, nil)
		e.json("DELETE", fmt.Sprintf("%s/applications/%d", p, other), "admin", nil, http.StatusNoContent, nil)
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, other), "admin", nil, http.StatusNotFound, nil)

		// Operations endpoints.
		for _, path := range []string{"/healthz", "/readyz", p + "/openapi.json"} {
			if status, body := e.do("GET", path, "", nil, ""); status != http.StatusOK {
				t.Errorf("%s: %d %s", path, status, body)
			}
		}
		status, data = e.do("GET", "/metrics", "metrics", nil, "")
		for _, m := range []string{"shenbao_http_requests_total", `shenbao_applications{status="done"} 1`, `shenbao_job_duration_seconds_count{outcome="ok",stage="extract"}`, "shenbao_uploads_total 3"} {
			if status != http.StatusOK || !strings.Contains(string(data), m) {
				t.Errorf("metrics lack %s", m)
			}
		}
	})
}

// TestSignOff marks an application reviewed through the API on both
// databases: the roles, the version the reviewer saw, a correction that
// makes it unreviewed again, the list filter, the export and the audit.
func TestSignOff(t *testing.T) {
	pgtest.Backends(t, func(t *testing.T, cfg store.Config) {
		e := newEnv(t, cfg, realPipeline(t))
		p := api.Prefix
		doc := sample(t)
		id := e.mustUpload("clerk", []file{{"申报表.docx", doc}}, nil)[0].ID
		other := e.mustUpload("clerk", []file{{"other.docx", variant(t, doc, 1)}}, nil)[0].ID
		d := e.wait(id, time.Minute)
		e.wait(other, time.Minute)
		if d.Application.Version != 1 || d.Application.ReviewedVersion != 0 || d.Application.ReviewedAt != nil {
			t.Fatalf("processed application: %+v", d.Application)
		}
		path := fmt.Sprintf("%s/applications/%d/reviewed", p, id)
		ok := map[string]any{"version": 1, "note": " 材料齐全，同意推荐 "}

		e.json("POST", path, "clerk", ok, http.StatusForbidden, nil)
		e.json("POST", path, "", ok, http.StatusUnauthorized, nil)
		e.json("DELETE", path, "clerk", nil, http.StatusForbidden, nil)
		e.json("POST", fmt.Sprintf("%s/applications/9999/reviewed", p), "reviewer", ok, http.StatusNotFound, nil)
		e.json("POST", path, "reviewer", map[string]any{"note": "x"}, http.StatusUnprocessableEntity, nil)
		e.json("POST", path, "reviewer", map[string]any{"version": "1"}, http.StatusUnprocessableEntity, nil)
		var errBody api.ErrorBody
		e.json("POST", path, "reviewer", map[string]any{"version": 2}, http.StatusConflict, &errBody)
		if errBody.Error.Code != shenbao.ECONFLICT || !strings.Contains(errBody.Error.Message, "刷新") || !strings.Contains(errBody.Error.Message, "reload") {
			t.Fatalf("stale sign-off: %+v", errBody)
		}
		queued, _, err := e.st.CreateApplication(context.Background(), store.NewApplication{SHA256: strings.Repeat("e", 64), Filename: "q.pdf", MIME: "application/pdf"}, store.Actor{Name: "t"})
		if err != nil {
			t.Fatal(err)
		}
		e.json("POST", fmt.Sprintf("%s/applications/%d/reviewed", p, queued.ID), "reviewer", ok, http.StatusConflict, nil)

		var app store.Application
		e.json("POST", path, "reviewer", ok, http.StatusOK, &app)
		if !app.Reviewed() || app.ReviewedVersion != 1 || app.ReviewedBy != "reviewer" || app.ReviewedAt == nil || app.ID != id {
			t.Fatalf("after sign-off: %+v", app)
		}
		listed := func(query string) []int64 {
			t.Helper()
			var l api.List
			e.json("GET", p+"/applications?"+query, "reviewer", nil, http.StatusOK, &l)
			var ids []int64
			for _, a := range l.Applications {
				ids = append(ids, a.ID)
			}
			return ids
		}
		if got := listed("reviewed=true"); len(got) != 1 || got[0] != id {
			t.Fatalf("reviewed=true: %v, want [%d]", got, id)
		}
		if got := listed("reviewed=false"); len(got) != 2 || got[0] != other || got[1] != queued.ID {
			t.Fatalf("reviewed=false: %v, want [%d %d]", got, other, queued.ID)
		}
		e.json("GET", p+"/applications?reviewed=maybe", "reviewer", nil, http.StatusUnprocessableEntity, nil)
		reviewCell := func() string {
			t.Helper()
			status, data := e.do("GET", p+"/exports/applications.csv", "reviewer", nil, "")
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
			if status != http.StatusOK || err != nil || len(rows) != 4 {
				t.Fatalf("csv export: status %d, %d rows, %v", status, len(rows), err)
			}
			col := slices.Index(rows[0], "审核状态 Review")
			if col < 0 {
				t.Fatalf("csv export has no 审核状态 column: %q", rows[0])
			}
			for _, r := range rows[1:] {
				if r[0] != fmt.Sprint(id) && r[col] != "未审核" {
					t.Errorf("application %s: 审核状态 %q, want 未审核", r[0], r[col])
				}
			}
			return rows[1][col]
		}
		if got := reviewCell(); !strings.HasPrefix(got, "已审核：reviewer（第 1 版，") {
			t.Errorf("审核状态 after sign-off: %q", got)
		}
		status, data := e.do("GET", p+"/exports/applications.xlsx?reviewed=true", "reviewer", nil, "")
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if status != http.StatusOK || err != nil {
			t.Fatalf("xlsx export: %d %v", status, err)
		}
		xrows, _ := x.GetRows(x.GetSheetList()[0])
		if len(xrows) != 2 || xrows[1][0] != fmt.Sprint(id) || !strings.HasPrefix(xrows[1][slices.Index(xrows[0], "审核状态 Review")], "已审核：reviewer") {
			t.Fatalf("xlsx export of the reviewed: %q", xrows)
		}

		// A correction is a new version: the sign-off no longer counts, and
		// one for the old version is refused.
		var field shenbao.Field
		for _, f := range d.Current.Report.Fields {
			if f.Key == "name" {
				field = f
			}
		}
		e.json("PATCH", fmt.Sprintf("%s/applications/%d/fields/%s", p, id, field.ID), "reviewer",
			map[string]any{"value": field.Value + "（核对）", "reason": "核对营业执照", "version": 1}, http.StatusOK, nil)
		e.json("GET", fmt.Sprintf("%s/applications/%d", p, id), "clerk", nil, http.StatusOK, &d)
		if a := d.Application; a.Reviewed() || a.Version != 2 || a.ReviewedVersion != 1 || a.ReviewedBy != "reviewer" {
			t.Fatalf("after a correction: %+v, want the version 1 sign-off kept and not counted", a)
		}
		if got := listed("reviewed=true"); len(got) != 0 {
			t.Fatalf("reviewed=true after a correction: %v", got)
		}
		if got := reviewCell(); !strings.HasPrefix(got, "未审核（第 1 版曾由 reviewer 审核") {
			t.Errorf("审核状态 after a correction: %q", got)
		}
		e.json("POST", path, "reviewer", ok, http.StatusConflict, nil)
		e.json("POST", path, "admin", map[string]any{"version": 2}, http.StatusOK, &app)
		if !app.Reviewed() || app.ReviewedBy != "admin" {
			t.Fatalf("sign-off of version 2: %+v", app)
		}

		// Withdrawal: with or without a note; a second one changes nothing.
		var withdrawn store.Application // decoded afresh: the JSON leaves out the cleared fields
		e.json("DELETE", path, "reviewer", map[string]any{"note": "签字页缺失"}, http.StatusOK, &withdrawn)
		if withdrawn.Reviewed() || withdrawn.ReviewedVersion != 0 || withdrawn.ReviewedBy != "" || withdrawn.ReviewedAt != nil || withdrawn.Version != 2 {
			t.Fatalf("after withdrawal: %+v", withdrawn)
		}
		e.json("DELETE", path, "reviewer", nil, http.StatusOK, nil)
		e.json("DELETE", path, "reviewer", "note", http.StatusUnprocessableEntity, nil)

		var audit struct{ Audit []store.AuditEntry }
		e.json("GET", fmt.Sprintf("%s/applications/%d/audit", p, id), "reviewer", nil, http.StatusOK, &audit)
		var got []string
		for _, a := range audit.Audit {
			if strings.HasSuffix(a.Action, "reviewed") {
				det, _ := json.Marshal(a.Detail)
				got = append(got, fmt.Sprintf("%s %s %s", a.Action, a.UserName, det))
			}
		}
		want := []string{
			`application.reviewed reviewer {"note":"材料齐全，同意推荐","version":1}`,
			`application.reviewed admin {"note":"","version":2}`,
			`application.unreviewed reviewer {"note":"签字页缺失","version":2}`,
		}
		if !slices.Equal(got, want) {
			t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
