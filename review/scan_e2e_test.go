package review_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/api"
	"github.com/shenbao/shenbao/extract/ocr"
	"github.com/shenbao/shenbao/extract/scanpdf"
	"github.com/shenbao/shenbao/store"
)

// needOCR skips tb when Tesseract or its Chinese data is missing (make
// test installs them; a plain `go test` on a bare machine should say what
// to install rather than fail).
func needOCR(tb testing.TB) {
	tb.Helper()
	eng, err := ocr.New(ocr.Options{Clients: 1})
	if err != nil {
		if shenbao.ErrorCode(err) == shenbao.ENOTINSTALLED {
			tb.Skipf("no OCR here (%v)", shenbao.ErrorMessage(err))
		}
		tb.Fatal(err)
	}
	eng.Close()
}

// TestBrowserScanReview is the intake clerk's commonest case seen by a
// reviewer: a paper copy scanned by an office copier (corpus nat2022_05,
// 200 dpi, a red seal, one answer over its 200-character limit) goes
// through the upload page, the OCR path and the checks, and the reviewer
// works on the page images.
func TestBrowserScanReview(t *testing.T) {
	needRenderer(t)
	needOCR(t)
	b := newBrowser(t)
	proc := newPipeline(t)
	proc.Extractor.ScanWith(scanpdf.Options{Workers: 2})
	s := startSiteWith(t, 1, proc)
	ctx := context.Background()

	b.run("open list", chromedp.Navigate(s.URL+"/applications"), chromedp.WaitVisible(`#name`, chromedp.ByID))
	b.run("sign in", chromedp.SendKeys(`#name`, "zhangsan", chromedp.ByID), chromedp.SendKeys(`#password`, password, chromedp.ByID),
		chromedp.Submit(`#password`, chromedp.ByID), chromedp.WaitVisible(`table.apps`, chromedp.ByQuery))

	scanned, _ := filepath.Abs("testdata/nat2022_05_scan.pdf")
	b.run("upload page", chromedp.Navigate(s.URL+"/upload"), chromedp.WaitReady(`#files`, chromedp.ByID))
	b.run("choose scan", chromedp.SendKeys(`#batch`, "2022年复核", chromedp.ByID), chromedp.SendKeys(`#region`, "浙江省", chromedp.ByID),
		chromedp.SetUploadFiles(`#files`, []string{scanned}, chromedp.ByID))
	// The row passes through the states the clerk is shown; the last one is
	// done with a link to the application.
	seen := map[string]bool{}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		var st struct {
			State string
			Done  bool
		}
		b.eval("upload state", `(() => { const r = document.querySelector('#upload-list tr[data-file]'); return r ? {State: r.querySelector('.state').textContent, Done: !!r.querySelector('td.result a')} : {} })()`, &st)
		if st.State != "" {
			seen[st.State] = true
		}
		if st.Done {
			break
		}
		if st.State == "失败" || time.Now().After(deadline) {
			b.shot("scan-upload-failed")
			t.Fatalf("scan upload ended in state %q (states seen %v)", st.State, seen)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("upload states seen: %v", seen)
	for st := range seen {
		if !slices.Contains([]string{"上传中", "排队中", "识别中", "检查中", "已完成"}, st) {
			t.Errorf("upload row showed state %q", st)
		}
	}
	if !seen["识别中"] {
		t.Errorf("a scan takes many seconds, yet the row never showed 识别中 (states seen %v)", seen)
	}
	b.shot("s1-scan-uploaded")
	b.noConsoleErrors("upload (scan)")

	apps, _, err := s.Store.Applications(ctx, store.Filter{})
	if err != nil || len(apps) != 1 {
		t.Fatalf("applications after upload: %d, %v", len(apps), err)
	}
	app := apps[0]
	rep, err := s.Store.Report(ctx, app.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Report.Format != shenbao.FormatPDFScan || rep.Report.Edition.ID != "nat2022" {
		t.Fatalf("scan read as %s / %s, want %s / nat2022", rep.Report.Format, rep.Report.Edition.ID, shenbao.FormatPDFScan)
	}
	findings := rep.Report.Findings
	// The planted defect: the 能源和资源综合利用 answer runs past 200 字.
	limit := slices.IndexFunc(findings, func(f shenbao.Finding) bool {
		return f.Kind == shenbao.KindWordLimit && f.Severity == shenbao.SeverityError && strings.Contains(f.Label, "能源和资源综合利用")
	})
	if limit < 0 {
		t.Errorf("the scan's report lacks the word-limit error on 能源和资源综合利用工作情况; findings: %v", findingLabels(findings))
	}

	b.run("view scan", chromedp.Navigate(fmt.Sprintf("%s/applications/%d", s.URL, app.ID)))
	b.waitFor("finding list", `document.querySelectorAll('#panel-findings .finding').length > 0`, 30*time.Second)
	b.waitFor("first page", `(() => { const i = document.querySelector('#page-1 img'); return i && i.complete && i.naturalWidth > 0 })()`, 30*time.Second)
	b.shot("s2-scan-view")
	placed := placeAll(t, b, findings)
	if placed == 0 {
		t.Fatal("no finding of the scan has a page and a box")
	}
	// Values read by OCR are drawn too, the unsure ones marked low.
	var fieldBoxes, lowBoxes int
	b.eval("field boxes", `document.querySelectorAll('.box.field').length`, &fieldBoxes)
	b.eval("low boxes", `document.querySelectorAll('.box.field.low').length`, &lowBoxes)
	if fieldBoxes < 50 {
		t.Errorf("%d value boxes drawn on the scan's pages, want the form's values", fieldBoxes)
	}
	t.Logf("%d findings (%d placed), %d value boxes of which %d low confidence", len(findings), placed, fieldBoxes, lowBoxes)

	// The word-limit finding: clicking it brings its box into view.
	if limit >= 0 && findings[limit].Page != nil {
		clickFinding(b, limit)
		// The image under the box is decoded after the scroll: let it paint
		// before the screenshot.
		b.run("settle", chromedp.Sleep(time.Second))
		b.shot("s3-word-limit-selected")
	}

	// A value OCR was unsure of: the reviewer checks it against the image
	// and confirms it, and the low-confidence finding goes away.
	fix := slices.IndexFunc(findings, func(f shenbao.Finding) bool {
		return f.Kind == shenbao.KindLowConfidence && len(f.FieldIDs) == 1
	})
	if fix < 0 {
		t.Fatalf("the scan's report has no low-confidence finding on one value; findings: %v", findingLabels(findings))
	}
	gone := findings[fix]
	b.run("open correction", chromedp.Click(fmt.Sprintf(`.finding[data-n="%d"] button.correct`, fix), chromedp.ByQuery),
		chromedp.WaitVisible(`.finding .inline-form [id^="val-"]`, chromedp.ByQuery))
	b.run("confirm value", chromedp.SendKeys(`.finding .inline-form input[id^="why-"]`, "已与原件核对", chromedp.ByQuery),
		chromedp.Click(`.finding .inline-form button[type=submit]`, chromedp.ByQuery))
	b.waitFor("correction notice", `document.getElementById('notice').textContent.includes('已更正')`, 20*time.Second)
	cur, err := s.Store.Report(ctx, app.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Version != rep.Version+1 || slices.ContainsFunc(cur.Report.Findings, func(f shenbao.Finding) bool { return api.FindingKey(f) == api.FindingKey(gone) }) {
		t.Errorf("after confirming %s: version %d (was %d); its low-confidence finding must be gone", gone.FieldIDs[0], cur.Version, rep.Version)
	}
	var lowLeft int
	b.eval("low findings left", fmt.Sprintf(`[...document.querySelectorAll('#panel-findings .finding')].filter(e => e.textContent.includes(%q)).length`, gone.Message), &lowLeft)
	if lowLeft != 0 {
		t.Errorf("finding %q still listed after the value was confirmed", gone.Message)
	}
	b.shot("s4-confirmed")

	// Dismiss the word-limit finding with a reason: shown with who did it.
	if limit >= 0 {
		idx := slices.IndexFunc(cur.Report.Findings, func(f shenbao.Finding) bool { return api.FindingKey(f) == api.FindingKey(findings[limit]) })
		if idx < 0 {
			t.Fatal("the word-limit finding went away with an unrelated correction")
		}
		reason := "超出部分为附表说明，已电话核实"
		dismissFinding(b, idx, reason)
		b.shot("s5-dismissed")
	}
	b.accessible("application view (scan)")
	b.noConsoleErrors("application view (scan)")
}

func findingLabels(fs []shenbao.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind)+":"+f.Label)
	}
	return out
}
