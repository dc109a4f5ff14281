package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/layout"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
)

const maxPageSize = 500

// filter reads the list filters shared by GET /applications, the exports
// and POST /recheck. A clerk only ever sees their own uploads.
func filter(c *gin.Context) (store.Filter, error) {
	f := store.Filter{
		Status:  c.Query("status"),
		Edition: c.Query("edition"),
		Region:  c.Query("region"),
		Batch:   c.Query("batch"),
		Query:   c.Query("q"),
	}
	if v := c.Query("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return f, badRequest("year 必须是年份数字。", "year must be a number.")
		}
		f.Year = y
	}
	for _, p := range []struct {
		name string
		to   **bool
	}{{"has_errors", &f.HasErrors}, {"reviewed", &f.Reviewed}} {
		if v := c.Query(p.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, badRequest(p.name+" 必须是 true 或 false。", p.name+" must be true or false.")
			}
			*p.to = &b
		}
	}
	if u := user(c); u.Role == store.RoleClerk {
		f.UploadedBy = u.ID
	}
	return f, nil
}

func intQuery(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, shenbao.Errorf(shenbao.EINVALID, "参数 %s 必须是 %d 到 %d 之间的整数。/ %s must be an integer from %d to %d.", name, lo, hi, name, lo, hi)
	}
	return n, nil
}

// List is the answer of GET /applications.
type List struct {
	Applications []store.Application `json:"applications"`
	Total        int                 `json:"total"`
	Limit        int                 `json:"limit"`
	Offset       int                 `json:"offset"`
}

func (s *Server) list(c *gin.Context) {
	f, err := filter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.Limit, err = intQuery(c, "limit", 50, 1, maxPageSize); err != nil {
		s.fail(c, err)
		return
	}
	if f.Offset, err = intQuery(c, "offset", 0, 0, 1<<31-1); err != nil {
		s.fail(c, err)
		return
	}
	apps, total, err := s.st.Applications(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, List{Applications: apps, Total: total, Limit: f.Limit, Offset: f.Offset})
}

// Detail is the answer of GET /applications/{id}: the application, its
// current report (absent until processed) and the reviewers' decisions on
// its findings.
type Detail struct {
	Application *store.Application   `json:"application"`
	Current     *store.ReportVersion `json:"current,omitempty"`
	Reviews     []FindingReview      `json:"reviews"`
}

// FindingReview is a decision on finding N of the current report.
type FindingReview struct {
	N int `json:"n"`
	store.Review
}

func (s *Server) get(c *gin.Context) {
	app := application(c)
	ctx := c.Request.Context()
	d := Detail{Application: app, Reviews: []FindingReview{}}
	if app.Version > 0 {
		cur, err := s.st.Report(ctx, app.ID, 0)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Current = cur
		reviews, err := s.st.Reviews(ctx, app.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		byKey := map[string]store.Review{}
		for _, r := range reviews {
			byKey[r.FindingKey] = r
		}
		for i, f := range cur.Report.Findings {
			if r, ok := byKey[FindingKey(f)]; ok {
				d.Reviews = append(d.Reviews, FindingReview{N: i, Review: r})
			}
		}
	}
	c.JSON(http.StatusOK, d)
}

// FindingKey identifies a finding across report versions, so that a
// decision survives re-checks that reorder the findings.
func FindingKey(f shenbao.Finding) string { return f.Key() }

func (s *Server) versions(c *gin.Context) {
	vs, err := s.st.Versions(c.Request.Context(), application(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"versions": vs})
}

func (s *Server) auditLog(c *gin.Context) {
	es, err := s.st.AuditLog(c.Request.Context(), application(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"audit": es})
}

func (s *Server) delete(c *gin.Context) {
	if err := s.st.DeleteApplication(c.Request.Context(), application(c).ID, store.ActorOf(user(c))); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) original(c *gin.Context) {
	app := application(c)
	data, err := s.st.Original(c.Request.Context(), app.SHA256)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", contentDisposition(app.Filename))
	c.Header("ETag", `"`+app.SHA256+`"`)
	c.Data(http.StatusOK, app.MIME, data)
}

func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, pathEscape(name))
}

func pathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (s *Server) page(c *gin.Context) {
	app := application(c)
	num, ok := strings.CutSuffix(c.Param("page"), ".png")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "页码无效，应为 /pages/1.png 这样的地址。/ Bad page; use an address like /pages/1.png."))
		return
	}
	dpi, err := intQuery(c, "dpi", 110, 36, 300)
	if err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.Renderer == nil {
		s.fail(c, shenbao.Errorf(shenbao.ENOTINSTALLED, "此服务未配置页面渲染。/ Page rendering is not configured on this server."))
		return
	}
	data, err := s.st.Original(c.Request.Context(), app.SHA256)
	if err != nil {
		s.fail(c, err)
		return
	}
	png, err := s.cfg.Renderer.PagePNG(c.Request.Context(), app.MIME, data, n, float64(dpi))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=86400")
	c.Data(http.StatusOK, "image/png", png)
}

