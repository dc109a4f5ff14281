package review

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao/store"
)

// listQuery is the list page's filters, sort and page, as in its URL.
type listQuery struct {
	Status, Edition, Region, Batch, Q string
	Year                              int
	// Errors is "" (any), "yes" (at least MinErrors, default 1) or "no".
	Errors    string
	MinErrors int
	// Reviewed is "" (any), "true" (signed off at the current version) or
	// "false", as the API's reviewed filter takes it.
	Reviewed string
	Sort     string // id, name, errors, warnings, status, reviewed, updated
	Desc     bool
	Page     int // from 1
	PerPage  int
}

const defaultPerPage = 100

func parseListQuery(v url.Values) listQuery {
	q := listQuery{Status: v.Get("status"), Edition: v.Get("edition"), Region: v.Get("region"), Batch: v.Get("batch"),
		Q: strings.TrimSpace(v.Get("q")), Errors: v.Get("errors"), Reviewed: v.Get("reviewed"), Sort: v.Get("sort"), Desc: v.Get("dir") == "desc"}
	q.Year, _ = strconv.Atoi(v.Get("year"))
	q.MinErrors, _ = strconv.Atoi(v.Get("min_errors"))
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.PerPage, _ = strconv.Atoi(v.Get("per_page"))
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > 1000 {
		q.PerPage = defaultPerPage
	}
	if _, ok := sorters[q.Sort]; !ok {
		q.Sort, q.Desc = "id", true
	}
	if q.Errors != "yes" && q.Errors != "no" {
		q.Errors = ""
	}
	if q.MinErrors < 1 {
		q.MinErrors = 1
	}
	if q.Reviewed != "true" && q.Reviewed != "false" {
		q.Reviewed = ""
	}
	return q
}

// values is q as URL parameters, leaving out the defaults; page and sort
// can be overridden for the links that change them.
func (q listQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("status", q.Status)
	set("edition", q.Edition)
	set("region", q.Region)
	set("batch", q.Batch)
	set("q", q.Q)
	set("errors", q.Errors)
	set("reviewed", q.Reviewed)
	if q.Year != 0 {
		v.Set("year", strconv.Itoa(q.Year))
	}
	if q.Errors == "yes" && q.MinErrors > 1 {
		v.Set("min_errors", strconv.Itoa(q.MinErrors))
	}
	return v
}

func (q listQuery) match(a *store.Application) bool {
	switch {
	case q.Status != "" && a.Status != q.Status,
		q.Edition != "" && a.Edition != q.Edition,
		q.Region != "" && a.Region != q.Region,
		q.Batch != "" && a.Batch != q.Batch,
		q.Year != 0 && a.Year != q.Year,
		q.Errors == "yes" && a.Errors < q.MinErrors,
		q.Errors == "no" && a.Errors > 0,
		q.Reviewed != "" && strconv.FormatBool(a.Reviewed()) != q.Reviewed,
		q.Q != "" && !strings.Contains(a.ClusterName, q.Q):
		return false
	}
	return true
}

var sorters = map[string]func(a, b *store.Application) int{
	"id": func(a, b *store.Application) int { return cmp.Compare(a.ID, b.ID) },
	"name": func(a, b *store.Application) int {
		return cmp.Compare(a.ClusterName+a.Filename, b.ClusterName+b.Filename)
	},
	"errors":   func(a, b *store.Application) int { return cmp.Compare(a.Errors, b.Errors) },
	"warnings": func(a, b *store.Application) int { return cmp.Compare(a.Warnings, b.Warnings) },
	"status":   func(a, b *store.Application) int { return cmp.Compare(a.Status, b.Status) },
	"reviewed": func(a, b *store.Application) int { return cmp.Compare(reviewRank(a), reviewRank(b)) },
	"updated":  func(a, b *store.Application) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
}

// reviewRank orders by sign-off: none, one for an older version, one for
// the current version.
func reviewRank(a *store.Application) int {
	switch {
	case a.Reviewed():
		return 2
	case a.ReviewedVersion > 0:
		return 1
	}
	return 0
}

// column is a sortable column header.
type column struct {
	Key, Name, URL, Aria string
}

