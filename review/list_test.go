package review_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/store"
)

var rowLink = regexp.MustCompile(`<tr>\s*<td>(\d+)</td>`)

func TestListFiltersAndSort(t *testing.T) {
	s := startSite(t, 0)
	ctx := context.Background()
	// Five applications: errors 0..4 (the findings are made up for the
	// list; only their severities count), two batches, two regions.
	for i := range 5 {
		a, _, err := s.Store.CreateApplication(ctx, store.NewApplication{SHA256: fmt.Sprintf("%064x", i+1), Filename: fmt.Sprintf("%d.docx", i),
			MIME: "application/zip", Batch: []string{"一批", "二批"}[i%2], Region: []string{"重庆市", "广东省"}[i/3]}, store.Actor{Name: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			continue // stays queued
		}
		rep := &shenbao.Report{File: a.Filename, Format: shenbao.FormatDOCX, Edition: shenbao.EditionMatch{ID: "cq2024"}}
		for range i {
			rep.Findings = append(rep.Findings, shenbao.Finding{Kind: shenbao.KindThreshold, Severity: shenbao.SeverityError})
		}
		if _, err := s.Store.SaveReport(ctx, store.SaveReport{AppID: a.ID, BaseVersion: -1, Kind: store.KindExtract, Report: rep}); err != nil {
			t.Fatal(err)
		}
		// 2 is signed off; 3 was, before a re-check made version 2.
		if i == 1 || i == 2 {
			if err := s.Store.SetReviewed(ctx, a.ID, 1, "", store.Actor{Name: "zhangsan"}); err != nil {
				t.Fatal(err)
			}
		}
		if i == 2 {
			if _, err := s.Store.SaveReport(ctx, store.SaveReport{AppID: a.ID, BaseVersion: 1, Kind: store.KindCheck, Report: rep}); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, _ := signIn(t, s.URL, "zhangsan")
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"5", "4", "3", "2", "1"}},
		{"sort=id", []string{"1", "2", "3", "4", "5"}},
		{"sort=errors&dir=desc", []string{"4", "3", "2", "1", "5"}},
		{"status=queued", []string{"5"}},
		{"batch=一批&sort=id", []string{"1", "3", "5"}},
		{"region=广东省&sort=id", []string{"4", "5"}},
		{"errors=yes&sort=id", []string{"2", "3", "4"}},
		{"errors=yes&min_errors=2&sort=id", []string{"3", "4"}},
		{"errors=no&sort=id", []string{"1", "5"}},
		{"sort=id&per_page=2&page=2", []string{"3", "4"}},
		{"sort=id&per_page=2&page=9", nil},
		{"sort=bogus&dir=asc", []string{"5", "4", "3", "2", "1"}},
		{"reviewed=true", []string{"2"}},
		{"reviewed=false&sort=id", []string{"1", "3", "4", "5"}},
		{"reviewed=false&errors=yes&sort=id", []string{"3", "4"}},
		{"reviewed=maybe&sort=id", []string{"1", "2", "3", "4", "5"}},
		{"sort=reviewed&dir=desc", []string{"2", "3", "1", "4", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for _, m := range rowLink.FindAllStringSubmatch(get(t, c, s.URL+"/applications?"+tt.query), -1) {
				got = append(got, m[1])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rows %v, want %v", got, tt.want)
			}
		})
	}

	// The 审核 column says who signed off, or that the report changed
	// since; the export link carries the filter.
	page := get(t, c, s.URL+"/applications?sort=id")
	for _, want := range []string{`<span class="reviewed">已审核</span><br><small>zhangsan</small>`, `title="第 1 版审核后报告已更新">需重新确认</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("list lacks %s", want)
		}
	}
	if page := get(t, c, s.URL+"/applications?reviewed=false"); !strings.Contains(page, "/api/v1/exports/applications.xlsx?reviewed=false") {
		t.Error("the export link does not carry reviewed=false")
	}
}
