package review

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

// opinionItem is one finding on the printed 审核意见, with the decision on
// it if there is one.
type opinionItem struct {
	N        int
	Finding  shenbao.Finding
	Severity string
	Decision *store.Review
}

type opinionData struct {
	App      *store.Application
	Report   *store.ReportVersion
	Open     []opinionItem // undecided or accepted: what the applicant must answer
	Closed   []opinionItem // dismissed by a reviewer
	Counts   map[string]int
	Printed  time.Time
	Reviewer string
}

// opinion gathers the findings of the current report and the decisions
// on them.
func (u *UI) opinion(c *gin.Context) (opinionData, error) {
	app := currentApp(c)
	ctx := c.Request.Context()
	d := opinionData{App: app, Counts: map[string]int{}, Printed: time.Now(), Reviewer: currentUser(c).Name}
	if app.Version == 0 {
		return d, nil
	}
	rep, err := u.st.Report(ctx, app.ID, 0)
	if err != nil {
		return d, fmt.Errorf("opinion on %d: report: %w", app.ID, err)
	}
	reviews, err := u.st.Reviews(ctx, app.ID)
	if err != nil {
		return d, fmt.Errorf("opinion on %d: decisions: %w", app.ID, err)
	}
	byKey := map[string]*store.Review{}
	for i := range reviews {
		byKey[reviews[i].FindingKey] = &reviews[i]
	}
	d.Report = rep
	for i, f := range rep.Report.Findings {
		it := opinionItem{N: i + 1, Finding: f, Severity: severityNames[f.Severity], Decision: byKey[f.Key()]}
		if it.Decision != nil && it.Decision.Decision == "dismissed" {
			d.Closed = append(d.Closed, it)
			continue
		}
		d.Counts[f.Severity]++
		d.Open = append(d.Open, it)
	}
	return d, nil
}

// opinionPage is the printable summary of the findings for the paper
// file; its print stylesheet drops the navigation and buttons.
func (u *UI) opinionPage(c *gin.Context) {
	d, err := u.opinion(c)
	if err != nil {
		u.log.Error("opinion", "err", err)
		u.errorPage(c, http.StatusInternalServerError, "无法读取报告，请稍后重试。/ Cannot read the report; try again later.")
		return
	}
	u.render(c, http.StatusOK, "opinion", page{Title: "审核意见", Nav: "list", Data: d})
}