type listData struct {
	Q                          listQuery
	Apps                       []store.Application
	Total, Shown, Pages        int
	Statuses                   []option
	Editions, Regions, Batches []string
	Years                      []int
	Columns                    []column
	PrevURL, NextURL           string
	ExportXLSX, ExportCSV      string
	Counts                     map[string]int
}

type option struct{ Value, Name string }

// listPage reads the user's applications once and filters, sorts and pages
// them here: the rows are small (no reports), and the filter choices need
// the unfiltered set anyway.
func (u *UI) listPage(c *gin.Context) {
	user := currentUser(c)
	q := parseListQuery(c.Request.URL.Query())
	f := store.Filter{}
	if user.Role == store.RoleClerk {
		f.UploadedBy = user.ID
	}
	all, _, err := u.st.Applications(c.Request.Context(), f)
	if err != nil {
		u.log.Error("list applications", "err", err)
		u.errorPage(c, http.StatusInternalServerError, "无法读取申报材料列表，请稍后重试。/ Cannot read the applications; try again later.")
		return
	}
	d := listData{Q: q, Counts: map[string]int{}}
	editions, regions, batches, years := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[int]bool{}
	matched := make([]*store.Application, 0, len(all))
	for i := range all {
		a := &all[i]
		editions[a.Edition], regions[a.Region], batches[a.Batch], years[a.Year] = true, true, true, true
		d.Counts[a.Status]++
		if q.match(a) {
			matched = append(matched, a)
		}
	}
	d.Editions, d.Regions, d.Batches = keys(editions), keys(regions), keys(batches)
	for y := range years {
		if y != 0 {
			d.Years = append(d.Years, y)
		}
	}
	slices.Sort(d.Years)
	for _, s := range store.Statuses() {
		d.Statuses = append(d.Statuses, option{s, statusNames[s]})
	}
	by := sorters[q.Sort]
	slices.SortStableFunc(matched, func(a, b *store.Application) int {
		if q.Desc {
			return by(b, a)
		}
		return by(a, b)
	})
	d.Total = len(matched)
	d.Pages = max(1, (d.Total+q.PerPage-1)/q.PerPage)
	from := min((q.Page-1)*q.PerPage, d.Total)
	to := min(from+q.PerPage, d.Total)
	d.Apps = make([]store.Application, 0, to-from)
	for _, a := range matched[from:to] {
		d.Apps = append(d.Apps, *a)
	}
	d.Shown = len(d.Apps)

	link := func(sort string, desc bool, page int) string {
		v := q.values()
		v.Set("sort", sort)
		if desc {
			v.Set("dir", "desc")
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if q.PerPage != defaultPerPage {
			v.Set("per_page", strconv.Itoa(q.PerPage))
		}
		return "/applications?" + v.Encode()
	}
	for _, col := range []column{{Key: "id", Name: "编号"}, {Key: "name", Name: "集群名称 / 文件"}, {Key: "status", Name: "状态"}, {Key: "reviewed", Name: "审核"},
		{Key: "errors", Name: "错误"}, {Key: "warnings", Name: "警告"}, {Key: "updated", Name: "更新时间"}} {
		desc := false
		col.Aria = "none"
		if col.Key == q.Sort {
			desc = !q.Desc
			col.Aria = map[bool]string{true: "descending", false: "ascending"}[q.Desc]
		}
		col.URL = link(col.Key, desc, 1)
		d.Columns = append(d.Columns, col)
	}
	if q.Page > 1 {
		d.PrevURL = link(q.Sort, q.Desc, q.Page-1)
	}
	if q.Page < d.Pages {
		d.NextURL = link(q.Sort, q.Desc, q.Page+1)
	}
	// The export takes the API's filters, which know "has errors" but not a
	// minimum count.
	ev := q.values()
	ev.Del("errors")
	ev.Del("min_errors")
	if q.Errors != "" {
		ev.Set("has_errors", strconv.FormatBool(q.Errors == "yes"))
	}
	d.ExportXLSX = "/api/v1/exports/applications.xlsx?" + ev.Encode()
	d.ExportCSV = "/api/v1/exports/applications.csv?" + ev.Encode()
	u.render(c, http.StatusOK, "list", page{Title: "申报材料", Nav: "list", Data: d})
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