// Correction is the body of PATCH /applications/{id}/fields/{fieldId}.
// Value is the new value: the text of a field or a long answer, or "true" /
// "false" for a checkbox. Version, when set, is the report version the
// reviewer saw; the correction is refused (409) if it is no longer current.
type Correction struct {
	Value   *string `json:"value"`
	Reason  string  `json:"reason"`
	Version int     `json:"version"`
}

func (s *Server) correct(c *gin.Context) {
	app := application(c)
	ctx := c.Request.Context()
	var in Correction
	if err := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)).Decode(&in); err != nil || in.Value == nil {
		s.fail(c, badRequest("请求体应为 {\"value\": \"…\", \"reason\": \"…\"}。", `The body must be {"value": "…", "reason": "…"}.`))
		return
	}
	if strings.TrimSpace(in.Reason) == "" {
		s.fail(c, badRequest("请填写更正理由。", "Give a reason for the correction."))
		return
	}
	if app.Version == 0 {
		s.fail(c, shenbao.Errorf(shenbao.ECONFLICT, "该申报材料尚未处理完成，暂不能更正。/ The application has not been processed yet; it cannot be corrected."))
		return
	}
	cur, err := s.st.Report(ctx, app.ID, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	if in.Version != 0 && in.Version != cur.Version {
		s.fail(c, store.ErrConflict)
		return
	}
	rep := cur.Report
	old, err := setValue(rep, c.Param("field"), *in.Value)
	if err != nil {
		s.fail(c, err)
		return
	}
	checked, err := s.cfg.Checker.Check(ctx, rep)
	if err != nil {
		s.fail(c, fmt.Errorf("re-check after correcting %s: %w", c.Param("field"), err))
		return
	}
	u := user(c)
	v, err := s.st.SaveReport(ctx, store.SaveReport{AppID: app.ID, BaseVersion: cur.Version, Kind: store.KindCorrection, By: store.ActorOf(u), Report: checked,
		Audit: &store.AuditEntry{UserID: u.ID, UserName: u.Name, Action: "field.correct",
			Detail: map[string]any{"field": c.Param("field"), "old": old, "new": *in.Value, "reason": in.Reason, "from_version": cur.Version}}})
	if err != nil {
		s.fail(c, err)
		return
	}
	next, err := s.st.Report(ctx, app.ID, v)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, next)
}

// setValue changes the field, checkbox or long answer with the given id
// and returns its old value. The number and the character count are
// re-derived the way extraction derives them, so that the checks see the
// corrected figure.
func setValue(rep *shenbao.Report, id, value string) (string, error) {
	for i := range rep.Fields {
		if f := &rep.Fields[i]; f.ID == id {
			old := f.Value
			f.Value, f.Number, f.Confidence = value, layout.ParseNumber(strings.TrimSpace(value)), 1
			return old, nil
		}
	}
	for i := range rep.Checkboxes {
		if b := &rep.Checkboxes[i]; b.ID == id {
			checked, err := strconv.ParseBool(value)
			if err != nil {
				return "", badRequest("勾选项的值必须是 true 或 false。", "A checkbox value must be true or false.")
			}
			old := strconv.FormatBool(b.Checked)
			b.Checked, b.Confidence = checked, 1
			return old, nil
		}
	}
	for i := range rep.Texts {
		if t := &rep.Texts[i]; t.ID == id {
			old := t.Text
			t.Text, t.Chars, t.Confidence = value, criteria.CountChars(value), 1
			return old, nil
		}
	}
	return "", shenbao.Errorf(shenbao.ENOTFOUND, "报告中没有字段 %s。/ The report has no field %s.", id, id)
}

// Decision is the body of POST /applications/{id}/findings/{n}:accept
// and :dismiss.
type Decision struct {
	Reason string `json:"reason"`
}

