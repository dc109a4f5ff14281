package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/correct"
	"github.com/shenbao/shenbao/store"
)

// TestBrowserRepairNote: a value the corrections stage changed carries,
// on the reviewer's page, what OCR read and the rule that changed it; a
// value it did not change carries no note; the printed 审核意见 and the
// application's row carry the count.
func TestBrowserRepairNote(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, 0)
	ctx := context.Background()
	app, _, err := s.Store.CreateApplication(ctx, store.NewApplication{SHA256: strings.Repeat("a", 64), Filename: "scan.pdf",
		MIME: "application/pdf", Batch: "一批", Region: "浙江省"}, store.Actor{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	rep := &shenbao.Report{File: "scan.pdf", Format: shenbao.FormatPDFScan, Edition: shenbao.EditionMatch{ID: "nat2022"},
		Fields: []shenbao.Field{
			{ID: "ent_count.2021", Key: "ent_count", Section: "二、主导产业情况", Label: "集群企业数量", Column: "2021年", Value: "12", Confidence: 0.63, Source: shenbao.SourceOCR},
			{ID: "ent_count.2020", Key: "ent_count", Section: "二、主导产业情况", Label: "集群企业数量", Column: "2020年", Value: "11", Confidence: 0.95, Source: shenbao.SourceOCR},
		},
		Checkboxes: []shenbao.Checkbox{}, Texts: []shenbao.Text{}, Findings: []shenbao.Finding{},
		Repairs: []shenbao.Repair{{FieldID: "ent_count.2021", Rule: "digit_shapes", Read: "l2", Value: "12", ConfidenceBefore: 0.9, ConfidenceAfter: 0.63}},
	}
	if _, err := s.Store.SaveReport(ctx, store.SaveReport{AppID: app.ID, BaseVersion: -1, Kind: store.KindExtract, Report: rep}); err != nil {
		t.Fatal(err)
	}
	b.run("open list", chromedp.Navigate(s.URL+"/applications"), chromedp.WaitVisible(`#name`, chromedp.ByID))
	b.run("sign in", chromedp.SendKeys(`#name`, "zhangsan", chromedp.ByID), chromedp.SendKeys(`#password`, password, chromedp.ByID),
		chromedp.Submit(`#password`, chromedp.ByID), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery))
	b.run("view", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, app.ID)))
	b.run("fields tab", chromedp.WaitVisible(`#tab-fields`, chromedp.ByID), chromedp.Click(`#tab-fields`, chromedp.ByID))
	b.waitFor("fields", `document.querySelectorAll('#panel-fields tr[data-field]').length == 2`, 20*time.Second)
	want := fmt.Sprintf("识别为「l2」，已按「%s」更正", correct.Title("digit_shapes"))
	var notes map[string]string
	b.eval("notes", `Object.fromEntries([...document.querySelectorAll('#panel-fields tr[data-field]')].map((r) => [r.dataset.field, (r.querySelector('.repaired') || {}).textContent || ""]))`, &notes)
	if notes["ent_count.2021"] != want {
		t.Errorf("repaired value's note = %q, want %q", notes["ent_count.2021"], want)
	}
	if notes["ent_count.2020"] != "" {
		t.Errorf("a value read as it stands carries a note: %q", notes["ent_count.2020"])
	}
	b.shot("repair-note")

	// The printed 审核意见 and the application's row (the list, the
	// exports) carry the count.
	b.run("opinion", chromedp.Navigate(fmt.Sprintf("%s/applications/%d/opinion", s.URL, app.ID)), chromedp.WaitVisible(`#repairs`, chromedp.ByID))
	var line string
	b.run("opinion repairs", chromedp.Text(`#repairs`, &line, chromedp.ByID))
	if !strings.Contains(line, "1 处") {
		t.Errorf("opinion's repair line = %q, want the count 1", line)
	}
	got, err := s.Store.Application(ctx, app.ID)
	if err != nil || got.Repairs != 1 {
		t.Errorf("application's repair count %d (%v), want 1", got.Repairs, err)
	}
}