func (s *Server) review(c *gin.Context) {
	app := application(c)
	ctx := c.Request.Context()
	num, action, ok := strings.Cut(c.Param("action"), ":")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || (action != "accept" && action != "dismiss") {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "地址应为 /findings/{n}:accept 或 /findings/{n}:dismiss。/ Use /findings/{n}:accept or /findings/{n}:dismiss."))
		return
	}
	var in Decision
	if err := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)).Decode(&in); err != nil || strings.TrimSpace(in.Reason) == "" {
		s.fail(c, badRequest("请求体应为 {\"reason\": \"…\"}，理由不能为空。", `The body must be {"reason": "…"} with a reason.`))
		return
	}
	if app.Version == 0 {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "该申报材料尚无报告。/ The application has no report yet."))
		return
	}
	cur, err := s.st.Report(ctx, app.ID, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	if n < 0 || n >= len(cur.Report.Findings) {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "当前报告没有第 %d 条问题。/ The current report has no finding %d.", n, n))
		return
	}
	decision := action + "ed"
	if action == "dismiss" {
		decision = "dismissed"
	}
	key := FindingKey(cur.Report.Findings[n])
	if err := s.st.SetReview(ctx, app.ID, key, decision, in.Reason, store.ActorOf(user(c))); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, FindingReview{N: n, Review: store.Review{FindingKey: key, Decision: decision, Reason: in.Reason, By: user(c).Name}})
}

// SignOff is the body of POST /applications/{id}/reviewed: the report
// version the reviewer saw and an optional note for the audit log.
type SignOff struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// errStaleSignOff answers a sign-off of a report version that is no
// longer the current one.
var errStaleSignOff = shenbao.Errorf(shenbao.ECONFLICT, "您打开页面后报告已更新（更正或重新检查），请刷新页面、查看最新版本后再标记为已审核。/ The report changed since you opened it (a correction or a re-check); reload and review the current version before marking it reviewed.")

// markReviewed signs the application off at the version the reviewer saw.
func (s *Server) markReviewed(c *gin.Context) {
	app := application(c)
	var in SignOff
	if err := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)).Decode(&in); err != nil || in.Version < 1 {
		s.fail(c, badRequest("请求体应为 {\"version\": 报告版本, \"note\": \"…\"}，版本为所审核的报告版本。", `The body must be {"version": N, "note": "…"} with the report version you reviewed.`))
		return
	}
	if app.Version == 0 {
		s.fail(c, shenbao.Errorf(shenbao.ECONFLICT, "该申报材料尚未处理完成，暂不能标记为已审核。/ The application has not been processed yet; it cannot be marked reviewed."))
		return
	}
	s.setReviewed(c, in.Version, strings.TrimSpace(in.Note))
}

// withdrawReviewed takes the sign-off back; a body {"note": "…"} is
// optional.
func (s *Server) withdrawReviewed(c *gin.Context) {
	var in SignOff
	if err := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		s.fail(c, badRequest("请求体应为空或 {\"note\": \"…\"}。", `The body must be empty or {"note": "…"}.`))
		return
	}
	s.setReviewed(c, 0, strings.TrimSpace(in.Note))
}

// setReviewed stores the sign-off (version 0: its withdrawal) and answers
// the application as it is now.
func (s *Server) setReviewed(c *gin.Context, version int, note string) {
	ctx := c.Request.Context()
	id := application(c).ID
	err := s.st.SetReviewed(ctx, id, version, note, store.ActorOf(user(c)))
	if version > 0 && errors.Is(err, store.ErrConflict) {
		err = errStaleSignOff
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	app, err := s.st.Application(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, app)
}

// RecheckRun is the answer of POST /recheck and GET /recheck/{id}.
type RecheckRun struct {
	*store.Recheck
	StatusURL string `json:"status_url"`
}

func (s *Server) recheck(c *gin.Context) {
	ctx := c.Request.Context()
	f, err := filter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Only processed applications have a report to re-check.
	f.Status = store.StatusDone
	ids, err := s.st.ApplicationIDs(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	fj, _ := json.Marshal(f)
	id, err := s.st.CreateRecheck(ctx, string(fj), ids, store.ActorOf(user(c)))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Queue.Recheck(ctx, id, ids); err != nil {
		s.fail(c, err)
		return
	}
	run, err := s.st.Recheck(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, RecheckRun{Recheck: run, StatusURL: fmt.Sprintf("%s/recheck/%d", Prefix, id)})
}

func (s *Server) recheckStatus(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, shenbao.Errorf(shenbao.ENOTFOUND, "未找到该复核任务。/ No such recheck."))
		return
	}
	run, err := s.st.Recheck(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, RecheckRun{Recheck: run, StatusURL: fmt.Sprintf("%s/recheck/%d", Prefix, id)})
}

func (s *Server) jobs(c *gin.Context) {
	var states []string
	if v := c.Query("state"); v != "" {
		states = strings.Split(v, ",")
		for _, st := range states {
			if !slices.Contains(queue.JobStates, st) {
				s.fail(c, shenbao.Errorf(shenbao.EINVALID, "未知的任务状态 %q。/ Unknown job state %q.", st, st))
				return
			}
		}
	}
	limit, err := intQuery(c, "limit", 100, 1, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	jobs, err := s.cfg.Queue.Jobs(c.Request.Context(), states, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"jobs": jobs})
}
